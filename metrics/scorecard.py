"""The scorecard: indicator values with privacy, targets, status, attainment and change.

Public API (docs/metrics.md): indicator_values, area_scores, culture_index, wellbeing_cut.
All take a connection (or a frame) and return pandas frames; nothing here caches or connects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from database.settings import Settings
from metrics.compute import (
    PRIVATE,
    SCOPES,
    RawGrid,
    counts,
    long_frame,
    raw_grid,
    show_pulses,
    take_rows,
)
from metrics.periods import Period, as_period
from metrics.privacy import FEWER_THAN_K, PRIVATE_INDICATORS, PROTECTS_ANOTHER, protect
from metrics.pulses import previous_pulse_rows, pulse_months
from metrics.registry import AREAS, INDICATORS, by_id, check_registry, targets_in_force

COLUMNS = [
    "period_start",
    "scope",
    "scope_id",
    "parent",
    "indicator",
    "area",
    "value",
    "n",
    "status",
    "suppressed_because",
    "target",
    "attainment",
    "previous_value",
    "change",
]
STATUSES = ("green", "amber", "red", "grey", "suppressed")
_ORDER = {ind.id: pos for pos, ind in enumerate(INDICATORS)}
_SCOPE_ORDER = {s: pos for pos, s in enumerate(SCOPES)}


def statuses(
    values: np.ndarray, targets: np.ndarray, higher: np.ndarray, tolerance_pct: float
) -> np.ndarray:
    """green (met), amber (missed by at most tolerance % of |target|), red, or grey (no value).

    Higher-better: green v >= T; amber T - tol <= v < T. Lower-better: green v <= T; amber
    T < v <= T + tol; tol = |T| x tolerance_pct / 100, in the indicator's own unit.
    """
    v = np.asarray(values, dtype="float64")
    t = np.asarray(targets, dtype="float64")
    tol = np.abs(t) * tolerance_pct / 100
    met = np.where(higher, v >= t, v <= t)
    near = np.where(higher, v >= t - tol, v <= t + tol)
    return np.select([np.isnan(v), met, near], ["grey", "green", "amber"], "red").astype(object)


def attainments(values: np.ndarray, targets: np.ndarray, higher: np.ndarray) -> np.ndarray:
    """value / target (higher-better) or target / value (lower-better), clamped to 0..100 %.

    A lower-better value of 0 (or below) attains 100 %; no value, no attainment (NaN).
    """
    v = np.asarray(values, dtype="float64")
    t = np.asarray(targets, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(higher, v / t, np.where(v <= 0, 1.0, t / v))
    return np.clip(ratio, 0.0, 1.0) * 100  # clip keeps NaN


def status_of(value: float, target: float, better: str, tolerance_pct: float) -> str:
    """The status of one value (see statuses)."""
    higher = np.array([better == "higher"])
    return str(statuses(np.array([value]), np.array([target]), higher, tolerance_pct)[0])


def attainment_of(value: float, target: float, better: str) -> float:
    """The attainment of one value, 0..100 (see attainments)."""
    higher = np.array([better == "higher"])
    return float(attainments(np.array([value]), np.array([target]), higher)[0])


def area_status(score: float | None, tolerance_pct: float) -> str:
    """Status of an area score or the index (a mean attainment, 0..100): green when every
    target is met (100), amber within the tolerance below it, red below that, grey without a
    value."""
    if score is None or np.isnan(score):
        return "grey"
    if score >= 100 - 1e-9:
        return "green"
    if score >= 100 - tolerance_pct:
        return "amber"
    return "red"


def sort_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Export order: period_start, scope (org, department, team), scope_id, registry order."""
    order = frame.assign(
        _scope=frame["scope"].map(_SCOPE_ORDER), _ind=frame["indicator"].map(_ORDER)
    ).sort_values(["period_start", "_scope", "scope_id", "_ind"], kind="stable")
    return order.drop(columns=["_scope", "_ind"]).reset_index(drop=True)


def _protected(grid: RawGrid, k: int) -> np.ndarray:
    """Privacy on the wellbeing columns of the grid, in place; returns why each cell is
    suppressed (FEWER_THAN_K or PROTECTS_ANOTHER; None where it is not)."""
    private = [pos for pos, ind in enumerate(INDICATORS) if ind.privacy]
    frame = long_frame(grid.groups, [INDICATORS[pos].id for pos in private])
    frame["value"] = grid.value[:, private].ravel()
    frame["n"] = counts(grid.n[:, private])
    frame["respondents"] = counts(grid.respondents[:, private])
    out = protect(frame, k)
    shape = (len(grid.groups), len(private))
    grid.value[:, private] = out["value"].to_numpy("float64").reshape(shape)
    grid.n[:, private] = out["n"].to_numpy("float64", na_value=np.nan).reshape(shape)
    suppressed = np.zeros(grid.value.shape, dtype=bool)
    suppressed[:, private] = out["suppressed"].to_numpy(bool).reshape(shape)
    because = np.full(grid.value.shape, None, dtype=object)
    because[suppressed] = np.where(grid.respondents[suppressed] < k, FEWER_THAN_K, PROTECTS_ANOTHER)
    return because


def _previous_rows(groups: pd.DataFrame, period: Period) -> np.ndarray:
    """For each group, the row of the same scope in the calendar period just before, or -1."""
    keys = ["scope", "scope_id", "period_start"]
    # Shift every row forward one period so it lines up with the row it precedes.
    shifted = (pd.to_datetime(groups["period_start"]) + period.step).dt.date
    earlier = groups[keys[:2]].assign(period_start=shifted, _row=np.arange(len(groups)))
    found = groups[keys].merge(earlier, on=keys, how="left")["_row"]
    return found.fillna(-1).to_numpy("int64")


# What the stored scorecard keeps (metrics/store.py): everything but what targets and the
# amber tolerance decide, so a change of those re-derives status at once.
BASE_COLUMNS = [
    "period_start",
    "scope",
    "scope_id",
    "parent",
    "indicator",
    "value",
    "n",
    "suppressed_because",
    "previous_value",
]


def base_values(
    con: duckdb.DuckDBPyConnection,
    period: str | Period,
    settings: Settings,
    only: Sequence[date] | None = None,
) -> pd.DataFrame:
    """Every indicator per period and scope with privacy and the previous value (BASE_COLUMNS).

    only: the rows of those period starts alone, computed from the rows they need (their
    previous periods and pulses), exactly as in the full scorecard.
    """
    period = as_period(period)
    fetch = None if only is None else sorted(set(only) | {period.previous(p) for p in only})
    grid = raw_grid(con, period, settings, fetch)
    # Wellbeing: privacy and change on the month grid (pulses), then shown on this period's
    # groups, so that no figure is ever pooled over other boundaries.
    pulses, rows = grid.pulses, grid.pulse_row
    assert pulses is not None and rows is not None
    pulse_because = _protected(pulses, settings.privacy.k)
    before = previous_pulse_rows(pulses.groups, pulse_months(con))
    pulse_previous = np.where((before >= 0)[:, None], pulses.value[before], np.nan)
    show_pulses(grid, pulses, rows, pulses.value, pulses.n, pulses.respondents)
    because = np.full(grid.value.shape, None, dtype=object)
    because[:, PRIVATE] = take_rows(pulse_because, rows, None)[:, PRIVATE]
    value, groups = grid.value, grid.groups
    # Change: the same indicator and scope in the calendar period just before; for wellbeing,
    # in the pulse before the one shown.
    previous_row = _previous_rows(groups, period)
    previous = np.where((previous_row >= 0)[:, None], value[previous_row], np.nan)
    previous[:, PRIVATE] = take_rows(pulse_previous, rows, np.nan)[:, PRIVATE]
    keep = np.arange(len(groups))
    if only is not None:
        keep = np.flatnonzero(groups["period_start"].isin(set(only)).to_numpy(bool))
    frame = long_frame(groups.iloc[keep], [i.id for i in INDICATORS])
    frame["value"] = value[keep].ravel()
    frame["n"] = counts(grid.n[keep])
    frame["suppressed_because"] = pd.array(because[keep].ravel(), dtype="str")
    frame["previous_value"] = previous[keep].ravel()
    return frame[BASE_COLUMNS]


def scored(base: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The scorecard (COLUMNS) from base values: area, targets, status, attainment, change."""
    check_registry(settings.targets)
    in_force = targets_in_force(settings.targets)
    ids = [i.id for i in INDICATORS]
    position = pd.Categorical(base["indicator"], categories=ids).codes.astype("int64")
    if (position < 0).any():
        raise KeyError(f"unknown indicators: {set(base['indicator']) - set(ids)}")
    target = np.array([in_force[i.id] for i in INDICATORS], dtype="float64")[position]
    higher = np.array([i.better == "higher" for i in INDICATORS], dtype=bool)[position]
    area = np.array([i.area for i in INDICATORS], dtype=object)[position]
    value = base["value"].to_numpy("float64", na_value=np.nan)
    status = statuses(value, target, higher, settings.status.amber_tolerance_pct)
    status[base["suppressed_because"].notna().to_numpy(bool)] = "suppressed"
    frame = base.copy()
    frame["area"] = pd.array(area, dtype="str")
    frame["status"] = pd.array(status, dtype="str")
    frame["target"] = target
    frame["attainment"] = attainments(value, target, higher)
    frame["change"] = frame["value"] - frame["previous_value"]
    return frame[COLUMNS]


def narrowed(
    frame: pd.DataFrame,
    start: date | None = None,
    end: date | None = None,
    department: str | None = None,
) -> pd.DataFrame:
    """The rows of periods starting in [start, end] and of the organisation, that department
    and its teams (after privacy and change, so a filter never narrows a figure below k)."""
    keep = np.ones(len(frame), dtype=bool)
    if start is not None:
        keep &= (frame["period_start"] >= start).to_numpy(bool)
    if end is not None:
        keep &= (frame["period_start"] <= end).to_numpy(bool)
    if department is not None:
        scope = frame["scope"]
        keep &= (
            (scope == "org")
            | ((scope == "department") & (frame["scope_id"] == department))
            | ((scope == "team") & (frame["parent"] == department))
        ).to_numpy(bool, na_value=False)
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def indicator_values(
    con: duckdb.DuckDBPyConnection,
    period: str | Period,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    department: str | None = None,
) -> pd.DataFrame:
    """Every indicator per period and scope, long form, privacy applied (columns COLUMNS),
    computed from the stored rows (the pages and the export read metrics/store.py instead).

    suppressed_because says why a suppressed row is hidden (metrics.privacy.FEWER_THAN_K or
    PROTECTS_ANOTHER), missing on every other row.

    Optional filters apply after privacy and change are computed on all data, so a filter can
    never narrow a wellbeing figure below k: start/end keep periods whose start lies in
    [start, end]; department keeps the organisation, that department and its teams.
    """
    check_registry(settings.targets)
    base = narrowed(base_values(con, period, settings), start, end, department)
    return scored(base, settings)


def wellbeing_cut(
    con: duckdb.DuckDBPyConnection,
    period: str | Period,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    department: str | None = None,
) -> pd.DataFrame:
    """The wellbeing rows of the scorecard: the one way to show employee answers.

    Cuts are the scorecard's own (period x organisation/department/team) so k and
    complementary suppression always hold; there is no channel or other poll cut.
    """
    frame = indicator_values(con, period, settings, start=start, end=end, department=department)
    return frame[frame["indicator"].isin(PRIVATE_INDICATORS)].reset_index(drop=True)


def area_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Per period, scope and area: mean attainment (0..100) of its indicators with a value.

    One row per area for every (period, scope) in the frame; score NaN when none of the
    area's indicators has a value. Suppressed indicators have no value, so they never enter.
    """
    keys = ["period_start", "scope", "scope_id"]
    if frame.empty:
        return pd.DataFrame(columns=[*keys, "area", "score"])
    area_of = {i: by_id(i).area for i in frame["indicator"].unique()}  # KeyError if unknown
    areas = frame.assign(area=frame["indicator"].map(area_of))
    scores = (
        areas.groupby([*keys, "area"], sort=False)["attainment"]
        .mean()
        .rename("score")
        .reset_index()
    )
    grid = frame[keys].drop_duplicates().merge(pd.DataFrame({"area": list(AREAS)}), how="cross")
    out = grid.merge(scores, on=[*keys, "area"], how="left")
    out["_area"] = out["area"].map({a: pos for pos, a in enumerate(AREAS)})
    out["_scope"] = out["scope"].map(_SCOPE_ORDER)
    out = out.sort_values(["period_start", "_scope", "scope_id", "_area"], kind="stable")
    return out.drop(columns=["_area", "_scope"]).reset_index(drop=True)


def culture_index(frame: pd.DataFrame) -> pd.DataFrame:
    """Per period and scope: the service-culture index = mean of the area scores with a value.

    Accepts the indicator frame (from indicator_values) or an area frame (from area_scores).
    Columns: period_start, scope, scope_id, index (0..100, NaN when no area has a score),
    areas (how many areas have a score).
    """
    areas = frame if "score" in frame.columns else area_scores(frame)
    keys = ["period_start", "scope", "scope_id"]
    if areas.empty:
        return pd.DataFrame(columns=[*keys, "index", "areas"])
    out = (
        areas.groupby(keys, sort=False)["score"]
        .agg(["mean", "count"])
        .rename(columns={"mean": "index", "count": "areas"})
        .reset_index()
    )
    return out
