"""The service-profit chain: do teams whose people feel well have happier customers?

Per team and period, wellbeing (favourable %, eNPS) beside customer outcomes (CSAT %, NPS) in
the same period and in the next one (wellbeing in t vs customers in t+1). Pearson r across
teams and per team over time, each with its n (pairs with both values), over values the
scorecard shows: a suppressed wellbeing figure is missing here too.
"""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd

from database.settings import Settings
from metrics.periods import Period, as_period
from metrics.scorecard import indicator_values

WELLBEING = {"wellbeing.favourable_pct": "favourable_pct", "wellbeing.enps": "enps"}
CUSTOMER = {"loyalty.csat_pct": "csat_pct", "loyalty.nps": "nps"}
MIN_PAIRS = 3  # r over fewer than 3 points is always +-1 or undefined: reported as missing

TEAM_COLUMNS = [
    "period_start",
    "team",
    "department",
    "favourable_pct",
    "enps",
    "csat_pct",
    "nps",
    "next_csat_pct",
    "next_nps",
]
CORRELATION_COLUMNS = ["basis", "period_start", "team", "wellbeing", "customer", "lag", "r", "n"]


def pearson(xs: pd.Series, ys: pd.Series) -> tuple[float, int]:
    """Pearson r over the pairs where both are present, and the number of such pairs."""
    both = pd.DataFrame({"x": xs, "y": ys}).dropna()
    n = len(both)
    if n < MIN_PAIRS:
        return float("nan"), n
    dx = both["x"] - both["x"].mean()
    dy = both["y"] - both["y"].mean()
    denominator = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    if denominator == 0:
        return float("nan"), n
    return float((dx * dy).sum()) / denominator, n


def chain_by_team(frame: pd.DataFrame, period: str | Period) -> pd.DataFrame:
    """Per team and period: wellbeing and customer values, plus customer values one period on."""
    wanted = {**WELLBEING, **CUSTOMER}
    teams = frame[(frame["scope"] == "team") & frame["indicator"].isin(list(wanted))]
    wide = (
        teams.assign(column=teams["indicator"].map(wanted))
        .pivot(index=["period_start", "scope_id", "parent"], columns="column", values="value")
        .reindex(columns=list(wanted.values()))
        .reset_index()
        .rename(columns={"scope_id": "team", "parent": "department"})
    )
    wide.columns.name = None
    nxt = wide[["period_start", "team", *CUSTOMER.values()]].rename(
        columns={c: f"next_{c}" for c in CUSTOMER.values()}
    )
    # Line the next period's customer values up with the period before it.
    earlier = pd.to_datetime(nxt["period_start"]) - as_period(period).step
    nxt = nxt.assign(period_start=earlier.dt.date)
    out = wide.merge(nxt, on=["period_start", "team"], how="left")
    out["department"] = out["department"].replace("", None)
    return out.sort_values(["period_start", "team"]).reset_index(drop=True)[TEAM_COLUMNS]


def chain_correlations(by_team: pd.DataFrame) -> pd.DataFrame:
    """Pearson r and n for each wellbeing x customer pair and lag (0: same period, 1: next).

    basis 'all': every team-period is a point; 'period': across teams within one period;
    'team': one team over time.
    """
    rows = []
    slices: list[tuple[str, object, object, pd.DataFrame]] = [("all", None, None, by_team)]
    slices += [("period", p, None, g) for p, g in by_team.groupby("period_start", sort=True)]
    slices += [("team", None, t, g) for t, g in by_team.groupby("team", sort=True)]
    for basis, period_start, team, data in slices:
        for w in WELLBEING.values():
            for c in CUSTOMER.values():
                for lag, column in ((0, c), (1, f"next_{c}")):
                    r, n = pearson(data[w], data[column])
                    rows.append([basis, period_start, team, w, c, lag, r, n])
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS)


def service_profit_chain(
    con: duckdb.DuckDBPyConnection,
    period: str | Period,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    department: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-team frame TEAM_COLUMNS, correlations CORRELATION_COLUMNS), privacy applied."""
    frame = indicator_values(con, period, settings)
    by_team = chain_by_team(frame, period)
    if start is not None:
        by_team = by_team[by_team["period_start"] >= start]
    if end is not None:
        by_team = by_team[by_team["period_start"] <= end]
    if department is not None:
        by_team = by_team[by_team["department"] == department]
    by_team = by_team.reset_index(drop=True)
    return by_team, chain_correlations(by_team)
