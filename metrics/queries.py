"""Read-only SQL the dashboard needs besides the indicators: duration distributions, load log,
rejected rows, freshness, teams (the tickets behind a number: metrics/drilldown.py). Pure
functions taking `con`; values are bound, never formatted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

# The four sources of the data contract, the table each lands in and its time column.
SOURCES: dict[str, tuple[str, str | None]] = {
    "teams": ("teams", None),
    "tickets": ("tickets", "created_at"),
    "surveys": ("survey_responses", "submitted_at"),
    "polls": ("poll_responses", "submitted_at"),
}


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def teams(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every team with its department, lead and headcount, by name."""
    return _df(
        con,
        "SELECT team, department, lead_email, headcount FROM teams ORDER BY team",
    )


def departments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Department names, sorted."""
    rows = con.execute(
        "SELECT DISTINCT department FROM teams WHERE department IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def data_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows stored per table of the contract's sources (for empty states)."""
    return {
        source: int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
        for source, (table, _) in SOURCES.items()
    }


def date_span(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """First and last day with any ticket, survey response or poll response; None when empty."""
    row = con.execute(
        """
        SELECT min(d_min), max(d_max) FROM (
            SELECT min(created_at) AS d_min, max(created_at) AS d_max FROM tickets
            UNION ALL SELECT min(submitted_at), max(submitted_at) FROM survey_responses
            UNION ALL SELECT min(submitted_at), max(submitted_at) FROM poll_responses
        )
        """
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return row[0].date(), row[1].date()


def _scope_filter(scope: str, scope_id: str | None, column: str = "team") -> tuple[str, list[Any]]:
    """A WHERE fragment restricting rows to a scope (org, department or team)."""
    if scope == "org":
        return "TRUE", []
    if scope == "department":
        return f"{column} IN (SELECT team FROM teams WHERE department = ?)", [scope_id]
    if scope == "team":
        return f"{column} = ?", [scope_id]
    raise ValueError(f"unknown scope {scope!r} (use org, department or team)")


# Bucket edges in minutes for duration distributions (readable steps, not equal widths).
DURATION_BUCKETS: tuple[tuple[float, str], ...] = (
    (15, "< 15 min"),
    (60, "15-60 min"),
    (240, "1-4 h"),
    (480, "4-8 h"),
    (1440, "8-24 h"),
    (2880, "1-2 days"),
    (10080, "2-7 days"),
    (float("inf"), "7 days +"),
)


def duration_distribution(
    con: duckdb.DuckDBPyConnection,
    measure: str,
    scope: str,
    scope_id: str | None,
    start: date,
    end: date,
) -> pd.DataFrame:
    """Tickets per duration bucket (first_response or resolution), with the bucket's order."""
    column = {"first_response": "first_response_at", "resolution": "resolved_at"}.get(measure)
    if column is None:
        raise ValueError(f"unknown measure {measure!r} (use first_response or resolution)")
    scope_sql, scope_params = _scope_filter(scope, scope_id)
    cases = " ".join(
        f"WHEN minutes < {edge} THEN {i}" for i, (edge, _) in enumerate(DURATION_BUCKETS[:-1])
    )
    sql = f"""
        SELECT CASE {cases} ELSE {len(DURATION_BUCKETS) - 1} END AS bucket_order,
               count(*) AS tickets
        FROM (
            SELECT (epoch({column}) - epoch(created_at)) / 60 AS minutes
            FROM tickets
            WHERE {column} IS NOT NULL AND created_at >= ? AND created_at < ? AND {scope_sql}
        )
        GROUP BY 1 ORDER BY 1
    """
    params = [
        datetime.combine(start, datetime.min.time()),
        datetime.combine(end, datetime.min.time()),
        *scope_params,
    ]
    counts = _df(con, sql, params)
    frame = pd.DataFrame(
        {
            "bucket_order": range(len(DURATION_BUCKETS)),
            "bucket": [label for _, label in DURATION_BUCKETS],
        }
    )
    frame = frame.merge(counts, on="bucket_order", how="left")
    frame["tickets"] = frame["tickets"].fillna(0).astype("int64")
    total = frame["tickets"].sum()
    frame["share_pct"] = 100.0 * frame["tickets"] / total if total else 0.0
    return frame


def load_history(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """The load log, newest first."""
    return _df(
        con,
        """
        SELECT load_id, started_at, finished_at, source, file_name, mapping, outcome,
               rows_read, rows_loaded, rows_replaced, rows_rejected, message,
               dropped_columns, ignored_columns
        FROM loads ORDER BY load_id DESC LIMIT ?
        """,
        [int(limit)],
    )


def last_load(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The newest load that changed the file (not a refusal): what undo would take back."""
    row = con.execute(
        """
        SELECT load_id, source, file_name, finished_at, rows_loaded FROM loads
        WHERE outcome <> 'refused' ORDER BY load_id DESC LIMIT 1
        """
    ).fetchone()
    if row is None:
        return None
    names = ("load_id", "source", "file_name", "finished_at", "rows_loaded")
    return dict(zip(names, row, strict=True))


def rejected_rows(
    con: duckdb.DuckDBPyConnection, load_id: int | None = None, limit: int = 100_000
) -> pd.DataFrame:
    """Quarantined rows with the file they came from and the reason; one load or all."""
    where, params = ("r.load_id = ?", [int(load_id)]) if load_id is not None else ("TRUE", [])
    return _df(
        con,
        f"""
        SELECT r.load_id, l.source, l.file_name, r.line, r.column_name, r.value, r.reason
        FROM rejected_rows r LEFT JOIN loads l USING (load_id)
        WHERE {where}
        ORDER BY r.load_id DESC, r.line, r.column_name
        LIMIT ?
        """,
        [*params, int(limit)],
    )


def rejection_reasons(con: duckdb.DuckDBPyConnection, load_id: int | None = None) -> pd.DataFrame:
    """Rejected rows counted by reason, most frequent first."""
    where, params = ("load_id = ?", [int(load_id)]) if load_id is not None else ("TRUE", [])
    return _df(
        con,
        f"""
        SELECT reason, count(*) AS rows FROM rejected_rows WHERE {where}
        GROUP BY reason ORDER BY rows DESC, reason
        """,
        params,
    )


def freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source: rows stored, latest record time, last successful load and its file."""
    rows = []
    for source, (table, time_column) in SOURCES.items():
        if time_column:
            count, latest = con.execute(
                f"SELECT count(*), max({time_column}) FROM {table}"
            ).fetchone()  # type: ignore[misc]
        else:
            count, latest = con.execute(f"SELECT count(*), NULL FROM {table}").fetchone()  # type: ignore[misc]
        last = con.execute(
            """
            SELECT coalesce(finished_at, started_at), file_name FROM loads
            WHERE outcome = 'loaded' AND (source = ? OR source = ?)
            ORDER BY load_id DESC LIMIT 1
            """,
            [source, table],
        ).fetchone()
        rows.append(
            {
                "source": source,
                "rows": int(count),
                "latest_record": latest,
                "last_loaded_at": last[0] if last else None,
                "last_file": last[1] if last else None,
            }
        )
    return pd.DataFrame(rows)
