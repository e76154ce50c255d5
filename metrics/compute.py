"""Raw indicator values per period and scope: a few set-based queries, whatever the size.

Per source, at most two queries, each computing all its indicators in one pass:
- additive indicators (shares, net scores, means, participation): their parts are summed per
  (period, department, team) in one GROUP BY over the rows, then rolled up to departments and
  the organisation with GROUPING SETS over that small result;
- medians (holistic): GROUPING SETS (period), (period, department), (period, department, team)
  straight over the rows.
The result is long form, before privacy, targets and scores (metrics/scorecard.py adds those).
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd

from ingest.settings import Settings
from metrics.registry import INDICATORS, Indicator
from metrics.sources import check_period, source_parameters, source_sql

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


def _keyed(source: str, period: str) -> str:
    unit = check_period(period)
    return f"""src AS ({source_sql(source, period)}),
keyed AS (SELECT CAST(date_trunc('{unit}', ts) AS DATE) AS period_start, * FROM src)"""


def _check_source(source: str, indicators: list[Indicator]) -> None:
    for ind in indicators:
        if ind.computation.source != source:
            raise ValueError(f"{ind.id} is computed from {ind.computation.source}, not {source}")


def over_parts(template: str, pos: int) -> str:
    """A value/n/respondents template with each {part} replaced by its column name."""
    return _PART.sub(lambda m: f"p{pos}_{m.group(1)}", template)


def parts_sql(source: str, period: str, indicators: list[Indicator]) -> str:
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
WITH {_keyed(source, period)},
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


def median_sql(source: str, period: str, indicators: list[Indicator]) -> str:
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
WITH {_keyed(source, period)}
SELECT period_start, grouping(department) AS g_department, grouping(team) AS g_team,
    department, team, sum(is_item) AS items,
    {sep.join(outputs)}
FROM keyed
GROUP BY {_GROUPING_SETS}
"""


def queries(period: str) -> list[tuple[str, list[Indicator], str]]:
    """(source, indicators, SQL) for every query the scorecard runs."""
    out = []
    for source in SOURCES:
        inds = [i for i in INDICATORS if i.computation.source == source]
        medians = [i for i in inds if i.computation.median is not None]
        additive = [i for i in inds if i.computation.median is None]
        if additive:
            out.append((source, additive, parts_sql(source, period, additive)))
        if medians:
            out.append((source, medians, median_sql(source, period, medians)))
    return out


def _scope_frame(wide: pd.DataFrame) -> pd.DataFrame:
    """scope / scope_id / parent from the grouping flags; drops the 'no department' group."""
    is_team = wide["g_team"] == 0
    is_dept = (wide["g_team"] == 1) & (wide["g_department"] == 0)
    # The (period, department) set also yields a group for teams without a department: those
    # teams roll up to the organisation only, so that group is not a department.
    keep = ~(is_dept & wide["department"].isna())
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


def _melt(keys: pd.DataFrame, ids: list[str], wide: pd.DataFrame) -> pd.DataFrame:
    """Long form of the v_i / n_i / r_i columns: one row per group x indicator."""
    count = len(ids)

    def matrix(prefix: str) -> np.ndarray:
        columns = [f"{prefix}_{pos}" for pos in range(count)]
        return wide[columns].astype("float64").to_numpy().ravel()

    out = keys.loc[keys.index.repeat(count)].reset_index(drop=True)
    out["indicator"] = np.tile(np.array(ids, dtype=object), len(keys))
    out["value"] = matrix("v")
    out["n"] = matrix("n")
    out["respondents"] = matrix("r")
    return out


def raw_values(con: duckdb.DuckDBPyConnection, period: str, settings: Settings) -> pd.DataFrame:
    """Every indicator per period and scope, long form, before privacy (columns RAW_COLUMNS).

    A (period, scope) appears when it has at least one ticket, survey response or poll
    response; then every indicator has a row, with value NaN and n 0 where nothing counted.
    """
    keys = ["period_start", "scope", "scope_id"]
    longs = []
    activity = []
    for source, inds, sql in queries(period):
        wide = _scope_frame(con.execute(sql, source_parameters(source, settings)).df())
        activity.append(wide.loc[wide["items"] > 0, [*keys, "parent"]])
        longs.append(_melt(wide[keys], [i.id for i in inds], wide))
    groups = pd.concat(activity).drop_duplicates(ignore_index=True)
    values = pd.concat(longs, ignore_index=True)
    # Every active (period, scope) x every indicator, in registry order.
    grid = groups.merge(pd.DataFrame({"indicator": [i.id for i in INDICATORS]}), how="cross")
    out = grid.merge(values, on=[*keys, "indicator"], how="left")
    out["n"] = out["n"].fillna(0)
    out.loc[out["n"] == 0, "value"] = np.nan
    privacy = out["indicator"].isin([i.id for i in INDICATORS if i.privacy])
    out.loc[privacy, "respondents"] = out.loc[privacy, "respondents"].fillna(0)
    out["n"] = out["n"].round().astype("Int64")
    out["respondents"] = out["respondents"].round().astype("Int64")
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.date
    return out[RAW_COLUMNS]
