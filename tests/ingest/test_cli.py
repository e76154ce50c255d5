"""The `scorecard` command as a user runs it: exit codes, reports, the demo round trip."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from database.db import read_connection

ROOT = Path(__file__).resolve().parents[2]
SCORECARD = [sys.executable, "-m", "cli"]


def scorecard(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SCORECARD, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    result = scorecard("demo", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "sample data loaded" in result.stdout
    return db


def test_demo_round_trips_the_valid_rows(demo_db: Path) -> None:
    manifest = json.loads((ROOT / "sample_data" / "manifest.json").read_text())
    files = manifest["files"]
    with read_connection(demo_db) as con:
        count = lambda t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
        assert count("tickets") == files["tickets.csv"]["valid_rows"]
        assert count("poll_responses") == files["employee_polls.csv"]["valid_rows"]
        assert count("survey_responses") == (
            files["surveys.csv"]["valid_rows"] + files["tickets.csv"]["ticket_csat_responses"]
        )
        assert count("teams") == files["teams.csv"]["valid_rows"]
        # Every invalid row the generator planted is quarantined on its own line and column.
        for load_id, name in ((2, "tickets.csv"), (3, "surveys.csv"), (4, "employee_polls.csv")):
            got = con.execute(
                "SELECT line, column_name FROM rejected_rows WHERE load_id = ? ORDER BY line",
                [load_id],
            ).fetchall()
            want = [(bad["line"], bad["column"]) for bad in files[name]["invalid"]]
            assert got == want, name


def test_ingest_prints_a_report_and_exits_zero_with_rejects(tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("ticket_id,team,created_at\nT1,A,2025-01-01\nT2,A,yesterday\n")
    result = scorecard("ingest", "tickets", str(data), "--db", str(tmp_path / "x.duckdb"))
    assert result.returncode == 0
    assert "read 2  loaded 1  replaced 0  rejected 1" in result.stdout
    assert "scorecard rejected --load 1" in result.stdout
    listed = scorecard("rejected", "--load", "1", "--db", str(tmp_path / "x.duckdb"))
    assert listed.stdout.splitlines()[1].startswith("1,t.csv,3,created_at,yesterday,")


def test_refused_file_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    good = tmp_path / "good.csv"
    good.write_text("ticket_id,team,created_at\nT1,A,2025-01-01\n")
    assert scorecard("ingest", "tickets", str(good), "--db", str(db)).returncode == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for args in (
        ("ingest", "tickets", str(empty), "--db", str(db)),
        ("ingest", "tickets", str(tmp_path / "missing.csv"), "--db", str(db)),
        ("ingest", "tickets", str(good), "--mapping", "nope", "--db", str(db)),
    ):
        result = scorecard(*args)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("refused:"), result.stderr
    # Nothing already loaded was lost.
    with read_connection(db) as con:
        assert con.execute("SELECT ticket_id FROM tickets").fetchall() == [("T1",)]


def test_db_from_environment(tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("ticket_id,team,created_at\nT1,A,2025-01-01\n")
    db = tmp_path / "env.duckdb"
    result = scorecard("ingest", "tickets", str(data), env={"SCORECARD_DB": str(db)})
    assert result.returncode == 0 and db.exists()


def test_mappings_are_listed() -> None:
    result = scorecard("mappings")
    assert result.returncode == 0
    assert "zendesk_tickets" in result.stdout and "qualtrics_legacy" in result.stdout


def test_a_load_that_loads_nothing_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("ticket_id,team,created_at\nT1,,2025-03-01\nT2,Alpha,yesterday\n")
    db = tmp_path / "s.duckdb"

    assert main(["ingest", "tickets", str(path), "--db", str(db)]) == 1

    err = capsys.readouterr().err
    assert "nothing loaded: every row of bad.csv was rejected" in err


def test_rejected_rows_neutralise_formula_cells(tmp_path: Path) -> None:
    # The file's name and the raw values are the uploader's text: a spreadsheet must not run them.
    data = tmp_path / "=evil.csv"
    data.write_text(
        "ticket_id,team,created_at,priority,reopens\n"
        'T1,A,2026-01-05 10:00,"=HYPERLINK(""http://x"")",0\n'
        "T2,A,2026-01-05 10:00,-Ops,0\n"
        "T3,A,2026-01-05 10:00,@sum,0\n"
        "T4,A,2026-01-05 10:00,+x,0\n"
        "T5,A,2026-01-05 10:00,normal,-1\n"
        "T6,A,2026-01-05 10:00,normal,0\n"
    )
    db = str(tmp_path / "x.duckdb")
    assert scorecard("ingest", "tickets", str(data), "--db", db).returncode == 0
    listed = scorecard("rejected", "--db", db)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["line"], r["value"]) for r in rows] == [
        ("2", '\'=HYPERLINK("http://x")'),
        ("3", "'-Ops"),
        ("4", "'@sum"),
        ("5", "'+x"),
        ("6", "'-1"),  # text from the file, however numeric it looks
    ]
    assert {r["file_name"] for r in rows} == {"'=evil.csv"}
    assert {r["load_id"] for r in rows} == {"1"}  # numbers stay as they are


def test_the_report_counts_blank_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"ticket_id,team,created_at\nT1,A,2025-03-01 09:00\n,,\n,,\n")
    db = tmp_path / "s.duckdb"

    assert main(["ingest", "tickets", str(path), "--db", str(db)]) == 0

    out = capsys.readouterr().out
    assert "  read 3  loaded 1  replaced 0  rejected 0\n" in out
    assert "  note: 2 blank rows (every cell empty) skipped, not rejected\n" in out
