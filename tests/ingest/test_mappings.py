"""Shipped mappings and the mapping format itself."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from database.db import read_connection
from ingest.load import IngestError, load_file
from ingest.mapping import MAPPINGS_DIR, MappingError, available_mappings, load_mapping

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def rows(db_path: Path, sql: str) -> list[tuple]:
    with read_connection(db_path) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("path", sorted(MAPPINGS_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_mapping_is_valid_and_listed(path: Path) -> None:
    mapping = load_mapping(path.stem, load_mapping(path, _source_of(path)).source)
    assert mapping.name == path.stem
    assert mapping.description
    assert path.stem in available_mappings(mapping.source)


def _source_of(path: Path) -> str:
    import tomllib

    return tomllib.loads(path.read_text())["source"]


def test_zendesk(db_path: Path) -> None:
    report = load_file(db_path, "tickets", FIXTURES / "zendesk_tickets.csv", "zendesk_tickets")
    assert (report.rows_loaded, report.rows_rejected) == (3, 0)
    assert set(report.ignored_columns) == {"Subject", "Requester"}
    got = rows(
        db_path,
        "SELECT ticket_id, team, channel, priority, agent, category, status, created_at, "
        "first_response_at, resolved_at, due_at, reopens, agent_replies FROM tickets "
        "ORDER BY ticket_id",
    )
    assert got[0] == (
        "1001", "Tier 1", "web", "normal", "Jo Agent", "incident", "solved",
        datetime(2025, 3, 3, 9, 15), datetime(2025, 3, 3, 9, 45), datetime(2025, 3, 3, 11, 15),
        None, 0, 1,
    )  # fmt: skip
    # 90.5 minutes after 18:00 is 19:30:30; Urgent -> urgent; Mail -> email.
    assert got[1][2:4] == ("email", "urgent")
    assert got[1][8] == datetime(2025, 3, 3, 19, 30, 30)
    assert got[2][2:4] == ("phone", "normal") and got[2][8] is None
    # Good -> 5, Bad -> 1, Unoffered -> no response at all.
    assert rows(db_path, "SELECT response_id, csat FROM survey_responses ORDER BY 1") == [
        ("ticket:1001", 5),
        ("ticket:1002", 1),
    ]
    # Requester 90001 opened two tickets: same salted hash, never the raw id.
    hashes = rows(db_path, "SELECT customer_hash FROM tickets ORDER BY ticket_id")
    assert hashes[0] == hashes[2] != hashes[1]
    text_cells = [
        v for row in rows(db_path, "SELECT * FROM tickets") for v in row if isinstance(v, str)
    ]
    assert not [v for v in text_cells if "90001" in v]


def test_freshdesk(db_path: Path) -> None:
    report = load_file(db_path, "tickets", FIXTURES / "freshdesk_tickets.csv", "freshdesk_tickets")
    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    got = rows(
        db_path,
        "SELECT ticket_id, team, channel, priority, category, status, first_response_at, "
        "resolved_at, due_at, agent_replies, customer_replies, handle_minutes FROM tickets "
        "ORDER BY ticket_id",
    )
    assert got == [
        ("501", "Support", "web", "normal", "Problem", "solved", datetime(2025, 3, 5, 8, 45),
         datetime(2025, 3, 5, 16, 30), datetime(2025, 3, 6, 8), 2, 1, 90.0),
        ("502", "Billing", "email", "urgent", "Question", "pending", None, None,
         datetime(2025, 3, 5, 13), 1, 0, 5.0),
    ]  # fmt: skip


def test_custom_mapping_features(tmp_path: Path, db_path: Path) -> None:
    """Constants, date formats, value maps, durations, drop, skipped rows, preamble."""
    mapping = tmp_path / "helpdesk.toml"
    mapping.write_text(
        """
name = "helpdesk"
source = "tickets"
description = "an in-house helpdesk"
drop = ["Email"]

[read]
skip_lines = 2
delimiter = ";"
missing_values = ["", "n/a"]

[columns]
ticket_id = "Nr"
created_at = "Opened"
priority = "Prio"
customer_id = "Email"

[constants]
team = "Front desk"

[formats]
created_at = "%d/%m/%Y %H:%M"

[values.priority]
P1 = "urgent"
P4 = "low"

[durations.resolved_at]
column = "Hours to solve"
unit = "hours"
after = "created_at"

[skip_rows_where]
Nr = ["TOTAL"]
""",
        encoding="utf-8",
    )
    data = tmp_path / "export.csv"
    data.write_text(
        "Helpdesk export\nGenerated 2025-03-31\n"
        "Nr;Opened;Prio;Hours to solve;Email\n"
        "1;31/03/2025 14:00;P1;1.5;a@x.org\n"
        "2;01/04/2025 09:30;p4;n/a;b@x.org\n"
        "3;13/31/2025 09:30;P1;;c@x.org\n"
        "TOTAL;;;;\n",
        encoding="utf-8",
    )
    report = load_file(db_path, "tickets", data, mapping)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 2, 1)
    assert report.rows_skipped == 1
    assert report.dropped_columns == ["Email"]
    assert rows(db_path, "SELECT ticket_id, team, created_at, priority, resolved_at, "
                "customer_hash IS NULL FROM tickets ORDER BY 1") == [
        ("1", "Front desk", datetime(2025, 3, 31, 14), "urgent", datetime(2025, 3, 31, 15, 30),
         True),
        ("2", "Front desk", datetime(2025, 4, 1, 9, 30), "low", None, True),
    ]  # fmt: skip
    # Line 6 of the file: two preamble lines, the header on line 3.
    assert rows(db_path, "SELECT line, column_name, value FROM rejected_rows") == [
        (6, "created_at", "13/31/2025 09:30")
    ]


@pytest.mark.parametrize(
    "text,fragment",
    [
        ('name="x"\nsource="tickets"\n[columns]\nticket_idd="ID"', "columns.ticket_idd"),
        ('name="x"\nsource="tikets"', "source"),
        ('name="x"\nsource="tickets"\n[formats]\ncreated_at="dd/mm/yyyy"', "formats.created_at"),
        ('name="x"\nsource="tickets"\ncolour="blue"', "colour"),
        ('name="x"\nsource="tickets"\n[read]\nskip_lines=-1', "read.skip_lines"),
        ('name="x"\nsource="tickets"\n[values.priority]\nP1=["a"]', "values.priority.P1"),
        ('name="x"\nsource="tickets\n', "not valid TOML"),
    ],
)
def test_bad_mapping_names_the_bad_key(
    tmp_path: Path, db_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="bad.toml"):
        load_mapping(path, "tickets")
    data = FIXTURES / "zendesk_tickets.csv"
    with pytest.raises(IngestError) as info:
        load_file(db_path, "tickets", data, path)
    assert fragment in str(info.value)


def test_wrong_mapping_suggests_the_right_one(db_path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "tickets", FIXTURES / "zendesk_tickets.csv", "canonical")
    assert str(refused.value) == (
        "zendesk_tickets.csv: the tickets file has no required column 'ticket_id', 'team', "
        "'created_at'. Columns found: ID, Subject, Requester, Requester ID, Group, Assignee, "
        "Ticket type, Priority, Status, Via, Created at, Solved at, Due date, Reopens, Replies, "
        "First reply time in minutes, Satisfaction Score. The shipped mapping 'zendesk_tickets' "
        "reads this layout."
    )
    assert refused.value.suggestion == "zendesk_tickets"
    assert not refused.value.needs_mapping


def test_mapping_for_another_source_is_refused(db_path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "surveys", FIXTURES / "zendesk_tickets.csv", "zendesk_tickets")
    assert str(refused.value) == (
        "zendesk_tickets.csv: mapping zendesk_tickets.toml is for tickets, not surveys: load "
        "the file as tickets, or pick another mapping"
    )


def test_preview_writes_nothing_and_explains_rejects(tmp_path: Path, db_path: Path) -> None:
    from ingest.preview import preview

    data = tmp_path / "t.csv"
    data.write_text("ticket_id,team,created_at,csat\nT1,A,2025-01-01,5\nT2,A,2025-01-02,9\n")
    rows_, rejects = preview("tickets", data, limit=10, db=db_path)
    assert list(rows_["ticket_id"]) == ["T1"]
    assert rejects.to_dict("records") == [
        {"line": 3, "column": "csat", "value": "9", "reason": "csat must be between 1 and 5"}
    ]
    assert not db_path.exists()


def test_preview_of_surveys_takes_teams_from_loaded_tickets(tmp_path: Path, db_path: Path) -> None:
    from ingest.preview import preview

    tickets = tmp_path / "t.csv"
    tickets.write_text("ticket_id,team,created_at\nT1,Alpha,2025-01-01\n")
    load_file(db_path, "tickets", tickets)
    surveys = tmp_path / "s.csv"
    surveys.write_text("response_id,submitted_at,ticket_id,csat\nS1,2025-01-02,T1,4\n")
    rows_, rejects = preview("surveys", surveys, db=db_path)
    assert list(rows_["team"]) == ["Alpha"] and rejects.empty
