"""Limits from the data contract: wrong kinds of file refused by name, NUL bytes, cells and
records over the stated sizes, an unclosed quote; every refusal is asserted word for word.

Every test writes real bytes to tmp_path and loads them into a real DuckDB file.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from ingest.load import IngestError, load_file
from ingest.records import MAX_CELL_BYTES, MAX_RECORD_BYTES
from ingest.stage import _long_line
from tests.ingest.helpers import query, write_bytes

HEADER = b"ticket_id,team,created_at\n"
ROW1 = b"T1,Billing,2025-03-01 09:00\n"
ROW3 = b"T3,Tech,2025-03-01 11:00\n"
REJECTS = "SELECT line, column_name, value, reason FROM rejected_rows ORDER BY line"
TEAMS = "SELECT ticket_id, team FROM tickets ORDER BY ticket_id"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


XLSX = _zip(
    {
        "[Content_Types].xml": b"<?xml version='1.0'?><Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/sheet1.xml": b"<worksheet/>",
    }
)

WRONG_KINDS = {
    "export.zip": (
        _zip({"tickets.csv": HEADER + ROW1}),
        "this is a ZIP archive, not a CSV file: unzip it and load the CSV inside",
    ),
    "tickets.xlsx": (
        XLSX,
        "this is an Excel workbook (.xlsx), not a CSV file: open it in Excel and save the sheet "
        "as CSV (File > Save As > CSV UTF-8)",
    ),
    "tickets.xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "this is an Excel 97-2003 workbook (.xls), not a CSV file: open it in Excel and save "
        "the sheet as CSV (File > Save As > CSV UTF-8)",
    ),
    "report.pdf": (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "this is a PDF document, not a CSV file: export the data from its tool as CSV",
    ),
    "tickets.csv.gz": (
        gzip.compress(HEADER + ROW1),
        "this is a gzip-compressed file, not a CSV file: decompress it (gunzip) and load the "
        "CSV inside",
    ),
    "tickets.bin": (
        bytes((i * 37 + 11) % 256 for i in range(5000)),
        "this is a binary file, not a CSV file: export the data from its tool as CSV",
    ),
}


@pytest.mark.parametrize("name", list(WRONG_KINDS))
def test_wrong_kinds_of_file_are_refused_by_name(tmp_path: Path, db_path: Path, name: str) -> None:
    data, message = WRONG_KINDS[name]
    path = write_bytes(tmp_path / name, data)

    with pytest.raises(IngestError) as refused:
        load_file(db_path, "tickets", path)

    assert str(refused.value) == f"{name}: {message}"
    assert query(db_path, "SELECT outcome, message FROM loads") == [
        ("refused", f"{name}: {message}")
    ]


def test_a_nul_byte_rejects_its_record_with_its_line_and_makes_no_team(
    tmp_path: Path, db_path: Path
) -> None:
    path = write_bytes(tmp_path / "t.csv", HEADER + ROW1 + b"T2,Billing\x00,2025-03-01\n" + ROW3)

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert query(db_path, TEAMS) == [("T1", "Billing"), ("T3", "Tech")]
    assert query(db_path, "SELECT team FROM teams ORDER BY team") == [("Billing",), ("Tech",)]
    assert query(db_path, REJECTS) == [
        (
            3,
            None,
            None,
            "the record holds a NUL byte, which text never has (is the file damaged?); "
            "it was not loaded",
        )
    ]


def test_a_cell_over_the_limit_is_rejected_with_its_line_not_lost(
    tmp_path: Path, db_path: Path
) -> None:
    big = b'"' + b"x" * (MAX_CELL_BYTES + 1) + b'"'
    path = write_bytes(tmp_path / "t.csv", HEADER + ROW1 + b"T2," + big + b",2025-03-01\n" + ROW3)

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert query(db_path, REJECTS) == [
        (
            3,
            None,
            None,
            "a cell is larger than 1 MB, the largest this product reads; it was not loaded",
        )
    ]


def test_a_50_mb_cell_is_rejected_with_its_line(tmp_path: Path, db_path: Path) -> None:
    cell = b"y" * (50 << 20)
    path = write_bytes(tmp_path / "t.csv", HEADER + ROW1 + b"T2," + cell + b",2025-03-01\n" + ROW3)

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert query(db_path, REJECTS) == [
        (
            3,
            None,
            None,
            "the record is larger than 4 MB, the largest this product reads; it was not loaded",
        )
    ]


def test_a_record_over_the_limit_is_rejected_although_no_cell_is(
    tmp_path: Path, db_path: Path
) -> None:
    # Five cells just under the cell limit each: 5 MB together, over the record limit.
    cell = b"z" * (MAX_CELL_BYTES - 10)
    cells = MAX_RECORD_BYTES // MAX_CELL_BYTES + 1
    header = HEADER[:-1] + b"".join(b",x%d" % i for i in range(cells)) + b"\n"
    pad = b"," * cells + b"\n"
    row2 = b"T2,Billing,2025-03-01" + b"".join(b"," + cell for _ in range(cells)) + b"\n"
    path = write_bytes(tmp_path / "t.csv", header + ROW1[:-1] + pad + row2 + ROW3[:-1] + pad)

    report = load_file(db_path, "tickets", path)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert query(db_path, REJECTS) == [
        (
            3,
            None,
            None,
            "the record is larger than 4 MB, the largest this product reads; it was not loaded",
        )
    ]


def test_an_unclosed_quote_rejects_its_record_and_the_rows_after_it_still_load(
    tmp_path: Path, db_path: Path
) -> None:
    # Line 3 opens a quote that never closes; 30,000 rows of 40 bytes follow (about 1.2 MB).
    rows = b"".join(b"R%05d,Support team number one,2025-03-02\n" % i for i in range(30_000))
    path = write_bytes(tmp_path / "t.csv", HEADER + ROW1 + b'T2,"Billing,2025-03-01\n' + rows)

    report = load_file(db_path, "tickets", path)

    # The open cell holds "Billing,2025-03-01\n" (19 bytes) and then whole rows; the reader
    # stops on the row that takes it past MAX_CELL_BYTES.
    row = len(rows.splitlines(keepends=True)[0])
    spans = 1 + -(-(MAX_CELL_BYTES + 1 - 19) // row)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (30_002, 30_001, 1)
    assert query(db_path, REJECTS) == [
        (
            3,
            None,
            None,
            f"a quoted cell starting on this line runs over {spans:,} lines and past 1 MB, the "
            "largest this product reads (a quote that is never closed?); the record was not "
            "loaded and reading went on with the next line",
        )
    ]
    assert query(db_path, "SELECT count(*), min(ticket_id), max(ticket_id) FROM tickets") == [
        (30_001, "R00000", "T1")
    ]


@pytest.mark.parametrize(
    ("chunks", "longest"),
    [
        ([b"ab\ncdef\ng\n"], 4),
        ([b"ab\ncd", b"ef\ng\n"], 4),  # the long line crosses a chunk boundary
        ([b"abcdefg"], 7),  # no line feed at all
        ([b"a\n", b"bcd", b"e", b"\n"], 4),
        ([b"a\nbc\nde\nfg\nhi\n"], 2),  # many short lines, one rfind per window
    ],
)
def test_long_line_finds_a_line_of_the_limit_or_more(chunks: list[bytes], longest: int) -> None:
    for limit in (longest, longest + 1):
        found, run = False, 0
        for chunk in chunks:
            hit, run = _long_line(chunk, run, limit)
            found = found or hit
        assert found is (limit <= longest), (chunks, limit)
