"""Perceived indicators from customer surveys and employee polls, checked by hand.

All responses are in team A in January 2026 unless stated; default k = 5.
"""

from __future__ import annotations

import pytest

from database.schema import RATING_COLUMNS
from metrics.scorecard import indicator_values
from tests.metrics.helpers import add_polls, add_surveys, add_teams, add_tickets, cell

JAN = "2026-01-01"
AT = "2026-01-07 12:00"


def org_month(con, settings, indicator: str, period: str = "month", **where: str):
    frame = indicator_values(con, period, settings)
    return cell(frame, indicator, **where)


@pytest.mark.parametrize("column", RATING_COLUMNS)
def test_perceived_top2(con, settings, column: str) -> None:
    answers = [5, 4, 3, 1, None, 4]
    add_surveys(con, *({"submitted_at": AT, column: a} for a in answers))
    area = column.removeprefix("rating_")
    row = org_month(con, settings, f"{area}.perceived_pct")
    assert row["value"] == 60.0  # 4 or 5: three of five answers (the None is left out)
    assert row["n"] == 5


def test_csat(con, settings) -> None:
    answers = [5, 4, 3, 2, None, 1, 4, 5]
    add_surveys(con, *({"submitted_at": AT, "csat": a} for a in answers))
    row = org_month(con, settings, "loyalty.csat_pct")
    assert row["value"] == 400 / 7  # 4 satisfied (5, 4, 4, 5) / 7 known = 57.14 %
    assert row["n"] == 7


def test_nps(con, settings) -> None:
    answers = [10, 9, 8, 7, 6, 0, None, 10]
    add_surveys(con, *({"submitted_at": AT, "nps": a} for a in answers))
    row = org_month(con, settings, "loyalty.nps")
    # promoters 10, 9, 10 = 3; detractors 6, 0 = 2; known 7 -> (3 - 2) / 7 x 100
    assert row["value"] == 100 / 7
    assert row["n"] == 7


def test_nps_can_be_negative(con, settings) -> None:
    add_surveys(con, *({"submitted_at": AT, "nps": a} for a in [0, 3, 6, 9]))
    row = org_month(con, settings, "loyalty.nps")
    assert row["value"] == -50.0  # (1 - 3) / 4 x 100


def test_easy_effort(con, settings) -> None:
    answers = [7, 5, 4, 1, None, 6]
    add_surveys(con, *({"submitted_at": AT, "ces": a} for a in answers))
    row = org_month(con, settings, "accessibility.easy_effort_pct")
    assert row["value"] == 60.0  # 7, 5, 6 of 5 known
    assert row["n"] == 5


def test_enps(con, settings) -> None:
    answers = [10, 9, 9, 8, 0, None]
    add_polls(con, *({"submitted_at": AT, "enps": a} for a in answers))
    row = org_month(con, settings, "wellbeing.enps")
    # promoters 3, detractors 1 (0), known 5 -> (3 - 1) / 5 x 100 = 40
    assert (row["value"], row["n"], row["status"]) == (40.0, 5, "green")


def test_favourable_pools_answers_over_five_items(con, settings) -> None:
    add_polls(
        con,
        # 4 answers, 2 favourable (5, 4); the 2 and 3 are not
        {"submitted_at": AT, "wellbeing": 5, "workload": 4, "recognition": 2, "enablement": 3},
        {"submitted_at": AT, "wellbeing": 4},  # 1 answer, favourable
        {"submitted_at": AT, "workload": 1},  # 1 answer, not
        {  # 5 answers, all favourable
            "submitted_at": AT,
            "wellbeing": 5,
            "workload": 5,
            "recognition": 5,
            "manager_support": 5,
            "enablement": 5,
        },
        {"submitted_at": AT, "enablement": 4},  # 1 answer, favourable
        {"submitted_at": AT, "enps": 7, "burnout": 5},  # none of the five items: not counted
    )
    row = org_month(con, settings, "wellbeing.favourable_pct")
    # favourable 2 + 1 + 0 + 5 + 1 = 9 of 4 + 1 + 1 + 5 + 1 = 12 answers; 5 respondents (= k)
    assert (row["value"], row["n"]) == (75.0, 12)


def test_burnout_risk(con, settings) -> None:
    answers = [5, 4, 3, 1, 2, None]
    add_polls(con, *({"submitted_at": AT, "burnout": a} for a in answers))
    row = org_month(con, settings, "wellbeing.burnout_risk_pct")
    assert (row["value"], row["n"]) == (40.0, 5)  # 5 and 4 of 5 known


def test_who5_only_complete_responses(con, settings) -> None:
    def who5(*items: int | None) -> dict[str, object]:
        return {"submitted_at": AT, **{f"who5_{i + 1}": v for i, v in enumerate(items)}}

    add_polls(
        con,
        who5(5, 5, 5, 5, 5),  # 4 x 25 = 100
        who5(3, 3, 3, 3, 3),  # 4 x 15 = 60
        who5(0, 0, 0, 0, 0),  # 0
        who5(4, 4, 4, 4, 4),  # 80
        who5(1, 2, 3, 4, 5),  # 4 x 15 = 60
        who5(5, 5, 5, 5, None),  # incomplete: left out
    )
    row = org_month(con, settings, "wellbeing.who5_index")
    assert (row["value"], row["n"]) == (60.0, 5)  # (100 + 60 + 0 + 80 + 60) / 5


def _participation_teams(con) -> None:
    # Department D: A (4 people), B (6 people), C (no headcount: counts in neither part).
    add_teams(con, ("A", "D", 4), ("B", "D", 6), ("C", "D", None))


def test_participation_month(con, settings) -> None:
    _participation_teams(con)
    add_polls(
        con,
        *({"team": "A", "submitted_at": AT} for _ in range(3)),
        *({"team": "B", "submitted_at": AT} for _ in range(3)),
        *({"team": "C", "submitted_at": AT} for _ in range(2)),
    )
    frame = indicator_values(con, "month", settings)
    # one pulse (January); responses from teams with a headcount 3 + 3 = 6 of 10 people x 1
    for scope, scope_id in (("org", ""), ("department", "D")):
        row = cell(frame, "wellbeing.participation_pct", scope, scope_id)
        assert (row["value"], row["n"]) == (60.0, 10)  # 8 respondents >= k
    # Team A has 3 respondents < k: suppressed.
    assert cell(frame, "wellbeing.participation_pct", "team", "A")["status"] == "suppressed"


def test_participation_quarter_shows_its_latest_pulse(con, settings) -> None:
    _participation_teams(con)
    add_polls(
        con,
        *({"team": "A", "submitted_at": "2026-01-07"} for _ in range(3)),
        *({"team": "B", "submitted_at": "2026-01-07"} for _ in range(3)),
        *({"team": "C", "submitted_at": "2026-01-07"} for _ in range(2)),
        *({"team": "A", "submitted_at": "2026-02-10"} for _ in range(2)),
        *({"team": "B", "submitted_at": "2026-02-10"} for _ in range(4)),
    )
    row = org_month(con, settings, "wellbeing.participation_pct", period="quarter")
    # Q1's latest pulse is February (no March poll): 2 + 4 = 6 of 10 people.
    assert (row["value"], row["n"]) == (60.0, 10)


def test_participation_week_shows_the_pulse_of_the_month_it_starts_in(con, settings) -> None:
    _participation_teams(con)
    # The week of Monday 2026-01-26 runs to Sunday 2026-02-01: it shows January's pulse.
    add_polls(
        con,
        *({"team": "A", "submitted_at": "2026-01-30 10:00"} for _ in range(3)),
        *({"team": "B", "submitted_at": "2026-01-30 11:00"} for _ in range(2)),
        *({"team": "B", "submitted_at": "2026-02-01 10:00"} for _ in range(3)),
    )
    row = org_month(con, settings, "wellbeing.participation_pct", period="week")
    assert row["period_start"].isoformat() == "2026-01-26"
    assert (row["value"], row["n"]) == (50.0, 10)  # January: 5 of 10 people


def test_a_silent_team_with_a_headcount_has_zero_participation(con, settings) -> None:
    _participation_teams(con)  # A: 4, B: 6 people (department D), C: no headcount
    add_polls(con, *({"team": "A", "submitted_at": AT} for _ in range(5)))
    add_tickets(con, {"team": "B", "created_at": AT})  # B is active, but nobody answered
    frame = indicator_values(con, "month", settings)
    row = cell(frame, "wellbeing.participation_pct", "team", "B")
    assert (row["value"], row["n"], row["status"]) == (0.0, 6, "red")
    # Nobody's answer is shown, and nothing is hidden: its other figures are simply missing.
    enps = cell(frame, "wellbeing.enps", "team", "B")
    assert (enps["n"], enps["status"]) == (0, "grey")


def test_participation_without_any_headcount_is_missing(con, settings) -> None:
    add_polls(con, *({"submitted_at": AT, "enps": 9} for _ in range(6)))
    row = org_month(con, settings, "wellbeing.participation_pct")
    assert row["n"] == 0 and row["status"] == "grey"
