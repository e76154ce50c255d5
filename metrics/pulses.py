"""Pulses: employee polls are read per calendar month (metrics.md, "Pulses").

Every wellbeing indicator, its respondents and its suppression are computed on the month grid
only. A week shows the pulse of the month in which it starts; a quarter shows its latest pulse
(the last month of the quarter in which the organisation has any poll response). Nothing is
ever pooled over other boundaries, so no suppressed figure can be rebuilt by subtracting one
period from another. The change of a wellbeing figure is against the previous pulse.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from metrics.periods import MONTH, QUARTER, Period

_KEYS = ["scope", "scope_id", "pulse"]


def pulse_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Months (first days) in which the organisation has any poll response, oldest first."""
    rows = con.execute(
        "SELECT DISTINCT CAST(date_trunc('month', submitted_at) AS DATE) FROM poll_responses "
        "ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def shown_pulse(period: Period, start: date, months: list[date]) -> date | None:
    """The pulse a period starting on `start` shows: its month (month), the month it starts
    in (week), its latest pulse (quarter); None when that month has no poll response."""
    if period == QUARTER:
        inside = [m for m in months if start <= m < period.end(start)]
        return inside[-1] if inside else None
    month = MONTH.start(start)
    return month if month in set(months) else None


def _lookup(wanted: pd.DataFrame, pulse_groups: pd.DataFrame) -> np.ndarray:
    """For each wanted (scope, scope_id, pulse), its row in pulse_groups, or -1."""
    table = pulse_groups[["scope", "scope_id", "period_start"]].rename(
        columns={"period_start": "pulse"}
    )
    table = table.assign(_row=np.arange(len(table)), pulse=table["pulse"].astype(object))
    wanted = wanted.assign(pulse=wanted["pulse"].astype(object))
    found = wanted[_KEYS].merge(table, on=_KEYS, how="left")["_row"]
    return found.fillna(-1).to_numpy("int64")


def pulse_rows(
    groups: pd.DataFrame, period: Period, pulse_groups: pd.DataFrame, months: list[date]
) -> np.ndarray:
    """For each group (period_start, scope, scope_id), the row of the pulse it shows, or -1."""
    shown = {start: shown_pulse(period, start, months) for start in set(groups["period_start"])}
    wanted = groups[["scope", "scope_id"]].assign(pulse=groups["period_start"].map(shown))
    return _lookup(wanted, pulse_groups)


def previous_pulse_rows(pulse_groups: pd.DataFrame, months: list[date]) -> np.ndarray:
    """For each row of the pulse grid, the same scope's row in the previous pulse, or -1."""
    before = dict(zip(months[1:], months[:-1], strict=False))
    wanted = pulse_groups[["scope", "scope_id"]].assign(
        pulse=pulse_groups["period_start"].map(before)
    )
    return _lookup(wanted, pulse_groups)
