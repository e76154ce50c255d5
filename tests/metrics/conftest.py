"""Fixtures for metrics tests: a real DuckDB file with the schema, the default settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from database.schema import ensure_schema
from database.settings import Settings, default_settings_data, validate_settings


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh database file with the schema (no rows)."""
    connection = duckdb.connect(str(db_path))
    ensure_schema(connection)
    yield connection
    connection.close()


@pytest.fixture
def settings() -> Settings:
    """The shipped default settings (k = 5, 09:00-17:00, default SLA and targets)."""
    return validate_settings(default_settings_data())
