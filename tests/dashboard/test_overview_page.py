"""Overview page: index, area tiles, service gap, trends, movers, filters kept in the URL."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from database.db import read_connection
from database.settings import load_settings
from metrics.registry import AREA_INFO, AREAS
from metrics.scorecard import area_scores, culture_index, indicator_values
from tests.dashboard.dashboard_helpers import chart_data, charts, metric, no_errors, texts


def scorecard(db: Path, period: str) -> pd.DataFrame:
    with read_connection(db) as con:
        return indicator_values(con, period, load_settings(db))


def latest(frame: pd.DataFrame, scope: str, scope_id: str) -> pd.DataFrame:
    mine = frame[(frame["scope"] == scope) & (frame["scope_id"].fillna("") == scope_id)]
    return mine[mine["period_start"] == mine["period_start"].max()]


def test_overview_shows_index_and_one_tile_per_area(app_db: Path, open_page) -> None:
    at = open_page()
    no_errors(at)
    assert at.title[0].value == "Service culture overview"
    frame = scorecard(app_db, "month")
    index = latest(culture_index(frame), "org", "")
    assert metric(at, "Service-culture index").value == f"{index['index'].iloc[0]:,.0f}"
    areas = latest(area_scores(frame), "org", "").set_index("area")["score"]
    for area in AREAS:
        tile = metric(at, AREA_INFO[area].label)
        assert tile.value == f"{areas[area]:,.0f}"
        # Status in words as well as colour: 'Speed · Off target'.
        assert any(word in tile.label for word in ("On target", "Close to target", "Off target"))
    assert "October 2026" in texts(at)


def test_overview_draws_gap_trends_and_movers(app_db: Path, open_page) -> None:
    at = open_page()
    specs = charts(at)
    assert len(specs) == 4  # index trend, service gap, loyalty, wellbeing
    for spec in specs:  # every chart carries tooltips
        assert "tooltip" in json.dumps(spec)
    gap = at.dataframe[0].value
    assert list(gap["Principle"]) == [AREA_INFO[a].label for a in AREAS[:7]]
    loyalty = chart_data(at, 2)[0].to_pandas()
    assert set(loyalty["series"]) == {"Customer satisfaction (CSAT)", "Net Promoter Score"}
    movers = at.dataframe[1].value
    assert len(movers) > 0
    assert set(movers["Direction"]) <= {"▲ better", "▼ worse"}


def test_period_filter_is_kept_in_the_url(app_db: Path, open_page) -> None:
    at = open_page(period="quarter")
    no_errors(at)
    assert at.selectbox(key="w_period").value == "quarter"
    frame = scorecard(app_db, "quarter")
    index = latest(culture_index(frame), "org", "")
    assert metric(at, "Service-culture index").value == f"{index['index'].iloc[0]:,.0f}"
    assert "Q4 2026" in texts(at)

    at.selectbox(key="w_period").select("week").run()
    no_errors(at)
    assert at.query_params["period"] == "week"
    assert "week of 26 Oct 2026" in texts(at)


def test_department_filter_shows_that_department(app_db: Path, open_page) -> None:
    at = open_page()
    at.selectbox(key="w_dept").select("Technical").run()
    no_errors(at)
    assert at.query_params["dept"] == "Technical"
    frame = scorecard(app_db, "month")
    index = latest(culture_index(frame), "department", "Technical")
    assert metric(at, "Service-culture index").value == f"{index['index'].iloc[0]:,.0f}"
    assert "department Technical" in texts(at)
    # The department's line is drawn against the organisation's.
    series = set(chart_data(at, 0)[0].to_pandas()["series"])
    assert series == {"Technical", "Organisation"}


def test_date_range_from_the_url_moves_the_latest_period(app_db: Path, open_page) -> None:
    at = open_page(**{"from": "2026-01-01", "to": "2026-03-31"})
    no_errors(at)
    assert "March 2026" in texts(at)
    assert at.query_params["from"] == "2026-01-01"
    trend = chart_data(at, 0)[0].to_pandas()
    assert len(trend) == 3  # January, February, March


@pytest.mark.parametrize(
    "page", [None, "views/team.py", "views/wellbeing.py", "views/load_data.py"]
)
def test_empty_database_explains_how_to_get_data(empty_db: Path, open_page, page) -> None:
    at = open_page(page)
    no_errors(at)
    if page == "views/load_data.py":
        assert "Nothing has been loaded yet." in texts(at)
    else:
        assert "scorecard demo" in texts(at)
        assert "Data" in texts(at)


def test_a_broken_database_shows_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_page
) -> None:
    bad = tmp_path / "broken.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("SCORECARD_DB", str(bad))
    for page in (None, "views/team.py", "views/wellbeing.py", "views/load_data.py"):
        at = open_page(page)
        assert not at.exception
        assert at.error, "the failure is reported on the page"
        assert "Sorry, this view could not be shown" in at.error[0].value
        assert "Traceback" not in texts(at)


def test_nonsense_in_the_url_falls_back_to_defaults(app_db: Path, open_page) -> None:
    at = open_page(period="decade", dept="Nowhere", **{"from": "yesterday", "to": "2099-01-01"})
    no_errors(at)
    assert at.selectbox(key="w_period").value == "month"
    assert at.selectbox(key="w_dept").value == "(all departments)"
    assert at.query_params["to"] == "2026-10-31"  # clamped to the data
    assert "October 2026" in texts(at)
