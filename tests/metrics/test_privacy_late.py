"""Late responses: the figures before and after a late poll load are both published, and the
suppression of the pulse holds for both (real loads through ingest, audited together)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from database.db import read_connection
from database.settings import Settings
from ingest.load import load_file
from metrics.export import export_csv
from tests.metrics.privacy_audit import Figure, Org, figures, leaks, read_export, silent_teams

HEADER = "response_id,submitted_at,team,enps,burnout\n"
TEAMS = "team,department,headcount\nAlpha,Ops,8\nBeta,Ops,4\nGamma,Ops,9\nSolo,,6\n"
ORG = Org({"Alpha": ("Ops", 8), "Beta": ("Ops", 4), "Gamma": ("Ops", 9), "Solo": (None, 6)})
JAN = date(2026, 1, 1)


def _polls(team: str, count: int, first: int, day: str = "2026-01-13") -> str:
    return "".join(
        f"{team}{first + i},{day} 10:{i:02d},{team},{(first + i) % 11},{1 + i % 5}\n"
        for i in range(count)
    )


def _state(db_path: Path, settings: Settings, loads: tuple[int, ...]) -> list[Figure]:
    out: list[Figure] = []
    with read_connection(db_path) as con:
        for period in ("week", "month", "quarter"):
            export = read_export(export_csv(con, period, settings))
            out += figures(export, period, ORG, [JAN], loads, f"loads {loads}")
            if period == "month":
                out += silent_teams(export, ORG, [JAN], loads, f"loads {loads}")
    return out


def _enps(db_path: Path, settings: Settings, team: str) -> tuple[str, str, str]:
    with read_connection(db_path) as con:
        export = read_export(export_csv(con, "month", settings))
    row = export[(export["scope_id"] == team) & (export["indicator"] == "wellbeing.enps")]
    return tuple(row[["value", "n", "status"]].iloc[0])  # type: ignore[return-value]


def test_suppression_holds_before_and_after_a_late_load(
    tmp_path: Path, db_path: Path, settings: Settings
) -> None:
    (tmp_path / "teams.csv").write_text(TEAMS)
    load_file(db_path, "teams", tmp_path / "teams.csv", settings=settings)
    # January: Alpha 6, Beta 2 (hidden), Gamma 7, Solo 5.
    (tmp_path / "jan.csv").write_text(
        HEADER
        + _polls("Alpha", 6, 0)
        + _polls("Beta", 2, 0)
        + _polls("Gamma", 7, 0)
        + _polls("Solo", 5, 0)
    )
    load_file(db_path, "polls", tmp_path / "jan.csv", settings=settings)
    before = _state(db_path, settings, (0,))
    assert _enps(db_path, settings, "Beta")[2] == "suppressed"
    # Late into January: Beta +2 (4, still hidden), Alpha +1, Solo +1.
    (tmp_path / "late.csv").write_text(
        HEADER
        + _polls("Beta", 2, 10, "2026-01-27")
        + _polls("Alpha", 1, 10, "2026-01-27")
        + _polls("Solo", 1, 10, "2026-01-27")
    )
    report = load_file(db_path, "polls", tmp_path / "late.csv", settings=settings)
    assert report.late_pulses == ["2026-01"]
    after = _state(db_path, settings, (0, 1))
    assert _enps(db_path, settings, "Beta") == ("", "", "suppressed")
    hidden = [f for f in before + after if f.suppressed]
    assert {f.where.split()[-1] for f in hidden} >= {"'Beta'", "'Alpha'"}
    # No hidden figure of either state is a combination of the figures of both states.
    assert leaks(before + after) == []


def test_the_late_responses_of_a_visible_team_show_as_a_difference(
    tmp_path: Path, db_path: Path, settings: Settings
) -> None:
    # The documented residual risk (docs/metrics.md, Privacy): a team visible before and after
    # a late load shows the late responses' count (and their sum) as the difference.
    (tmp_path / "teams.csv").write_text("team,department,headcount\nSolo,,9\n")
    load_file(db_path, "teams", tmp_path / "teams.csv", settings=settings)
    (tmp_path / "jan.csv").write_text(HEADER + _polls("Solo", 6, 0))
    load_file(db_path, "polls", tmp_path / "jan.csv", settings=settings)
    value_before, n_before, _ = _enps(db_path, settings, "Solo")
    (tmp_path / "late.csv").write_text(HEADER + _polls("Solo", 1, 20, "2026-01-27"))
    load_file(db_path, "polls", tmp_path / "late.csv", settings=settings)
    value_after, n_after, _ = _enps(db_path, settings, "Solo")
    # Before: answers 0..5 -> 6 detractors of 6 = -100. The late one answered 9 (20 % 11):
    # a promoter; after: (1 - 6) / 7.
    assert (float(value_before), int(n_before)) == (-100.0, 6)
    assert (float(value_after), int(n_after)) == (100 * (1 - 6) / 7, 7)
    # value x n after minus before, / 100: exactly the late answer (+1 promoter).
    assert round((float(value_after) * 7 - float(value_before) * 6) / 100, 9) == 1.0
