"""Status, attainment, area scores, service-culture index and period-over-period change."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.scorecard import (
    area_scores,
    attainment_of,
    culture_index,
    indicator_values,
    status_of,
)
from tests.metrics.helpers import add_surveys, add_tickets, cell, with_settings

NAN = float("nan")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (95.0, "green"),
        (90.0, "green"),  # met exactly
        (89.99, "amber"),
        (81.0, "amber"),  # missed by exactly 10 % of 90 = 9 points
        (80.99, "red"),
        (NAN, "grey"),
    ],
)
def test_status_higher_better(value: float, expected: str) -> None:
    assert status_of(value, 90, "higher", 10) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "green"),
        (120.0, "green"),  # met exactly
        (120.01, "amber"),
        (132.0, "amber"),  # missed by exactly 10 % of 120 = 12 minutes
        (132.01, "red"),
        (NAN, "grey"),
    ],
)
def test_status_lower_better(value: float, expected: str) -> None:
    assert status_of(value, 120, "lower", 10) == expected


def test_status_with_zero_tolerance() -> None:
    assert status_of(89.99, 90, "higher", 0) == "red"


@pytest.mark.parametrize(
    ("value", "target", "better", "expected"),
    [
        (45.0, 90, "higher", 50.0),
        (120.0, 90, "higher", 100.0),  # clamped
        (-20.0, 30, "higher", 0.0),  # a negative NPS attains nothing
        (240.0, 120, "lower", 50.0),
        (60.0, 120, "lower", 100.0),  # clamped
        (0.0, 5, "lower", 100.0),  # a lower-better value of 0 attains 100 %
    ],
)
def test_attainment(value: float, target: float, better: str, expected: float) -> None:
    assert attainment_of(value, target, better) == expected


def test_attainment_of_missing_is_missing() -> None:
    assert math.isnan(attainment_of(NAN, 10, "higher"))


def test_scorecard_status_attainment_and_change(con, settings) -> None:
    # CSAT target 85: January 3 of 4 satisfied = 75 % (red: below 76.5), February 4 of 5 =
    # 80 % (amber: 76.5 <= 80 < 85), change +5 points.
    add_surveys(
        con,
        *({"submitted_at": "2026-01-10", "csat": c} for c in (5, 5, 4, 1)),
        *({"submitted_at": "2026-02-10", "csat": c} for c in (5, 5, 4, 4, 2)),
    )
    frame = indicator_values(
        con, "month", with_settings(settings, targets={"loyalty.csat_pct": 85})
    )
    jan = cell(frame, "loyalty.csat_pct", period_start="2026-01-01")
    feb = cell(frame, "loyalty.csat_pct", period_start="2026-02-01")
    assert (jan["value"], jan["status"], jan["target"]) == (75.0, "red", 85.0)
    assert jan["attainment"] == pytest.approx(75 / 85 * 100)
    assert math.isnan(jan["previous_value"]) and math.isnan(jan["change"])
    assert (feb["value"], feb["status"]) == (80.0, "amber")
    assert (feb["previous_value"], feb["change"]) == (75.0, 5.0)


def test_change_only_against_the_calendar_period_just_before(con, settings) -> None:
    add_surveys(
        con,
        {"submitted_at": "2026-01-10", "csat": 5},
        {"submitted_at": "2026-03-10", "csat": 1},  # no February in between
    )
    mar = cell(
        indicator_values(con, "month", settings), "loyalty.csat_pct", period_start="2026-03-01"
    )
    assert math.isnan(mar["previous_value"]) and math.isnan(mar["change"])


def test_area_scores_and_culture_index(con, settings) -> None:
    # Speed: first response 60 min (target 120, lower: attainment 100), SLA 1 of 2 met = 50 %
    # (target 90: 55.56), resolution 48 h (target 24, lower: 50); perceived speed no value.
    # Speed score = (100 + 55.56 + 50) / 3. Loyalty: CSAT 100 % (100), NPS 100 (100) -> 100.
    add_tickets(
        con,
        {
            "created_at": "2026-01-05 10:00",
            "first_response_at": "2026-01-05 11:00",
            "resolved_at": "2026-01-07 10:00",
        },
        {"created_at": "2026-01-05 10:00"},
    )
    add_surveys(con, {"submitted_at": "2026-01-05 12:00", "csat": 5, "nps": 10})
    targets = {
        "speed.first_response_median_min": 120,
        "speed.first_response_sla_pct": 90,
        "speed.resolution_median_hours": 24,
    }
    frame = indicator_values(con, "month", with_settings(settings, targets=targets))
    areas = area_scores(frame)
    org = areas[areas["scope"] == "org"].set_index("area")["score"]
    speed = (100 + 50 / 90 * 100 + 50) / 3
    assert org["speed"] == pytest.approx(speed)
    assert org["loyalty"] == 100.0
    # Accuracy: reopen 0 % (lower, 100), one-touch unknown -> only the reopen rate counts.
    assert org["accuracy"] == 100.0
    assert math.isnan(org["friendliness"])  # no value at all
    # Efficiency: handle time unknown, replies unknown, repeat contact unknown (no customer).
    assert math.isnan(org["efficiency"])
    index = culture_index(frame)
    org_index = index[index["scope"] == "org"].iloc[0]
    # speed, accuracy, loyalty, transparency? (no promise) -> areas with a score:
    scored = org.dropna()
    assert org_index["areas"] == len(scored) == 3
    assert org_index["index"] == pytest.approx((speed + 100 + 100) / 3)
    # culture_index accepts the area frame as well
    assert culture_index(areas).equals(index)


def test_area_scores_of_an_empty_frame() -> None:
    empty = pd.DataFrame(columns=["period_start", "scope", "scope_id", "indicator", "attainment"])
    assert area_scores(empty).empty
    assert culture_index(empty).empty
