"""Raw indicator values per period and scope: one set-based query per source.

Each source's query groups its rows by GROUPING SETS (period), (period, department) and
(period, department, team) and computes every indicator of that source in the same pass, so
the whole scorecard is three queries whatever the number of teams or indicators. The result
is long form, before privacy, targets and scores (metrics/scorecard.py adds those).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from ingest.settings import Settings
from metrics.registry import INDICATORS, Indicator
from metrics.sources import check_period, source_parameters, source_sql

SCOPES: tuple[str, ...] = ("org", "department", "team")
SOURCES: tuple[str, ...] = ("tickets", "surveys", "polls")

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


def grouped_sql(source: str, period: str, indicators: list[Indicator]) -> str:
    """The one query computing these indicators (all of `source`) per period and scope."""
    unit = check_period(period)
    columns = []
    for pos, ind in enumerate(indicators):
        comp = ind.computation
        if comp.source != source:
            raise ValueError(f"{ind.id} is computed from {comp.source}, not {source}")
        columns.append(f"{comp.value} AS v_{pos}")
        columns.append(f"{comp.n} AS n_{pos}")
        columns.append(f"{comp.respondents or 'NULL'} AS r_{pos}")
    select_list = ",\n    ".join(columns)
    return f"""
WITH src AS ({source_sql(source, period)}),
keyed AS (SELECT CAST(date_trunc('{unit}', ts) AS DATE) AS period_start, * FROM src)
SELECT
    period_start,
    grouping(department) AS g_department,
    grouping(team) AS g_team,
    department,
    team,
    sum(is_item) AS items,
    {select_list}
FROM keyed
GROUP BY GROUPING SETS ((period_start), (period_start, department),
                        (period_start, department, team))
"""


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
    for source in SOURCES:
        inds = [i for i in INDICATORS if i.computation.source == source]
        sql = grouped_sql(source, period, inds)
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
