"""Where the database lives and how to open it: short read-only readers, one atomic writer.

Concurrency (see docs/architecture.md): a writer never modifies the live file. It copies it,
loads into the copy and swaps the copy in with os.replace, which is atomic. Readers open a
short-lived read-only connection per query and close it, so they never hold a lock that
blocks the swap and never see half a load. A killed load leaves only a stray temp file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

from ingest.schema import ensure_schema

DEFAULT_DB = Path("data") / "scorecard.duckdb"
_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": True,
}


def resolve_db_path(db: str | os.PathLike[str] | None = None) -> Path:
    """--db, else SCORECARD_DB, else data/scorecard.duckdb."""
    if db:
        return Path(db)
    env = os.environ.get("SCORECARD_DB")
    return Path(env) if env else DEFAULT_DB


def data_version(db_path: str | os.PathLike[str]) -> str:
    """A token that changes whenever a load swaps in a new file (for cache keys)."""
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


@contextlib.contextmanager
def read_connection(db_path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection; an empty in-memory schema if there is no file yet."""
    path = Path(db_path)
    if path.exists():
        con = duckdb.connect(str(path), read_only=True, config=_CONFIG)
    else:
        con = duckdb.connect(":memory:", config=_CONFIG)
        ensure_schema(con)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    # One writer at a time per database: a second load waits instead of racing the swap.
    lock_path = path.with_name(path.name + ".lock")
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def write_connection(db_path: str | os.PathLike[str]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a private copy of the database, swapped in atomically on success."""
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        _remove_strays(path)  # left by a load that was killed: no writer holds them now
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.loading")
        try:
            if path.exists():
                shutil.copyfile(path, tmp)
            con = duckdb.connect(str(tmp), config=_CONFIG)
            try:
                ensure_schema(con)
                con.execute("BEGIN")
                yield con
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _fsync(tmp)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            with contextlib.suppress(FileNotFoundError):
                Path(str(tmp) + ".wal").unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_strays(path: Path) -> list[Path]:
    removed = []
    for stray in path.parent.glob(f".{path.name}.*.loading*"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()
            removed.append(stray)
    return removed
