"""Recognition from the header, mapping mistakes caught before reading, and the words used."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from ingest.load import IngestError, load_file
from tests.ingest.helpers import query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_a_zendesk_export_without_an_optional_column_is_recognised_and_loads(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["ingest", "tickets", str(FIXTURES / "zendesk_no_first_reply.csv"),
                   "--db", str(db_path)])  # fmt: skip

    assert status == 0
    assert capsys.readouterr().out == (
        "zendesk_no_first_reply.csv -> tickets (mapping: zendesk_tickets, recognised from the "
        "header, load #1)\n"
        "  read 3  loaded 3  replaced 0  rejected 0\n"
        "  not in this file, not carried: 'First reply time in minutes' (first_response_at)\n"
        "  no first_response_at: First response time (median), First response within target, "
        "After-hours first response (median) come from other loads only\n"
        "  no customer_replies: Clarification loops comes from other loads only\n"
        "  no handle_minutes: Handling time (median) comes from other loads only\n"
        "  columns not stored: Subject, Requester\n"
    )
    assert query(db_path, "SELECT mapping, carried FROM loads") == [
        ("zendesk_tickets", ["ticket_id", "team", "created_at", "channel", "priority", "agent",
                             "category", "status", "resolved_at", "due_at", "reopens",
                             "agent_replies", "customer_id", "csat"]),
    ]  # fmt: skip


def test_an_unknown_layout_lists_the_closest_mappings(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["ingest", "tickets", str(FIXTURES / "unknown_layout.csv"), "--db", str(db_path)])

    assert status == 1
    assert capsys.readouterr().err == (
        "refused: unknown_layout.csv: no mapping reads this tickets file. Columns found: "
        "Conversation, Mailbox, Created, Assigned To, Customer. Closest: kaggle_support_tickets "
        "lacks 'Ticket ID', 'First Response Time'; canonical lacks 'ticket_id', 'team', "
        "'created_at'; freshdesk_tickets lacks 'Ticket ID', 'Group', 'Created time'.\n"
        "  write a mapping for this layout (docs/mappings.md) and pass it with --mapping "
        "FILE.toml\n"
    )


def test_a_file_given_as_the_wrong_source_says_what_it_looks_like(db_path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "surveys", FIXTURES / "zendesk_tickets.csv")

    assert str(refused.value).endswith(
        " It looks like tickets: the mapping 'zendesk_tickets' reads it as tickets."
    )


def test_the_cli_names_the_flag_for_a_suggested_mapping(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(FIXTURES / "zendesk_tickets.csv")
    assert main(["ingest", "tickets", data, "--mapping", "canonical", "--db", str(db_path)]) == 1
    assert capsys.readouterr().err.endswith(
        "The shipped mapping 'zendesk_tickets' reads this layout.\n"
        f"  try: scorecard ingest tickets {data} --mapping zendesk_tickets\n"
    )


ITSM_LIKE = (
    "Incident,Group,Opened,Minutes to answer\n"
    "I1,Desk,05/02/2012 13:32,15\n"
    "I2,Desk,12/03/2012 15:44,20\n"
    "I3,Desk,29/03/2012 12:36,01:30\n"
    "I4,Desk,30/03/2012 08:00,\n"
)


def _refusal(tmp_path: Path, db_path: Path, mapping: str) -> IngestError:
    (tmp_path / "export.csv").write_text(ITSM_LIKE)
    (tmp_path / "m.toml").write_text(
        'name = "desk"\nsource = "tickets"\n[columns]\nticket_id = "Incident"\n'
        'team = "Group"\ncreated_at = "Opened"\n' + mapping
    )
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "tickets", tmp_path / "export.csv", tmp_path / "m.toml")
    assert query(db_path, "SELECT outcome FROM loads") == [("refused",)]
    assert "Error" not in str(refused.value)  # no DuckDB message (Binder Error...)
    return refused.value


@pytest.mark.parametrize(
    "mapping,message",
    [
        # The Binder Error: a duration added to a text column.
        (
            '[durations.first_response_at]\ncolumn = "Minutes to answer"\nafter = "team"\n',
            "mapping {m}: durations.first_response_at.after: 'team' is not another timestamp "
            "(one of created_at, due_at, resolved_at)",
        ),
        (
            '[formats]\nteam = "%d/%m/%Y"\n',
            "mapping {m}: formats.team: team is a text, not a timestamp; formats are for "
            "created_at, due_at, first_response_at, resolved_at",
        ),
        (
            '[formats]\ncreated_at = "%d/%m/%Q"\n',
            "mapping {m}: formats.created_at: '%d/%m/%Q' is not a strptime format DuckDB "
            "reads: use %Y %m %d %H %M %S %p %z and friends, e.g. %d/%m/%Y %H:%M",
        ),
        (
            '[columns]\nfirst_respons_at = "Minutes to answer"\n',
            "mapping {m}: columns.first_respons_at: not a column of tickets (did you mean "
            "first_response_at?)",
        ),
    ],
)
def test_a_mapping_mistake_names_its_key_and_what_to_write(
    tmp_path: Path, db_path: Path, mapping: str, message: str
) -> None:
    if mapping.startswith("[columns]"):
        mapping = mapping.replace("[columns]\n", "")  # the same table, continued
        mapping = "first_respons_at = " + mapping.split(" = ", 1)[1]
    refused = _refusal(tmp_path, db_path, mapping)
    assert str(refused) == "export.csv: " + message.format(m="m.toml")


def test_a_format_that_reads_no_sampled_value_is_refused_with_the_one_that_does(
    tmp_path: Path, db_path: Path
) -> None:
    refused = _refusal(tmp_path, db_path, '[formats]\ncreated_at = "%Y-%m-%d %H:%M"\n')
    assert str(refused) == (
        "export.csv: formats.created_at: none of the 4 sampled values of 'Opened' reads as "
        "%Y-%m-%d %H:%M (e.g. '05/02/2012 13:32'); write formats.created_at = "
        '"%d/%m/%Y %H:%M"'
    )


def test_iso_timestamps_expected_but_not_found_ask_for_a_format(
    tmp_path: Path, db_path: Path
) -> None:
    refused = _refusal(tmp_path, db_path, "")
    assert str(refused) == (
        "export.csv: formats.created_at: none of the 4 sampled values of 'Opened' is an ISO "
        "8601 timestamp like 2025-03-01 14:05 (e.g. '05/02/2012 13:32'); write "
        'formats.created_at = "%d/%m/%Y %H:%M"'
    )


def test_a_key_naming_a_column_the_file_lacks_is_refused_before_reading(
    tmp_path: Path, db_path: Path
) -> None:
    refused = _refusal(
        tmp_path,
        db_path,
        '[formats]\ncreated_at = "%d/%m/%Y %H:%M"\n'
        '[when.first_response_at]\ncolumn = "Stat"\nin = ["Closed"]\n'
        '[skip_rows_where]\n"Total" = ["TOTAL"]\n',
    )
    assert refused.problems == [
        "when.first_response_at.column: the file has no column 'Stat' (columns found: "
        "Incident, Group, Opened, Minutes to answer)",
        "skip_rows_where.Total: the file has no column 'Total' (columns found: Incident, "
        "Group, Opened, Minutes to answer)",
    ]


def test_a_misspelt_required_column_is_named_with_its_near_twin(
    tmp_path: Path, db_path: Path
) -> None:
    (tmp_path / "export.csv").write_text(ITSM_LIKE)
    (tmp_path / "m.toml").write_text(
        'name = "desk"\nsource = "tickets"\n[columns]\nticket_id = "Incident"\n'
        'team = "Groupe"\ncreated_at = "Opened"\n[formats]\ncreated_at = "%d/%m/%Y %H:%M"\n'
    )
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "tickets", tmp_path / "export.csv", tmp_path / "m.toml")
    assert str(refused.value) == (
        "export.csv: the tickets file has no required column 'team' (mapped from 'Groupe'; did "
        "you mean 'Group'?). Columns found: Incident, Group, Opened, Minutes to answer."
    )


def test_a_declared_poll_item_the_export_lacks_is_named_not_carried(
    tmp_path: Path, db_path: Path
) -> None:
    (tmp_path / "p.csv").write_text(
        "response_id,submitted_at,team,I get the training I need\nR1,2025-06-02,Support,4\n"
    )
    (tmp_path / "m.toml").write_text(
        'name = "pulse"\nsource = "polls"\n[items]\ntraining = "I get the training I need"\n'
        'growth = "I can grow here"\n'
    )
    report = load_file(db_path, "polls", tmp_path / "p.csv", tmp_path / "m.toml")
    assert (report.rows_loaded, report.extra_items) == (1, ["training"])
    assert report.absent_columns == ["'I can grow here' (item growth)"]


def test_bad_dates_under_their_own_name_are_the_files_business(
    tmp_path: Path, db_path: Path
) -> None:
    (tmp_path / "t.csv").write_text(
        "ticket_id,team,created_at\nT1,A,yesterday\nT2,A,soon\nT3,A,later\n"
    )
    # No mapping key said how to read created_at and no common format reads these values:
    # each row is rejected with its reason, the file is not refused as a mapping mistake.
    report = load_file(db_path, "tickets", tmp_path / "t.csv")
    assert (report.rows_loaded, report.rows_rejected) == (0, 3)


def test_a_constant_that_is_no_timestamp_is_named(tmp_path: Path, db_path: Path) -> None:
    refused = _refusal(
        tmp_path,
        db_path,
        '[formats]\ncreated_at = "%d/%m/%Y %H:%M"\n[constants]\ndue_at = "next week"\n',
    )
    assert str(refused) == (
        "export.csv: constants.due_at: 'next week' is not a timestamp; write one like "
        "2025-03-01 14:05"
    )


@pytest.mark.parametrize(
    "toml,message",
    [
        (
            '[when.resolved_at]\ncolumn = "Status"\n',
            'when.resolved_at: give exactly one of in = ["Closed", ...] or not_in = [...]',
        ),
        (
            '[unknown_values]\nstatus = "other"\n',
            'unknown_values.status: status has no "other"; write "reject" or "missing"',
        ),
        (
            '[generated_id]\n[columns]\nticket_id = "ID"\n',
            "generated_id: tickets ids are generated, so columns.ticket_id must go (or drop "
            "[generated_id])",
        ),
        (
            '[combine.team]\ndate = "Day"\ntime = "Hour"\n',
            "combine.team: team is a text; a date and a time make a timestamp (created_at, "
            "due_at, first_response_at, resolved_at)",
        ),
        (
            '[durations.due_at]\ncolumn = "Days"\n',
            "durations.due_at.after: a timestamp needs the one it follows, e.g. after = "
            '"created_at"',
        ),
    ],
)
def test_new_keys_used_wrongly_are_named(toml: str, message: str) -> None:
    from ingest.mapping import MappingError, parse_mapping

    with pytest.raises(MappingError) as refused:
        parse_mapping('name = "x"\nsource = "tickets"\n' + toml, "m.toml")
    assert str(refused.value) == f"mapping m.toml: {message}"


@pytest.mark.parametrize(
    "rel,source,mapping",
    [
        ("tickets_kaggle/customer_support_tickets.csv", "tickets", "kaggle_support_tickets"),
        ("itsm_excerpt/ITSM_data.csv", "tickets", "itsm_incidents"),
        ("qualtrics/sample.csv", "surveys", "qualtrics_responses"),
        ("qualtrics/sample_legacy.csv", "surveys", "qualtrics_legacy"),
        ("nps_retail_fr/nps.csv", "surveys", None),
    ],
)
def test_every_public_export_is_recognised_by_its_header(
    rel: str, source: str, mapping: str | None
) -> None:
    from ingest.recognise import recognise, recognise_any
    from tests.ingest.helpers import PUBLIC_DATA

    assert recognise(source, PUBLIC_DATA / rel).mapping == mapping
    assert recognise_any(PUBLIC_DATA / rel) == (None if mapping is None else (source, mapping))
