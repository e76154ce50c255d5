"""Delivered indicators from tickets, each on a tiny fixture checked by hand.

All tickets are in team A in January 2026 unless stated. 2026-01-05 is a Monday.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb
import pytest

from database.settings import Settings
from metrics.scorecard import indicator_values
from tests.metrics.helpers import add_teams, add_tickets, cell, with_settings

JAN = "2026-01-01"


def month(con: duckdb.DuckDBPyConnection, settings: Settings, indicator: str, **where: str):
    frame = indicator_values(con, "month", settings)
    return cell(frame, indicator, period_start=JAN, **where)


def test_first_response_median_is_exact_and_interpolated(con, settings) -> None:
    add_tickets(
        con,
        {"created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:10"},  # 10
        {"created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:30"},  # 30
        {"created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 11:00:30"},  # 60.5
        {"created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 12:00"},  # 120
        {"created_at": "2026-01-05 10:00"},  # never answered: not in the median
    )
    row = month(con, settings, "speed.first_response_median_min")
    # sorted 10, 30, 60.5, 120 -> (30 + 60.5) / 2 = 45.25 over 4 answered tickets
    assert row["value"] == 45.25
    assert row["n"] == 4


def test_median_interpolates_between_the_two_middle_values(con, settings) -> None:
    # DuckDB's median on numbers interpolates (quantile_cont): 1 and 2 minutes -> 1.5.
    add_tickets(
        con,
        {"created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:01"},
        {"created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:02"},
    )
    assert month(con, settings, "speed.first_response_median_min")["value"] == 1.5
    assert con.execute("SELECT median(x) FROM (VALUES (1), (2)) v(x)").fetchone() == (1.5,)


def test_sla_by_priority_at_most_target_and_unanswered_missed(con, settings) -> None:
    add_tickets(
        con,
        # urgent 60 min: exactly 60 -> met (<=)
        {
            "priority": "urgent",
            "created_at": "2026-01-05 10:00",
            "first_response_at": "2026-01-05 11:00",
        },
        # urgent: 60 min 1 s -> missed
        {
            "priority": "urgent",
            "created_at": "2026-01-05 10:00",
            "first_response_at": "2026-01-05 11:00:01",
        },
        # high 240 min: 239 -> met
        {
            "priority": "high",
            "created_at": "2026-01-05 10:00",
            "first_response_at": "2026-01-05 13:59",
        },
        # normal 480: never answered -> missed, still in the denominator
        {"priority": "normal", "created_at": "2026-01-05 10:00"},
        # low 1440: exactly one day -> met
        {
            "priority": "low",
            "created_at": "2026-01-05 10:00",
            "first_response_at": "2026-01-06 10:00",
        },
    )
    row = month(con, settings, "speed.first_response_sla_pct")
    assert row["value"] == 60.0  # 3 met / 5 tickets
    assert row["n"] == 5


def test_sla_targets_come_from_settings(con, settings) -> None:
    add_tickets(
        con,
        {
            "priority": "normal",
            "created_at": "2026-01-05 10:00",
            "first_response_at": "2026-01-05 11:00",
        },
    )
    assert month(con, settings, "speed.first_response_sla_pct")["value"] == 100.0  # 60 <= 480
    strict = with_settings(settings, sla_first_response_minutes={"normal": 30})
    assert month(con, strict, "speed.first_response_sla_pct")["value"] == 0.0  # 60 > 30


def test_resolution_median_hours(con, settings) -> None:
    add_tickets(
        con,
        {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 12:00"},  # 2 h
        {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-06 10:00"},  # 24 h
        {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 10:45"},  # 0.75 h
        {"created_at": "2026-01-05 10:00"},  # unresolved: left out
    )
    row = month(con, settings, "speed.resolution_median_hours")
    assert row["value"] == 2.0  # median of 0.75, 2, 24
    assert row["n"] == 3


def test_reopen_rate(con, settings) -> None:
    resolved = {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 12:00"}
    add_tickets(
        con,
        {**resolved, "reopens": 0},
        {**resolved, "reopens": 1},
        {**resolved, "reopens": 2},
        {**resolved, "reopens": 0},
        {"created_at": "2026-01-05 10:00", "reopens": 3},  # unresolved: left out
    )
    row = month(con, settings, "accuracy.reopen_rate_pct")
    assert row["value"] == 50.0  # 2 reopened / 4 resolved
    assert row["n"] == 4


def test_one_touch(con, settings) -> None:
    resolved = {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 12:00"}
    add_tickets(
        con,
        {**resolved, "agent_replies": 0},
        {**resolved, "agent_replies": 1},
        {**resolved, "agent_replies": 2},
        {**resolved, "agent_replies": None},  # unknown: left out
        {"created_at": "2026-01-05 10:00", "agent_replies": 1},  # unresolved: left out
    )
    row = month(con, settings, "accuracy.one_touch_pct")
    assert row["value"] == 200 / 3  # 2 with <= 1 reply / 3 known = 66.67 %
    assert row["n"] == 3


def test_clarification_loops(con, settings) -> None:
    resolved = {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 12:00"}
    add_tickets(
        con,
        {**resolved, "customer_replies": 2},  # not > 2
        {**resolved, "customer_replies": 3},
        {**resolved, "customer_replies": None},  # unknown: left out
        {**resolved, "customer_replies": 5},
        {"created_at": "2026-01-05 10:00", "customer_replies": 4},  # unresolved: left out
    )
    row = month(con, settings, "clarity.clarification_loop_pct")
    assert row["value"] == 200 / 3  # 2 loops / 3 known
    assert row["n"] == 3


def test_promises_kept_only_counts_promises_already_due(con, settings) -> None:
    c = "2026-01-05 10:00"
    add_tickets(
        con,
        # due Jan 6 10:00, resolved exactly then: kept (at or before)
        {"created_at": c, "due_at": "2026-01-06 10:00", "resolved_at": "2026-01-06 10:00"},
        # resolved a day late: broken
        {"created_at": c, "due_at": "2026-01-06 10:00", "resolved_at": "2026-01-07 10:00"},
        # never resolved, due passed: broken
        {"created_at": c, "due_at": "2026-01-06 10:00"},
        # due long after as_of, unresolved: not yet due -> left out
        {"created_at": c, "due_at": "2026-01-20 10:00"},
        # no promise: left out
        {"created_at": c},
        # this first response is the latest timestamp anywhere: as_of = Jan 8 09:00.
        # due exactly at as_of and unresolved: due, broken
        {"created_at": c, "first_response_at": "2026-01-08 09:00", "due_at": "2026-01-08 09:00"},
        # due one second after as_of, resolved early: not yet due -> in neither part
        {"created_at": c, "due_at": "2026-01-08 09:00:01", "resolved_at": "2026-01-07 10:00"},
    )
    row = month(con, settings, "transparency.promise_kept_pct")
    assert row["value"] == 25.0  # 1 kept / 4 due
    assert row["n"] == 4


def test_after_hours_first_response_boundaries(con, settings) -> None:
    def ticket(created: str, minutes: int | None) -> dict[str, object]:
        start = datetime.fromisoformat(created)
        answered = None if minutes is None else start + timedelta(minutes=minutes)
        return {"created_at": start, "first_response_at": answered}

    add_tickets(
        con,
        ticket("2026-01-05 08:59:59", 20),  # Monday before 09:00: after hours
        ticket("2026-01-05 09:00:00", 5),  # 09:00 is business hours
        ticket("2026-01-05 16:59:59", 7),  # still business hours
        ticket("2026-01-05 17:00:00", 40),  # at 17:00: after hours
        ticket("2026-01-10 12:00:00", 100),  # Saturday noon: after hours
        ticket("2026-01-11 12:00:00", None),  # Sunday, never answered: left out
        ticket("2026-01-09 23:30:00", 60),  # Friday night: after hours
    )
    row = month(con, settings, "accessibility.after_hours_first_response_median_min")
    assert row["value"] == 50.0  # median of 20, 40, 60, 100 = (40 + 60) / 2
    assert row["n"] == 4
    # Business hours are a setting: 08:00-18:00 leaves Saturday (100) and Friday night (60).
    wider = with_settings(
        settings, organisation={"business_hours_start": "08:00", "business_hours_end": "18:00"}
    )
    row = month(con, wider, "accessibility.after_hours_first_response_median_min")
    assert (row["value"], row["n"]) == (80.0, 2)


def test_handle_median(con, settings) -> None:
    resolved = {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 12:00"}
    add_tickets(
        con,
        {**resolved, "handle_minutes": 5},
        {**resolved, "handle_minutes": 10.5},
        {**resolved, "handle_minutes": None},  # unknown: left out
        {**resolved, "handle_minutes": 30},
        {**resolved, "handle_minutes": 12},
        {"created_at": "2026-01-05 10:00", "handle_minutes": 100},  # unresolved: left out
    )
    row = month(con, settings, "efficiency.handle_median_min")
    assert row["value"] == 11.25  # median of 5, 10.5, 12, 30 = (10.5 + 12) / 2
    assert row["n"] == 4


def test_agent_replies_mean(con, settings) -> None:
    resolved = {"created_at": "2026-01-05 10:00", "resolved_at": "2026-01-05 12:00"}
    add_tickets(
        con,
        {**resolved, "agent_replies": 1},
        {**resolved, "agent_replies": 2},
        {**resolved, "agent_replies": 4},
        {**resolved, "agent_replies": None},  # unknown: left out
        {"created_at": "2026-01-05 10:00", "agent_replies": 10},  # unresolved: left out
    )
    row = month(con, settings, "efficiency.agent_replies_mean")
    assert row["value"] == 7 / 3  # (1 + 2 + 4) / 3
    assert row["n"] == 3


def test_repeat_contact_window_across_teams_and_periods(con, settings) -> None:
    add_teams(con, ("A", None, None), ("B", None, None))
    add_tickets(
        con,
        # customer 1: resolved Jan 6 10:00, opens a ticket in team B exactly 7 days later -> repeat
        {
            "customer_hash": 1,
            "created_at": "2026-01-05 10:00",
            "resolved_at": "2026-01-06 10:00",
        },
        {"customer_hash": 1, "team": "B", "created_at": "2026-01-13 10:00"},
        # customer 2: the next ticket opens at the very moment of resolution (window open left)
        {
            "customer_hash": 2,
            "created_at": "2026-01-05 10:00",
            "resolved_at": "2026-01-06 10:00",
        },
        {"customer_hash": 2, "created_at": "2026-01-06 10:00"},
        # customer 3: resolved Jan 30, next ticket in February (next period) -> repeat
        {
            "customer_hash": 3,
            "created_at": "2026-01-28 10:00",
            "resolved_at": "2026-01-30 10:00",
        },
        {"customer_hash": 3, "created_at": "2026-02-02 10:00"},
        # customer 4: next ticket 7 days and 1 second after resolution -> not a repeat
        {
            "customer_hash": 4,
            "created_at": "2026-01-05 10:00",
            "resolved_at": "2026-01-06 10:00",
        },
        {"customer_hash": 4, "created_at": "2026-01-13 10:00:01"},
        # customer 5: the other ticket was opened while this one was still open -> not a repeat
        {
            "customer_hash": 5,
            "created_at": "2026-01-05 10:00",
            "resolved_at": "2026-01-20 10:00",
        },
        {"customer_hash": 5, "created_at": "2026-01-10 10:00"},
        # no customer: left out
        {
            "customer_hash": None,
            "created_at": "2026-01-05 10:00",
            "resolved_at": "2026-01-06 10:00",
        },
    )
    frame = indicator_values(con, "month", settings)
    team_a = cell(frame, "efficiency.repeat_contact_pct", "team", "A", JAN)
    # resolved with a customer in A: c1, c2, c3, c4, c5 = 5; repeats: c1, c3 -> 40 %
    assert (team_a["value"], team_a["n"]) == (40.0, 5)
    org = cell(frame, "efficiency.repeat_contact_pct", period_start=JAN)
    assert (org["value"], org["n"]) == (40.0, 5)
    # Team B resolved nothing: n = 0, value missing (never 0), grey.
    team_b = cell(frame, "efficiency.repeat_contact_pct", "team", "B", JAN)
    assert team_b["n"] == 0 and math.isnan(team_b["value"]) and team_b["status"] == "grey"


@pytest.mark.parametrize(
    "indicator",
    [
        "speed.first_response_median_min",
        "speed.resolution_median_hours",
        "accuracy.reopen_rate_pct",
        "accuracy.one_touch_pct",
        "clarity.clarification_loop_pct",
        "transparency.promise_kept_pct",
        "accessibility.after_hours_first_response_median_min",
        "efficiency.handle_median_min",
        "efficiency.agent_replies_mean",
        "efficiency.repeat_contact_pct",
    ],
)
def test_nothing_to_count_gives_missing_not_zero(con, settings, indicator: str) -> None:
    # One unresolved, unanswered, business-hours ticket without promise or customer.
    add_tickets(con, {"created_at": "2026-01-05 10:00"})
    row = month(con, settings, indicator)
    assert row["n"] == 0
    assert math.isnan(row["value"])
    assert row["status"] == "grey"
