"""The audit log: who loaded data, changed settings, targets or access, or was refused, and when.

One table (`audit`) in the database. A write that changes the database anyway (a load) records
its entry in the same transaction (`record_in`); anything else takes one writer's turn
(`record`). Who is the e-mail address from the sign-in token in the dashboard and the
operating-system user on the command line (`os_user`).
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime

import duckdb
import pandas as pd

from database.db import Database, as_database

# One word per kind of event (the `action` column).
LOAD = "load"
LOAD_REFUSED = "load refused"
SETTINGS = "settings changed"
TARGET = "target changed"
ACCESS = "access changed"
REFUSED = "refused"
LOAD_UNDONE = "load undone"
ACTIONS = (LOAD, LOAD_REFUSED, SETTINGS, TARGET, ACCESS, REFUSED, LOAD_UNDONE)
COLUMNS = ["happened_at", "who", "action", "detail"]


def os_user() -> str:
    """The operating-system user running the command line ('unknown' if there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's uid), no LOGNAME
        return os.environ.get("USER") or "unknown"


def record_in(con: duckdb.DuckDBPyConnection, who: str, action: str, detail: str) -> None:
    """Add one entry inside a writer's transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con.execute(
        "INSERT INTO audit (happened_at, who, action, detail) VALUES (?, ?, ?, ?)",
        [datetime.now(), who or "unknown", action, detail],
    )


def record(db: Database | str | os.PathLike[str], who: str, action: str, detail: str) -> None:
    """Add one entry in a write of its own."""
    with as_database(db).write() as con:
        record_in(con, who, action, detail)


def entries(con: duckdb.DuckDBPyConnection, limit: int = 1000) -> pd.DataFrame:
    """The latest entries, newest first."""
    return con.execute(
        "SELECT happened_at, who, action, detail FROM audit "
        "ORDER BY happened_at DESC, rowid DESC LIMIT ?",
        [limit],
    ).df()


def undo_last_load(db: Database | str | os.PathLike[str], who: str, detail: str) -> bool:
    """Undo the last load and say so in the audit log, which keeps every entry made since.

    The undo swaps back the whole file kept before the load; the audit log is append-only, so
    the entries written after that file was kept (the load's own among them) are carried over.
    """
    database = as_database(db)
    with database.read() as con:
        since = con.execute("SELECT happened_at, who, action, detail FROM audit").fetchall()
    if not database.undo_last_load():
        return False
    with database.write() as con:
        kept = set(con.execute("SELECT happened_at, who, action, detail FROM audit").fetchall())
        for row in since:
            if row not in kept:
                con.execute(
                    "INSERT INTO audit (happened_at, who, action, detail) VALUES (?, ?, ?, ?)",
                    list(row),
                )
        record_in(con, who, LOAD_UNDONE, detail)
    return True
