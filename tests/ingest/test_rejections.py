"""Every rejection reason: the row is quarantined with its line, column, value and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.db import read_connection
from ingest.load import load_file

TICKET_HEADER = (
    "ticket_id,team,created_at,priority,first_response_at,resolved_at,reopens,agent_replies,"
    "customer_replies,handle_minutes,csat"
)
GOOD_TICKET = "T0,Alpha,2025-03-03 10:00,high,2025-03-03 10:30,2025-03-03 12:00,0,1,0,5,4"

# (source, header, good row, bad row, column, value, reason fragment)
CASES = [
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,,2025-03-03 10:00,,,,,,,,",
        "team",
        None,
        "team is missing",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,03/13/2025,,,,,,,,",
        "created_at",
        "03/13/2025",
        "created_at is not a valid timestamp",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,P1,,,,,,,",
        "priority",
        "P1",
        "priority must be low, normal, high or urgent",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,2025-03-03 09:59,,,,,,",
        "first_response_at",
        "2025-03-03 09:59",
        "first response time is before the ticket was created",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,,2025-03-02 10:00,,,,,",
        "resolved_at",
        "2025-03-02 10:00",
        "resolution time is before the ticket was created",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,,,-1,,,,",
        "reopens",
        "-1",
        "reopens must not be negative",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,,,1.5,,,,",
        "reopens",
        "1.5",
        "reopens is not a whole number",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,,,,x,,,",
        "agent_replies",
        "x",
        "agent_replies is not a whole number",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,,,,,,-2,",
        "handle_minutes",
        "-2",
        "handle_minutes must not be negative",
    ),
    (
        "tickets",
        TICKET_HEADER,
        GOOD_TICKET,
        "T1,Alpha,2025-03-03 10:00,,,,,,,,6",
        "csat",
        "6",
        "csat must be between 1 and 5",
    ),
    (
        "surveys",
        "response_id,submitted_at,team,nps",
        "S0,2025-03-03,Alpha,9",
        "S1,2025-03-03,Alpha,11",
        "nps",
        "11",
        "nps must be between 0 and 10",
    ),
    (
        "surveys",
        "response_id,submitted_at,team,ces",
        "S0,2025-03-03,Alpha,7",
        "S1,2025-03-03,Alpha,0",
        "ces",
        "0",
        "ces must be between 1 and 7",
    ),
    (
        "surveys",
        "response_id,submitted_at,team,ticket_id",
        "S0,2025-03-03,Alpha,",
        "S1,2025-03-03,,",
        "team",
        None,
        "team is missing and there is no ticket_id",
    ),
    (
        "surveys",
        "response_id,submitted_at,team,ticket_id",
        "S0,2025-03-03,Alpha,",
        "S1,2025-03-03,,T404",
        "team",
        "T404",
        "the linked ticket is not loaded",
    ),
    (
        "surveys",
        "response_id,submitted_at,team,rating_clarity",
        "S0,2025-03-03,Alpha,5",
        "S1,2025-03-03,Alpha,9",
        "rating_clarity",
        "9",
        "rating_clarity must be between 1 and 5",
    ),
    (
        "surveys",
        "response_id,submitted_at,team",
        "S0,2025-03-03,Alpha",
        ",2025-03-03,Alpha",
        "response_id",
        None,
        "response_id is missing",
    ),
    (
        "polls",
        "response_id,submitted_at,team,who5_3",
        "P0,2025-03-03,Alpha,0",
        "P1,2025-03-03,Alpha,6",
        "who5_3",
        None,  # a rejected poll row keeps no value at all
        "who5_3 must be between 0 and 5",
    ),
    (
        "polls",
        "response_id,submitted_at,team,burnout",
        "P0,2025-03-03,Alpha,5",
        "P1,,Alpha,3",
        "submitted_at",
        None,
        "submitted_at is missing",
    ),
    (
        "teams",
        "team,headcount",
        "Team0,3",
        "Beta,-1",
        "headcount",
        "-1",
        "headcount must not be negative",
    ),
]


@pytest.mark.parametrize(
    "source,header,good,bad,column,value,reason", CASES, ids=[c[6][:40] for c in CASES]
)
def test_rejected_row_is_explained(
    tmp_path: Path,
    db_path: Path,
    source: str,
    header: str,
    good: str,
    bad: str,
    column: str,
    value: str | None,
    reason: str,
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(f"{header}\n{good}\n{bad}\n{good.replace('0', '9', 1)}\n", encoding="utf-8")
    report = load_file(db_path, source, path)
    # The good rows around the bad one still load.
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert reason in report.top_reasons[0][0]
    with read_connection(db_path) as con:
        got = con.execute("SELECT line, column_name, value, reason FROM rejected_rows").fetchall()
    assert len(got) == 1
    line, got_column, got_value, got_reason = got[0]
    assert (line, got_column, got_value) == (3, column, value)  # header 1, good 2, bad 3
    assert reason in got_reason


def test_first_broken_rule_is_reported_once_per_row(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(f"{TICKET_HEADER}\nT1,,not a date,P9,,,-1,,,,9\n", encoding="utf-8")
    report = load_file(db_path, "tickets", path)
    assert (report.rows_loaded, report.rows_rejected) == (0, 1)
    assert report.top_reasons == [("team is missing", 1)]
