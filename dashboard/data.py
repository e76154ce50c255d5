"""The pages' one way to the data: typed reads, cached on the database's data version.

The entry script hands over the Database once (`use`); pages call the functions below with
the viewer (dashboard/access.py) and the widget values, and never open the database themselves.
Every public read takes the viewer first and returns only what the viewer may see: a cached
read computes for everybody, the public function filters (`restrict`) or refuses.

A connection is opened per read and closed before returning: a connection kept open in this
process would make later connects see the stale database after a load swaps the file (see
docs/architecture.md). For the same reason reads in this process take turns (`reading`):
while one session's connection is open, another session's new connect would be handed the
same, possibly already swapped-out, database and cache old figures under the new version.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard import model
from dashboard.access import Viewer, restrict
from dashboard.model import normalise
from database import audit
from database.csvsafe import write_rows
from database.db import Database
from database.settings import Settings, load_settings
from metrics import chain, drilldown, export, pulses, queries, scorecard, store, voices
from metrics.periods import MONTH, as_period

CACHE: dict[str, Any] = {"max_entries": 64, "ttl": 3600, "show_spinner": False}
_READS = threading.Lock()
_DATABASE: list[Database] = []  # set by the entry script on every run


def use(database: Database) -> None:
    """The database this server shows (called by the entry script)."""
    _DATABASE[:] = [database]


def database() -> Database:
    """The database this server shows."""
    if not _DATABASE:
        raise RuntimeError("dashboard.data.use(database) was not called by the entry script")
    return _DATABASE[0]


@contextlib.contextmanager
def reading(db: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection, one at a time in this server process."""
    with _READS, Database(db).read() as con:
        yield con


@contextlib.contextmanager
def exclusive_read() -> Iterator[None]:
    """Hold the read turn for work that opens the database itself (ingest's preview)."""
    with _READS:
        yield


def _settings_token(db: Database) -> str:
    """Changes whenever the analyst's settings file changes (a cache key part)."""
    try:
        stat = os.stat(db.settings_path)
    except FileNotFoundError:
        return "defaults"
    return f"{stat.st_mtime_ns}:{stat.st_size}"


@st.cache_resource(max_entries=8, show_spinner="Updating the scorecard for the latest data…")
def _upgraded(db: str, ver: str, token: str) -> bool:
    # Once per data version and settings: a database written by an older version is migrated
    # (which builds its stored scorecard); a store behind the settings (a settings file edited
    # by hand) or a load made without the dashboard's refresh is brought up to date.
    database = Database(db)
    migrated = database.upgrade()
    return store.brought_up_to_date(database) or migrated


def _version() -> tuple[str, str]:
    """(database path, data version): the cache key of every read."""
    db = database()
    # A migrated or refreshed file has a new version: read it after.
    _upgraded(str(db.path), db.version(), _settings_token(db))
    return str(db.path), db.version()


def update_scorecard(viewer: Viewer, progress: store.Progress) -> bool:
    """Recompute the stored scorecard after a settings change, if its values depend on it
    (targets and tolerance do not); True if it was. Only for those who may change settings."""
    if not viewer.can_configure:
        return False
    return store.brought_up_to_date(database(), progress=progress)


def _scored() -> tuple[str, str, str]:
    """The cache key of reads that depend on the settings too."""
    return (*_version(), _settings_token(database()))


@st.cache_data(**CACHE)
def _settings(db: str, token: str) -> Settings:
    return load_settings(db)


def settings(viewer: Viewer) -> Settings:
    """The settings in force for this database (targets and rules are everybody's to read)."""
    return _settings(str(database().path), _settings_token(database()))


# --- refusals ---------------------------------------------------------------------------------

_REFUSALS_NOTED: set[tuple[str, str, str]] = set()


def _allowed(viewer: Viewer, scope: str, scope_id: str | None, rows: bool = False) -> bool:
    """May the viewer read this scope (its rows, with rows=True)? A refusal is audited once."""
    ok = viewer.sees_rows(scope, scope_id) if rows else viewer.sees(scope, scope_id)
    if not ok:
        what = f"{'rows' if rows else 'figures'} of {scope} {scope_id}"
        noted = (str(database().path), viewer.who, what)
        if noted not in _REFUSALS_NOTED:
            _REFUSALS_NOTED.add(noted)
            audit.record(database(), viewer.who, audit.REFUSED, what)
    return ok


# --- the scorecard ----------------------------------------------------------------------------


# The stored scorecard (metrics/store.py: kept up to date by every load), status from the
# settings in force.
@st.cache_data(**CACHE)
def _raw_indicator_values(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    with reading(db) as con:
        return store.stored_values(con, period, load_settings(db))


@st.cache_data(**CACHE)
def _indicator_values(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    return normalise(_raw_indicator_values(db, ver, token, period))


def indicator_values(viewer: Viewer, period: str) -> pd.DataFrame:
    """Every indicator for every period and scope the viewer sees (privacy applied)."""
    return restrict(_indicator_values(*_scored(), period), viewer)


@st.cache_data(**CACHE)
def _area_scores(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    return normalise(scorecard.area_scores(_raw_indicator_values(db, ver, token, period)))


def area_scores(viewer: Viewer, period: str) -> pd.DataFrame:
    """Area scores per period and scope the viewer sees."""
    return restrict(_area_scores(*_scored(), period), viewer)


@st.cache_data(**CACHE)
def _culture_index(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    return normalise(scorecard.culture_index(_raw_indicator_values(db, ver, token, period)))


def culture_index(viewer: Viewer, period: str) -> pd.DataFrame:
    """Service-culture index per period and scope the viewer sees."""
    return restrict(_culture_index(*_scored(), period), viewer)


def rank(
    viewer: Viewer, period: str, at: pd.Timestamp, scope: str, scope_id: str
) -> tuple[int, int] | None:
    """Where a team or department stands by culture index among all of its kind, as (place,
    how many); the others are counted, never named. None without a value or access."""
    if not _allowed(viewer, scope, scope_id):
        return None
    every = _teams(*_version())
    peers = (
        every["team"].tolist()
        if scope == "team"
        else sorted(every["department"].dropna().unique().tolist())
    )
    ranked = model.rank_scopes(_culture_index(*_scored(), period), at, scope, peers)
    mine = ranked[ranked["id"] == scope_id]
    return (int(mine["rank"].iloc[0]), len(ranked)) if len(mine) else None


def indicator_ranks(
    viewer: Viewer, period: str, at: pd.Timestamp, scope: str, scope_id: str
) -> dict[str, str]:
    """Per indicator, '2 of 7': a team's or department's place among its peers (unnamed)."""
    if not _allowed(viewer, scope, scope_id):
        return {}
    return model.indicator_ranks(_indicator_values(*_scored(), period), at, scope, scope_id)


@st.cache_data(**CACHE)
def _chain_by_team(db: str, ver: str, token: str, period: str) -> pd.DataFrame:
    # The same computation as metrics.chain.service_profit_chain, on the cached scorecard.
    return chain.chain_by_team(_raw_indicator_values(db, ver, token, period), period)


def chain_by_team(viewer: Viewer, period: str) -> pd.DataFrame:
    """Per team the viewer sees and period: wellbeing and customer values, next period too."""
    return restrict(_chain_by_team(*_scored(), period), viewer)


@st.cache_data(**CACHE)
def _export_csv(db: str, ver: str, token: str, period: str, viewer: Viewer) -> str:
    mine = restrict(_raw_indicator_values(db, ver, token, period), viewer)
    buffer = io.StringIO()
    write_rows(buffer, export.EXPORT_COLUMNS, export.export_rows(mine), numbers=("value", "n"))
    return buffer.getvalue()


def export_csv(viewer: Viewer, period: str) -> str:
    """The scorecard export (the spec's CSV) of the scopes the viewer sees."""
    return _export_csv(*_scored(), period, viewer)


@st.cache_data(**CACHE)
def _tickets_behind(
    db: str, ver: str, token: str, indicator: str, period: str, start: date, scope: str,
    scope_id: str | None, limit: int,
) -> pd.DataFrame:  # fmt: skip
    with reading(db) as con:
        return drilldown.tickets_behind(
            con, indicator, period, start, scope, scope_id, load_settings(db), limit
        )


def tickets_behind(
    viewer: Viewer,
    indicator: str,
    period: str,
    start: date,
    scope: str,
    scope_id: str | None,
    limit: int,
) -> pd.DataFrame:
    """The tickets behind one figure (metrics.drilldown), the first `limit` of them; only for
    a scope whose every team the viewer sees."""
    found = _tickets_behind(*_scored(), indicator, period, start, scope, scope_id, limit)
    if not _allowed(viewer, scope, scope_id, rows=True):
        return found.iloc[:0]
    return restrict(found, viewer)


# --- pulses -----------------------------------------------------------------------------------


@st.cache_data(**CACHE)
def _pulse_months(db: str, ver: str) -> list[date]:
    with reading(db) as con:
        return pulses.pulse_months(con)


def pulse_months(viewer: Viewer) -> list[date]:
    """Months with any poll response (the pulses), oldest first."""
    return _pulse_months(*_version())


def pulse_caption(viewer: Viewer, period: str, start: date) -> str | None:
    """'Wellbeing figures are the June 2025 pulse ...' for a week or quarter; None for a month."""
    if period == MONTH.name:
        return None
    pulse = pulses.shown_pulse(as_period(period), start, pulse_months(viewer))
    if pulse is None:
        return "Wellbeing: no poll pulse in this period (polls are read per month)."
    return (
        f"Wellbeing figures are the {MONTH.describe(pulse)} pulse: polls are read per month, "
        "so that no small group can be worked out by comparing periods."
    )


# --- everything else the pages show -----------------------------------------------------------


@st.cache_data(**CACHE)
def _teams(db: str, ver: str) -> pd.DataFrame:
    with reading(db) as con:
        return queries.teams(con)


def teams(viewer: Viewer) -> pd.DataFrame:
    """The teams the viewer sees, with department, lead and headcount."""
    return restrict(_teams(*_version()), viewer)


def all_teams() -> pd.DataFrame:
    """Every team: only for resolving who leads which (dashboard/signin.py), never shown."""
    return _teams(*_version())


@st.cache_data(**CACHE)
def _date_span(db: str, ver: str) -> tuple[date, date] | None:
    with reading(db) as con:
        return queries.date_span(con)


def date_span(viewer: Viewer) -> tuple[date, date] | None:
    """First and last day with any data."""
    return _date_span(*_version())


@st.cache_data(**CACHE)
def _data_counts(db: str, ver: str) -> dict[str, int]:
    with reading(db) as con:
        return queries.data_counts(con)


def has_data(viewer: Viewer) -> bool:
    """True when any tickets, surveys or polls are loaded."""
    counts = _data_counts(*_version())
    return any(counts[s] for s in ("tickets", "surveys", "polls"))


@st.cache_data(**CACHE)
def _duration_distribution(
    db: str, ver: str, measure: str, scope: str, scope_id: str | None, start: date, end: date
) -> pd.DataFrame:
    with reading(db) as con:
        return queries.duration_distribution(con, measure, scope, scope_id, start, end)


def duration_distribution(
    viewer: Viewer, measure: str, scope: str, scope_id: str | None, start: date, end: date
) -> pd.DataFrame:
    """Tickets per duration bucket (first_response or resolution) created in [start, end), for
    a scope whose figures the viewer sees."""
    found = _duration_distribution(*_version(), measure, scope, scope_id, start, end)
    return found if _allowed(viewer, scope, scope_id) else found.iloc[:0]


# --- the Data page: analysts and administrators only ------------------------------------------


def _for_loaders(found: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """The data operations' records (loads, rejects, freshness, audit): for those who load."""
    return found if viewer.can_load else found.iloc[:0]


@st.cache_data(**CACHE)
def _load_history(db: str, ver: str) -> pd.DataFrame:
    with reading(db) as con:
        return queries.load_history(con)


def load_history(viewer: Viewer) -> pd.DataFrame:
    """The load log, newest first."""
    found = _load_history(*_version())
    return _for_loaders(found, viewer)


@st.cache_data(**CACHE)
def _last_load(db: str, ver: str) -> dict[str, Any] | None:
    with reading(db) as con:
        return queries.last_load(con)


def last_load(viewer: Viewer) -> dict[str, Any] | None:
    """The newest load that changed the data (what undo would take back), for a viewer who may
    load; None otherwise or when there is none."""
    return _last_load(*_version()) if viewer.can_load else None


@st.cache_data(**CACHE)
def _rejected_rows(db: str, ver: str, load_id: int | None) -> pd.DataFrame:
    with reading(db) as con:
        return queries.rejected_rows(con, load_id)


def rejected_rows(viewer: Viewer, load_id: int | None) -> pd.DataFrame:
    """Quarantined rows of one load (or all)."""
    found = _rejected_rows(*_version(), load_id)
    return _for_loaders(found, viewer)


@st.cache_data(**CACHE)
def _rejection_reasons(db: str, ver: str, load_id: int | None) -> pd.DataFrame:
    with reading(db) as con:
        return queries.rejection_reasons(con, load_id)


def rejection_reasons(viewer: Viewer, load_id: int | None) -> pd.DataFrame:
    """Rejected rows counted by reason, most frequent first."""
    found = _rejection_reasons(*_version(), load_id)
    return _for_loaders(found, viewer)


@st.cache_data(**CACHE)
def _freshness(db: str, ver: str) -> pd.DataFrame:
    with reading(db) as con:
        return queries.freshness(con)


def freshness(viewer: Viewer) -> pd.DataFrame:
    """Per source: rows stored, latest record time, last successful load and its file."""
    found = _freshness(*_version())
    return _for_loaders(found, viewer)


@st.cache_data(**CACHE)
def _audit_log(db: str, ver: str) -> pd.DataFrame:
    with reading(db) as con:
        return audit.entries(con)


def audit_log(viewer: Viewer) -> pd.DataFrame:
    """Who loaded, changed settings or access, or was refused, and when; newest first."""
    found = _audit_log(*_version())
    return _for_loaders(found, viewer)


@st.cache_data(**CACHE)
def _survey_comments(
    db: str, ver: str, scope: str, scope_id: str | None, start: date, end: date
) -> pd.DataFrame:
    with reading(db) as con:
        return voices.survey_comments(con, scope, scope_id, start, end)


def survey_comments(
    viewer: Viewer, scope: str, scope_id: str | None, start: date, end: date
) -> pd.DataFrame:
    """Customers' survey comments in a scope whose rows the viewer sees, submitted in
    [start, end), newest first."""
    found = _survey_comments(*_version(), scope, scope_id, start, end)
    if not _allowed(viewer, scope, scope_id, rows=True):
        return found.iloc[:0]
    return found


@st.cache_data(**CACHE)
def _extra_poll_items(db: str, ver: str, token: str) -> pd.DataFrame:
    with reading(db) as con:
        return voices.extra_poll_items(con, load_settings(db).privacy.k)


def extra_poll_items(viewer: Viewer) -> pd.DataFrame:
    """Extra poll items per pulse for the organisation (hidden under k respondents), for a
    viewer who sees the organisation."""
    found = _extra_poll_items(*_scored())
    return found if viewer.sees("org", None) else found.iloc[:0]
