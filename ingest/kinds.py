"""Files of the wrong kind (archives, workbooks, documents, binaries), recognised by their bytes.

A CSV export is text. An analyst may still drop the ZIP their tool produced, the workbook they
opened it in, or a PDF report; read as text these give garbage column names. Each is refused by
name with what to do instead (data contract, "A file of the wrong kind ... is refused as such").
"""

from __future__ import annotations

import codecs

SAMPLE = 4096
# Share of control bytes (not tab, line feed, carriage return) above which a file is binary:
# text holds none, compressed or encoded data about one byte in nine.
CONTROL_SHARE = 0.05
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"

_ZIP = "this is a ZIP archive, not a CSV file: unzip it and load the CSV inside"
_XLSX = (
    "this is an Excel workbook (.xlsx), not a CSV file: open it in Excel and save the sheet "
    "as CSV (File > Save As > CSV UTF-8)"
)
_XLS = (
    "this is an Excel 97-2003 workbook (.xls), not a CSV file: open it in Excel and save the "
    "sheet as CSV (File > Save As > CSV UTF-8)"
)
_BINARY = "this is a binary file, not a CSV file: export the data from its tool as CSV"
_PACKED = "not a CSV file: {} it and load the CSV inside"

# (leading bytes, message); the ZIP family is told apart below.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _XLS),
    (b"%PDF-", "this is a PDF document, not a CSV file: export the data from its tool as CSV"),
    (
        b"\x1f\x8b",
        "this is a gzip-compressed file, not a CSV file: decompress it (gunzip) and load the "
        "CSV inside",
    ),
    (b"BZh", "this is a bzip2-compressed file, " + _PACKED.format("decompress")),
    (b"\xfd7zXZ\x00", "this is an xz-compressed file, " + _PACKED.format("decompress")),
    (b"7z\xbc\xaf\x27\x1c", "this is a 7-Zip archive, " + _PACKED.format("extract")),
    (b"Rar!\x1a\x07", "this is a RAR archive, " + _PACKED.format("extract")),
    (b"PAR1", "this is a Parquet file, not a CSV file: export the data as CSV"),
    (b"SQLite format 3\x00", "this is an SQLite database, not a CSV file: export the table as CSV"),
    (b"\x89PNG\r\n\x1a\n", "this is a PNG image, not a CSV file: load the CSV export instead"),
    (b"\xff\xd8\xff", "this is a JPEG image, not a CSV file: load the CSV export instead"),
)  # fmt: skip


def _zip_kind(head: bytes) -> str:
    """An Office Open XML workbook is a ZIP whose entries name xl/; any other ZIP is an archive."""
    if b"xl/" in head or b"[Content_Types].xml" in head and b"xl" in head:
        return _XLSX
    return _ZIP


def _utf16_or_32_bom(head: bytes) -> bool:
    return head.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    )


def wrong_kind(head: bytes, utf16_without_bom: bool) -> str | None:
    """Why a file's first bytes are not a CSV export, or None when they may be one.

    `utf16_without_bom`: the head reads as UTF-16 text without a BOM (whose every other byte is
    a NUL, so it must not be taken for a binary).
    """
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(head)
    for magic, message in MAGIC:
        if head.startswith(magic):
            return message
    if _utf16_or_32_bom(head) or utf16_without_bom:
        return None
    sample = head[:SAMPLE]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if sample and controls > CONTROL_SHARE * len(sample):
        return _BINARY
    return None
