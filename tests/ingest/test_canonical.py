"""Each source in canonical form: what lands in the database, value by value."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from database.db import read_connection
from database.keys import read_key
from database.schema import customer_hash, response_hash
from ingest.load import load_file


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(db_path: Path, sql: str) -> list[tuple]:
    with read_connection(db_path) as con:
        return con.execute(sql).fetchall()


def test_teams(tmp_path: Path, db_path: Path) -> None:
    f = write(
        tmp_path,
        "teams.csv",
        "team,department,lead_email,headcount\nAlpha,Care,a@example.com,12\nSolo,,,3\n",
    )
    report = load_file(db_path, "teams", f)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 2, 0)
    assert rows(db_path, "SELECT * FROM teams ORDER BY team") == [
        ("Alpha", "Care", "a@example.com", 12),
        ("Solo", None, None, 3),
    ]


TICKETS = (
    "ticket_id,team,created_at,channel,priority,agent,category,status,first_response_at,"
    "resolved_at,due_at,reopens,agent_replies,customer_replies,handle_minutes,customer_id,csat\n"
    "T1,Alpha,2025-03-03 10:00,Email,HIGH,Ann,billing,Solved,2025-03-03 10:30,"
    "2025-03-03 12:00,2025-03-04 10:00,1,2,1,12.5,cust-1,4\n"
    "T2,Beta,2025-03-03T11:00:00.000,chat,,Bob,,Open,,,,,,,,,\n"
)


def test_tickets(tmp_path: Path, db_path: Path) -> None:
    report = load_file(db_path, "tickets", write(tmp_path, "t.csv", TICKETS))
    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    t1, t2 = rows(
        db_path,
        "SELECT ticket_id, team, created_at, channel, priority, agent, category, status, "
        "first_response_at, resolved_at, due_at, reopens, agent_replies, customer_replies, "
        "handle_minutes, customer_hash FROM tickets ORDER BY ticket_id",
    )
    assert t1[:15] == (
        "T1", "Alpha", datetime(2025, 3, 3, 10), "email", "high", "Ann", "billing", "solved",
        datetime(2025, 3, 3, 10, 30), datetime(2025, 3, 3, 12), datetime(2025, 3, 4, 10),
        1, 2, 1, 12.5,
    )  # fmt: skip
    # Missing priority means normal, missing reopens means 0 (data contract).
    assert t2[:5] == ("T2", "Beta", datetime(2025, 3, 3, 11), "chat", "normal")
    assert t2[11] == 0 and t2[15] is None
    # The customer id is stored only as a salted hash.
    salt = read_key(db_path)
    assert t1[15] == customer_hash(salt, "cust-1")
    text_cells = [
        v for row in rows(db_path, "SELECT * FROM tickets") for v in row if isinstance(v, str)
    ]
    assert not [v for v in text_cells if "cust-1" in v]
    # A csat on a ticket becomes a survey response with the ticket's team and channel.
    assert rows(db_path, "SELECT response_id, submitted_at, team, ticket_id, channel, csat "
                "FROM survey_responses") == [
        ("ticket:T1", datetime(2025, 3, 3, 12), "Alpha", "T1", "email", 4)
    ]  # fmt: skip
    # Teams seen in tickets are created with no department.
    assert rows(db_path, "SELECT team, department FROM teams ORDER BY team") == [
        ("Alpha", None),
        ("Beta", None),
    ]


def test_salt_differs_per_database(tmp_path: Path) -> None:
    f = write(tmp_path, "t.csv", TICKETS)
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    load_file(a, "tickets", f)
    load_file(b, "tickets", f)
    q = "SELECT customer_hash FROM tickets WHERE ticket_id = 'T1'"
    assert rows(a, q) != rows(b, q)


def test_surveys_take_team_from_ticket(tmp_path: Path, db_path: Path) -> None:
    load_file(db_path, "tickets", write(tmp_path, "t.csv", TICKETS))
    surveys = write(
        tmp_path,
        "s.csv",
        "response_id,submitted_at,team,ticket_id,channel,csat,nps,ces,rating_speed,"
        "rating_accuracy,rating_clarity,rating_transparency,rating_accessibility,"
        "rating_friendliness,rating_efficiency,comment,extra\n"
        "S1,2025-03-05 09:00,,T1,Email,5,9,6,4,5,3,2,1,5,4,Great!,x\n"
        "S2,2025-03-05 10:00,Gamma,,,,,,,,,,,,,None,y\n",
    )
    report = load_file(db_path, "surveys", surveys)
    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    assert report.ignored_columns == ["extra"]
    assert rows(db_path, "SELECT * EXCLUDE (load_id) FROM survey_responses "
                "WHERE response_id LIKE 'S%' ORDER BY response_id") == [
        ("S1", datetime(2025, 3, 5, 9), "Alpha", "T1", "email", 5, 9, 6, 4, 5, 3, 2, 1, 5, 4,
         "Great!"),
        ("S2", datetime(2025, 3, 5, 10), "Gamma", None, None, None, None, None, None, None,
         None, None, None, None, None, "None"),
    ]  # fmt: skip


def test_polls_drop_identities_and_keep_only_allowed_items(tmp_path: Path, db_path: Path) -> None:
    polls = write(
        tmp_path,
        "p.csv",
        "response_id,submitted_at,team,Name,Email,Employee ID,enps,wellbeing,workload,burnout,"
        "recognition,manager_support,enablement,who5_1,who5_2,who5_3,who5_4,who5_5,"
        "item_psych_safety,PerfScoreID,free_text\n"
        "P1,2025-03-10 08:00,Alpha,Ann Smith,ann@example.com,E1,9,4,3,2,5,4,4,5,4,3,2,1,4,3,hi\n"
        "P2,2025-03-10 09:00,Alpha,Bob Jones,bob@example.com,E2,3,,,5,,,,0,0,0,0,0,2,4,\n",
    )
    report = load_file(db_path, "polls", polls)
    assert report.dropped_columns == ["Name", "Email", "Employee ID"]
    assert report.extra_items == ["psych_safety"]
    # Not declared as an item (no item_ prefix, not in the mapping): not stored.
    assert report.ignored_columns == ["PerfScoreID", "free_text"]
    key = read_key(db_path)
    p1, p2 = response_hash(key, "P1"), response_hash(key, "P2")
    assert sorted(rows(db_path, "SELECT * EXCLUDE (load_id) FROM poll_responses")) == sorted([
        (p1, datetime(2025, 3, 10, 8), "Alpha", 9, 4, 3, 2, 5, 4, 4, 5, 4, 3, 2, 1),
        (p2, datetime(2025, 3, 10, 9), "Alpha", 3, None, None, 5, None, None, None,
         0, 0, 0, 0, 0),
    ])  # fmt: skip
    assert sorted(rows(db_path, "SELECT * FROM poll_extra_answers")) == sorted([
        (p1, "psych_safety", 4),
        (p2, "psych_safety", 2),
    ])  # fmt: skip
    everything = str([rows(db_path, f"SELECT * FROM {t}") for t in ("poll_responses", "loads")])
    for identity in ("Ann Smith", "ann@example.com", "E1", "'P1'", "'P2'"):
        assert identity not in everything.replace('"Employee ID"', "")


@pytest.mark.parametrize("source", ["teams", "tickets", "surveys", "polls"])
def test_unknown_layout_is_refused_with_columns_found(
    tmp_path: Path, db_path: Path, source: str
) -> None:
    from ingest.load import IngestError

    with pytest.raises(IngestError, match="Columns found: foo, bar"):
        load_file(db_path, source, write(tmp_path, "x.csv", "foo,bar\n1,2\n"))
    assert rows(db_path, "SELECT outcome FROM loads") == [("refused",)]
