"""The privacy auditor on random small organisations, and proof that it can fail.

Each example builds an organisation (teams with and without a department, with and without a
headcount, small and large teams, polls over several months), writes it to a real DuckDB file,
exports at week, month and quarter, and, for late responses, loads a second batch into pulses
that already had responses and exports again: both states are published. The auditor
(tests/metrics/privacy_audit.py) then checks that no suppressed figure of either state is a
linear combination of the published ones.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from database.schema import ensure_schema
from database.settings import Settings, default_settings_data, validate_settings
from metrics.export import export_csv
from tests.metrics.helpers import add_polls, add_teams
from tests.metrics.privacy_audit import (
    Figure,
    Org,
    figures,
    leaks,
    read_export,
    silent_teams,
)

PERIODS = ("week", "month", "quarter")
MONTHS = (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1))
SETTINGS: Settings = validate_settings(default_settings_data())
FAVOURABLE = ("wellbeing", "workload", "recognition", "manager_support", "enablement")


@dataclass(frozen=True)
class Case:
    """A random organisation and its poll responses: counts[load][(team, month)]."""

    org: Org
    months: tuple[date, ...]
    counts: tuple[dict[tuple[str, date], int], ...]
    seed: int


@st.composite
def cases(draw: st.DrawFn, late: bool) -> Case:
    names = [f"T{i}" for i in range(draw(st.integers(2, 5)))]
    teams = {
        name: (
            draw(st.sampled_from([None, "D", "E"])),
            draw(st.sampled_from([None, 3, 8, 20])),
        )
        for name in names
    }
    first = draw(st.integers(0, len(MONTHS) - 1))
    months = MONTHS[first : first + draw(st.integers(1, len(MONTHS) - first))]
    sizes = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9])
    counts = [{(t, m): draw(sizes) for t in names for m in months}]
    if late:
        counts.append(
            {(t, m): draw(st.sampled_from([0, 0, 0, 1, 2, 5])) for t in names for m in months}
        )
    return Case(Org(teams), months, tuple(counts), draw(st.integers(0, 2**32)))


def _answer(rng: random.Random, low: int, high: int) -> int | None:
    return None if rng.random() < 0.15 else rng.randint(low, high)


def _responses(case: Case, load: int, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for (team, month), count in sorted(case.counts[load].items()):
        for _ in range(count):
            at = datetime(month.year, month.month, rng.randint(1, 28), rng.randint(8, 18))
            row: dict[str, object] = {"team": team, "submitted_at": at}
            row["enps"] = _answer(rng, 0, 10)
            row["burnout"] = _answer(rng, 1, 5)
            for item in FAVOURABLE:
                row[item] = _answer(rng, 1, 5)
            skip = rng.random() < 0.2  # some skip one WHO-5 item: out of WHO-5 only
            for i in range(1, 6):
                row[f"who5_{i}"] = None if skip and i == 3 else rng.randint(0, 5)
            rows.append(row)
    return rows


def published(case: Case, folder: Path) -> list[Figure]:
    """Every wellbeing figure of every state of the case, as the product exports it."""
    rng = random.Random(case.seed)
    con = duckdb.connect(str(folder / "audit.duckdb"))
    try:
        ensure_schema(con)
        add_teams(con, *((t, d, h) for t, (d, h) in case.org.teams.items()))
        out: list[Figure] = []
        pulses: set[date] = set()
        for load in range(len(case.counts)):
            rows = _responses(case, load, rng)
            if rows:
                add_polls(con, *rows)
            pulses |= {m for (_, m), c in case.counts[load].items() if c}
            loads = tuple(range(load + 1))
            state = f"after load {load + 1}"
            for period in PERIODS:
                export = read_export(export_csv(con, period, SETTINGS))
                hidden = export[export["status"] == "suppressed"]
                assert (hidden["value"] == "").all() and (hidden["n"] == "").all()
                out += figures(export, period, case.org, pulses, loads, state)
                if period == "month":
                    out += silent_teams(export, case.org, pulses, loads, state)
        return out
    finally:
        con.close()


def _audit(late: bool, examples: int) -> tuple[int, int]:
    """Run the auditor on `examples` random cases; returns (cases run, those with at least
    one suppressed figure), so a test can show the audit was not vacuous."""
    ran, with_hidden = [], []

    @settings(max_examples=examples, deadline=None, database=None)
    @given(case=cases(late=late))
    def check(case: Case) -> None:
        ran.append(1)
        with tempfile.TemporaryDirectory() as folder:
            found = published(case, Path(folder))
        with_hidden.append(any(f.suppressed for f in found))
        assert leaks(found) == []

    check()
    return len(ran), sum(with_hidden)


def test_no_suppressed_figure_is_determined_on_random_organisations() -> None:
    ran, with_hidden = _audit(late=False, examples=140)
    assert ran >= 140 and with_hidden >= ran // 2


def test_suppression_holds_before_and_after_late_responses() -> None:
    ran, with_hidden = _audit(late=True, examples=60)
    assert ran >= 60 and with_hidden >= ran // 2


# --- the auditor can fail ------------------------------------------------------------------


def _cells(team: str, *months: date) -> frozenset:
    return frozenset((team, m, 0) for m in months)


JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def test_auditor_finds_a_month_rebuilt_as_the_quarter_minus_the_others() -> None:
    # The old publication: the quarter pooled over its months, one month hidden.
    hidden = Figure("wellbeing.enps", _cells("A", FEB), True, "A Feb")
    published = [
        Figure("wellbeing.enps", _cells("A", JAN, FEB, MAR), False, "A Q1"),
        Figure("wellbeing.enps", _cells("A", JAN), False, "A Jan"),
        Figure("wellbeing.enps", _cells("A", MAR), False, "A Mar"),
        hidden,
    ]
    assert leaks(published) == [hidden]
    # The same with the quarter showing its latest pulse (March): nothing is determined.
    assert (
        leaks(
            [published[0].__class__("wellbeing.enps", _cells("A", MAR), False, "Q1")]
            + published[1:]
        )
        == []
    )


def test_auditor_finds_a_team_rebuilt_from_its_department_and_siblings() -> None:
    team_a = Figure("wellbeing.burnout_risk_pct", _cells("A", JAN), True, "A")
    team_b = Figure("wellbeing.burnout_risk_pct", _cells("B", JAN), False, "B")
    department = Figure(
        "wellbeing.burnout_risk_pct", _cells("A", JAN) | _cells("B", JAN), False, "D"
    )
    assert leaks([department, team_a, team_b]) == [team_a]
    # With B hidden as its complement, neither A nor B is determined.
    hidden_b = Figure("wellbeing.burnout_risk_pct", _cells("B", JAN), True, "B")
    assert leaks([department, team_a, hidden_b]) == []


def test_auditor_finds_a_figure_rebuilt_from_before_and_after_a_load() -> None:
    before = frozenset({("A", JAN, 0)})
    after = frozenset({("A", JAN, 0), ("A", JAN, 1)})
    late_only = frozenset({("A", JAN, 1)})
    # Before: visible; after: hidden. The late part alone was published elsewhere (a leak).
    shown = [
        Figure("wellbeing.enps", before, False, "before"),
        Figure("wellbeing.enps", late_only, False, "a careless late-only figure"),
        Figure("wellbeing.enps", after, True, "after"),
    ]
    assert [f.where for f in leaks(shown)] == ["after"]
    assert leaks(shown[::2]) == []
