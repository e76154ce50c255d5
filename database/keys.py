"""The database's hashing key: kept in a file beside the database, never inside it.

Customer ids and poll response ids are stored only as a keyed hash (data contract, "Personal
data"). With the key outside the database file, a copy of that file alone re-identifies no
one: hashing guessed ids without the key matches nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import duckdb

# Databases before the key file kept their salt in meta; it moves out on their next write.
LEGACY_SALT = "customer_salt"


class KeyFileError(ValueError):
    """The key file cannot be used; the message says what to do."""


def key_path(db_path: str | os.PathLike[str]) -> Path:
    """`<database>.key`, beside the (real) database file."""
    path = Path(db_path).resolve()
    return path.with_name(path.name + ".key")


def _write_key(path: Path, key: str) -> None:
    """Create the key file, readable and writable by its owner only; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")


def read_key(db_path: str | os.PathLike[str]) -> str | None:
    """The key of a database, or None when it has none yet."""
    path = key_path(db_path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if not text:
        raise KeyFileError(f"{path.name} is empty: restore it from a backup of the database")
    return text


def database_key(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str]) -> str:
    """The key for a database being written: moved out of a legacy database, else read or made.

    `con` is the writer's connection: a legacy salt is deleted from it in the same transaction,
    so the key file and the database agree whether the write commits or not (the key file is
    written first and kept: it equals the salt the old file still holds).
    """
    row = con.execute("SELECT value FROM meta WHERE key = ?", [LEGACY_SALT]).fetchone()
    legacy = None if row is None else str(row[0])
    key = read_key(db_path)
    if legacy is not None:
        if key is None:
            _write_key(key_path(db_path), legacy)
            key = legacy
        elif key != legacy:
            raise KeyFileError(
                f"{key_path(db_path).name} does not belong to this database (its stored hashes "
                "were made with another key): move the key file away, or restore the right one"
            )
        con.execute("DELETE FROM meta WHERE key = ?", [LEGACY_SALT])
    if key is None:
        key = secrets.token_hex(32)
        with contextlib.suppress(FileExistsError):  # another writer made it first: use theirs
            _write_key(key_path(db_path), key)
        key = read_key(db_path) or key
    return key
