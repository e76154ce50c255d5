"""The service-profit chain: wellbeing vs customer outcomes per team, same period and lagged."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.chain import chain_correlations, pearson, service_profit_chain
from tests.metrics.helpers import add_polls, add_surveys, add_teams


def test_pearson_by_hand() -> None:
    # x = 1, 2, 3; y = 2, 4, 7: means 2 and 13/3; dx = -1, 0, 1; dy = -7/3, -1/3, 8/3
    # sum dx dy = 7/3 + 8/3 = 5; sum dx^2 = 2; sum dy^2 = (49 + 1 + 64) / 9 = 114/9
    r, n = pearson(pd.Series([1, 2, 3, None]), pd.Series([2, 4, 7, 9]))
    assert n == 3
    assert r == pytest.approx(5 / math.sqrt(2 * 114 / 9))


def test_pearson_needs_three_pairs_and_variance() -> None:
    assert math.isnan(pearson(pd.Series([1, 2]), pd.Series([3, 4]))[0])
    assert math.isnan(pearson(pd.Series([1, 1, 1]), pd.Series([3, 4, 5]))[0])


def _team_month(con, team: str, month: str, favourable: int, csat: list[int]) -> None:
    # Five respondents, each answering `wellbeing`: `favourable` of them 5, the others 1.
    add_polls(
        con,
        *(
            {"team": team, "submitted_at": f"{month}-10", "wellbeing": 5 if i < favourable else 1}
            for i in range(5)
        ),
    )
    add_surveys(con, *({"team": team, "submitted_at": f"{month}-12", "csat": c} for c in csat))


def test_chain_same_period_and_lagged(con, settings) -> None:
    add_teams(con, ("A", None, None), ("B", None, None), ("C", None, None))
    # January favourable %: A 100, B 60, C 20; CSAT % in January: A 100, B 50, C 0.
    _team_month(con, "A", "2026-01", 5, [5, 5])
    _team_month(con, "B", "2026-01", 3, [5, 1])
    _team_month(con, "C", "2026-01", 1, [1, 1])
    # February CSAT only: A 0, B 50, C 100 (the reverse).
    add_surveys(
        con,
        *({"team": "A", "submitted_at": "2026-02-12", "csat": c} for c in (1, 1)),
        *({"team": "B", "submitted_at": "2026-02-12", "csat": c} for c in (5, 1)),
        *({"team": "C", "submitted_at": "2026-02-12", "csat": c} for c in (5, 5)),
    )
    by_team, corr = service_profit_chain(con, "month", settings)
    jan = by_team[by_team["period_start"].astype(str) == "2026-01-01"].set_index("team")
    assert list(jan["favourable_pct"]) == [100.0, 60.0, 20.0]
    assert list(jan["csat_pct"]) == [100.0, 50.0, 0.0]
    assert list(jan["next_csat_pct"]) == [0.0, 50.0, 100.0]
    # favourable 100, 60, 20 vs CSAT 100, 50, 0: exactly linear -> r = 1 over 3 teams
    # (A's and C's 5 respondents each are at k, so nothing is hidden).
    jan_corr = corr[
        (corr["basis"] == "period")
        & (corr["period_start"].astype(str) == "2026-01-01")
        & (corr["wellbeing"] == "favourable_pct")
        & (corr["customer"] == "csat_pct")
    ].set_index("lag")
    assert jan_corr.at[0, "r"] == pytest.approx(1.0) and jan_corr.at[0, "n"] == 3
    assert jan_corr.at[1, "r"] == pytest.approx(-1.0) and jan_corr.at[1, "n"] == 3
    # pooled over all team-periods: February has no wellbeing, so still the 3 January points
    pooled = corr[
        (corr["basis"] == "all")
        & (corr["wellbeing"] == "favourable_pct")
        & (corr["customer"] == "csat_pct")
    ].set_index("lag")
    assert pooled.at[0, "n"] == 3
    # per team over time: one wellbeing point each -> no r
    team_a = corr[(corr["basis"] == "team") & (corr["team"] == "A")]
    assert team_a["r"].isna().all()


def test_correlations_frame_shape() -> None:
    empty = pd.DataFrame(
        columns=[
            "period_start",
            "team",
            "favourable_pct",
            "enps",
            "csat_pct",
            "nps",
            "next_csat_pct",
            "next_nps",
        ]
    )
    corr = chain_correlations(empty)
    assert list(corr.columns) == [
        "basis",
        "period_start",
        "team",
        "wellbeing",
        "customer",
        "lag",
        "r",
        "n",
    ]
    assert len(corr) == 8  # 'all' x 2 wellbeing x 2 customer x 2 lags
