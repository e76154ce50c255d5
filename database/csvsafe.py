"""CSV the product writes, with formula cells neutralised (OWASP CSV injection).

A spreadsheet runs a cell that begins with =, +, -, @, a tab or a carriage return as a formula
(`=HYPERLINK(...)` in a team name becomes a link that leaks data when clicked). The spec's rule:
every CSV the product writes prefixes such a *text* cell with ' ; numbers stay numbers, so a
value of -29.5 is written as -29.5, while the text "-29.5" (say a rejected row's raw value) is
written as '-29.5 whatever it looks like. This module is the lowest layer's so that the command
line, the export and the dashboard's downloads all write through it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _UnixLines:
    """A file for csv.writer that turns each record's \r\n into \n.

    The writer quotes a field only for the characters of its own line terminator: with "\n"
    alone a cell holding a bare carriage return ("x\r=1+2") goes out unquoted, and a reader
    that breaks lines on \r starts a new record with a formula. Writing with "\r\n" quotes
    such cells; csv.writer hands over one whole record per write, so the ending is exact.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, record: str) -> int:
        return self.out.write(record[:-2] + "\n")


def _writer(out: TextIO) -> Any:
    return csv.writer(_UnixLines(out), lineterminator="\r\n")


def safe_cell(value: Any) -> Any:
    """A cell as it may be written: text that starts a formula gets a leading '; None and NaN
    become empty; numbers and every other non-text value are returned as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


def write_rows(
    out: TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numbers: Sequence[str] = (),
) -> None:
    """Write a header and rows as CSV (\\n line ends) with every text cell made safe.

    `numbers` names columns whose cells are numbers already written as text by the caller
    (the export formats its values itself): those are written as they are, unprefixed.
    """
    keep = {i for i, name in enumerate(header) if name in numbers}
    writer = _writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([c if i in keep else safe_cell(c) for i, c in enumerate(row)])


def rows_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, numbers: Sequence[str] = ()
) -> str:
    """write_rows into a string."""
    buffer = io.StringIO()
    write_rows(buffer, header, rows, numbers=numbers)
    return buffer.getvalue()


def frame_csv(frame: pd.DataFrame) -> str:
    """A DataFrame as CSV text (no index), as `to_csv` writes it but with text cells made safe.

    Columns of numbers, booleans, dates and durations are left to pandas; every other column
    (str, object, categorical) is checked cell by cell, and so are the column names.
    """
    safe = frame.copy()
    for i in range(safe.shape[1]):  # by position: column names may repeat
        column = safe.iloc[:, i]
        if column.dtype.kind in "biufcmM":
            continue
        safe.isetitem(i, column.astype(object).map(safe_cell, na_action="ignore"))
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    # pandas formats the cells (dates, floats) as it always has; its records are then written
    # again so that a cell with a bare \r is quoted (see _UnixLines).
    text = str(safe.to_csv(index=False, lineterminator="\r\n"))
    buffer = io.StringIO()
    _writer(buffer).writerows(csv.reader(io.StringIO(text, newline="")))
    return buffer.getvalue()
