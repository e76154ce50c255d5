"""Wellbeing page: team figures, suppression shown with its reason, the chain."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from database.db import read_connection
from database.settings import load_settings, save_settings
from metrics.chain import chain_by_team, pearson
from metrics.scorecard import indicator_values
from tests.dashboard.dashboard_helpers import metric, no_errors, texts

PAGE = "views/wellbeing.py"


def test_small_team_is_shown_as_fewer_than_k_responses(app_db: Path, open_page) -> None:
    at = open_page(PAGE)
    no_errors(at)
    table = at.dataframe[0].value.set_index("Team")
    escalations = table.loc["Escalations"].drop("Department")
    assert set(escalations) == {"fewer than 5 responses"}
    # Complementary suppression hides one sibling in Business too: nothing can be subtracted.
    with read_connection(app_db) as con:
        frame = indicator_values(con, "month", load_settings(app_db))
    october = frame[(frame["period_start"] == date(2026, 10, 1)) & (frame["scope"] == "team")]
    enps = october[october["indicator"] == "wellbeing.enps"].set_index("scope_id")
    reasons = {
        "fewer_than_k": "fewer than 5 responses",
        "protects_another": "protects a smaller group",
    }
    for team, row in enps.iterrows():
        shown = table.loc[team, "Employee NPS"]
        if row["status"] == "suppressed":
            assert shown == reasons[row["suppressed_because"]]
        else:
            assert shown.split(" ")[0] == f"{row['value']:,.1f}"
    # The sibling hidden as a complement has k or more respondents: it says so, not "fewer".
    protecting = enps[enps["suppressed_because"] == "protects_another"].index
    assert len(protecting) == 1 and protecting[0] != "Escalations"
    assert table.loc[protecting[0], "Employee NPS"] == "protects a smaller group"
    assert "fewer than 5 responses, or to protect a smaller group" in texts(at)
    assert "k = 5" in texts(at)


def test_k_follows_the_settings(app_db: Path, open_page) -> None:
    save_settings({"privacy": {"k": 8}}, app_db)
    at = open_page(PAGE)
    no_errors(at)
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Escalations", "Employee NPS"] == "fewer than 8 responses"
    assert "k = 8" in texts(at)


def test_organisation_tiles_and_department_filter(app_db: Path, open_page) -> None:
    at = open_page(PAGE, dept="Business")
    no_errors(at)
    with read_connection(app_db) as con:
        frame = indicator_values(con, "month", load_settings(app_db))
    row = frame[
        (frame["period_start"] == date(2026, 10, 1))
        & (frame["scope"] == "department")
        & (frame["scope_id"] == "Business")
        & (frame["indicator"] == "wellbeing.favourable_pct")
    ].iloc[0]
    if row["status"] == "suppressed":
        assert ":material/lock: Favourable answers" in texts(at)
    else:
        assert metric(at, "Favourable answers").value == f"{row['value']:,.1f} %"
    # A hidden department figure is a tile with the reason instead of a number.
    who5 = frame[
        (frame["period_start"] == date(2026, 10, 1))
        & (frame["scope"] == "department")
        & (frame["scope_id"] == "Business")
        & (frame["indicator"] == "wellbeing.who5_index")
    ].iloc[0]
    if who5["status"] == "suppressed":
        assert ":material/lock: WHO-5 wellbeing index" in texts(at)
        assert not [m for m in at.metric if m.label.startswith("WHO-5")]
    assert "Department Business, the October 2026 pulse" in texts(at)
    teams = set(at.dataframe[0].value["Team"])
    assert teams == {"Enterprise Support", "Onboarding", "Escalations"}


def test_service_profit_chain_reports_r_and_n(app_db: Path, open_page) -> None:
    at = open_page(PAGE)
    no_errors(at)
    with read_connection(app_db) as con:
        frame = indicator_values(con, "month", load_settings(app_db))
    by_team = chain_by_team(frame, "month")
    by_team = by_team[pd.to_datetime(by_team["period_start"]) >= pd.Timestamp("2025-11-01")]
    r, n = pearson(by_team["favourable_pct"], by_team["csat_pct"])
    assert metric(at, "Correlation").value == f"{r:+.2f}"
    assert metric(at, "n team-periods").value == str(n)

    at.selectbox(key="w_wx").select("enps").run()
    at.selectbox(key="w_lag").select("1").run()
    no_errors(at)
    r, n = pearson(by_team["enps"], by_team["next_csat_pct"])
    assert metric(at, "Correlation").value == f"{r:+.2f}"
    assert metric(at, "n team-periods").value == str(n)


def test_wellbeing_is_read_per_pulse_and_opens_on_the_latest_one(
    app_db: Path, open_page
) -> None:
    # A week chosen on another page does not make a weekly wellbeing view.
    at = open_page(PAGE, period="week")
    no_errors(at)
    pulse = at.selectbox(key="w_pulse")
    with read_connection(app_db) as con:
        months = sorted(
            {d for (d,) in con.execute(
                "SELECT CAST(date_trunc('month', submitted_at) AS DATE) FROM poll_responses"
            ).fetchall()}
        )  # fmt: skip
    assert pulse.options == [f"{m:%B %Y} pulse" for m in reversed(months)]
    assert pulse.value == months[-1].isoformat()
    assert not [s for s in at.selectbox if s.label == "Period"]
    assert f"the {months[-1]:%B %Y} pulse" in texts(at)
