"""Reading real exports: file kind, encoding, delimiter, quoting, preamble and header rows.

The fast path lets DuckDB read a clean UTF-8 file directly. Anything messier (UTF-16, legacy
or mixed encodings, mixed line ends, rows of the wrong width, NUL bytes, huge cells) goes
through `ingest.records.normalise`, which re-writes the file record by record as clean UTF-8
with the physical line number of every record in front.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.kinds import wrong_kind
from ingest.mapping import ReadOptions

HEAD_BYTES = 1 << 20
LINE_COLUMN = "__line"


class ReadError(ValueError):
    """A file that cannot be read at all; the message says why."""


def _cp1252_or_latin1(exc: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves five bytes undefined; real exports still contain them (and some files mix
    # cp1252 with DOS code pages). Decode those bytes as Latin-1 rather than refusing the file.
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("cp1252_latin1", _cp1252_or_latin1)


def _utf8_else_cp1252(exc: UnicodeError) -> tuple[str, int]:
    # A UTF-8 file with a few legacy Windows bytes: decode only those bytes as Windows-1252,
    # so that the file's real UTF-8 characters are not turned into mojibake.
    assert isinstance(exc, UnicodeDecodeError)
    return bytes(exc.object[exc.start : exc.end]).decode("cp1252", "cp1252_latin1"), exc.end


codecs.register_error("utf8_cp1252", _utf8_else_cp1252)
UTF8_ELSE_CP1252 = "utf8_cp1252"


@dataclass
class Layout:
    """What inspecting a file's head found."""

    encoding: str  # a Python codec name
    delimiter: str
    header: list[str]  # cleaned, unique column names
    header_lines: int  # physical lines before the first data record
    header_is_plain: bool  # no quoted newline inside the header region
    empty_names: list[int] = field(default_factory=list)
    errors: str = ""  # decode error handler when not the encoding's own (errors_for)
    quote: str = '"'
    escape: str | None = None  # None or the quote: a quote inside quotes is doubled
    guessed: bool = True  # the encoding was detected, not given by the mapping


def detect_encoding(head: bytes, wanted: str = "auto") -> str:
    """The codec to read a file with, from its BOM or by trying UTF-8 on its head."""
    if wanted != "auto":
        name = codecs.lookup(wanted).name
        return "utf-8-sig" if name == "utf-8" else name
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    bomless = _utf16_without_bom(head)
    if bomless:
        return bomless
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "utf-8" if _mostly_utf8(head) else "cp1252"
    return "utf-8"


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_ASCII = bytes(range(0x80))


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for UTF-16 text saved without a BOM, else None.

    Text never holds NUL bytes, but UTF-16 of mostly-ASCII CSV text has one in every other
    byte: at odd offsets little-endian, at even offsets big-endian.
    """
    sample = head[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _mostly_utf8(head: bytes) -> bool:
    """More UTF-8 characters than stray bytes: UTF-8 with a few legacy Windows bytes.

    A Windows-1252 file almost never holds a valid UTF-8 sequence; a UTF-8 file with a pasted
    legacy character holds many. Reading the first as the second would garble it, and the
    second as the first would garble every real UTF-8 character.
    """
    sequences = _UTF8_SEQUENCE.findall(head)
    high = len(head.translate(None, _ASCII))  # bytes >= 0x80
    stray = high - sum(len(s) for s in sequences)
    return len(sequences) > stray


def errors_for(encoding: str) -> str:
    """The decode error handler for a codec (lenient only for the legacy Windows one)."""
    return "cp1252_latin1" if codecs.lookup(encoding).name == "cp1252" else "strict"


def codec_label(encoding: str) -> str:
    """A codec's name as people know it (Windows-1252 rather than cp1252)."""
    name = codecs.lookup(encoding).name
    return {"cp1252": "Windows-1252", "iso8859-1": "Latin-1", "utf-8": "UTF-8"}.get(name, name)


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def clean_names(raw: list[str]) -> tuple[list[str], list[int]]:
    """Strip names, name empty ones by position and make duplicates unique."""
    names: list[str] = []
    empty: list[int] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(raw):
        name = name.strip().lstrip("\ufeff").strip()
        if not name:
            empty.append(i)
            name = f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return names, empty


def inspect(path: Path, options: ReadOptions) -> Layout:
    """Find encoding, delimiter, header names and where the data starts."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise ReadError("the file is empty")
    kind = wrong_kind(head, bool(_utf16_without_bom(head)))
    if kind:
        raise ReadError(kind)
    encoding = detect_encoding(head, options.encoding)
    errors = ""
    try:
        text = codecs.getincrementaldecoder(encoding)(errors_for(encoding)).decode(head)
    except UnicodeDecodeError as exc:
        if encoding not in ("utf-8", "utf-8-sig"):
            raise ReadError(
                f"the file is not readable as {encoding} ({exc.reason} at byte {exc.start})"
            ) from exc
        # UTF-8 (given, by its BOM or by most of its characters) with legacy bytes: the header
        # is read leniently here; the records are decoded (or refused) one by one.
        errors = UTF8_ELSE_CP1252
        text = codecs.getincrementaldecoder(encoding)(errors).decode(head)
    text = text.lstrip("\ufeff")
    lines = io.StringIO(text, newline="")
    skipped = 0
    for _ in range(options.skip_lines):
        if not lines.readline():
            raise ReadError(f"the file has fewer than {options.skip_lines} preamble lines to skip")
        skipped += 1
    rest = lines.read()
    first_line = rest.splitlines()[0] if rest.strip() else ""
    if not first_line.strip():
        raise ReadError("the file has no header row")
    delimiter = options.delimiter if options.delimiter != "auto" else _sniff_delimiter(first_line)
    if options.column_names:
        # A header-less file: its names come from the mapping, its data from the first line.
        names, empty = clean_names(options.column_names)
        header_lines, plain = skipped, True
    else:
        doubled = options.escape in (None, options.quote)
        reader = csv.reader(
            io.StringIO(rest, newline=""),
            delimiter=delimiter,
            quotechar=options.quote,
            escapechar=None if doubled else options.escape,
            doublequote=doubled,
        )
        try:
            records = [next(reader) for _ in range(options.header_rows)]
        except StopIteration as exc:
            raise ReadError(f"the file has fewer than {options.header_rows} header rows") from exc
        names, empty = clean_names(records[0])
        header_lines = skipped + reader.line_num
        plain = reader.line_num == options.header_rows
    return Layout(
        encoding=encoding,
        delimiter=delimiter,
        header=names,
        header_lines=header_lines,
        header_is_plain=plain,
        empty_names=empty,
        errors=errors,
        quote=options.quote,
        escape=options.escape,
        guessed=options.encoding == "auto",
    )
