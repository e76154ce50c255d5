"""Participation and privacy: teams without a headcount, silent teams, complements.

Reading (docs/metrics.md, "Spec readings"): participation's respondents are the poll responses
that enter its value, i.e. those from teams with a headcount. A team without a headcount
counts in neither part, so it never decides a suppression and is never chosen as complement.
"""

from __future__ import annotations

import math

import pandas as pd

from metrics.export import export_csv
from metrics.scorecard import indicator_values
from tests.metrics.helpers import add_polls, add_teams, add_tickets, cell

AT = "2026-01-07 12:00"
PART = "wellbeing.participation_pct"


def responses(team: str, count: int) -> list[dict[str, object]]:
    return [{"team": team, "submitted_at": AT, "enps": 9} for _ in range(count)]


def shown(frame: pd.DataFrame, scope: str, scope_id: str) -> tuple[float, object, str]:
    row = cell(frame, PART, scope, scope_id)
    return row["value"], row["n"], row["status"]


def test_team_without_headcount_is_never_the_complement(con, settings) -> None:
    # D: S (headcount 5, 2 responses: hidden), B (no headcount, 10), C (headcount 20, 10).
    # Choosing B as complement (fewest respondents, ties by name: B < C) would hide nothing:
    # B's participation has no value, and S's count = D's count - C's would be recoverable.
    add_teams(con, ("S", "D", 5), ("B", "D", None), ("C", "D", 20))
    add_polls(con, *responses("S", 2), *responses("B", 10), *responses("C", 10))
    frame = indicator_values(con, "month", settings)
    value, n, status = shown(frame, "team", "S")
    assert status == "suppressed" and math.isnan(value) and n is pd.NA
    # C is the complement: the only sibling whose responses enter participation.
    assert shown(frame, "team", "C")[2] == "suppressed"
    # B: no headcount -> in neither part: missing, n = 0, grey (not suppressed).
    value, n, status = shown(frame, "team", "B")
    assert math.isnan(value) and n == 0 and status == "grey"
    # D: 12 responses from teams with a headcount over 25 people = 48 %.
    value, n, status = shown(frame, "department", "D")
    assert (value, n) == (100 * 12 / 25, 25)


def test_scope_of_a_small_team_and_a_team_without_headcount_is_hidden(con, settings) -> None:
    # D: S (headcount 6, 2 responses), N (no headcount, 8 responses). D's participation is
    # S's alone (2 / 6): D has 2 respondents for participation, fewer than k, so it is hidden.
    add_teams(con, ("S", "D", 6), ("N", "D", None), ("P", "E", 10), ("Q", "E", 10))
    add_polls(con, *responses("S", 2), *responses("N", 8), *responses("P", 8), *responses("Q", 8))
    frame = indicator_values(con, "month", settings)
    assert shown(frame, "team", "S")[2] == "suppressed"
    assert shown(frame, "department", "D")[2] == "suppressed"
    # The organisation's children D (2) and E (16): D hidden with 2 < k, so E is hidden as
    # complement, and one of E's teams too (E would be the sum of P and Q): P by name.
    assert shown(frame, "department", "E")[2] == "suppressed"
    assert shown(frame, "team", "P")[2] == "suppressed"
    assert shown(frame, "team", "Q")[2] == "green"
    # eNPS counts N's answers (respondents = those who answered): D has 10, shown.
    assert cell(frame, "wellbeing.enps", "department", "D")["n"] == 10


def test_no_headcount_team_below_k_is_grey_for_participation_only(con, settings) -> None:
    add_teams(con, ("N", None, None), ("P", None, 10))
    add_polls(con, *responses("N", 3), *responses("P", 9))
    frame = indicator_values(con, "month", settings)
    value, n, status = shown(frame, "team", "N")
    assert math.isnan(value) and n == 0 and status == "grey"
    assert cell(frame, "wellbeing.enps", "team", "N")["status"] == "suppressed"
    # P: 9 of 10, shown; org participation = P's (N counts in neither part).
    assert shown(frame, "team", "P")[:2] == (90.0, 10)
    assert shown(frame, "org", "")[:2] == (90.0, 10)


def test_silent_sibling_is_never_the_complement(con, settings) -> None:
    # D: A (headcount 5, 2 responses), Z (headcount 8, silent: 0 %), C (headcount 12, 9).
    # Z holds no respondents: hiding it would protect nothing (its 0 % reveals no answer).
    add_teams(con, ("A", "D", 5), ("Z", "D", 8), ("C", "D", 12))
    add_polls(con, *responses("A", 2), *responses("C", 9))
    frame = indicator_values(con, "month", settings)
    assert shown(frame, "team", "A")[2] == "suppressed"
    assert shown(frame, "team", "C")[2] == "suppressed"
    # Z is silent: no row of its own in the period (nothing from it), so the export cannot
    # show it; its headcount counts in D: 11 of 25.
    assert shown(frame, "department", "D")[:2] == (100 * 11 / 25, 25)
    text = export_csv(con, "month", settings)
    assert ",team,Z," not in text


def test_silent_team_with_activity_shows_zero_and_stays_visible(con, settings) -> None:
    # Z has tickets (so a row) but no poll response: 0 % with n = headcount, not a complement.
    add_teams(con, ("A", "D", 5), ("Z", "D", 8), ("C", "D", 12))
    add_tickets(con, {"team": "Z", "created_at": AT})
    add_polls(con, *responses("A", 2), *responses("C", 9))
    frame = indicator_values(con, "month", settings)
    assert shown(frame, "team", "Z") == (0.0, 8, "red")
    assert shown(frame, "team", "C")[2] == "suppressed"
