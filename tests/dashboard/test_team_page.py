"""Team page: every indicator against target and organisation, rank, distributions, tickets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from database.db import read_connection
from database.settings import load_settings
from metrics.drilldown import tickets_behind
from metrics.registry import INDICATORS, by_id
from metrics.scorecard import culture_index, indicator_values
from tests.dashboard.dashboard_helpers import chart_data, metric, no_errors, texts

ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th", 8: "8th",
            9: "9th", 10: "10th"}  # fmt: skip

TEAM_PAGE = "views/team.py"


def month_values(db: Path) -> pd.DataFrame:
    with read_connection(db) as con:
        frame = indicator_values(con, "month", load_settings(db))
    return frame[frame["period_start"] == date(2026, 10, 1)]


def shown_number(text: str) -> float:
    """'157 min' -> 157.0, '70.1 %' -> 70.1, '-16.3' -> -16.3."""
    return float(text.split(" ")[0].replace(",", ""))


def test_team_page_lists_every_indicator_with_registry_values(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE, team="Billing")
    no_errors(at)
    table = at.dataframe[0].value
    assert len(table) == len(INDICATORS)
    assert list(table["Indicator"]) == [i.label for i in INDICATORS]
    october = month_values(app_db)
    billing = october[(october["scope"] == "team") & (october["scope_id"] == "Billing")]
    org = october[october["scope"] == "org"]
    for row in table.itertuples(index=False):
        ind = next(i for i in INDICATORS if i.label == row.Indicator)
        expected = billing[billing["indicator"] == ind.id].iloc[0]
        if pd.isna(expected["value"]):
            assert row.Value == "–"
        else:
            assert abs(shown_number(row.Value) - expected["value"]) <= 0.5 + 0.01 * abs(
                expected["value"]
            )
        word = {"green": "On target", "amber": "Close to target", "red": "Off target"}.get(
            expected["status"], "No data"
        )
        assert word in row.Status
        org_value = org[org["indicator"] == ind.id]["value"].iloc[0]
        if not pd.isna(org_value):
            assert abs(shown_number(row.Organisation) - org_value) <= 0.5 + 0.01 * abs(org_value)
        assert row.Target.startswith("≤" if by_id(ind.id).better == "lower" else "≥")


def test_team_rank_and_index_follow_the_culture_index(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE, team="Tech Support L1")
    no_errors(at)
    with read_connection(app_db) as con:
        index = culture_index(indicator_values(con, "month", load_settings(app_db)))
    october = index[(index["period_start"] == date(2026, 10, 1)) & (index["scope"] == "team")]
    ordered = october.sort_values(["index", "scope_id"], ascending=[False, True])
    rank = list(ordered["scope_id"]).index("Tech Support L1") + 1
    assert metric(at, "Rank among teams").value == f"{ORDINALS[rank]} of {len(ordered)} teams"
    mine = ordered[ordered["scope_id"] == "Tech Support L1"]["index"].iloc[0]
    assert metric(at, "Service-culture index").value == f"{mine:,.0f}"


def test_choosing_a_team_and_a_ticket_list(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE)
    at.selectbox(key="w_team").select("Tech Support L1").run()
    at.selectbox(key="w_list").select("accuracy.reopen_rate_pct").run()
    no_errors(at)
    assert at.query_params["team"] == "Tech Support L1"
    assert at.query_params["list"] == "accuracy.reopen_rate_pct"
    tickets = at.dataframe[-1].value
    settings = load_settings(app_db)
    with read_connection(app_db) as con:
        expected = tickets_behind(
            con,
            "accuracy.reopen_rate_pct",
            "month",
            date(2026, 10, 1),
            "team",
            "Tech Support L1",
            settings,
            limit=1000,
        )
    assert len(tickets) == len(expected) > 0
    assert list(tickets["ticket_id"]) == list(expected["ticket_id"])
    assert (expected["team"] == "Tech Support L1").all()
    assert "team" not in tickets.columns  # one team: the column would only repeat its name
    assert list(tickets["reopens"]) == sorted(tickets["reopens"], reverse=True)  # most first
    assert tickets["reopens"].iloc[0] > 0
    assert f"**{len(expected):,} tickets**" in texts(at)
    download = at.get("download_button")
    assert [d.proto.label for d in download] == ["Download these tickets (CSV)"]


def test_department_view_and_indicator_trend_against_organisation(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE)
    at.radio(key="w_level").set_value("department").run()
    at.selectbox(key="w_dept").select("Consumer").run()
    at.selectbox(key="w_ind").select("loyalty.csat_pct").run()
    no_errors(at)
    assert metric(at, "Rank among departments").value.endswith("of 3 departments")
    trend = chart_data(at, 0)[0].to_pandas()
    assert set(trend["series"]) == {"Consumer", "Organisation"}
    assert len(trend) == 24  # twelve months each
    first_response = chart_data(at, 1)[0].to_pandas()
    assert first_response["tickets"].sum() > 0


def test_looking_into_an_earlier_month(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE, team="Billing", at="2025-11-01")
    no_errors(at)
    assert "Tickets behind the numbers, November 2025" in texts(at)
    tickets = at.dataframe[-1].value
    created = pd.to_datetime(tickets["created_at"])
    assert created.min() >= pd.Timestamp("2025-11-01")
    assert created.max() < pd.Timestamp("2025-12-01")


def test_small_team_wellbeing_is_hidden_with_the_reason(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE, team="Escalations")
    no_errors(at)
    table = at.dataframe[0].value.set_index("Indicator")
    wellbeing = [i.label for i in INDICATORS if i.area == "wellbeing"]
    assert set(table.loc[wellbeing, "Value"]) == {"fewer than 5 responses"}
    assert set(table.loc[wellbeing, "Status"]) == {"🔒 Suppressed"}
    assert "figure(s) of Escalations are hidden: fewer than 5 responses" in texts(at)


def test_a_week_says_which_pulse_its_wellbeing_figures_are(app_db: Path, open_page) -> None:
    at = open_page(TEAM_PAGE, period="week")
    no_errors(at)
    week = date.fromisoformat(at.selectbox(key="w_at").value)
    assert (
        f"Wellbeing figures are the {week:%B %Y} pulse: polls are read per month" in texts(at)
    )
