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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from database.keys import database_key, key_path
from database.schema import SCHEMA_VERSION, ensure_schema, migrate, schema_version
from database.settings import Settings, load_settings, save_settings, settings_path_for

DEFAULT_DB = Path("data") / "scorecard.duckdb"
_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": True,
}


# Derived tables kept up to date inside every write (metrics.store registers the scorecard's
# refresh): called with the writer's connection and the database path, before COMMIT.
Refresher = Callable[[duckdb.DuckDBPyConnection, Path], None]
_REFRESHERS: list[Refresher] = []


def refresh_on_write(refresher: Refresher) -> None:
    """Run `refresher` inside every write, after the writer's own work (once per function)."""
    if refresher not in _REFRESHERS:
        _REFRESHERS.append(refresher)


class Database:
    """One scorecard database: its file, and the key and settings files kept beside it.

    Built once where the path comes in (the command line's --db, the dashboard's entry) and
    passed down; nothing below reads the environment.
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_DB) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Database) and self.path.resolve() == other.path.resolve()

    def __hash__(self) -> int:
        return hash(self.path.resolve())

    @property
    def name(self) -> str:
        """The file name (what a browser may be told; never the server's folders)."""
        return self.path.name

    @property
    def key_path(self) -> Path:
        """The hashing key's file (database/keys.py)."""
        return key_path(self.path)

    @property
    def settings_path(self) -> Path:
        """The analyst's settings file (database/settings.py)."""
        found = settings_path_for(self.path)
        assert found is not None
        return found

    def exists(self) -> bool:
        """True once a first load has written the file."""
        return self.path.exists()

    def version(self) -> str:
        """Changes whenever a write swaps in a new file (a cache key)."""
        return data_version(self.path)

    def read(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A short-lived read-only connection (see read_connection)."""
        return read_connection(self.path)

    def write(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """The one writer's connection to a private copy, swapped in on success."""
        return write_connection(self.path)

    def upgrade(self) -> bool:
        """Migrate a file written by an older version; True if it was."""
        return upgrade(self.path)

    def settings(self) -> Settings:
        """The settings in force: defaults overridden by the analyst's file."""
        return load_settings(self.path)

    def save_settings(self, overrides: dict[str, Any]) -> Path:
        """Validate and write the analyst's overrides."""
        return save_settings(overrides, self.path)


def as_database(db: Database | str | os.PathLike[str]) -> Database:
    """A Database for a path (a public API's boundary); a Database as it is."""
    return db if isinstance(db, Database) else Database(db)


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
    # The real file: through a symlink, a second writer would take another lock, and the swap
    # would replace the link instead of the database.
    path = Path(db_path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        _remove_strays(path)  # left by a load that was killed: no writer holds them now
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.loading")
        compact = tmp.with_name(tmp.name + ".compact")
        try:
            if path.exists():
                shutil.copyfile(path, tmp)
            con = duckdb.connect(str(tmp), config=_CONFIG)
            try:
                ensure_schema(con)
                con.execute("BEGIN")
                migrated = migrate(con, database_key(con, path))
                yield con
                for refresher in _REFRESHERS:
                    refresher(con, path)
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            if migrated:
                # A migration rewrote personal values (the old salt, raw poll ids): DuckDB
                # leaves the old bytes in freed blocks, so only the live data is carried over.
                _copy_live_data(tmp, compact)
                os.replace(compact, tmp)
            _fsync(tmp)
            os.replace(tmp, path)
        finally:
            for leftover in (tmp, compact, Path(str(tmp) + ".wal"), Path(str(compact) + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


def _copy_live_data(source: Path, target: Path) -> None:
    """A new database file holding the tables of `source` and nothing of its freed blocks."""
    with duckdb.connect(":memory:", config=_CONFIG) as con:
        con.execute(f"ATTACH '{source}' AS old (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS new")
        con.execute("COPY FROM DATABASE old TO new")
        con.execute("DETACH new")


def upgrade(db_path: str | os.PathLike[str]) -> bool:
    """Migrate a database written by an older version (one atomic write); True if it was."""
    path = Path(db_path)
    if not path.exists():
        return False
    with read_connection(path) as con:
        current = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchone()[0] and int(schema_version(con)) >= int(SCHEMA_VERSION)  # type: ignore[index]
    if current:
        return False
    with write_connection(path):
        pass  # the writer migrates
    return True


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
