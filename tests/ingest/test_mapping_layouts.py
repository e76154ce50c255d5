"""Real layouts the mapping format grew for: split date and time, a duration that holds only
for closed tickets, an anonymous survey numbered by content, values outside the lists."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from database.keys import read_key
from database.schema import response_hash
from ingest.load import IngestError, load_file, unknown_values_text
from tests.ingest.helpers import query, scalar
from tests.ingest.test_public_datasets import varchar_values

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_date_and_time_in_two_columns_make_one_timestamp(db_path: Path) -> None:
    report = load_file(
        db_path, "tickets", FIXTURES / "call_centre.csv", FIXTURES / "call_centre.toml"
    )

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 4, 1)
    # ID0003 came in at 22:47:31, not at midnight: after-hours figures can see it. The speed
    # of answer (seconds) is added to the combined time; talk time hh:mm:ss is minutes.
    assert query(
        db_path,
        "SELECT ticket_id, created_at, first_response_at, handle_minutes, status, s.csat "
        "FROM tickets LEFT JOIN survey_responses s USING (ticket_id) ORDER BY 1",
    ) == [
        ("ID0001", datetime(2021, 1, 1, 9, 12, 58), datetime(2021, 1, 1, 9, 14, 47),
         2 + 23 / 60, "solved", 3),
        ("ID0002", datetime(2021, 1, 1, 9, 12, 58), datetime(2021, 1, 1, 9, 14, 8),
         4 + 2 / 60, "open", 4),
        ("ID0003", datetime(2021, 1, 2, 22, 47, 31), datetime(2021, 1, 2, 22, 47, 41),
         2 + 11 / 60, "solved", 5),
        ("ID0004", datetime(2021, 1, 2, 23, 5), None, None, "open", None),
    ]  # fmt: skip
    # A date without its time is rejected by name, on its line (header = line 1).
    assert query(db_path, "SELECT line, column_name, value, reason FROM rejected_rows") == [
        (6, "created_at", "1/3/2021",
         "created_at has a date but no time (the column 'Time' is empty)"),
    ]  # fmt: skip


def test_days_open_is_the_resolution_time_only_for_closed_tickets(db_path: Path) -> None:
    report = load_file(db_path, "tickets", FIXTURES / "days_open.csv", FIXTURES / "days_open.toml")

    assert (report.rows_loaded, report.rows_rejected) == (4, 0)
    # T-2 is open: its 5 days open are its age, not a resolution. T-4 is closed without days.
    assert query(db_path, "SELECT ticket_id, status, resolved_at FROM tickets ORDER BY 1") == [
        ("T-1", "closed", datetime(2025, 3, 5, 9, 0)),
        ("T-2", "open", None),
        ("T-3", "closed", datetime(2025, 3, 4, 20, 30)),
        ("T-4", "closed", None),
    ]


def test_an_anonymous_survey_loads_with_ids_from_its_content(db_path: Path) -> None:
    data, mapping = FIXTURES / "engagement_pulse.csv", FIXTURES / "engagement_pulse.toml"
    first = load_file(db_path, "polls", data, mapping)

    assert (first.rows_loaded, first.rows_rejected) == (4, 0)
    assert first.dropped_columns == ["Employee ID"]
    # E1003 and E1004 answered alike at the same minute: two responses, not one.
    assert query(
        db_path,
        "SELECT team, enps, wellbeing, count(*) FROM poll_responses GROUP BY ALL ORDER BY 1, 2",
    ) == [("Billing", 10, 5, 2), ("Support", 7, 3, 1), ("Support", 9, 4, 1)]
    ids = {r[0] for r in query(db_path, "SELECT response_id FROM poll_responses")}
    # Reloading the file replaces every response with itself.
    again = load_file(db_path, "polls", data, mapping)
    assert (again.rows_loaded, again.rows_replaced) == (4, 4)
    assert {r[0] for r in query(db_path, "SELECT response_id FROM poll_responses")} == ids
    # The ids come from content and are stored only as their keyed hash; no employee number.
    key = read_key(db_path)
    assert response_hash(key, "E1001") not in ids
    assert not [v for v in varchar_values(db_path) if v.startswith("E100")]


def test_an_anonymous_survey_without_a_mapping_is_refused_saying_why(db_path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "polls", FIXTURES / "engagement_pulse.csv")

    assert str(refused.value) == (
        "engagement_pulse.csv: no mapping reads this polls file. Columns found: Employee ID, "
        "Department, Submitted, How likely are you to recommend working here? (0-10), I feel "
        "well at work. Closest: canonical lacks 'response_id', 'submitted_at', 'team'. "
        "'Employee ID' identifies a person and is never read; if the rows have no other id, a "
        "mapping with [generated_id] numbers them by their content."
    )
    assert refused.value.needs_mapping


CHANNELS = (
    "ticket_id,team,created_at,channel,status\n"
    "C1,A,2025-03-03 10:00,Email,open\n"
    "C2,A,2025-03-03 11:00,Fax,solved\n"
    "C3,A,2025-03-03 12:00,fax,in progress\n"
    "C4,A,2025-03-03 13:00,SMS,closed\n"
)


def test_channels_and_statuses_outside_the_lists_are_rejected_in_a_canonical_load(
    tmp_path: Path, db_path: Path
) -> None:
    (tmp_path / "t.csv").write_text(CHANNELS)

    report = load_file(db_path, "tickets", tmp_path / "t.csv")

    assert (report.rows_loaded, report.rows_rejected) == (1, 3)
    channel = (
        "channel must be one of email, chat, phone, web, social, other (translate other values "
        'under values.channel in the mapping or unknown_values.channel = "other")'
    )
    assert query(db_path, "SELECT line, column_name, value, reason FROM rejected_rows "
                 "ORDER BY line") == [
        (3, "channel", "Fax", channel),
        (4, "channel", "fax", channel),
        (5, "channel", "SMS", channel),
    ]  # fmt: skip
    assert unknown_values_text(report) == [
        "channel: 3 rows outside email, chat, phone, web, social, other, rejected: "
        "'fax' (2), 'sms' (1)",
        "status: 1 row outside open, pending, solved, closed, rejected: 'in progress' (1)",
    ]


def test_unknown_channels_can_go_to_other_and_statuses_stay_unknown(
    tmp_path: Path, db_path: Path
) -> None:
    (tmp_path / "t.csv").write_text(CHANNELS)
    (tmp_path / "m.toml").write_text(
        'name = "helpdesk"\nsource = "tickets"\n'
        '[unknown_values]\nchannel = "other"\nstatus = "missing"\n'
    )

    report = load_file(db_path, "tickets", tmp_path / "t.csv", tmp_path / "m.toml")

    assert (report.rows_loaded, report.rows_rejected) == (4, 0)
    assert query(db_path, "SELECT ticket_id, channel, status FROM tickets ORDER BY 1") == [
        ("C1", "email", "open"),
        ("C2", "other", "solved"),
        ("C3", "other", None),
        ("C4", "other", "closed"),
    ]
    assert unknown_values_text(report) == [
        "channel: 3 rows outside email, chat, phone, web, social, other, stored as other: "
        "'fax' (2), 'sms' (1)",
        "status: 1 row outside open, pending, solved, closed, left empty: 'in progress' (1)",
    ]
    assert scalar(db_path, "SELECT count(*) FROM rejected_rows") == 0
