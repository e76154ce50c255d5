"""The stored scorecard equals a full recompute after every write (metrics/store.py).

Real CSV files go through the real ingest into a real database file; after each load or
settings change, the store read for week, month and quarter must be the very frame that
metrics.scorecard.indicator_values computes from the rows.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from database.db import Database, read_connection
from ingest.load import load_file
from metrics.scorecard import indicator_values
from metrics.store import brought_up_to_date, is_current, stored_values

TEAMS = [
    ("Alpha", "North", "4"),
    ("Beta", "North", "3"),
    ("Gamma", "South", "5"),
    ("Delta", "", "3"),  # no department: rolls up to the organisation only
]
START = datetime(2026, 1, 1)
TICKET_HEADER = [
    "ticket_id", "team", "created_at", "priority", "first_response_at", "resolved_at",
    "due_at", "customer_id", "csat",
]  # fmt: skip
SURVEY_HEADER = ["response_id", "submitted_at", "team", "csat", "nps"]
POLL_HEADER = ["response_id", "submitted_at", "team", "enps", "wellbeing", "workload"]


def _when(hours: int) -> str:
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


hours = st.integers(0, 24 * 130)  # about four months: weeks, months and two quarters
team = st.sampled_from([t[0] for t in TEAMS])
maybe_hours = st.one_of(st.none(), st.integers(1, 24 * 12))


@st.composite
def ticket_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        created = draw(hours)
        first, resolved = draw(maybe_hours), draw(maybe_hours)
        rows.append([
            f"T{draw(st.integers(0, 25))}", draw(team), _when(created),
            draw(st.sampled_from(["urgent", "high", "normal", "low"])),
            "" if first is None else _when(created + first // 2),
            "" if resolved is None else _when(created + resolved),
            _when(created + draw(st.integers(1, 24 * 6))),
            draw(st.sampled_from(["", "C1", "C2", "C3"])),
            draw(st.sampled_from(["", "1", "5"])),
        ])  # fmt: skip
    return rows


@st.composite
def survey_rows(draw: st.DrawFn) -> list[list[str]]:
    return [
        [f"S{draw(st.integers(0, 15))}", _when(draw(hours)), draw(team),
         draw(st.sampled_from(["", "2", "5"])), draw(st.sampled_from(["", "0", "10"]))]
        for _ in range(draw(st.integers(1, 4)))
    ]  # fmt: skip


@st.composite
def poll_rows(draw: st.DrawFn) -> list[list[str]]:
    return [
        [f"P{draw(st.integers(0, 40))}", _when(draw(hours)), draw(team),
         str(draw(st.integers(0, 10))), str(draw(st.integers(1, 5))),
         str(draw(st.integers(1, 5)))]
        for _ in range(draw(st.integers(1, 8)))
    ]  # fmt: skip


settings_change = st.fixed_dictionaries(
    {
        "privacy": st.fixed_dictionaries({"k": st.integers(3, 5)}),
        "organisation": st.fixed_dictionaries(
            {"business_hours_start": st.sampled_from(["08:00", "09:00"])}
        ),
        "sla_first_response_minutes": st.fixed_dictionaries(
            {"normal": st.sampled_from([240, 480])}
        ),
        "status": st.fixed_dictionaries({"amber_tolerance_pct": st.sampled_from([5, 10])}),
    }
)
step = st.one_of(
    st.tuples(st.just("tickets"), ticket_rows()),
    st.tuples(st.just("surveys"), survey_rows()),
    st.tuples(st.just("polls"), poll_rows()),
    st.tuples(st.just("teams"), st.permutations(["3", "4", "6", ""]).map(list)),
    st.tuples(st.just("settings"), settings_change),
)


def assert_store_is_full_recompute(db: Database) -> None:
    settings = db.settings()
    with read_connection(db.path) as con:
        assert is_current(con, settings)
        for period in ("week", "month", "quarter"):
            expected = indicator_values(con, period, settings)
            pd.testing.assert_frame_equal(stored_values(con, period, settings), expected)


def apply(db: Database, folder: Path, number: int, kind: str, payload: object) -> None:
    if kind == "settings":
        db.save_settings(payload)  # type: ignore[arg-type]
        brought_up_to_date(db)  # what the Settings page does after saving
        return
    if kind == "teams":
        heads = list(payload)  # type: ignore[call-overload]
        rows = [[t, d, h] for (t, d, _), h in zip(TEAMS, heads, strict=True)]
        header = ["team", "department", "headcount"]
    else:
        rows = payload  # type: ignore[assignment]
        header = {"tickets": TICKET_HEADER, "surveys": SURVEY_HEADER, "polls": POLL_HEADER}[kind]
    load_file(db, kind, _write(folder / f"{number}_{kind}.csv", header, rows))


@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=5))
def test_store_equals_full_recompute_after_every_write(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, object]]
) -> None:
    folder = tmp_path_factory.mktemp("store")
    db = Database(folder / "scorecard.duckdb")
    apply(db, folder, 0, "teams", [t[2] for t in TEAMS])
    for number, (kind, payload) in enumerate(steps, start=1):
        apply(db, folder, number, kind, payload)
        assert_store_is_full_recompute(db)


def test_late_poll_and_repeat_contact_reach_earlier_periods(tmp_path: Path) -> None:
    # A late poll response into a past pulse and a ticket that makes an earlier ticket (opened
    # in the month before) a repeat contact: both change periods the load's own rows are not in.
    db = Database(tmp_path / "scorecard.duckdb")
    db.save_settings({"privacy": {"k": 3}})
    apply(db, tmp_path, 0, "teams", [t[2] for t in TEAMS])
    polls = [[f"P{i}", _when(24 * 3 + i), "Alpha", "9", "4", "4"] for i in range(4)]
    apply(db, tmp_path, 1, "polls", polls)
    first = [["T1", _when(24 * 30), "normal", "", _when(24 * 31 + 2), _when(24 * 33), "C1", ""]]
    apply(db, tmp_path, 2, "tickets", [[r[0], "Beta", *r[1:]] for r in first])
    with read_connection(db.path) as con:
        before = stored_values(con, "month", db.settings())
    # February 2: one day after T1 (opened 31 January) was resolved.
    second = [["T2", "Gamma", _when(24 * 32), "normal", "", "", _when(24 * 34), "C1", ""]]
    apply(db, tmp_path, 3, "tickets", second)
    apply(db, tmp_path, 4, "polls", [["P9", _when(24 * 5), "Alpha", "0", "1", "1"]])
    with read_connection(db.path) as con:
        after = stored_values(con, "month", db.settings())

    def cell(frame: pd.DataFrame, indicator: str, scope_id: str) -> float:
        row = frame[
            (frame["period_start"] == START.date())
            & (frame["indicator"] == indicator)
            & (frame["scope_id"] == scope_id)
        ]
        return float(row["value"].iloc[0])

    # T1 was resolved with no later ticket (0 %), then C1 opened T2 the next day (100 %).
    assert cell(before, "efficiency.repeat_contact_pct", "Beta") == 0.0
    assert cell(after, "efficiency.repeat_contact_pct", "Beta") == 100.0
    # eNPS of Alpha's January pulse: four promoters (+100), then one detractor more (+60).
    assert cell(before, "wellbeing.enps", "Alpha") == 100.0
    assert cell(after, "wellbeing.enps", "Alpha") == 60.0
    assert_store_is_full_recompute(db)


def test_targets_and_tolerance_change_status_without_a_recompute(tmp_path: Path) -> None:
    db = Database(tmp_path / "scorecard.duckdb")
    apply(db, tmp_path, 0, "teams", [t[2] for t in TEAMS])
    rows = [["T1", "Alpha", _when(10), "normal", _when(11), _when(20), _when(30), "C1", ""]]
    apply(db, tmp_path, 1, "tickets", rows)
    version = db.version()
    db.save_settings({"targets": {"speed.first_response_median_min": 30}})
    assert not brought_up_to_date(db)  # nothing to recompute
    assert db.version() == version
    with read_connection(db.path) as con:
        frame = stored_values(con, "month", db.settings())
    indicator = "speed.first_response_median_min"
    org = frame[(frame["scope"] == "org") & (frame["indicator"] == indicator)]
    # One ticket answered after 60 minutes against a target of 30 (lower is better): red.
    assert org["value"].tolist() == [60.0]
    assert org["target"].tolist() == [30.0]
    assert org["status"].tolist() == ["red"]
    assert_store_is_full_recompute(db)


def test_a_value_setting_makes_the_store_stale_until_rebuilt(tmp_path: Path) -> None:
    db = Database(tmp_path / "scorecard.duckdb")
    apply(db, tmp_path, 0, "teams", [t[2] for t in TEAMS])
    db.save_settings({"privacy": {"k": 4}})
    with read_connection(db.path) as con:
        assert not is_current(con, db.settings())
    assert brought_up_to_date(db)
    assert_store_is_full_recompute(db)
