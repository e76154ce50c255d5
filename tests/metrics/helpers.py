"""Helpers for metrics tests: insert rows with SQL, pick one row of a scorecard frame."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from database.settings import Settings, validate_settings

TICKET_DEFAULTS: dict[str, Any] = {
    "team": "A",
    "priority": "normal",
    "reopens": 0,
    "channel": None,
    "first_response_at": None,
    "resolved_at": None,
    "due_at": None,
    "agent_replies": None,
    "customer_replies": None,
    "handle_minutes": None,
    "customer_hash": None,
}
SURVEY_DEFAULTS: dict[str, Any] = {"team": "A"}
POLL_DEFAULTS: dict[str, Any] = {"team": "A"}


def with_settings(base: Settings, **sections: dict[str, Any]) -> Settings:
    """Default settings with some sections' keys overridden."""
    data = base.model_dump()
    for section, values in sections.items():
        data[section] = {**data[section], **values}
    return validate_settings(data)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(list(row.values()))
    for columns, values in by_columns.items():
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)


def add_teams(con: duckdb.DuckDBPyConnection, *rows: tuple[str, str | None, int | None]) -> None:
    """Teams as (team, department, headcount)."""
    _insert(con, "teams", [{"team": t, "department": d, "headcount": h} for t, d, h in rows])


def add_tickets(con: duckdb.DuckDBPyConnection, *rows: dict[str, Any]) -> None:
    """Tickets; ticket_id defaults to t1, t2, ... and other columns to TICKET_DEFAULTS."""
    start = con.execute("SELECT count(*) FROM tickets").fetchone()[0]  # type: ignore[index]
    _insert(
        con,
        "tickets",
        [
            {"ticket_id": f"t{start + i + 1}", **TICKET_DEFAULTS, **row}
            for i, row in enumerate(rows)
        ],
    )


def add_surveys(con: duckdb.DuckDBPyConnection, *rows: dict[str, Any]) -> None:
    """Survey responses; response_id defaults to s1, s2, ..."""
    start = con.execute("SELECT count(*) FROM survey_responses").fetchone()[0]  # type: ignore[index]
    _insert(
        con,
        "survey_responses",
        [
            {"response_id": f"s{start + i + 1}", **SURVEY_DEFAULTS, **row}
            for i, row in enumerate(rows)
        ],
    )


def add_polls(con: duckdb.DuckDBPyConnection, *rows: dict[str, Any]) -> None:
    """Poll responses; response_id defaults to p1, p2, ..."""
    start = con.execute("SELECT count(*) FROM poll_responses").fetchone()[0]  # type: ignore[index]
    _insert(
        con,
        "poll_responses",
        [
            {"response_id": f"p{start + i + 1}", **POLL_DEFAULTS, **row}
            for i, row in enumerate(rows)
        ],
    )


def cell(
    frame: pd.DataFrame,
    indicator: str,
    scope: str = "org",
    scope_id: str = "",
    period_start: str | None = None,
) -> pd.Series:
    """The one row of a scorecard frame for this indicator, scope and (optional) period."""
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["scope"] == scope)
        & (frame["scope_id"] == scope_id)
    ]
    if period_start is not None:
        rows = rows[rows["period_start"].astype(str) == period_start]
    assert len(rows) == 1, f"expected one row for {indicator} {scope} {scope_id!r}, got {len(rows)}"
    return rows.iloc[0]
