"""The tickets behind a number are exactly its n, and recomputing from them gives its value."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from database.db import read_connection
from database.settings import Settings, default_settings_data, validate_settings
from ingest.load import load_file
from metrics.drilldown import tickets_behind
from metrics.registry import INDICATORS, Indicator
from metrics.scorecard import indicator_values
from tests.conftest import SAMPLE_DATA

DELIVERED = [i for i in INDICATORS if i.kind == "delivered"]
FILES = (("teams", "teams.csv"), ("tickets", "tickets.csv"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Settings]]:
    """The sample teams and tickets in one database for the whole module."""
    db = tmp_path_factory.mktemp("drill") / "s.duckdb"
    settings = validate_settings(default_settings_data())
    for source, name in FILES:
        load_file(db, source, SAMPLE_DATA / name, settings=settings)
    yield db, settings


def recomputed(ind: Indicator, rows: pd.DataFrame) -> float:
    """The indicator's value from its rows alone, by its definition's shape."""
    values = rows["measure"].astype(float)
    if ind.computation.median is not None:
        return statistics.median(values)
    if "total" in ind.computation.parts:
        return statistics.fmean(values)
    return 100 * values.sum() / len(values)


def _figures(con: duckdb.DuckDBPyConnection, settings: Settings) -> pd.DataFrame:
    frame = indicator_values(con, "month", settings)
    latest = frame["period_start"].max()
    department = frame.loc[frame["scope"] == "department", "scope_id"].min()
    team = frame.loc[frame["scope"] == "team", "scope_id"].min()
    chosen = (frame["scope"] == "org") | frame["scope_id"].isin([department, team])
    return frame[chosen & frame["period_start"].isin([latest, frame["period_start"].min()])]


@pytest.mark.parametrize("ind", DELIVERED, ids=[i.id for i in DELIVERED])
def test_the_list_behind_a_number_is_its_n_and_gives_its_value(
    sample: tuple[Path, Settings], ind: Indicator
) -> None:
    db, settings = sample
    with read_connection(db) as con:
        figures = _figures(con, settings)
        mine = figures[figures["indicator"] == ind.id]
        assert len(mine) == 6  # org, a department, a team x first and latest month
        for row in mine.itertuples(index=False):
            rows = tickets_behind(
                con, ind.id, "month", row.period_start, row.scope, row.scope_id, settings, None
            )
            assert len(rows) == row.n, (row.scope, row.scope_id, row.period_start)
            assert row.n > 0
            assert recomputed(ind, rows) == pytest.approx(row.value, rel=1e-12)


def test_the_list_starts_with_the_tickets_to_look_at_first(sample) -> None:
    db, settings = sample
    with read_connection(db) as con:
        start = indicator_values(con, "month", settings)["period_start"].max()
        sla = tickets_behind(
            con, "speed.first_response_sla_pct", "month", start, "org", None, settings, 5
        )
    assert len(sla) == 5
    assert not sla["measure"].any()  # missed targets first


def test_a_perceived_figure_has_no_ticket_list(sample) -> None:
    db, settings = sample
    with read_connection(db) as con, pytest.raises(ValueError, match="not a delivered figure"):
        tickets_behind(con, "loyalty.csat_pct", "month", pd.Timestamp("2025-01-01").date(),
                       "org", None, settings)  # fmt: skip
