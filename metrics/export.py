"""The machine-readable export (the command `scorecard export` writes it).

Columns exactly period_start,scope,scope_id,indicator,value,n,status. Values are written with
Python's repr (the shortest text that reads back to the same float: unrounded), n as a whole
number; both are empty on a suppressed row, value is empty where n = 0. Rows are sorted by
period_start, scope (org, department, team), scope_id, then registry order of indicators.
"""

from __future__ import annotations

import io
import math
from typing import TextIO

import duckdb
import pandas as pd

from database.csvsafe import write_rows
from database.settings import Settings
from metrics.scorecard import indicator_values
from metrics.store import stored_values

EXPORT_COLUMNS = ["period_start", "scope", "scope_id", "indicator", "value", "n", "status"]


def _number(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    number = float(value)  # type: ignore[arg-type]
    return "" if math.isnan(number) else repr(number)


def _count(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    return str(int(value))  # type: ignore[call-overload]


def export_rows(frame: pd.DataFrame) -> list[list[str]]:
    """The export's rows (without header) from an indicator_values frame."""
    return [
        [
            period.isoformat(),
            scope,
            scope_id,
            indicator,
            _number(value),
            _count(n),
            status,
        ]
        for period, scope, scope_id, indicator, value, n, status in zip(
            frame["period_start"],
            frame["scope"],
            frame["scope_id"],
            frame["indicator"],
            frame["value"],
            frame["n"],
            frame["status"],
            strict=True,
        )
    ]


def write_export(
    con: duckdb.DuckDBPyConnection, period: str, settings: Settings, out: TextIO
) -> int:
    """Write the export CSV for one period unit to `out`, computed from the stored rows;
    returns the number of data rows."""
    return _write(indicator_values(con, period, settings), out)


def _write(frame: pd.DataFrame, out: TextIO) -> int:
    rows = export_rows(frame)
    # value and n are numbers formatted above: written as they are; every text cell (a team
    # named "=HYPERLINK(...)" or "-Ops") gets the spec's ' prefix.
    write_rows(out, EXPORT_COLUMNS, rows, numbers=("value", "n"))
    return len(rows)


def export_csv(con: duckdb.DuckDBPyConnection, period: str, settings: Settings) -> str:
    """The export as one CSV string, computed from the stored rows."""
    buffer = io.StringIO()
    write_export(con, period, settings, buffer)
    return buffer.getvalue()


def stored_export_csv(con: duckdb.DuckDBPyConnection, period: str, settings: Settings) -> str:
    """The export as one CSV string from the stored scorecard (what `scorecard export`
    writes; the same text as export_csv once the store is current)."""
    buffer = io.StringIO()
    _write(stored_values(con, period, settings), buffer)
    return buffer.getvalue()
