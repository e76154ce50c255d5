"""`scorecard export` equals an independent implementation of the changed spec.

tests/metrics/reference_scorecard.py computes every export row (value, n, status) in plain
Python from the stored rows; here it is compared with metrics/export.py at week, month and
quarter on a hand-built fixture and on generated data (sample_data/generate.py with other
seeds, then reshaped: a team without a headcount, a silent team, tickets from an export
without some columns, late poll responses). Values must be exactly equal (same float), n and
status too; a status mismatch on a value sitting exactly on a boundary is reported as such.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date
from pathlib import Path

import pytest

from database.db import read_connection
from database.settings import Settings
from ingest.load import load_file
from metrics.export import stored_export_csv
from tests.metrics.privacy_audit import read_export
from tests.metrics.reference_scorecard import on_boundary, reference_export
from tests.test_sample_data import _generator

PERIODS = ("week", "month", "quarter")


def exported(db_path: Path, unit: str, settings: Settings) -> dict:
    with read_connection(db_path) as con:
        # What `scorecard export` publishes: the scorecard the loads stored.
        frame = read_export(stored_export_csv(con, unit, settings))
    return {
        (date.fromisoformat(p), s, i, ind): (
            float(v) if v else math.nan,
            int(n) if n else None,
            st,
        )
        for p, s, i, ind, v, n, st in frame.itertuples(index=False)
    }


def compare(db_path: Path, unit: str, settings: Settings) -> dict:
    """Assert the export equals the reference; returns the reference rows."""
    with read_connection(db_path) as con:
        expected = reference_export(con, unit, settings)
    got = exported(db_path, unit, settings)
    assert sorted(set(got) - set(expected))[:5] == [], "rows only in the export"
    assert sorted(set(expected) - set(got))[:5] == [], "rows only in the reference"
    problems = []
    for key, (value, n, status) in sorted(expected.items()):
        got_value, got_n, got_status = got[key]
        same_value = (math.isnan(value) and math.isnan(got_value)) or value == got_value
        if not same_value or n != got_n or status != got_status:
            edge = (
                " (value exactly on a status boundary)"
                if (not math.isnan(value) and on_boundary(key[3], value, settings))
                else ""
            )
            problems.append(f"{key}: reference {(value, n, status)} export {got[key]}{edge}")
    assert problems == [], f"{unit}: {len(problems)} rows differ:\n" + "\n".join(problems[:15])
    return expected


# --- a hand-built fixture --------------------------------------------------------------------

TEAMS = """team,department,headcount
Alpha,Ops,6
Beta,Ops,
Gamma,Ops,9
Small,Care,4
Quiet,Care,7
Solo,,5
"""
TICKETS_FULL = """ticket_id,team,created_at,priority,first_response_at,resolved_at,due_at,\
reopens,agent_replies,customer_replies,handle_minutes,customer_id
T1,Alpha,2026-01-05 10:00,urgent,2026-01-05 11:00,2026-01-05 12:00,2026-01-06 10:00,1,1,3,12.5,c1
T2,Alpha,2026-01-10 20:00,high,2026-01-11 01:00,2026-01-12 10:00,2026-01-11 10:00,,2,0,30,c1
T3,Quiet,2026-02-02 09:00,low,,,2026-02-03 09:00,0,,,,c2
T5,Quiet,2026-01-20 09:00,low,,,,0,,,,c2
T4,Solo,2026-03-30 08:00,normal,2026-03-30 16:00,2026-04-02 08:00,2026-04-01 08:00,0,1,1,5,c3
"""
TICKETS_BARE = """ticket_id,team,created_at,due_at,resolved_at
B1,Gamma,2026-01-06 10:00,2026-01-06 12:00,2026-01-06 11:00
B2,Quiet,2026-02-03 11:00,,
"""
SURVEYS = """response_id,submitted_at,team,csat,nps,ces,rating_speed
S1,2026-01-06 10:00,Alpha,5,10,6,4
S2,2026-01-20 10:00,Alpha,2,3,,5
S3,2026-02-06 10:00,Solo,4,,5,
"""


def _poll_rows(rng: random.Random, team: str, day: str, count: int, first: int) -> list[str]:
    out = []
    for i in range(count):
        answers = [rng.choice(["", *map(str, range(11))])]  # enps
        answers += [rng.choice(["", "1", "2", "3", "4", "5"]) for _ in range(6)]
        answers += [str(rng.randint(0, 5)) for _ in range(5)]
        out.append(f"P{first + i},{day} 10:{i:02d},{team}," + ",".join(answers))
    return out


POLL_HEADER = (
    "response_id,submitted_at,team,enps,wellbeing,workload,burnout,recognition,"
    "manager_support,enablement,who5_1,who5_2,who5_3,who5_4,who5_5"
)


@pytest.fixture
def fixture_db(tmp_path: Path, db_path: Path, settings: Settings) -> Path:
    rng = random.Random(7)
    files = {
        "teams": TEAMS,
        "tickets": TICKETS_FULL,
        "tickets_bare": TICKETS_BARE,
        "surveys": SURVEYS,
    }
    polls = [
        # January: Alpha 6, Beta (no headcount) 7, Gamma 8, Small 2 (hidden), Solo 5;
        # Quiet silent (0 %, has a ticket only in February).
        *_poll_rows(rng, "Alpha", "2026-01-13", 6, 100),
        *_poll_rows(rng, "Beta", "2026-01-14", 7, 200),
        *_poll_rows(rng, "Gamma", "2026-01-15", 8, 300),
        *_poll_rows(rng, "Small", "2026-01-16", 2, 400),
        *_poll_rows(rng, "Solo", "2026-01-16", 5, 500),
        # February: Alpha 3 (hidden), Beta 6 (no headcount: never its complement), Gamma 6,
        # Quiet 5, Solo 2 (hidden).
        *_poll_rows(rng, "Alpha", "2026-02-03", 3, 600),
        *_poll_rows(rng, "Beta", "2026-02-03", 6, 650),
        *_poll_rows(rng, "Gamma", "2026-02-04", 6, 700),
        *_poll_rows(rng, "Quiet", "2026-02-05", 5, 800),
        *_poll_rows(rng, "Solo", "2026-02-05", 2, 900),
    ]
    late = [
        # Late into January (Small 2 -> 4, still hidden), and a first April pulse.
        *_poll_rows(rng, "Small", "2026-01-29", 2, 1000),
        *_poll_rows(rng, "Alpha", "2026-04-07", 6, 1100),
    ]
    files["polls"] = "\n".join([POLL_HEADER, *polls]) + "\n"
    files["polls_late"] = "\n".join([POLL_HEADER, *late]) + "\n"
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
        source = name.split("_")[0]
        load_file(db_path, source, tmp_path / f"{name}.csv", settings=settings)
    return db_path


@pytest.mark.parametrize("unit", PERIODS)
def test_export_equals_the_reference_on_a_hand_built_fixture(
    fixture_db: Path, settings: Settings, unit: str
) -> None:
    expected = compare(fixture_db, unit, settings)
    statuses = [status for _, _, status in expected.values()]
    assert "suppressed" in statuses
    # The fixture exercises what the spec changed: a silent team's 0 %, a team without a
    # headcount, tickets without first responses (no SLA figure), n hidden when suppressed.
    if unit == "month":
        jan = date(2026, 1, 1)
        quiet = expected[(jan, "team", "Quiet", "wellbeing.participation_pct")]
        assert quiet == (0.0, 7, "red")
        value, n, status = expected[(jan, "team", "Beta", "wellbeing.participation_pct")]
        assert math.isnan(value) and (n, status) == (0, "grey")
        assert expected[(jan, "team", "Small", "wellbeing.enps")][1:] == (None, "suppressed")
        feb = date(2026, 2, 1)
        assert expected[(feb, "team", "Gamma", "wellbeing.participation_pct")][2] == "suppressed"
        value, n, status = expected[(jan, "team", "Gamma", "speed.first_response_sla_pct")]
        assert math.isnan(value) and (n, status) == (0, "grey")


# --- generated data ----------------------------------------------------------------------------


def _rewrite(path: Path, out: Path, keep_row, drop_columns: tuple[str, ...] = ()) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    header = lines[0]
    keep = [i for i, c in enumerate(header) if c not in drop_columns]
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([header[i] for i in keep])
        for number, line in enumerate(lines[1:]):
            if keep_row(number, line):
                writer.writerow([line[i] for i in keep] if len(line) == len(header) else line)


def generated(folder: Path, db_path: Path, seed: int, settings: Settings) -> Path:
    """Generated data (another seed), reshaped for the spec's changes, loaded for real."""
    _generator().generate(folder, seed=seed, n_tickets=2500)
    teams = (folder / "teams.csv").read_text().splitlines()
    # Returns without a headcount.
    teams = [
        ",".join(line.split(",")[:3] + [""]) if line.startswith("Returns,") else line
        for line in teams
    ]
    (folder / "teams_cut.csv").write_text("\n".join(teams) + "\n")
    _rewrite(folder / "tickets.csv", folder / "tickets_a.csv", lambda i, _: i % 3 != 0)
    # Every third ticket from an export without first responses and reopens.
    _rewrite(
        folder / "tickets.csv",
        folder / "tickets_b.csv",
        lambda i, _: i % 3 == 0,
        ("first_response_at", "reopens"),
    )
    # Integrations silent in the third month; every tenth response arrives late.
    header = (folder / "employee_polls.csv").read_text().splitlines()[0].split(",")
    when, team = header.index("submitted_at"), header.index("team")

    def answered(line: list[str]) -> bool:
        return not (line[team] == "Integrations" and line[when][:7] == "2025-07")

    _rewrite(
        folder / "employee_polls.csv",
        folder / "polls_a.csv",
        lambda i, line: i % 10 != 0 and answered(line),
    )
    _rewrite(
        folder / "employee_polls.csv",
        folder / "polls_b.csv",
        lambda i, line: i % 10 == 0 and answered(line),
    )
    for source, name in (
        ("teams", "teams_cut.csv"),
        ("tickets", "tickets_a.csv"),
        ("tickets", "tickets_b.csv"),
        ("surveys", "surveys.csv"),
        ("polls", "polls_a.csv"),
        ("polls", "polls_b.csv"),
    ):
        load_file(db_path, source, folder / name, settings=settings)
    return db_path


@pytest.fixture(scope="module", params=[101, 202])
def generated_db(request, tmp_path_factory) -> tuple[Path, Settings]:
    from database.settings import default_settings_data, validate_settings

    settings = validate_settings(default_settings_data())
    folder = tmp_path_factory.mktemp(f"gen{request.param}")
    return generated(folder, folder / "scorecard.duckdb", request.param, settings), settings


@pytest.mark.parametrize("unit", PERIODS)
def test_export_equals_the_reference_on_generated_data(generated_db, unit: str) -> None:
    db_path, settings = generated_db
    expected = compare(db_path, unit, settings)
    statuses = [status for _, _, status in expected.values()]
    assert statuses.count("suppressed") > 0
    # Values exactly on a target or tolerance edge (e.g. 75.0 against 75, 2.2 against 2 +
    # 10 %) exist and their statuses agree: both boundaries are inclusive.
    edges = [k for k, (v, _, _) in expected.items() if v == v and on_boundary(k[3], v, settings)]
    assert len(edges) > 10
    assert any(
        key[3] == "wellbeing.participation_pct" and key[2] == "Returns" and n == 0
        for key, (_, n, _) in expected.items()
    )
