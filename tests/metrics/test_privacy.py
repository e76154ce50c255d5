"""Privacy of employee answers: k by respondents, complementary suppression, no leaks."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from database.schema import ensure_schema
from database.settings import SettingsError, load_settings
from metrics.chain import service_profit_chain
from metrics.compute import raw_values
from metrics.export import export_csv
from metrics.privacy import protect
from metrics.scorecard import area_scores, culture_index, indicator_values
from tests.metrics.helpers import add_polls, add_teams, add_tickets, cell, with_settings

AT = "2026-01-07 12:00"


def enps_polls(team: str, *answers: int, at: str = AT) -> list[dict[str, object]]:
    return [{"team": team, "submitted_at": at, "enps": a} for a in answers]


def statuses(frame: pd.DataFrame, indicator: str = "wellbeing.enps") -> dict[str, str]:
    rows = frame[frame["indicator"] == indicator]
    keys = rows["scope"] + ":" + rows["scope_id"]
    return dict(zip(keys, rows["status"], strict=True))


def test_below_k_respondents_is_suppressed_and_at_k_is_shown(con, settings) -> None:
    add_teams(con, ("A", None, None), ("B", None, None))
    add_polls(con, *enps_polls("A", 9, 9, 9, 9), *enps_polls("B", 9, 9, 9, 9, 9))
    frame = indicator_values(con, "month", settings)
    a = cell(frame, "wellbeing.enps", "team", "A")
    assert a["status"] == "suppressed" and math.isnan(a["value"]) and a["n"] is pd.NA
    b = cell(frame, "wellbeing.enps", "team", "B")
    # B has exactly k = 5 but is the only visible sibling of a hidden team: see the
    # complementary tests; here the org family is A (4) and B (5): 4 < k hides B too.
    assert b["status"] == "suppressed"
    assert cell(frame, "wellbeing.enps")["value"] == 100.0  # org: 9 respondents


def test_k_comes_from_settings(con, settings) -> None:
    add_polls(con, *enps_polls("A", 10, 10, 0))
    assert cell(indicator_values(con, "month", settings), "wellbeing.enps")["status"] == (
        "suppressed"
    )
    k3 = with_settings(settings, privacy={"k": 3})
    row = cell(indicator_values(con, "month", k3), "wellbeing.enps")
    assert (row["value"], row["n"], row["status"]) == (100 / 3, 3, "green")


def test_k_below_three_is_rejected(db_path: Path, settings) -> None:
    db_path.with_name("scorecard.settings.toml").write_text("[privacy]\nk = 2\n")
    with pytest.raises(SettingsError, match="k"):
        load_settings(db_path)
    with pytest.raises(ValueError, match="below the minimum"):
        protect(pd.DataFrame(columns=["indicator", "period_start", "respondents"]), 2)


def test_respondents_not_answers(con, settings) -> None:
    items = ("wellbeing", "workload", "recognition", "manager_support", "enablement")
    # Two people answering all five items: 10 answers, still 2 respondents < k.
    add_polls(con, *({"submitted_at": AT, **dict.fromkeys(items, 5)} for _ in range(2)))
    row = cell(indicator_values(con, "month", settings), "wellbeing.favourable_pct")
    assert row["status"] == "suppressed" and math.isnan(row["value"])
    # Five people answering one item each: 5 answers, 5 respondents = k: shown.
    add_polls(con, *({"team": "B", "submitted_at": "2026-02-03", "workload": 4} for _ in range(5)))
    row = cell(
        indicator_values(con, "month", settings),
        "wellbeing.favourable_pct",
        period_start="2026-02-01",
    )
    assert (row["value"], row["n"], row["status"]) == (100.0, 5, "green")


def test_no_respondents_is_grey_with_n_zero(con, settings) -> None:
    add_tickets(con, {"created_at": AT})
    frame = indicator_values(con, "month", settings)
    for indicator in frame.loc[frame["area"] == "wellbeing", "indicator"].unique():
        row = cell(frame, indicator)
        assert (row["n"], row["status"]) == (0, "grey") and math.isnan(row["value"])


def _three_team_department(con, a: list[int], b: list[int]) -> None:
    # Department D: team A (2 respondents, below k), B (6) and C (7).
    add_teams(con, ("A", "D", None), ("B", "D", None), ("C", "D", None))
    add_polls(con, *enps_polls("A", *a), *enps_polls("B", *b), *enps_polls("C", *[5] * 7))


def test_complementary_suppression_hides_the_smallest_visible_sibling(con, settings) -> None:
    _three_team_department(con, [10, 10], [0] * 6)
    frame = indicator_values(con, "month", settings)
    assert statuses(frame) == {
        "org:": "red",
        "department:D": "red",
        "team:A": "suppressed",  # 2 < k
        "team:B": "suppressed",  # complementary: A alone holds 2 < k; B (6) < C (7)
        "team:C": "red",
    }
    # The reason goes with the row: A is small itself, B (6 >= k) only protects A.
    enps = frame[frame["indicator"] == "wellbeing.enps"].set_index("scope_id")
    assert enps.loc["A", "suppressed_because"] == "fewer_than_k"
    assert enps.loc["B", "suppressed_because"] == "protects_another"
    assert enps["suppressed_because"].isna().sum() == 3  # org, D and C: shown, no reason


def test_differencing_attack_recovers_nothing(tmp_path: Path, settings) -> None:
    """A department of three teams, one below k: the export cannot reveal the small team.

    World 1: A answers 10, 10 (eNPS +100); world 2: A answers 0, 0 (eNPS -100), with B's
    answers swapped so the department total is the same. Every exported figure (team,
    department and org values and n's) is identical in both worlds, so no combination of
    them can tell A's value.
    """
    exports, raws = [], []
    for name, a, b in (("one", [10, 10], [0] * 6), ("two", [0, 0], [10, 10, 0, 0, 0, 0])):
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        ensure_schema(con)
        _three_team_department(con, a, b)
        exports.append(export_csv(con, "month", settings))
        raws.append(raw_values(con, "month", settings))
        con.close()
    assert exports[0] == exports[1]
    assert ",team,A,wellbeing.enps,,,suppressed" in exports[0]

    # Without complementary suppression the attack would work: department minus the
    # visible teams gives A exactly (net promoters = value x n / 100 are additive).
    raw = raws[0][raws[0]["indicator"] == "wellbeing.enps"].set_index("scope_id")
    net = raw["value"] * raw["n"] / 100
    recovered = (net["D"] - net["B"] - net["C"]) / (
        raw.at["D", "n"] - raw.at["B", "n"] - raw.at["C", "n"]
    )
    assert recovered * 100 == pytest.approx(100.0)  # A's true eNPS in world one


def test_org_family_departments_and_teams_without_department(con, settings) -> None:
    # Organisation's children: department D (X 6 + Y 8 = 14), and teams L (2), M (6) that
    # have no department.
    add_teams(con, ("X", "D", None), ("Y", "D", None), ("L", None, None), ("M", None, None))
    add_polls(
        con,
        *enps_polls("X", *[9] * 6),
        *enps_polls("Y", *[9] * 8),
        *enps_polls("L", 9, 9),
        *enps_polls("M", *[9] * 6),
    )
    assert statuses(indicator_values(con, "month", settings)) == {
        "org:": "green",
        "department:D": "green",
        "team:L": "suppressed",  # 2 < k
        "team:M": "suppressed",  # smallest visible child of the org (6 < D's 14)
        "team:X": "green",
        "team:Y": "green",
    }


def test_ties_are_broken_by_name(con, settings) -> None:
    add_teams(con, ("A", "D", None), ("C", "D", None), ("B", "D", None))
    add_polls(con, *enps_polls("A", 9), *enps_polls("C", *[9] * 6), *enps_polls("B", *[9] * 6))
    result = statuses(indicator_values(con, "month", settings))
    assert (result["team:B"], result["team:C"]) == ("suppressed", "green")


def test_hidden_department_is_not_recoverable_from_its_teams(tmp_path: Path, settings) -> None:
    # Org children: team L (2, no department), D2 (only team X, 6), D3 (P 10 + Q 10).
    # L is hidden; D2 (6) is hidden to protect it; but D2 = X, so X must be hidden too,
    # else org - D3 - X = L.
    exports = []
    for name, l_answers, x_answers in (
        ("one", [10, 10], [0] * 6),
        ("two", [0, 0], [10, 10, 0, 0, 0, 0]),
    ):
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        ensure_schema(con)
        add_teams(con, ("L", None, None), ("X", "D2", None), ("P", "D3", None), ("Q", "D3", None))
        add_polls(
            con,
            *enps_polls("L", *l_answers),
            *enps_polls("X", *x_answers),
            *enps_polls("P", *[9] * 10),
            *enps_polls("Q", *[9] * 10),
        )
        frame = indicator_values(con, "month", settings)
        exports.append(export_csv(con, "month", settings))
        con.close()
    result = statuses(frame)
    assert result["team:L"] == result["department:D2"] == result["team:X"] == "suppressed"
    assert result["department:D3"] == result["team:P"] == result["team:Q"] == "green"
    assert exports[0] == exports[1]


def test_suppressed_values_do_not_leak_into_scores_change_or_chain(con, settings) -> None:
    add_teams(con, ("A", "D", None), ("B", "D", None))
    # January: A has 4 respondents (hidden), B 6 (hidden as complement). February: 6 and 6.
    add_polls(
        con,
        *[{"team": "A", "submitted_at": AT, "enps": 0, "wellbeing": 1} for _ in range(4)],
        *[{"team": "B", "submitted_at": AT, "enps": 10, "wellbeing": 5} for _ in range(6)],
        *[
            {"team": t, "submitted_at": "2026-02-04", "enps": 10, "wellbeing": 5}
            for t in "AB"
            for _ in range(6)
        ],
    )
    frame = indicator_values(con, "month", settings)
    jan = frame[(frame["scope_id"] == "A") & (frame["period_start"].astype(str) == "2026-01-01")]
    assert set(jan.loc[jan["area"] == "wellbeing", "status"]) <= {"suppressed", "grey"}
    assert jan.loc[jan["area"] == "wellbeing", "attainment"].isna().all()
    areas = area_scores(frame)
    a_jan = areas[(areas["scope_id"] == "A") & (areas["period_start"].astype(str) == "2026-01-01")]
    assert math.isnan(a_jan.set_index("area").at["wellbeing", "score"])
    index = culture_index(frame)
    a_idx = index[(index["scope_id"] == "A") & (index["period_start"].astype(str) == "2026-01-01")]
    assert a_idx["areas"].iloc[0] == 0 and math.isnan(a_idx["index"].iloc[0])
    feb = cell(frame, "wellbeing.enps", "team", "A", "2026-02-01")
    assert feb["value"] == 100.0
    assert math.isnan(feb["previous_value"]) and math.isnan(feb["change"])
    by_team, correlations = service_profit_chain(con, "month", settings)
    a_chain = by_team[
        (by_team["team"] == "A") & (by_team["period_start"].astype(str) == "2026-01-01")
    ]
    assert a_chain[["favourable_pct", "enps"]].isna().all(axis=None)
