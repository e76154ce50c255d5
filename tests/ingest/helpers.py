"""Helpers for ingest tests: write CSV bytes exactly as given, query a database file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from database.db import read_connection

# As in tests/conftest.py (a conftest cannot be imported reliably: every test folder has one).
ROOT = Path(__file__).resolve().parents[2]
PUBLIC_DATA = ROOT.parent / "shared" / "datasets" / "public"

TICKET_COLUMNS = (
    "ticket_id",
    "team",
    "created_at",
    "channel",
    "priority",
    "agent",
    "category",
    "status",
    "first_response_at",
    "resolved_at",
    "due_at",
    "reopens",
    "agent_replies",
    "customer_replies",
    "handle_minutes",
    "customer_id",
    "csat",
)


def csv_field(value: str, delimiter: str) -> str:
    """One field, quoted only when it has to be (delimiter, quote or line break inside)."""
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(
    rows: Sequence[Sequence[str]], delimiter: str = ",", line_ends: Sequence[str] = ("\n",)
) -> str:
    """CSV text; record i ends with line_ends[i % len(line_ends)] (so mixed ends are possible)."""
    out = []
    for i, row in enumerate(rows):
        out.append(delimiter.join(csv_field(v, delimiter) for v in row))
        out.append(line_ends[i % len(line_ends)])
    return "".join(out)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write bytes and return the path (for one-liners in tests)."""
    path.write_bytes(data)
    return path


def query(db_path: str | os.PathLike[str], sql: str, params: list[Any] | None = None) -> list[Any]:
    """All rows of one query, through the product's short read-only connection."""
    with read_connection(db_path) as con:
        return con.execute(sql, params or []).fetchall()


def scalar(db_path: str | os.PathLike[str], sql: str, params: list[Any] | None = None) -> Any:
    """The single value of a one-row, one-column query."""
    rows = query(db_path, sql, params)
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


BIG_HEADER = "ticket_id,team,created_at,channel,priority,agent,status,resolved_at,reopens\n"
_CHANNELS = ("email", "chat", "phone", "web")
_PRIORITIES = ("low", "normal", "high", "urgent")


def write_big_tickets(path: Path, rows: int, prefix: str = "B") -> Path:
    """A large canonical tickets file, every row valid; ticket ids are <prefix>0..<prefix>n-1."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(BIG_HEADER)
        chunk: list[str] = []
        for i in range(rows):
            day = 1 + i % 28
            chunk.append(
                f"{prefix}{i},Team {i % 9},2025-02-{day:02d} {i % 24:02d}:{i % 60:02d},"
                f"{_CHANNELS[i % 4]},{_PRIORITIES[i % 4]},agent {i % 97},solved,"
                f"2025-03-{day:02d} 12:00,{i % 3}\n"
            )
            if len(chunk) == 10_000:
                fh.write("".join(chunk))
                chunk.clear()
        fh.write("".join(chunk))
    return path
