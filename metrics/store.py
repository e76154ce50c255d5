"""The stored scorecard: computed by the write that changed the data, read by every page.

Every write (a load, a migration, a settings rebuild) ends with `refresh` inside its atomic
transaction (database.db.refresh_on_write). A refresh recomputes only the periods the write
touched, plus what the rules reach from them: repeat contact's 7 days into earlier periods,
the period after (its change), the pulses a changed poll month feeds (their weeks, quarter and
the next pulse's change) and the tickets whose promise fell due when as_of moved. The values
come from metrics.scorecard.base_values, the same function as a full recompute, so a rule
changed there changes the store too.

What targets and the amber tolerance decide (target, status, attainment) is derived when the
scorecard is read (metrics.scorecard.scored), so changing them needs no recompute.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from database.db import Database, refresh_on_write
from database.schema import meta_value, set_meta
from database.settings import Settings, load_settings
from metrics.periods import MONTH, PERIODS, Period, as_period
from metrics.pulses import pulse_months
from metrics.scorecard import BASE_COLUMNS, base_values, narrowed, scored
from metrics.sources import AS_OF_SQL

Progress = Callable[[int, int, str], None]  # (done, total, what is being computed)
_SETTINGS = "scorecard_settings"
_AS_OF = "scorecard_as_of"
_PULSES = "scorecard_pulses"
_STRING_COLUMNS = ("scope", "scope_id", "parent", "indicator", "suppressed_because")


def value_settings(settings: Settings) -> str:
    """The settings the stored values depend on, as text (targets and tolerance are not)."""
    org = settings.organisation
    return json.dumps(
        {
            "timezone": org.timezone,
            "business_hours": [org.business_hours_start, org.business_hours_end],
            "sla": settings.sla_first_response_minutes.model_dump(),
            "k": settings.privacy.k,
        },
        sort_keys=True,
    )


def is_current(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """True when the stored scorecard holds every write and these settings' values."""
    if meta_value(con, _SETTINGS) != value_settings(settings):
        return False
    pending = con.execute("SELECT count(*) FROM (SELECT 1 FROM changed_rows LIMIT 1)").fetchone()
    return not (pending and pending[0])


def refresh(
    con: duckdb.DuckDBPyConnection, settings: Settings, progress: Progress | None = None
) -> None:
    """Bring the stored scorecard up to date, in the writer's transaction."""
    if is_current(con, settings):
        return
    as_of = con.execute(AS_OF_SQL).fetchone()[0]  # type: ignore[index]
    months = pulse_months(con)
    touched = _touched(con, settings, as_of, months)
    for done, period in enumerate(PERIODS.values()):
        if progress is not None:
            progress(done, len(PERIODS), period.label)
        only = None if touched is None else _reach(period, touched)
        _store(con, period, base_values(con, period, settings, only), only)
    if progress is not None:
        progress(len(PERIODS), len(PERIODS), "")
    con.execute("DELETE FROM changed_rows")
    set_meta(con, _SETTINGS, value_settings(settings))
    set_meta(con, _AS_OF, "" if as_of is None else as_of.isoformat())
    set_meta(con, _PULSES, json.dumps([m.isoformat() for m in months]))


@dataclass(frozen=True)
class _Touched:
    """What a write changed: days whose rows changed, and poll months (pulses) to redo."""

    days: set[date]
    pulses: set[date]


def _dates(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> set[date]:
    return {row[0] for row in con.execute(sql, params).fetchall() if row[0] is not None}


def _touched(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: object, months: list[date]
) -> _Touched | None:
    """The days and pulses to recompute, or None when everything must be."""
    stored_as_of, stored_pulses = meta_value(con, _AS_OF), meta_value(con, _PULSES)
    full = (
        meta_value(con, _SETTINGS) != value_settings(settings)
        or stored_as_of is None
        or stored_pulses is None
        or con.execute("SELECT count(*) FROM changed_rows WHERE ts IS NULL").fetchone()[0]  # type: ignore[index]
    )
    if full:
        return None
    assert stored_as_of is not None and stored_pulses is not None
    days = _dates(con, "SELECT DISTINCT CAST(ts AS DATE) FROM changed_rows", [])
    # Repeat contact: a ticket opened (or removed) at t decides the outcome of the same
    # customer's tickets resolved in [t - 7 days, t), which may have been opened long before.
    days |= _dates(
        con,
        """
        SELECT DISTINCT CAST(t.created_at AS DATE)
        FROM tickets AS t
        JOIN (SELECT DISTINCT customer_hash, ts FROM changed_rows
              WHERE source = 'tickets' AND customer_hash IS NOT NULL) AS c
          ON t.customer_hash = c.customer_hash
        WHERE t.resolved_at < c.ts AND c.ts <= t.resolved_at + INTERVAL 7 DAY
        """,
        [],
    )
    # Promise kept counts the tickets due by as_of: those due between the old and new as_of.
    before = None if stored_as_of == "" else stored_as_of
    after = None if as_of is None else as_of.isoformat()  # type: ignore[attr-defined]
    if before != after:
        if before is None or after is None:
            return None
        low, high = sorted([before, after])
        days |= _dates(
            con,
            "SELECT DISTINCT CAST(created_at AS DATE) FROM tickets "
            "WHERE due_at > CAST(? AS TIMESTAMP) AND due_at <= CAST(? AS TIMESTAMP)",
            [low, high],
        )
    # Pulses: a month whose polls changed, a month that became or stopped being a pulse, and
    # the pulse after each (its change is against the one before).
    pulses = _dates(
        con,
        "SELECT DISTINCT CAST(date_trunc('month', ts) AS DATE) FROM changed_rows "
        "WHERE source = 'polls'",
        [],
    )
    pulses |= set(months) ^ {date.fromisoformat(m) for m in json.loads(stored_pulses)}
    pulses |= {later[0] for m in list(pulses) if (later := [p for p in months if p > m])}
    return _Touched(days, pulses)


def _reach(period: Period, touched: _Touched) -> list[date]:
    """The period starts to recompute: those holding a changed day or showing a changed
    pulse, and the period after each (its change is against them)."""
    starts = {period.start(d) for d in touched.days}
    for month in touched.pulses:
        end = MONTH.end(month)
        if period.months == 0:  # weeks show the pulse of the month they start in
            first = period.start(month)
            starts |= {
                first + timedelta(weeks=w)
                for w in range(6)
                if month <= first + timedelta(weeks=w) < end
            }
        else:
            starts.add(period.start(month))
    return sorted(starts | {period.end(s) for s in starts})


def _store(
    con: duckdb.DuckDBPyConnection, period: Period, frame: pd.DataFrame, only: list[date] | None
) -> None:
    """Replace the stored rows of `period` (of the starts in `only`, or all) by `frame`."""
    if only is None:
        con.execute("DELETE FROM scorecard WHERE period = ?", [period.name])
    else:
        con.execute(
            "DELETE FROM scorecard WHERE period = ? AND period_start IN (SELECT unnest(?))",
            [period.name, only],
        )
    if frame.empty:
        return
    rows = frame.assign(
        period=period.name,
        seq=frame.groupby("period_start", sort=False).cumcount().to_numpy("int32"),
        n=frame["n"].astype("float64"),
    )
    con.register("_scorecard_rows", rows)
    try:
        con.execute(
            "INSERT INTO scorecard (period, period_start, seq, scope, scope_id, parent, "
            "indicator, value, n, suppressed_because, previous_value) "
            "SELECT period, CAST(period_start AS DATE), seq, scope, scope_id, parent, indicator, "
            "value, CAST(n AS BIGINT), suppressed_because, previous_value FROM _scorecard_rows"
        )
    finally:
        con.unregister("_scorecard_rows")


def stored_base(con: duckdb.DuckDBPyConnection, period: str | Period) -> pd.DataFrame:
    """The stored base values of one period length (BASE_COLUMNS), in export order."""
    period = as_period(period)
    frame = con.execute(
        f"SELECT {', '.join(BASE_COLUMNS)} FROM scorecard WHERE period = ? "
        "ORDER BY period_start, seq",
        [period.name],
    ).df()
    # The frame metrics.scorecard builds: dates as datetime.date, text as str, n as Int64.
    codes, starts = pd.factorize(frame["period_start"])
    days = np.array([day.date() for day in starts] + [None], dtype=object)
    frame["period_start"] = days[codes]
    for column in _STRING_COLUMNS:
        if frame[column].dtype != "str":
            frame[column] = pd.array(frame[column].to_numpy(object), dtype="str")
    if frame["n"].dtype != "Int64":
        frame["n"] = pd.array(frame["n"].to_numpy("float64", na_value=np.nan), dtype="Int64")
    for column in ("value", "previous_value"):
        frame[column] = frame[column].to_numpy("float64", na_value=np.nan)
    return frame


def stored_values(
    con: duckdb.DuckDBPyConnection,
    period: str | Period,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    department: str | None = None,
) -> pd.DataFrame:
    """The scorecard (metrics.scorecard.COLUMNS) from the store, status from these settings;
    the same frame as metrics.scorecard.indicator_values on a current store."""
    return scored(narrowed(stored_base(con, period), start, end, department), settings)


def brought_up_to_date(
    db: Database, settings: Settings | None = None, progress: Progress | None = None
) -> bool:
    """Refresh the stored scorecard in one write if it is behind; True if it was."""
    if not db.exists():
        return False
    settings = settings or db.settings()
    with db.read() as con:
        if is_current(con, settings):
            return False
    with db.write() as con:
        refresh(con, settings, progress)
    return True


def _on_write(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    refresh(con, load_settings(path))


refresh_on_write(_on_write)
