"""File formats from the data contract: encodings, delimiters, line ends, quoting, missing
tokens, time zones, rows of the wrong width and files refused whole.

Every test writes real CSV bytes to tmp_path and loads them into a real DuckDB file.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from cli.main import main as cli_main
from database.db import read_connection
from database.keys import read_key
from database.schema import customer_hash, response_hash
from ingest.load import IngestError, load_file
from ingest.reader import HEAD_BYTES
from tests.ingest.helpers import TICKET_COLUMNS, csv_text, query, write_bytes

PRIORITY_REASON = (
    "priority must be low, normal, high or urgent (a mapping's value map can translate other "
    "schemes such as P1..P4)"
)
CREATED_REASON = (
    "created_at is not a valid timestamp (expected ISO 8601 like 2025-03-01 14:05, or declare "
    "a format in the mapping)"
)


def width_reason(found: int, width: int) -> str:
    return (
        f"row has {found} fields where the header has {width} "
        "(check the delimiter and the quotes on this line)"
    )


# --- one small canonical file, the same rows in every variant -------------------------------

ROWS = [
    # every column filled
    ["T1", "Billing", "2025-03-01 09:00", "Email", "High", "Zoé", "refund", "Solved",
     "2025-03-01 09:30", "2025-03-01 12:00", "2025-03-02 09:00", "0", "2", "1", "12.5", "C1",
     "5"],
    # an offset, and a missing token in every optional column
    ["T2", "Billing", "2025-03-01T14:05:00+02:00", "chat", "", "Bob", "N/A", "open", "null",
     "?", "-", "", "NA", "", "", "", ""],
    # ISO variant with milliseconds; None and Nat are text in text columns
    ["T3", "Tech", "2025-03-02T10:00:00.000", "PHONE", "urgent", "None", "Nat", "pending",
     "2025-03-02 10:05", "", "", "1", "1", "0", "3", "C2", "NA"],
    # a field holding the delimiters, quotes and a line break
    ["T4", "Tech", "2025-03-03 08:00", "web", "low", "Ana", 'billing, "VAT";\tsecond\nline',
     "closed", "", "2025-03-03 09:15", "", "2", "", "", "", "", ""],
]  # fmt: skip

EXPECTED = [
    ("T1", "Billing", datetime(2025, 3, 1, 9, 0), "email", "high", "Zoé", "refund", "solved",
     datetime(2025, 3, 1, 9, 30), datetime(2025, 3, 1, 12, 0), datetime(2025, 3, 2, 9, 0),
     0, 2, 1, 12.5),
    ("T2", "Billing", datetime(2025, 3, 1, 12, 5), "chat", "normal", "Bob", None, "open",
     None, None, None, 0, None, None, None),
    ("T3", "Tech", datetime(2025, 3, 2, 10, 0), "phone", "urgent", "None", "Nat", "pending",
     datetime(2025, 3, 2, 10, 5), None, None, 1, 1, 0, 3.0),
    ("T4", "Tech", datetime(2025, 3, 3, 8, 0), "web", "low", "Ana", 'billing, "VAT";\tsecond\nline',
     "closed", None, datetime(2025, 3, 3, 9, 15), None, 2, None, None, None),
]  # fmt: skip

STORED = (
    "SELECT ticket_id, team, created_at, channel, priority, agent, category, status, "
    "first_response_at, resolved_at, due_at, reopens, agent_replies, customer_replies, "
    "handle_minutes FROM tickets ORDER BY ticket_id"
)

BOM8, BOM16LE, BOM16BE = codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE

# name: (delimiter, line ends cycled over records, codec, BOM, blank lines between records)
VARIANTS = {
    "utf-8": (",", ("\n",), "utf-8", b"", False),
    "utf-8 with BOM": (",", ("\n",), "utf-8", BOM8, False),
    "utf-16 LE with BOM": (",", ("\n",), "utf-16-le", BOM16LE, False),
    "utf-16 BE with BOM": (",", ("\n",), "utf-16-be", BOM16BE, False),
    "utf-16 LE without BOM": (",", ("\n",), "utf-16-le", b"", False),
    "utf-16 BE without BOM": (";", ("\r\n",), "utf-16-be", b"", False),
    "windows-1252": (",", ("\n",), "cp1252", b"", False),
    "semicolon": (";", ("\n",), "utf-8", b"", False),
    "tab": ("\t", ("\n",), "utf-8", b"", False),
    "CRLF": (",", ("\r\n",), "utf-8", b"", False),
    "mixed CRLF and LF": (",", ("\r\n", "\n"), "utf-8", b"", False),
    "mixed CRLF, LF and CR": (",", ("\n", "\r\n", "\r"), "utf-8", b"", False),
    "blank lines": (",", ("\n",), "utf-8", b"", True),
    "windows-1252, semicolon, CRLF": (";", ("\r\n",), "cp1252", b"", False),
    "utf-16, tab, CRLF, blank lines": ("\t", ("\r\n",), "utf-16-le", BOM16LE, True),
    "utf-8 BOM, semicolon, mixed": (";", ("\n", "\r\n"), "utf-8", BOM8, False),
}


def variant_bytes(name: str) -> bytes:
    delimiter, line_ends, codec, bom, blanks = VARIANTS[name]
    records: list[list[str]] = [list(TICKET_COLUMNS)]
    for row in ROWS:
        records.append(row)
        if blanks:
            records.append([])  # an empty line after every record, the last one included
    return bom + csv_text(records, delimiter, line_ends).encode(codec)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_stores_the_same_values(tmp_path: Path, db_path: Path, variant: str) -> None:
    path = write_bytes(tmp_path / "tickets.csv", variant_bytes(variant))

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 4, 0)
    assert query(db_path, STORED) == EXPECTED
    salt = read_key(db_path)
    hashes = dict(query(db_path, "SELECT ticket_id, customer_hash FROM tickets"))
    assert hashes == {
        "T1": customer_hash(salt, "C1"),
        "T2": None,
        "T3": customer_hash(salt, "C2"),
        "T4": None,
    }


def test_variants_really_differ_on_disk() -> None:
    # Guard against a helper that silently writes the same bytes for every variant.
    data = {name: variant_bytes(name) for name in VARIANTS}
    assert len(set(data.values())) == len(VARIANTS)
    assert data["windows-1252"].count(b"Zo\xe9") == 1
    assert data["utf-8"].count("Zoé".encode()) == 1
    assert data["utf-16 LE with BOM"].startswith(BOM16LE + "t".encode("utf-16-le"))
    assert data["mixed CRLF, LF and CR"].count(b"\r\n") == 2  # header and record 3


def test_csat_on_a_ticket_becomes_a_survey_response(tmp_path: Path, db_path: Path) -> None:
    load_file(db_path, "tickets", write_bytes(tmp_path / "t.csv", variant_bytes("utf-8")))

    assert query(
        db_path,
        "SELECT response_id, submitted_at, team, ticket_id, channel, csat, nps "
        "FROM survey_responses",
    ) == [("ticket:T1", datetime(2025, 3, 1, 12, 0), "Billing", "T1", "email", 5, None)]


# --- physical line numbers -------------------------------------------------------------------

SHORT_HEADER = ["ticket_id", "team", "created_at", "priority", "category"]
LINES_FILE = [
    SHORT_HEADER,  # line 1
    ["T1", "Alpha", "2025-03-01 09:00", "high", "plain"],  # line 2
    ["T2", "Alpha", "2025-03-01 09:00", "low", "first line\nsecond line"],  # lines 3-4
    ["T3", "Alpha", "2025-03-01 09:00", "low", "ok"],  # line 5
    ["T4", "Alpha", "2025-03-01 09:00"],  # line 6: 3 fields
    ["T5", "Alpha", "2025-03-01 09:00", "bogus", "x"],  # line 7: bad priority
    ["T6", "Alpha", "2025-03-01 09:00", "urgent", 'a "quoted" word'],  # line 8
    ["T7", "Alpha", "yesterday", "low", "one\ntwo\nthree"],  # lines 9-11: bad created_at
    ["T8", "Alpha", "2025-03-01 09:00", "low", "x", "extra"],  # line 12: 6 fields
    ["T9", "Alpha", "2025-03-01 09:00", "normal", "last"],  # line 13
]
EXPECTED_REJECTS = [
    (6, None, None, width_reason(3, 5)),  # never the record's text
    (7, "priority", "bogus", PRIORITY_REASON),
    (9, "created_at", "yesterday", CREATED_REASON),
    (12, None, None, width_reason(6, 5)),
]


@pytest.mark.parametrize(
    ("codec", "bom", "line_end"),
    [
        ("utf-8", b"", "\n"),
        ("utf-8", b"", "\r\n"),
        ("utf-16-le", BOM16LE, "\r\n"),
        ("cp1252", b"", "\n"),
    ],
    ids=["utf-8 LF", "utf-8 CRLF", "utf-16 CRLF", "windows-1252 LF"],
)
def test_rejected_rows_report_the_line_where_the_record_starts(
    tmp_path: Path, db_path: Path, codec: str, bom: bytes, line_end: str
) -> None:
    text = csv_text(LINES_FILE, ",", (line_end,))
    path = write_bytes(tmp_path / "lines.csv", bom + text.encode(codec))

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (9, 5, 4)
    assert query(db_path, "SELECT ticket_id FROM tickets ORDER BY ticket_id") == [
        ("T1",), ("T2",), ("T3",), ("T6",), ("T9",)
    ]  # fmt: skip
    assert (
        query(db_path, "SELECT line, column_name, value, reason FROM rejected_rows ORDER BY line")
        == EXPECTED_REJECTS
    )
    assert query(
        db_path, "SELECT category FROM tickets WHERE ticket_id IN ('T2', 'T6') ORDER BY ticket_id"
    ) == [("first line\nsecond line",), ('a "quoted" word',)]


def test_the_rejected_command_lists_the_physical_lines(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_bytes(tmp_path / "lines.csv", csv_text(LINES_FILE).encode())
    load_file(db_path, "tickets", path)
    capsys.readouterr()

    assert cli_main(["rejected", "--db", str(db_path)]) == 0

    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["load_id", "file_name", "line", "column", "value", "reason"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("lines.csv", "6", ""),
        ("lines.csv", "7", "priority"),
        ("lines.csv", "9", "created_at"),
        ("lines.csv", "12", ""),
    ]


def test_wrong_width_rows_in_a_plain_file(tmp_path: Path, db_path: Path) -> None:
    # No quoted newlines, no blank lines: the file is clean UTF-8 apart from the two bad rows.
    text = (
        "ticket_id,team,created_at,priority,category\n"  # 1
        "T1,Alpha,2025-03-01 09:00,high,a\n"  # 2
        "T2,Alpha,2025-03-01 09:00,high,b,surplus\n"  # 3
        "T3,Alpha,2025-03-01 09:00,high,c\n"  # 4
        "T4,Alpha\n"  # 5
        "T5,Alpha,2025-03-01 09:00,high,e\n"  # 6
    )
    report = load_file(db_path, "tickets", write_bytes(tmp_path / "w.csv", text.encode()))

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 3, 2)
    assert query(db_path, "SELECT ticket_id FROM tickets ORDER BY 1") == [
        ("T1",), ("T3",), ("T5",)
    ]  # fmt: skip
    assert query(db_path, "SELECT line, column_name, value, reason FROM rejected_rows "
                 "ORDER BY line") == [
        (3, None, None, width_reason(6, 5)),
        (5, None, None, width_reason(2, 5)),
    ]  # fmt: skip


@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_blank_lines_are_not_records_but_count_as_lines(
    tmp_path: Path, db_path: Path, line_end: str
) -> None:
    lines = [
        "ticket_id,team,created_at,priority",  # 1
        "T1,Alpha,2025-03-01 09:00,high",  # 2
        "",  # 3
        "",  # 4
        "T2,Alpha,2025-03-01 09:00,bogus",  # 5
        "T3,Alpha,2025-03-01 09:00,low",  # 6
        "",  # 7
    ]
    path = write_bytes(tmp_path / "b.csv", line_end.join(lines).encode() + line_end.encode())

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert query(db_path, "SELECT line, column_name, value FROM rejected_rows") == [
        (5, "priority", "bogus")
    ]


def test_a_rejected_row_in_a_large_plain_file_keeps_its_line(tmp_path: Path, db_path: Path) -> None:
    # Large enough for DuckDB to read in parallel chunks: row order inside the engine is not
    # file order, yet the reported lines must be.
    n = 300_000
    bad = {2, 150_001, 250_123, n + 1}  # physical lines (the header is line 1)
    with (tmp_path / "big.csv").open("w", newline="") as fh:
        fh.write("ticket_id,team,created_at,channel,priority,agent,status,reopens\n")
        for line in range(2, n + 2):
            priority = "bogus" if line in bad else "high"
            fh.write(
                f"L{line},Team {line % 7},2025-03-01 10:{line % 60:02d},email,{priority},"
                f"agent {line % 50},solved,{line % 3}\n"
            )

    report = load_file(db_path, "tickets", tmp_path / "big.csv")

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (n, n - 4, 4)
    assert query(db_path, "SELECT line, value FROM rejected_rows ORDER BY line") == [
        (line, "bogus") for line in sorted(bad)
    ]


def test_the_later_row_of_a_repeated_key_wins_in_a_large_file(
    tmp_path: Path, db_path: Path
) -> None:
    n = 300_000
    with (tmp_path / "dup.csv").open("w", newline="") as fh:
        fh.write("ticket_id,team,created_at,channel,priority,agent,status,reopens\n")
        for i in range(n):
            key = "DUP" if i in (50_000, 150_000, 250_000) else f"K{i}"
            fh.write(
                f"{key},Team {i % 7},2025-03-01 10:{i % 60:02d},email,high,agent {i},"
                f"solved,{i % 3}\n"
            )

    report = load_file(db_path, "tickets", tmp_path / "dup.csv")

    assert report.rows_loaded == n - 2
    assert query(db_path, "SELECT agent FROM tickets WHERE ticket_id = 'DUP'") == [
        ("agent 250000",)
    ]


# --- missing values --------------------------------------------------------------------------

MISSING_HEADER = (
    "ticket_id,team,created_at,channel,priority,category,due_at,reopens,agent_replies,"
    "handle_minutes,csat"
)


@pytest.mark.parametrize("token", ["NA", "N/A", "null", "?", "-", ""])
def test_missing_tokens_become_null(tmp_path: Path, db_path: Path, token: str) -> None:
    t = token
    text = f"{MISSING_HEADER}\nM1,Alpha,2025-03-01 09:00,{t},{t},{t},{t},{t},{t},{t},{t}\n"

    report = load_file(db_path, "tickets", write_bytes(tmp_path / "m.csv", text.encode()))

    assert (report.rows_loaded, report.rows_rejected) == (1, 0)
    assert query(
        db_path,
        "SELECT channel, priority, category, due_at, reopens, agent_replies, "
        "handle_minutes FROM tickets",
    ) == [(None, "normal", None, None, 0, None, None)]
    assert query(db_path, "SELECT count(*) FROM survey_responses") == [(0,)]  # csat missing


def test_none_and_nat_are_text_in_text_columns_but_not_numbers(
    tmp_path: Path, db_path: Path
) -> None:
    text = (
        "ticket_id,team,created_at,agent,category,agent_replies\n"
        "N1,None,2025-03-01 09:00,None,Nat,1\n"
        "N2,Nat,2025-03-01 09:00,Nat,None,None\n"
    )
    load_file(db_path, "tickets", write_bytes(tmp_path / "n.csv", text.encode()))

    assert query(db_path, "SELECT ticket_id, team, agent, category FROM tickets") == [
        ("N1", "None", "None", "Nat")
    ]
    assert query(db_path, "SELECT line, column_name, value, reason FROM rejected_rows") == [
        (3, "agent_replies", "None", "agent_replies is not a whole number")
    ]


# --- timestamps and the organisation's time zone ---------------------------------------------

TS_FILE = (
    "ticket_id,team,created_at,first_response_at\n"
    "Z1,Alpha,2025-03-01T14:05:00+02:00,2025-03-01T14:35:00+02:00\n"
    "Z2,Alpha,2025-03-01T14:05:00Z,2025-03-01T14:06:00.000Z\n"
    "Z3,Alpha,2025-03-01 14:05,2025-03-01T14:05:00.000\n"
    "Z4,Alpha,2025-07-01T14:05:00Z,2025-07-01T09:10:00-05:00\n"
    "Z5,Alpha,2025-03-01T14:05,2025-03-01 14:05:59\n"
)


def _timestamps(db_path: Path) -> dict[str, tuple[datetime, datetime]]:
    rows = query(db_path, "SELECT ticket_id, created_at, first_response_at FROM tickets")
    return {r[0]: (r[1], r[2]) for r in rows}


def test_offsets_are_converted_to_utc_by_default(tmp_path: Path, db_path: Path) -> None:
    load_file(db_path, "tickets", write_bytes(tmp_path / "ts.csv", TS_FILE.encode()))

    assert _timestamps(db_path) == {
        "Z1": (datetime(2025, 3, 1, 12, 5), datetime(2025, 3, 1, 12, 35)),
        "Z2": (datetime(2025, 3, 1, 14, 5), datetime(2025, 3, 1, 14, 6)),
        "Z3": (datetime(2025, 3, 1, 14, 5), datetime(2025, 3, 1, 14, 5)),
        "Z4": (datetime(2025, 7, 1, 14, 5), datetime(2025, 7, 1, 14, 10)),
        "Z5": (datetime(2025, 3, 1, 14, 5), datetime(2025, 3, 1, 14, 5, 59)),
    }


def test_offsets_are_converted_to_the_organisation_zone(tmp_path: Path, db_path: Path) -> None:
    # The settings file lives beside the database (no environment variable moves it).
    zone = '[organisation]\ntimezone = "Europe/Paris"\n'
    db_path.with_name(db_path.stem + ".settings.toml").write_text(zone)

    load_file(db_path, "tickets", write_bytes(tmp_path / "ts.csv", TS_FILE.encode()))

    # Paris is UTC+1 in March and UTC+2 in July; a value without offset is already local.
    assert _timestamps(db_path) == {
        "Z1": (datetime(2025, 3, 1, 13, 5), datetime(2025, 3, 1, 13, 35)),
        "Z2": (datetime(2025, 3, 1, 15, 5), datetime(2025, 3, 1, 15, 6)),
        "Z3": (datetime(2025, 3, 1, 14, 5), datetime(2025, 3, 1, 14, 5)),
        "Z4": (datetime(2025, 7, 1, 16, 5), datetime(2025, 7, 1, 16, 10)),
        "Z5": (datetime(2025, 3, 1, 14, 5), datetime(2025, 3, 1, 14, 5, 59)),
    }


def test_daylight_saving_changes_and_offset_spellings(tmp_path: Path, db_path: Path) -> None:
    db_path.with_name(db_path.stem + ".settings.toml").write_text(
        '[organisation]\ntimezone = "Europe/Paris"\n'
    )
    text = (
        "ticket_id,team,created_at\n"
        "D1,Alpha,2025-03-30 02:30\n"  # does not exist in Paris (clocks jump 02:00 -> 03:00)
        "D2,Alpha,2025-10-26 02:30\n"  # exists twice in Paris
        "D3,Alpha,2025-03-30T00:30:00Z\n"  # before the jump: UTC+1
        "D4,Alpha,2025-03-30T01:30:00Z\n"  # after the jump: UTC+2
        "D5,Alpha,2025-10-26T00:30:00Z\n"  # first 02:30 (UTC+2)
        "D6,Alpha,2025-10-26T01:30:00Z\n"  # second 02:30 (UTC+1)
        "O1,Alpha,2025-03-01T14:05:00+0200\n"
        "O2,Alpha,2025-03-01 14:05:00 +01:00\n"
        "O3,Alpha,2025-03-01T14:05:00+02\n"
        "O4,Alpha,2025-03-01T14:05:00.123-05:00\n"
        "O5,Alpha,2025-03-01\n"
    )
    report = load_file(db_path, "tickets", write_bytes(tmp_path / "dst.csv", text.encode()))

    assert (report.rows_loaded, report.rows_rejected) == (11, 0)
    # A value without offset is stored exactly as written, even where the zone has no such time.
    assert dict(query(db_path, "SELECT ticket_id, created_at FROM tickets")) == {
        "D1": datetime(2025, 3, 30, 2, 30),
        "D2": datetime(2025, 10, 26, 2, 30),
        "D3": datetime(2025, 3, 30, 1, 30),
        "D4": datetime(2025, 3, 30, 3, 30),
        "D5": datetime(2025, 10, 26, 2, 30),
        "D6": datetime(2025, 10, 26, 2, 30),
        "O1": datetime(2025, 3, 1, 13, 5),
        "O2": datetime(2025, 3, 1, 14, 5),
        "O3": datetime(2025, 3, 1, 13, 5),
        "O4": datetime(2025, 3, 1, 20, 5, 0, 123000),
        "O5": datetime(2025, 3, 1, 0, 0),
    }


# --- files refused whole ---------------------------------------------------------------------

GOOD = b"ticket_id,team,created_at\nG1,Alpha,2025-03-01 09:00\nG2,Beta,2025-03-02 10:00\n"
UTF16_HEAD = BOM16LE + "ticket_id,team,created_at\nU1,Alpha,2025-03-01 09:00\n".encode("utf-16-le")

REFUSED = {
    "empty": (b"", "the file is empty"),
    "only blank lines": (b"\r\n\r\n  \n", "the file is empty"),
    "header only": (b"ticket_id,team,created_at\n", "the file has a header but no data rows"),
    "header and blank lines": (
        b"ticket_id,team,created_at\r\n\r\n\r\n",
        "the file has a header but no data rows",
    ),
    "utf-16 with a lone surrogate": (
        UTF16_HEAD + b"\x00\xd8" + "U2,Alpha,2025-03-01 09:00\n".encode("utf-16-le"),
        "the file is not readable as utf-16",
    ),
    "utf-16 cut in the middle of a character": (
        UTF16_HEAD + "U2,Alpha,2025-03-01 09:00\n".encode("utf-16-le") + b"\x00",
        "the file is not readable as utf-16",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_unusable_files_are_refused_whole_and_change_no_data(
    tmp_path: Path, db_path: Path, case: str
) -> None:
    load_file(db_path, "tickets", write_bytes(tmp_path / "good.csv", GOOD))
    before = query(db_path, "SELECT * FROM tickets ORDER BY ticket_id")
    data, problem = REFUSED[case]
    bad = write_bytes(tmp_path / "bad.csv", data)

    with pytest.raises(IngestError) as refused:
        load_file(db_path, "tickets", bad)

    assert str(refused.value).startswith(f"bad.csv: {problem}")
    assert query(db_path, "SELECT * FROM tickets ORDER BY ticket_id") == before
    assert len(before) == 2
    assert query(db_path, "SELECT count(*) FROM rejected_rows") == [(0,)]
    assert query(db_path, "SELECT file_name, outcome, message FROM loads ORDER BY load_id") == [
        ("good.csv", "loaded", None),
        ("bad.csv", "refused", str(refused.value)),
    ]


# --- a legacy byte far into an otherwise UTF-8 file -----------------------------------------


def test_a_windows_1252_byte_after_the_first_megabyte_still_loads(
    tmp_path: Path, db_path: Path
) -> None:
    lines = [b"ticket_id,team,created_at,priority,agent\n", "H1,Alpha,2025-03-01 09:00,high,Zoé\n"
             .encode()]  # fmt: skip
    size = sum(map(len, lines))
    i = 0
    while size <= HEAD_BYTES + 10_000:
        line = f"F{i},Alpha,2025-03-01 09:00,low,filler agent {i}\n".encode()
        lines.append(line)
        size += len(line)
        i += 1
    lines.append("X1,Alpha,2025-03-01 09:00,high,Zoé Müller\n".encode("cp1252"))
    lines.append(b"X2,Alpha,2025-03-01 09:00,bogus,after the legacy byte\n")
    lines.append("X3,Alpha,2025-03-01 09:00,urgent,Zoé again\n".encode())
    data = b"".join(lines)
    assert data.index(b"Zo\xe9 M\xfcller") > HEAD_BYTES
    data[:HEAD_BYTES].decode("utf-8")  # the head alone is valid UTF-8
    path = write_bytes(tmp_path / "late.csv", data)

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (i + 4, i + 3, 1)
    assert query(db_path, "SELECT ticket_id, agent FROM tickets WHERE ticket_id IN "
                 "('H1', 'X1', 'X3') ORDER BY 1") == [
        ("H1", "Zoé"), ("X1", "Zoé Müller"), ("X3", "Zoé again")
    ]  # fmt: skip
    assert query(db_path, "SELECT line, value FROM rejected_rows") == [(i + 4, "bogus")]


def test_a_poll_row_of_the_wrong_width_does_not_store_who_answered(
    tmp_path: Path, db_path: Path
) -> None:
    text = (
        "response_id,submitted_at,team,Email,Full Name,enps,wellbeing\n"
        "R1,2025-03-01 09:00,Alpha,ann@corp.example,Ann Smith,9,4\n"
        "R2,2025-03-01 09:00,Alpha,bob@corp.example,Bob Stone,7\n"
        "R3,2025-03-01 09:00,Alpha,cy@corp.example,Cy Young,8,5,surplus\n"
    )
    report = load_file(db_path, "polls", write_bytes(tmp_path / "poll.csv", text.encode()))

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 1, 2)
    assert report.dropped_columns == ["Email", "Full Name"]
    assert query(db_path, "SELECT response_id, team, enps, wellbeing FROM poll_responses") == [
        (response_hash(read_key(db_path), "R1"), "Alpha", 9, 4)
    ]
    rejected = query(db_path, "SELECT line, reason, value FROM rejected_rows ORDER BY line")
    assert rejected == [(3, width_reason(6, 7), None), (4, width_reason(8, 7), None)]
    with read_connection(db_path) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        stored = " ".join(
            str(row)
            for table in tables
            for row in con.execute(f'SELECT * FROM "{table}"').fetchall()
        )
    for secret in ("corp.example", "Ann Smith", "Bob Stone", "Cy Young"):
        assert secret not in stored


MIXED_HEADS = {
    # UTF-8 with one pasted Windows-1252 character: the UTF-8 ones must stay as they are.
    "utf-8 with a legacy byte": (
        "M1,Alpha,2025-03-01 09:00,Zoé Núñez\n".encode() + "M2,Alpha,2025-03-01 09:00,Müller\n"
        .encode("cp1252"),
        ["Zoé Núñez", "Müller"],
    ),
    # The BOM says UTF-8; a legacy byte in it is read as Windows-1252, not refused.
    "utf-8 BOM with a legacy byte": (
        "M1,Alpha,2025-03-01 09:00,Zoé\n".encode() + "M2,Alpha,2025-03-01 09:00,Müller\n"
        .encode("cp1252"),
        ["Zoé", "Müller"],
    ),
    # Windows-1252 whose bytes happen to contain one valid UTF-8 pair (É + no-break space).
    "windows-1252 that looks like UTF-8 once": (
        "M1,Alpha,2025-03-01 09:00,CAFÉ\xa0: Zoé\nM2,Alpha,2025-03-01 09:00,Müller\n"
        .encode("cp1252"),
        ["CAFÉ\xa0: Zoé", "Müller"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MIXED_HEADS))
def test_legacy_bytes_in_the_first_megabyte(tmp_path: Path, db_path: Path, case: str) -> None:
    body, agents = MIXED_HEADS[case]
    bom = BOM8 if "BOM" in case else b""
    path = write_bytes(tmp_path / "mixed.csv", bom + b"ticket_id,team,created_at,agent\n" + body)

    report = load_file(db_path, "tickets", path)

    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    assert [a for (a,) in query(db_path, "SELECT agent FROM tickets ORDER BY ticket_id")] == agents


# --- layouts of real exports: blank rows, no header, quote and escape, codecs by name -------

SMALL_HEADER = "ticket_id,team,created_at\n"
SMALL_STORED = "SELECT ticket_id, team, created_at FROM tickets ORDER BY ticket_id"


def _mapping(tmp_path: Path, read: str) -> Path:
    path = tmp_path / "own.toml"
    path.write_text(f'name = "own"\nsource = "tickets"\n[read]\n{read}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_blank_rows_are_skipped_and_counted_not_rejected(
    tmp_path: Path, db_path: Path, line_end: str
) -> None:
    # Excel's trailing rows: every cell empty, the delimiters still there; one in the middle.
    rows = ["T1,Billing,2025-03-01 09:00", ",,", "T2,Tech,2025-03-02 10:00", ",,", "N/A,,", ",,"]
    path = write_bytes(tmp_path / "t.csv", (SMALL_HEADER + line_end.join(rows) + line_end).encode())

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_blank) == (6, 2, 4)  # N/A: missing
    assert report.rows_rejected == 0
    assert report.notes == ["4 blank rows (every cell empty) skipped, not rejected"]
    assert query(db_path, "SELECT count(*) FROM rejected_rows") == [(0,)]


def test_blank_rows_are_counted_on_the_careful_path_too(tmp_path: Path, db_path: Path) -> None:
    # Windows-1252 takes the careful path; a blank row of the wrong width is blank, not broken.
    text = SMALL_HEADER + "T1,Zoé,2025-03-01 09:00\n,,\n,,,,,\nT2,Tech,2025-03-02 10:00\n"
    path = write_bytes(tmp_path / "t.csv", text.encode("cp1252"))

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_blank, report.rows_rejected) == (
        4,
        2,
        2,
        0,
    )
    assert query(db_path, "SELECT team FROM tickets ORDER BY ticket_id") == [("Zoé",), ("Tech",)]


def test_a_file_without_header_takes_its_column_names_from_the_mapping(
    tmp_path: Path, db_path: Path
) -> None:
    mapping = _mapping(tmp_path, 'column_names = ["ticket_id", "team", "created_at"]')
    path = write_bytes(
        tmp_path / "t.csv", b"T1,Billing,2025-03-01 09:00\nT2,Tech,2025-03-02 10:00\nT3,,x\n"
    )

    report = load_file(db_path, "tickets", path, mapping=mapping)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert query(db_path, SMALL_STORED) == [
        ("T1", "Billing", datetime(2025, 3, 1, 9, 0)),
        ("T2", "Tech", datetime(2025, 3, 2, 10, 0)),
    ]
    assert query(db_path, "SELECT line, column_name FROM rejected_rows") == [(3, "team")]


@pytest.mark.parametrize("careful", [False, True], ids=["utf-8", "windows-1252"])
def test_quote_and_escape_characters_from_the_mapping(
    tmp_path: Path, db_path: Path, careful: bool
) -> None:
    mapping = _mapping(tmp_path, 'quote = "\'"\nescape = "\\\\"')  # TOML: escape = "\\"
    team = "Zoé" if careful else "Zoe"
    text = SMALL_HEADER + f"T1,'Billing, \\'EU\\'',2025-03-01 09:00\nT2,{team},2025-03-02 10:00\n"
    path = write_bytes(tmp_path / "t.csv", text.encode("cp1252" if careful else "utf-8"))

    report = load_file(db_path, "tickets", path, mapping=mapping)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 2, 0)
    assert query(db_path, "SELECT team FROM tickets ORDER BY ticket_id") == [
        ("Billing, 'EU'",),
        (team,),
    ]


def test_any_codec_python_knows_by_name_cp850(tmp_path: Path, db_path: Path) -> None:
    mapping = _mapping(tmp_path, 'encoding = "cp850"')
    # In cp850 "é" is 0x82, which Windows-1252 reads as "‚".
    text = SMALL_HEADER + "T1,Équipe café,2025-03-01 09:00\nT2,Zoë,2025-03-02 10:00\n"
    data = text.encode("cp850")
    assert b"\x82" in data  # the byte the bug report saw as "‚"
    path = write_bytes(tmp_path / "t.csv", data)

    load_file(db_path, "tickets", path, mapping=mapping)

    assert query(db_path, "SELECT team FROM tickets ORDER BY ticket_id") == [
        ("Équipe café",),
        ("Zoë",),
    ]


def test_an_unknown_codec_name_is_refused_naming_the_key(tmp_path: Path, db_path: Path) -> None:
    mapping = _mapping(tmp_path, 'encoding = "cp9999"')
    path = write_bytes(tmp_path / "t.csv", (SMALL_HEADER + "T1,A,2025-03-01\n").encode())

    with pytest.raises(IngestError) as refused:
        load_file(db_path, "tickets", path, mapping=mapping)

    assert str(refused.value) == (
        f"t.csv: mapping {Path(mapping).name}: read.encoding: 'cp9999' is not an encoding "
        "Python knows (for example utf-8, cp1252, cp850, latin-1, utf-16, or auto)"
    )


@pytest.mark.parametrize("first", ["utf-8", "cp1252"])
def test_mixed_encodings_are_decoded_per_record_with_a_warning(
    tmp_path: Path, db_path: Path, first: str
) -> None:
    # Some lines saved as UTF-8, others as Windows-1252: "Zoë Team" must stay one team.
    other = "cp1252" if first == "utf-8" else "utf-8"
    data = SMALL_HEADER.encode() + b"".join(
        f"T{i},Zoë Team,2025-03-0{i} 09:00\n".encode(first if i % 2 else other) for i in range(1, 6)
    )
    path = write_bytes(tmp_path / "t.csv", data)

    report = load_file(db_path, "tickets", path)

    assert query(db_path, "SELECT team, count(*) FROM tickets GROUP BY team") == [("Zoë Team", 5)]
    utf8, legacy, first_legacy = (3, 2, 3) if first == "utf-8" else (2, 3, 2)
    assert report.notes == [
        f"the file mixes encodings: {utf8} records in UTF-8 and {legacy} records in "
        f"Windows-1252 (the first on line {first_legacy}); each record was read in its own "
        "encoding"
    ]


def test_a_declared_utf8_file_rejects_a_record_that_is_not_utf8(
    tmp_path: Path, db_path: Path
) -> None:
    mapping = _mapping(tmp_path, 'encoding = "utf-8"')
    data = (SMALL_HEADER + "T1,Zoë,2025-03-01 09:00\n").encode() + "T2,Zoë,2025-03-02\n".encode(
        "cp1252"
    )
    path = write_bytes(tmp_path / "t.csv", data)

    report = load_file(db_path, "tickets", path, mapping=mapping)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 1, 1)
    assert query(db_path, "SELECT line, reason FROM rejected_rows") == [
        (
            3,
            "the record is not valid UTF-8 (byte 0xEB in cell 2): save the file as UTF-8 or "
            "give its encoding in the mapping",
        )
    ]
