"""Raw indicator values per period and scope: a few set-based queries, whatever the size.

Per source, at most two queries, each computing all its indicators in one pass:
- additive indicators (shares, net scores, means, participation): their parts are summed per
  (period, department, team) in one GROUP BY over the rows, then rolled up to departments and
  the organisation with GROUPING SETS over that small result;
- medians (holistic): GROUPING SETS (period), (period, department), (period, department, team)
  straight over the rows.
raw_grid lays the results out as arrays, one row per active (period, scope) in export order and
one column per indicator; raw_values is the same in long form. Both are before privacy,
targets and scores (metrics/scorecard.py adds those, on the arrays).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from database.settings import Settings
from metrics.periods import MONTH, Period, as_period
from metrics.pulses import pulse_months, pulse_rows, shown_pulse
from metrics.registry import INDICATORS, Indicator
from metrics.sources import source_parameters, source_sql

SCOPES: tuple[str, ...] = ("org", "department", "team")
SOURCES: tuple[str, ...] = ("tickets", "resolutions", "surveys", "polls")

RAW_COLUMNS = [
    "period_start",
    "scope",
    "scope_id",
    "parent",
    "indicator",
    "value",
    "n",
    "respondents",
]
_GROUPING_SETS = (
    "GROUPING SETS ((period_start), (period_start, department), (period_start, department, team))"
)
_PART = re.compile(r"\{(\w+)\}")
PRIVATE = np.array([i.privacy for i in INDICATORS], dtype=bool)  # the wellbeing columns


def _keyed(source: str, period: Period, only: Sequence[date] | None = None) -> str:
    """The source's rows with their period; `only` keeps the rows of those periods."""
    truncated = f"CAST(date_trunc('{period.sql_unit}', ts) AS DATE)"
    where = ""
    if only is not None:
        starts = sorted(set(only)) or [date(1, 1, 1)]  # none: a period no row falls in
        listed = ", ".join(f"DATE '{d.isoformat()}'" for d in starts)
        # The range lets the engine skip stored blocks; the list keeps exactly those periods.
        where = (
            f"WHERE ts >= TIMESTAMP '{starts[0].isoformat()}' "
            f"AND ts < TIMESTAMP '{period.end(starts[-1]).isoformat()}' "
            f"AND {truncated} IN ({listed})"
        )
        since = starts[0]
    else:
        since = None
    return f"""src AS ({source_sql(source, since)}),
keyed AS (SELECT {truncated} AS period_start, * FROM src {where})"""


def _check_source(source: str, indicators: list[Indicator]) -> None:
    for ind in indicators:
        if ind.computation.source != source:
            raise ValueError(f"{ind.id} is computed from {ind.computation.source}, not {source}")


def over_parts(template: str, pos: int) -> str:
    """A value/n/respondents template with each {part} replaced by its column name."""
    return _PART.sub(lambda m: f"p{pos}_{m.group(1)}", template)


def parts_sql(
    source: str, period: Period, indicators: list[Indicator], only: Sequence[date] | None = None
) -> str:
    """One query for the additive indicators of a source: parts per team, then rolled up."""
    _check_source(source, indicators)
    per_team, rolled, outputs = [], [], []
    for pos, ind in enumerate(indicators):
        comp = ind.computation
        for name, part in comp.parts.items():
            column = f"p{pos}_{name}"
            per_team.append(f"{part.sql()} AS {column}")
            rolled.append(f"{part.rollup(column)} AS {column}")
        assert comp.value is not None and comp.n is not None  # additive: checked by the model
        outputs.append(f"{over_parts(comp.value, pos)} AS v_{pos}")
        outputs.append(f"{over_parts(comp.n, pos)} AS n_{pos}")
        outputs.append(f"{over_parts(comp.respondents or 'NULL', pos)} AS r_{pos}")
    sep = ",\n        "
    return f"""
WITH {_keyed(source, period, only)},
per_team AS (
    SELECT period_start, department, team, sum(is_item) AS items,
        {sep.join(per_team)}
    FROM keyed
    GROUP BY period_start, department, team
),
rolled AS (
    SELECT period_start, grouping(department) AS g_department, grouping(team) AS g_team,
        department, team, sum(items) AS items,
        {sep.join(rolled)}
    FROM per_team
    GROUP BY {_GROUPING_SETS}
)
SELECT period_start, g_department, g_team, department, team, items,
    {sep.join(outputs)}
FROM rolled
"""


def median_sql(
    source: str, period: Period, indicators: list[Indicator], only: Sequence[date] | None = None
) -> str:
    """One query for the median indicators of a source, at every scope from the rows."""
    _check_source(source, indicators)
    outputs = []
    for pos, ind in enumerate(indicators):
        expression = ind.computation.median
        outputs.append(f"median({expression}) AS v_{pos}")
        outputs.append(f"count({expression}) AS n_{pos}")
        outputs.append(f"NULL AS r_{pos}")
    sep = ",\n    "
    return f"""
WITH {_keyed(source, period, only)}
SELECT period_start, grouping(department) AS g_department, grouping(team) AS g_team,
    department, team, sum(is_item) AS items,
    {sep.join(outputs)}
FROM keyed
GROUP BY {_GROUPING_SETS}
"""


def queries(
    period: str | Period, only: Sequence[date] | None = None
) -> list[tuple[str, list[Indicator], str]]:
    """(source, indicators, SQL) for every query the scorecard runs (`only`: those periods)."""
    period = as_period(period)
    out = []
    for source in SOURCES:
        inds = [i for i in INDICATORS if i.computation.source == source]
        medians = [i for i in inds if i.computation.median is not None]
        additive = [i for i in inds if i.computation.median is None]
        if additive:
            out.append((source, additive, parts_sql(source, period, additive, only)))
        if medians:
            out.append((source, medians, median_sql(source, period, medians, only)))
    return out


def _scope_frame(wide: pd.DataFrame) -> pd.DataFrame:
    """scope / scope_id / parent from the grouping flags; drops the 'no department' group."""
    is_team = wide["g_team"] == 0
    is_dept = (wide["g_team"] == 1) & (wide["g_department"] == 0)
    # The (period, department) set also yields a group for teams without a department: those
    # teams roll up to the organisation only, so that group is not a department.
    # Headcount rows of teams without data come per department with no team (metrics/sources.py,
    # POLLS_SQL): they count in the department and the organisation, not as a team.
    keep = ~(is_dept & wide["department"].isna()) & ~(is_team & wide["team"].isna())
    wide = wide[keep]
    is_team, is_dept = is_team[keep], is_dept[keep]
    scope = np.where(is_team, "team", np.where(is_dept, "department", "org"))
    scope_id = np.where(is_team, wide["team"], np.where(is_dept, wide["department"], ""))
    parent = pd.Series(np.where(is_team, wide["department"].fillna(""), ""), index=wide.index)
    parent = parent.where(is_team | is_dept, None)  # the organisation has no parent
    out = wide.drop(columns=["g_department", "g_team", "department", "team"]).copy()
    out.insert(1, "scope", scope)
    out.insert(2, "scope_id", scope_id.astype(object))
    out.insert(3, "parent", parent)
    return out


@dataclass(frozen=True)
class RawGrid:
    """Every active (period, scope) x every indicator, before privacy, as arrays.

    groups: one row per (period, scope) with at least one ticket, survey response or poll
    response: period_start (datetime.date), scope, scope_id, parent; in export order
    (period_start, then org < department < team, then scope_id), with a RangeIndex.
    value, n, respondents: float64 arrays of shape (groups, indicators), indicators in registry
    order. value is NaN where n = 0, n is 0 where nothing counted, respondents is 0 where
    nothing counted for a privacy indicator and NaN for the others.
    """

    groups: pd.DataFrame
    value: np.ndarray
    n: np.ndarray
    respondents: np.ndarray
    pulses: RawGrid | None = None
    pulse_row: np.ndarray | None = None


def _grid(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: Settings,
    sources: tuple[str, ...] = SOURCES,
    active_only: bool = True,
    only: Sequence[date] | None = None,
) -> RawGrid:
    """Run the queries of some sources and lay the results out on their groups.

    active_only keeps the groups with at least one item (ticket, survey or poll response);
    otherwise groups that only have headcount rows (polls) are kept too.
    """
    position = {ind.id: pos for pos, ind in enumerate(INDICATORS)}
    results = []
    for source, inds, sql in queries(period, only):
        if source not in sources:
            continue
        wide = _scope_frame(con.execute(sql, source_parameters(source, settings)).df())
        results.append((wide, [position[i.id] for i in inds]))
    keys = pd.concat(
        [wide[["period_start", "scope", "scope_id", "parent", "items"]] for wide, _ in results],
        ignore_index=True,
    )
    # One code per (period, scope), numbered in export order.
    keys["scope_rank"] = keys["scope"].map({s: pos for pos, s in enumerate(SCOPES)})
    codes = keys.groupby(["period_start", "scope_rank", "scope_id"], sort=True).ngroup()
    codes = codes.to_numpy()
    count = int(codes.max()) + 1 if len(codes) else 0
    first = np.full(count, len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    active = np.bincount(codes, weights=keys["items"].to_numpy("float64") > 0, minlength=count)
    shape = (count, len(INDICATORS))
    value, n, respondents = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    start = 0
    for wide, columns in results:
        rows = codes[start : start + len(wide)]
        start += len(wide)
        for prefix, matrix in (("v", value), ("n", n), ("r", respondents)):
            names = [f"{prefix}_{pos}" for pos in range(len(columns))]
            matrix[np.ix_(rows, columns)] = wide[names].astype("float64").to_numpy()
    keep = np.flatnonzero(active > 0) if active_only else np.arange(count)
    groups = keys.iloc[first[keep], :4].reset_index(drop=True)
    groups["period_start"] = pd.to_datetime(groups["period_start"]).dt.date
    value, n, respondents = value[keep], n[keep], respondents[keep]
    n[np.isnan(n)] = 0
    n = n.round()
    value[n == 0] = np.nan
    respondents[:, PRIVATE] = np.nan_to_num(respondents[:, PRIVATE])
    return RawGrid(groups=groups, value=value, n=n, respondents=respondents.round())


def pulse_grid(
    con: duckdb.DuckDBPyConnection, settings: Settings, only: Sequence[date] | None = None
) -> RawGrid:
    """The wellbeing indicators on the month grid, for every scope with poll responses or a
    headcount in a pulse (a silent team is there too: its participation is 0 %)."""
    return _grid(con, MONTH, settings, ("polls",), active_only=False, only=only)


def raw_grid(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: Settings,
    only: Sequence[date] | None = None,
) -> RawGrid:
    """Every indicator on the active groups of a period, before privacy.

    The wellbeing columns hold the pulse each group shows (metrics/pulses.py); `pulses` is the
    month grid they come from and `pulse_row` each group's row in it (-1: no pulse).
    only: compute those periods alone (their pulses and the pulses before those included).
    """
    grid = _grid(con, period, settings, only=only)
    months = pulse_months(con)
    pulses = pulse_grid(con, settings, None if only is None else _pulses_for(period, only, months))
    rows = pulse_rows(grid.groups, period, pulses.groups, months)
    show_pulses(grid, pulses, rows, pulses.value, pulses.n, pulses.respondents)
    return RawGrid(grid.groups, grid.value, grid.n, grid.respondents, pulses, rows)


def _pulses_for(period: Period, only: Sequence[date], months: list[date]) -> list[date]:
    """The pulses periods show, and the pulse before each (for the change)."""
    shown = {m for start in only if (m := shown_pulse(period, start, months)) is not None}
    before = dict(zip(months[1:], months[:-1], strict=False))
    return sorted(shown | {before[m] for m in shown if m in before})


def show_pulses(
    grid: RawGrid,
    pulses: RawGrid,
    rows: np.ndarray,
    value: np.ndarray,
    n: np.ndarray,
    respondents: np.ndarray,
) -> None:
    """Put the pulse grid's wellbeing columns (value, n, respondents) on the grid's groups."""
    for target, source, empty in (
        (grid.value, value, np.nan),
        (grid.n, n, 0.0),
        (grid.respondents, respondents, 0.0),
    ):
        target[:, PRIVATE] = take_rows(source, rows, empty)[:, PRIVATE]


def take_rows(matrix: np.ndarray, rows: np.ndarray, empty: object) -> np.ndarray:
    """matrix[rows] where a row of -1 gives a row of `empty` (works on an empty matrix too)."""
    padded = np.vstack([matrix, np.full((1, matrix.shape[1]), empty, dtype=matrix.dtype)])
    return padded[rows]


def long_frame(groups: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """The group columns repeated once per indicator, with an `indicator` column (group-major)."""
    count = len(indicators)
    out = pd.DataFrame(
        {
            "period_start": np.repeat(groups["period_start"].to_numpy(object), count),
            **{
                column: pd.array(np.repeat(groups[column].to_numpy(object), count), dtype="str")
                for column in ("scope", "scope_id", "parent")
            },
            "indicator": pd.array(
                np.tile(np.array(indicators, dtype=object), len(groups)), dtype="str"
            ),
        }
    )
    return out


def counts(matrix: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers (NaN -> NA) as a nullable Int64 array, row-major."""
    return pd.array(matrix.ravel(), dtype="Int64")


def raw_values(
    con: duckdb.DuckDBPyConnection, period: str | Period, settings: Settings
) -> pd.DataFrame:
    """Every indicator per period and scope, long form, before privacy (columns RAW_COLUMNS).

    A (period, scope) appears when it has at least one ticket, survey response or poll
    response; then every indicator has a row, with value NaN and n 0 where nothing counted.
    """
    grid = raw_grid(con, as_period(period), settings)
    out = long_frame(grid.groups, [i.id for i in INDICATORS])
    out["value"] = grid.value.ravel()
    out["n"] = counts(grid.n)
    out["respondents"] = counts(grid.respondents)
    return out[RAW_COLUMNS]
