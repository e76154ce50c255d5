"""A privacy auditor: is any suppressed wellbeing figure determined by the published ones?

Model (written from spec/metrics.md, not from metrics/): the base cells of an indicator are
(team, month, load): the unknown counts behind the responses a team gave in one month's pulse
that arrived with one load. Every wellbeing figure, as published, is a sum over its cells: the
teams of its scope x the pulse month it shows x the loads in the database when it was
published. A figure publishes two sums over the same cells (n, and value x n: the numerator),
so both unknowns per cell form two copies of one linear system and one 0/1 vector per figure
decides both. A suppressed figure is determined by the published ones exactly when its vector
lies in the row space of theirs (numpy's matrix_rank does not grow when it is added).
Participation's cells are the teams with a headcount only: the others enter no part of it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

WELLBEING = (
    "wellbeing.enps",
    "wellbeing.favourable_pct",
    "wellbeing.burnout_risk_pct",
    "wellbeing.who5_index",
    "wellbeing.participation_pct",
)
PARTICIPATION = "wellbeing.participation_pct"
Cell = tuple[str, date, int]  # team, pulse month (first day), load


@dataclass(frozen=True)
class Org:
    """Teams as team -> (department or None, headcount or None)."""

    teams: dict[str, tuple[str | None, int | None]]

    def members(self, scope: str, scope_id: str, indicator: str) -> list[str]:
        """The teams whose cells a figure of this scope sums (participation: with headcount)."""
        teams = [
            team
            for team, (dept, _) in self.teams.items()
            if scope == "org"
            or (scope == "department" and dept == scope_id)
            or (scope == "team" and team == scope_id)
        ]
        if indicator == PARTICIPATION:
            teams = [t for t in teams if self.teams[t][1] is not None]
        return teams


@dataclass(frozen=True)
class Figure:
    """One published or suppressed wellbeing figure as a set of base cells."""

    indicator: str
    cells: frozenset[Cell]
    suppressed: bool
    where: str  # for messages: state, period, scope


def read_export(text: str) -> pd.DataFrame:
    """The export CSV as text columns (empty cells stay empty strings)."""
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def shown_month(period: str, start: date, pulses: Iterable[date]) -> date | None:
    """The pulse a period shows (spec "Pulses"): its month, the month a week starts in, the
    latest pulse inside a quarter; None without one."""
    months = set(pulses)
    if period == "quarter":
        inside = [m for m in months if quarter_start(m) == start]
        return max(inside) if inside else None
    month = start.replace(day=1)
    return month if month in months else None


def figures(
    export: pd.DataFrame,
    period: str,
    org: Org,
    pulses: Iterable[date],
    loads: tuple[int, ...],
    state: str,
) -> list[Figure]:
    """The wellbeing figures of one export (one period unit, one database state)."""
    pulses = sorted(set(pulses))
    out = []
    for row in export[export["indicator"].isin(WELLBEING)].itertuples(index=False):
        month = shown_month(period, date.fromisoformat(row.period_start), pulses)
        suppressed = row.status == "suppressed"
        if month is None:
            assert not suppressed, f"{state} {period} {row}: suppressed without a pulse"
            continue
        teams = org.members(row.scope, row.scope_id, row.indicator)
        cells = frozenset((t, month, load) for t in teams for load in loads)
        where = f"{state} {period} {row.period_start} {row.scope} {row.scope_id!r}"
        out.append(Figure(row.indicator, cells, suppressed, where))
    return out


def silent_teams(
    export: pd.DataFrame, org: Org, pulses: Iterable[date], loads: tuple[int, ...], state: str
) -> list[Figure]:
    """What a month export says by leaving a team out: it had nothing at all that month, so
    its cells of that pulse are known to be 0 (published figures of value 0)."""
    present = set(zip(export["period_start"], export["scope"], export["scope_id"], strict=True))
    out = []
    for month in sorted(set(pulses)):
        for team in org.teams:
            if (month.isoformat(), "team", team) in present:
                continue
            for indicator in WELLBEING:
                if org.members("team", team, indicator):
                    cells = frozenset((team, month, load) for load in loads)
                    out.append(Figure(indicator, cells, False, f"{state} {month} {team} absent"))
    return out


def _vectors(groups: list[frozenset[Cell]], index: dict[Cell, int]) -> np.ndarray:
    matrix = np.zeros((len(groups), len(index)))
    for row, cells in enumerate(groups):
        matrix[row, [index[c] for c in cells]] = 1.0
    return matrix


def leaks(published: list[Figure]) -> list[Figure]:
    """The suppressed figures whose cell vector is in the span of the visible ones (same
    indicator): each is recoverable by adding and subtracting published figures."""
    found = []
    for indicator in sorted({f.indicator for f in published}):
        mine = [f for f in published if f.indicator == indicator]
        index: dict[Cell, int] = {}
        for figure in mine:
            for cell in sorted(figure.cells):
                index.setdefault(cell, len(index))
        visible = _vectors(sorted({f.cells for f in mine if not f.suppressed}, key=sorted), index)
        rank = np.linalg.matrix_rank(visible) if len(visible) else 0
        for cells in sorted({f.cells for f in mine if f.suppressed}, key=sorted):
            target = _vectors([cells], index)
            if not cells or np.linalg.matrix_rank(np.vstack([visible, target])) == rank:
                found += [f for f in mine if f.suppressed and f.cells == cells]
    return found
