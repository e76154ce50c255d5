"""Cached data access for the pages: every query keyed on the database's data version.

A connection is opened per call (`with read_connection(...)`) and closed before returning:
a connection kept open in this process would make later connects see the stale database
after a load swaps the file (see docs/architecture.md). For the same reason reads in this
process take turns (`reading`): while one session's connection is open, another session's
new connect would be handed the same, possibly already swapped-out, database and cache old
figures under the new data version.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard.model import normalise
from database.db import data_version, read_connection, resolve_db_path, upgrade
from database.settings import Settings, load_settings, settings_path_for
from metrics import pulses as metrics_pulses
from metrics import queries
from metrics.periods import MONTH, as_period

CACHE = {"max_entries": 64, "ttl": 3600, "show_spinner": False}
_READS = threading.Lock()


@contextlib.contextmanager
def reading(db: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection, one at a time in this server process."""
    with _READS, read_connection(db) as con:
        yield con


@contextlib.contextmanager
def exclusive_read() -> Iterator[None]:
    """Hold the read turn for work that opens the database itself (ingest's preview)."""
    with _READS:
        yield


def db_path() -> str:
    """The database this app shows: $SCORECARD_DB, else the default path."""
    return str(resolve_db_path(None))


def version() -> str:
    """Current data version of the database (changes on every load)."""
    return data_version(db_path())


def settings_token(db: str | None = None) -> str:
    """Changes whenever the analyst's settings file changes (a cache key part)."""
    path = settings_path_for(db or db_path())
    if path is None:
        return "defaults"
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "defaults"
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


def settings() -> Settings:
    """The settings in force for this database."""
    return _settings(db_path(), settings_token())


@st.cache_data(**CACHE)
def _settings(db: str, token: str) -> Settings:
    return load_settings(db)


@st.cache_resource(max_entries=8, show_spinner=False)
def _upgraded(db: str, ver: str) -> bool:
    # Once per data version: a database written by an older version is migrated first.
    return upgrade(db)


def _key() -> tuple[str, str, str]:
    db = db_path()
    _upgraded(db, data_version(db))  # a migrated file has a new version: read it after
    return db, data_version(db), settings_token(db)


# --- indicators -------------------------------------------------------------------------------


# The one slow read (seconds at millions of tickets, once per data version and period): say so.
@st.cache_data(**{**CACHE, "show_spinner": "Computing the scorecard for the latest data…"})
def _raw_indicator_values(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    from metrics.scorecard import indicator_values

    with reading(db) as con:
        return indicator_values(con, period, load_settings(db))


@st.cache_data(**CACHE)
def _indicator_values(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    return normalise(_raw_indicator_values(db, ver, token, period))


def indicator_values(period: str) -> pd.DataFrame:
    """Every indicator for every period and scope (privacy applied), for one period length."""
    return _indicator_values(*_key(), period)


@st.cache_data(**CACHE)
def _area_scores(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    from metrics.scorecard import area_scores

    return normalise(area_scores(_raw_indicator_values(db, ver, token, period)))


def area_scores(period: str) -> pd.DataFrame:
    """Area scores per period and scope."""
    return _area_scores(*_key(), period)


@st.cache_data(**CACHE)
def _culture_index(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    from metrics.scorecard import culture_index

    return normalise(culture_index(_raw_indicator_values(db, ver, token, period)))


def culture_index(period: str) -> pd.DataFrame:
    """Service-culture index per period and scope."""
    return _culture_index(*_key(), period)


@st.cache_data(**CACHE)
def _chain_by_team(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    from metrics.chain import chain_by_team

    # The same computation as metrics.chain.service_profit_chain, on the cached scorecard.
    return chain_by_team(_raw_indicator_values(db, ver, token, period), period)


def chain_by_team(period: str) -> pd.DataFrame:
    """Per team and period: wellbeing and customer values (privacy applied), next period too."""
    return _chain_by_team(*_key(), period)


# --- plain queries ----------------------------------------------------------------------------


@st.cache_data(**CACHE)
def _query(db: str, ver: str, name: str, args: tuple[Any, ...]) -> Any:
    with reading(db) as con:
        return getattr(queries, name)(con, *args)


def query(name: str, *args: Any) -> Any:
    """A function of metrics.queries, cached on the data version (args must be hashable)."""
    db = db_path()
    return _query(db, data_version(db), name, args)


@st.cache_data(**CACHE)
def _pulse_months(db: str, ver: str) -> list[date]:
    with reading(db) as con:
        return metrics_pulses.pulse_months(con)


def pulse_months() -> list[date]:
    """Months with any poll response (the pulses), oldest first."""
    db = db_path()
    return _pulse_months(db, data_version(db))


def pulse_caption(period: str, start: date) -> str | None:
    """'Wellbeing: the June 2025 pulse ...' for a week or quarter; None for a month."""
    if period == MONTH.name:
        return None
    pulse = metrics_pulses.shown_pulse(as_period(period), start, pulse_months())
    if pulse is None:
        return "Wellbeing: no poll pulse in this period (polls are read per month)."
    return (
        f"Wellbeing figures are the {MONTH.describe(pulse)} pulse: polls are read per month, "
        "so that no small group can be worked out by comparing periods."
    )


def teams() -> pd.DataFrame:
    """Teams with department, lead and headcount."""
    return query("teams")


def date_span() -> tuple[date, date] | None:
    """First and last day with any data."""
    return query("date_span")


def has_data() -> bool:
    """True when any tickets, surveys or polls are loaded."""
    counts = query("data_counts")
    return any(counts[s] for s in ("tickets", "surveys", "polls"))


def database_exists() -> bool:
    """True when the database file exists."""
    return Path(db_path()).exists()
