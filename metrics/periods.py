"""The calendar, written once: a period length knows its SQL unit, its step, where a period
starts and ends, how it is labelled and how a chart's axis shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


@dataclass(frozen=True)
class Period:
    """One period length of the scorecard: week (starting Monday), month or quarter."""

    name: str  # also DuckDB's date_trunc unit
    label: str  # "Week"
    months: int  # 0 for a week
    axis_format: str  # d3 time format for a chart axis

    @property
    def sql_unit(self) -> str:
        """The unit for date_trunc (only ever one of the three names, never user text)."""
        return self.name

    @property
    def step(self) -> pd.DateOffset:
        """From one period's start to the next one's."""
        return pd.DateOffset(weeks=1) if self.months == 0 else pd.DateOffset(months=self.months)

    def start(self, day: date) -> date:
        """First day of the period containing `day`."""
        if self.months == 0:
            return day - timedelta(days=day.weekday())
        month = (day.month - 1) // self.months * self.months
        return date(day.year, month + 1, 1)

    def end(self, start: date) -> date:
        """First day of the next period (exclusive end of the one starting at `start`)."""
        if self.months == 0:
            return start + timedelta(days=7)
        index = start.month - 1 + self.months
        return date(start.year + index // 12, index % 12 + 1, 1)

    def previous(self, start: date) -> date:
        """First day of the period before the one starting at `start`."""
        return self.start(start - timedelta(days=1))

    def describe(self, start: date, short: bool = False) -> str:
        """'October 2026' / 'Oct 2026', 'Q4 2026', 'week of 26 Oct 2026' / '26 Oct 2026'."""
        if self.months == 0:
            return f"{start:%d %b %Y}" if short else f"week of {start:%d %b %Y}"
        if self.months == 3:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        return f"{start:%b %Y}" if short else f"{start:%B %Y}"


WEEK = Period("week", "Week", 0, "%d %b %Y")
MONTH = Period("month", "Month", 1, "%b %Y")
QUARTER = Period("quarter", "Quarter", 3, "Q%q %Y")
PERIODS: dict[str, Period] = {p.name: p for p in (WEEK, MONTH, QUARTER)}


def as_period(period: str | Period) -> Period:
    """The Period for a name (checked once at the boundary), or ValueError naming the allowed."""
    if isinstance(period, Period):
        return period
    try:
        return PERIODS[period]
    except (KeyError, TypeError):
        raise ValueError(f"unknown period {period!r} (use one of: {', '.join(PERIODS)})") from None
