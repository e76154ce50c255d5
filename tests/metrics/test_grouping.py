"""Periods (week from Monday, month, quarter) and scopes (organisation, department, team)."""

from __future__ import annotations

import pytest

from metrics.registry import INDICATORS
from metrics.scorecard import indicator_values
from tests.metrics.helpers import add_polls, add_surveys, add_teams, add_tickets, cell


def scopes(frame) -> set[tuple[str, str, str]]:
    return {
        (str(p), s, i)
        for p, s, i in zip(frame["period_start"], frame["scope"], frame["scope_id"], strict=True)
    }


def test_weeks_start_on_monday(con, settings) -> None:
    add_tickets(con, {"created_at": "2026-01-11 23:59:59"}, {"created_at": "2026-01-12 00:00"})
    frame = indicator_values(con, "week", settings)
    # Sunday 11 January belongs to the week of Monday 5 January; Monday 12 starts a new one.
    assert {p for p, _, _ in scopes(frame)} == {"2026-01-05", "2026-01-12"}


@pytest.mark.parametrize(
    ("period", "expected"),
    [("month", "2026-02-01"), ("quarter", "2026-01-01"), ("week", "2026-02-16")],
)
def test_period_start(con, settings, period: str, expected: str) -> None:
    add_tickets(con, {"created_at": "2026-02-19 10:00"})
    assert {p for p, _, _ in scopes(indicator_values(con, period, settings))} == {expected}


def test_rollup_to_department_and_org(con, settings) -> None:
    # A and B are in department D; C has no department; Z is not in the teams table at all.
    add_teams(con, ("A", "D", None), ("B", "D", None), ("C", None, None))
    add_tickets(
        con,
        {"team": "A", "created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:10"},
        {"team": "B", "created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:30"},
        {"team": "C", "created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 11:00"},
        {"team": "Z", "created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 12:00"},
    )
    frame = indicator_values(con, "month", settings)
    jan = "2026-01-01"
    assert scopes(frame) == {
        (jan, "org", ""),
        (jan, "department", "D"),
        (jan, "team", "A"),
        (jan, "team", "B"),
        (jan, "team", "C"),
        (jan, "team", "Z"),
    }
    indicator = "speed.first_response_median_min"
    dept = cell(frame, indicator, "department", "D")
    assert (dept["value"], dept["n"]) == (20.0, 2)  # median of 10 and 30
    org = cell(frame, indicator)
    assert (org["value"], org["n"]) == (45.0, 4)  # median of 10, 30, 60, 120
    assert cell(frame, indicator, "team", "C")["parent"] == ""
    assert cell(frame, indicator, "team", "A")["parent"] == "D"


def test_a_scope_appears_when_it_has_any_item_in_the_period(con, settings) -> None:
    add_teams(con, ("A", "D", 5), ("B", "D", 5), ("Idle", "D", 5))
    add_tickets(con, {"team": "A", "created_at": "2026-01-05 10:00"})
    add_surveys(con, {"team": "B", "submitted_at": "2026-02-05 10:00", "csat": 5})
    add_polls(con, {"team": "A", "submitted_at": "2026-03-05 10:00", "enps": 9})
    frame = indicator_values(con, "month", settings)
    assert scopes(frame) == {
        ("2026-01-01", "org", ""),
        ("2026-01-01", "department", "D"),
        ("2026-01-01", "team", "A"),
        ("2026-02-01", "org", ""),
        ("2026-02-01", "department", "D"),
        ("2026-02-01", "team", "B"),
        ("2026-03-01", "org", ""),
        ("2026-03-01", "department", "D"),
        ("2026-03-01", "team", "A"),
    }
    # Every scope and period has one row per indicator, in registry order.
    ids = [i.id for i in INDICATORS]
    for _, rows in frame.groupby(["period_start", "scope", "scope_id"]):
        assert list(rows["indicator"]) == ids


def test_department_filter_keeps_org_department_and_its_teams(con, settings) -> None:
    add_teams(con, ("A", "D", None), ("B", "E", None))
    add_tickets(
        con, {"team": "A", "created_at": "2026-01-05"}, {"team": "B", "created_at": "2026-01-05"}
    )
    frame = indicator_values(con, "month", settings, department="D")
    assert {(s, i) for _, s, i in scopes(frame)} == {
        ("org", ""),
        ("department", "D"),
        ("team", "A"),
    }


def test_date_filter(con, settings) -> None:
    from datetime import date

    add_tickets(con, *({"created_at": f"2026-0{m}-05"} for m in (1, 2, 3)))
    frame = indicator_values(con, "month", settings, start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert {p for p, _, _ in scopes(frame)} == {"2026-02-01"}
    # The change is still against January, outside the filter.
    row = cell(frame, "speed.first_response_sla_pct")
    assert (row["previous_value"], row["change"]) == (0.0, 0.0)


def test_unknown_period_is_refused(con, settings) -> None:
    with pytest.raises(ValueError, match="unknown period 'year'"):
        indicator_values(con, "year", settings)


def test_empty_database_gives_empty_frame(con, settings) -> None:
    frame = indicator_values(con, "month", settings)
    assert frame.empty
    assert "status" in frame.columns
