"""Shaping the registry's frames for display: scopes, latest period, movers, gap, ranks.

Pure pandas over what metrics.scorecard returned; no SQL and no streamlit here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from metrics.periods import as_period
from metrics.registry import AREA_INFO, INDICATORS, PRINCIPLES, by_id
from metrics.scorecard import attainment_of


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """period_start as Timestamp and scope_id as text ('' for the organisation)."""
    out = frame.copy()
    if "period_start" in out:
        out["period_start"] = pd.to_datetime(out["period_start"])
    if "scope_id" in out:
        out["scope_id"] = out["scope_id"].fillna("").astype(str)
    return out


def in_scope(
    frame: pd.DataFrame, scope: str, scope_id: str | None, start: date, end: date
) -> pd.DataFrame:
    """Rows of one scope whose period starts within [start's period, end]."""
    sid = scope_id or ""
    mask = (frame["scope"] == scope) & (frame["scope_id"] == sid)
    mask &= frame["period_start"] <= pd.Timestamp(end)
    mask &= frame["period_start"] >= pd.Timestamp(start)
    return frame[mask]


def periods(frame: pd.DataFrame) -> list[pd.Timestamp]:
    """Distinct period starts, oldest first."""
    return sorted(frame["period_start"].dropna().unique())


def latest_and_previous(frame: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The latest period in the frame and the one before it (None when absent)."""
    ps = periods(frame)
    if not ps:
        return None, None
    return ps[-1], (ps[-2] if len(ps) > 1 else None)


def value_column(frame: pd.DataFrame) -> str:
    """Name of the value column of an area-score or index frame."""
    for name in ("score", "index", "culture_index", "value"):
        if name in frame.columns:
            return name
    numeric = [c for c in frame.columns if c not in ("period_start", "scope", "scope_id", "area")]
    return numeric[-1]


def movers(frame: pd.DataFrame, current: pd.Timestamp, limit: int = 8) -> pd.DataFrame:
    """Indicators whose attainment moved most in the current period, better or worse."""
    now = frame[frame["period_start"] == current].dropna(subset=["value", "change"])
    if now.empty:
        return pd.DataFrame(
            columns=["indicator", "label", "area", "previous_value", "value", "change", "moved"]
        )
    rows = []
    for row in now.itertuples(index=False):
        ind = by_id(row.indicator)
        previous = row.previous_value
        target = row.target
        if target is None or pd.isna(target) or pd.isna(previous):
            continue
        before = attainment_of(previous, target, ind.better)
        after = attainment_of(row.value, target, ind.better)
        rows.append(
            {
                "indicator": row.indicator,
                "label": ind.label,
                "area": AREA_INFO[ind.area].label,
                "unit": ind.unit_label,
                "previous_value": previous,
                "value": row.value,
                "change": row.change,
                "moved": after - before,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out = out[out["moved"].abs() > 1e-9]
    return out.reindex(out["moved"].abs().sort_values(ascending=False).index).head(limit)


def service_gap(frame: pd.DataFrame, period: pd.Timestamp) -> pd.DataFrame:
    """Per principle: mean attainment of delivered vs perceived indicators, and the gap
    (perceived - delivered)."""
    now = frame[frame["period_start"] == period]
    rows = []
    for area in PRINCIPLES:
        ids = [i for i in INDICATORS if i.area == area]
        by_kind: dict[str, float | None] = {}
        for kind in ("delivered", "perceived"):
            chosen = {i.id for i in ids if i.kind == kind}
            values = now[now["indicator"].isin(chosen)]["attainment"].dropna()
            by_kind[kind] = float(values.mean()) if len(values) else None
        delivered, perceived = by_kind["delivered"], by_kind["perceived"]
        # Perceived minus delivered: below zero, customers feel the service is worse than the
        # operation's own numbers say (the sign people expect of a shortfall).
        gap = None if delivered is None or perceived is None else perceived - delivered
        rows.append(
            {
                "area": area,
                "principle": AREA_INFO[area].label,
                "delivered": delivered,
                "perceived": perceived,
                "gap": gap,
            }
        )
    return pd.DataFrame(rows)


def rank_scopes(
    index_frame: pd.DataFrame, period: pd.Timestamp, scope: str, ids: list[str]
) -> pd.DataFrame:
    """Teams (or departments) ordered by culture index in a period: id, index, rank (1 = best)."""
    col = value_column(index_frame)
    now = index_frame[
        (index_frame["period_start"] == period)
        & (index_frame["scope"] == scope)
        & (index_frame["scope_id"].isin(ids))
    ][["scope_id", col]].dropna()
    now = now.sort_values([col, "scope_id"], ascending=[False, True]).reset_index(drop=True)
    now["rank"] = now.index + 1
    return now.rename(columns={"scope_id": "id", col: "index"})


def index_areas(
    index_frame: pd.DataFrame, period: pd.Timestamp, scope: str, scope_id: str | None
) -> int | None:
    """How many area scores the index of a scope and period is a mean of (None: no index)."""
    row = index_frame[
        (index_frame["period_start"] == period)
        & (index_frame["scope"] == scope)
        & (index_frame["scope_id"] == (scope_id or ""))
    ]
    if row.empty or "areas" not in row or pd.isna(row["areas"].iloc[0]):
        return None
    return int(row["areas"].iloc[0])


def indicator_ranks(
    frame: pd.DataFrame, period: pd.Timestamp, scope: str, scope_id: str
) -> dict[str, str]:
    """For each indicator, where a team (or department) stands among its peers ('2 of 7')."""
    now = frame[(frame["period_start"] == period) & (frame["scope"] == scope)]
    now = now.dropna(subset=["value"])
    ranks: dict[str, str] = {}
    for indicator, group in now.groupby("indicator"):
        ascending = by_id(str(indicator)).better == "lower"
        ordered = group.sort_values(["value", "scope_id"], ascending=[ascending, True])
        names = ordered["scope_id"].tolist()
        if scope_id in names:
            ranks[str(indicator)] = f"{names.index(scope_id) + 1} of {len(names)}"
    return ranks


def partial_periods(
    period: str, starts: list[pd.Timestamp], span: tuple[date, date] | None
) -> set[pd.Timestamp]:
    """The periods that the data covers only in part (the first and last, usually).

    A 2-day first week or a quarter holding one month is not comparable with a full one.
    """
    if span is None:
        return set()
    lo, hi = span
    shape = as_period(period)
    return {s for s in starts if s.date() < lo or shape.end(s.date()) - timedelta(days=1) > hi}
