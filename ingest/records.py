"""The careful path: a file read record by record, in bounded memory, as clean UTF-8 CSV.

Every record is checked before it is written out with its physical start line in front:
decoded by what it is (UTF-8 where valid, else the file's legacy codec), refused when it holds
a NUL byte, a cell over MAX_CELL_BYTES or more than MAX_RECORD_BYTES, skipped and counted when
every cell is empty. Nothing is held but the record being read, so an unclosed quote followed
by gigabytes costs at most about MAX_RECORD_BYTES of memory (docs/mappings.md, "Limits").

Single-byte codecs and UTF-8 are split into records as Latin-1 text: Latin-1 maps every byte to
one character, so quotes, delimiters and line ends are found exactly where the bytes have them,
and each cell is decoded afterwards from its own bytes. Other codecs (UTF-16, multi-byte Asian
code pages) are first transcoded to UTF-8 in a streaming pass.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ingest.reader import Layout, ReadError, codec_label, errors_for

MAX_CELL_BYTES = 1 << 20  # 1 MiB: the largest cell read
MAX_RECORD_BYTES = 4 << 20  # 4 MiB: the largest record (all its cells, or one physical line)
MIB = 1 << 20
UTF8 = ("utf-8", "utf-8-sig")
# Over the cell limit the csv module raises (and starts the next record afresh).
csv.field_size_limit(MAX_CELL_BYTES)


@dataclass
class Normalised:
    """Result of re-writing a file as clean UTF-8 with line numbers."""

    path: Path
    records: int
    # (line, fields found): never the record's text, which may hold personal values that the
    # mapping drops or hashes (data contract, "Rejected rows").
    bad_shape: list[tuple[int, int]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    blank: int = 0  # records whose every cell is empty
    notes: list[str] = field(default_factory=list)


class _LineTooLong(Exception):
    """A physical line longer than MAX_RECORD_BYTES (skipped without being held)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Lines:
    """Physical lines with their numbers; the lines of the record being read can be replayed."""

    def __init__(self, fh: TextIO, first: int) -> None:
        self.fh = fh
        self.next_number = first
        self.taken: list[tuple[int, str]] = []  # lines of the current record
        self.replay: deque[tuple[int, str]] = deque()
        self.nul = False
        self.ascii = True

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.replay:
            number, line = self.replay.popleft()
        else:
            line = self.fh.readline(MAX_RECORD_BYTES + 1)
            if not line:
                raise StopIteration
            number = self.next_number
            self.next_number += 1
            if len(line) > MAX_RECORD_BYTES and line[-1] not in "\r\n":
                while (rest := self.fh.readline(MIB)) and rest[-1] not in "\r\n":
                    pass  # the rest of the line is skipped, never held
                self.taken.append((number, ""))
                raise _LineTooLong(number)
        self.taken.append((number, line))
        self.nul = self.nul or "\x00" in line
        self.ascii = self.ascii and line.isascii()
        return line

    def start_record(self) -> None:
        """Forget the lines of the record just read."""
        self.taken.clear()
        self.nul = False
        self.ascii = True

    def resume_after_first(self) -> None:
        """Read again the lines after the broken record's first (an unclosed quote there)."""
        rest = [(n, line) for n, line in self.taken[1:] if line]
        self.replay.extendleft(reversed(rest))
        self.start_record()


def ascii_safe(codec: str) -> bool:
    """True when quotes, delimiters and line ends are plain ASCII bytes in this codec's text."""
    name = codecs.lookup(codec).name
    if name in ("utf-8", "utf-8-sig"):
        return True
    probe = "".join(chr(i) for i in range(32, 127)) + "\t\r\n"
    try:
        single_byte = len(bytes(range(256)).decode(name, "replace")) == 256
        return single_byte and probe.encode(name) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def transcode(src: Path, codec: str, out: Path) -> None:
    """Re-write a file from codec to UTF-8, chunk by chunk (refused whole when undecodable)."""
    decoder = codecs.getincrementaldecoder(codec)(errors_for(codec))
    done = 0
    with src.open("rb") as fh, out.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = fh.read(MIB)
            try:
                dst.write(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as exc:
                raise ReadError(
                    f"the file is not readable as {codec} ({exc.reason} at byte {done + exc.start})"
                ) from exc
            if not chunk:
                break
            done += len(chunk)


def normalise(src: Path, layout: Layout, out: Path) -> Normalised:
    """Re-write a file as UTF-8 CSV with its physical start line as the first field."""
    if ascii_safe(layout.encoding):
        return _normalise(src, layout, out, layout.encoding)
    with tempfile.TemporaryDirectory(prefix="scorecard-") as tmp:
        utf8 = Path(tmp) / "utf8.csv"
        transcode(src, layout.encoding, utf8)
        return _normalise(utf8, layout, out, "utf-8")


@dataclass
class _Decoder:
    """Decodes a record's cells: UTF-8 where valid, else the legacy codec (None: refuse)."""

    legacy: str | None
    utf8: int = 0  # records with UTF-8 characters
    other: int = 0  # records read with the legacy codec
    first_other: int = 0

    def cells(self, fields: list[str], line: int) -> list[str] | str:
        """The decoded cells, or the reason the record cannot be decoded."""
        raw = [f.encode("latin-1") for f in fields]
        try:
            cells = [b.decode("utf-8") for b in raw]
            self.utf8 += 1
            return cells
        except UnicodeDecodeError:
            if self.legacy is None:
                return (
                    f"the record is not valid UTF-8 ({_first_bad(raw, 'utf-8')}): save the file "
                    "as UTF-8 or give its encoding in the mapping"
                )
        try:
            cells = [b.decode(self.legacy, errors_for(self.legacy)) for b in raw]
        except UnicodeDecodeError:
            return (
                f"the record is neither UTF-8 nor {codec_label(self.legacy)} "
                f"({_first_bad(raw, self.legacy)})"
            )
        self.other += 1
        self.first_other = self.first_other or line
        return cells

    def note(self) -> str | None:
        """A warning when the file mixes UTF-8 records with legacy ones."""
        if not (self.utf8 and self.other and self.legacy):
            return None
        return (
            f"the file mixes encodings: {_records(self.utf8)} in UTF-8 and {_records(self.other)} "
            f"in {codec_label(self.legacy)} (the first on line {self.first_other}); each record "
            "was read in its own encoding"
        )


def _first_bad(raw: list[bytes], codec: str) -> str:
    """Where a record first fails to decode, in words: 'byte 0xEB in cell 2'."""
    for i, cell in enumerate(raw, start=1):
        try:
            cell.decode(codec, errors_for(codec))
        except UnicodeDecodeError as exc:
            return f"byte 0x{cell[exc.start]:02X} in cell {i}"
    return "an undecodable byte"


def _records(n: int) -> str:
    return f"{n:,} record" if n == 1 else f"{n:,} records"


def _legacy_codec(layout: Layout, codec: str) -> str | None:
    """The codec for records that are not UTF-8: the file's own, cp1252 when guessed UTF-8."""
    if codecs.lookup(codec).name not in UTF8:
        return codec
    return "cp1252" if layout.guessed else None


def dialect(layout: Layout) -> dict[str, Any]:
    """The csv module's reading options for a layout (delimiter, quote, escape)."""
    doubled = layout.escape in (None, layout.quote)
    return {
        "delimiter": layout.delimiter,
        "quotechar": layout.quote,
        "escapechar": None if doubled else layout.escape,
        "doublequote": doubled,
        "strict": False,
    }


def _too_large(spans: int, limit: str, what: str = "the record") -> str:
    if spans > 1:
        return (
            f"a quoted cell starting on this line runs over {spans:,} lines and past {limit}, "
            "the largest this product reads (a quote that is never closed?); the record was not "
            "loaded and reading went on with the next line"
        )
    return f"{what} is larger than {limit}, the largest this product reads; it was not loaded"


def _normalise(src: Path, layout: Layout, out: Path, codec: str) -> Normalised:
    result = Normalised(out, 0)
    decoder = _Decoder(_legacy_codec(layout, codec))
    width = len(layout.header)
    cell_limit, record_limit = f"{MAX_CELL_BYTES // MIB} MB", f"{MAX_RECORD_BYTES // MIB} MB"
    with (
        src.open("r", encoding="latin-1", newline="") as fh,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        lines = _Lines(fh, 1)
        for _ in range(layout.header_lines):
            fh.readline()
        lines.next_number = layout.header_lines + 1
        reader = csv.reader(lines, **dialect(layout))
        writer = csv.writer(dst, lineterminator="\n")
        while True:
            lines.start_record()
            try:
                record = next(reader)
            except StopIteration:
                break
            except _LineTooLong as exc:
                result.records += 1
                start = lines.taken[0][0]
                result.refused.append((start, _too_large(len(lines.taken), record_limit)))
                if start != exc.line:  # the long line itself is lost too: say so on its own line
                    result.refused.append((exc.line, _too_large(1, record_limit)))
                lines.resume_after_first()
                reader = csv.reader(lines, **dialect(layout))
                continue
            except csv.Error:
                # A cell over the limit: the reader starts afresh at the next line it is given.
                result.records += 1
                result.refused.append(
                    (lines.taken[0][0], _too_large(len(lines.taken), cell_limit, "a cell"))
                )
                lines.resume_after_first()
                continue
            line = lines.taken[0][0]
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # an empty line is not a record
            if line == layout.header_lines + 1 and record[0].startswith("\xef\xbb\xbf"):
                record[0] = record[0][3:]  # a header-less file's UTF-8 BOM
            result.records += 1
            if lines.nul:
                result.refused.append(
                    (line, "the record holds a NUL byte, which text never has (is the file "
                     "damaged?); it was not loaded")
                )  # fmt: skip
                continue
            if sum(map(len, record)) > MAX_RECORD_BYTES:
                result.refused.append((line, _too_large(1, record_limit)))
                continue
            cells = record if lines.ascii else decoder.cells(record, line)
            if isinstance(cells, str):
                result.refused.append((line, cells))
                continue
            if len(cells) != width:
                if not any(cells):
                    result.blank += 1  # ,,,,, of another width: blank all the same
                    continue
                result.bad_shape.append((line, len(cells)))
                continue
            writer.writerow([line, *cells])
    note = decoder.note()
    if note:
        result.notes.append(note)
    return result
