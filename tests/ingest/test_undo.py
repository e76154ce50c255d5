"""Undo the last load: the database, and so the export, exactly as before that load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli.main import main
from database.db import Database

# Replaces ticket 100001 (same key, another team and times) and adds a new one: undo must
# bring back the replaced row too, not only delete the new rows.
MISTAKE = (
    "ticket_id,team,created_at,priority,first_response_at,resolved_at,reopens\n"
    "100001,Billing,2026-10-30 10:00,high,2026-10-30 18:00,2026-11-02 10:00,3\n"
    "UNDO-1,Billing,2026-10-30 11:00,urgent,2026-10-30 15:00,,0\n"
)


def export(db: Path, tmp_path: Path, name: str) -> bytes:
    out = tmp_path / name
    assert main(["export", "--db", str(db), "--period", "week", "--output", str(out)]) == 0
    return out.read_bytes()


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "scorecard.duckdb"
    shutil.copyfile(sample_db, path)
    return path


def test_undo_restores_the_export_byte_for_byte(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = export(db, tmp_path, "before.csv")
    mistake = tmp_path / "mistake.csv"
    mistake.write_text(MISTAKE)
    assert main(["ingest", "tickets", str(mistake), "--db", str(db)]) == 0
    assert export(db, tmp_path, "after.csv") != before
    capsys.readouterr()
    assert main(["undo", "--db", str(db)]) == 0
    assert "mistake.csv" in capsys.readouterr().out
    assert export(db, tmp_path, "undone.csv") == before
    # One step only: a second undo has nothing to take back.
    assert main(["undo", "--db", str(db)]) == 1
    assert "no load to undo" in capsys.readouterr().err


def test_a_refused_file_leaves_the_last_load_undoable(db: Path, tmp_path: Path) -> None:
    before = export(db, tmp_path, "before.csv")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(MISTAKE)
    bad.write_text("no,columns,we,know\n1,2,3,4\n")
    assert main(["ingest", "tickets", str(good), "--db", str(db)]) == 0
    assert main(["ingest", "tickets", str(bad), "--db", str(db)]) != 0
    assert Database(db).can_undo()
    assert main(["undo", "--db", str(db)]) == 0
    assert export(db, tmp_path, "undone.csv") == before


def test_a_first_load_has_nothing_to_undo(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    first = tmp_path / "first.csv"
    first.write_text(MISTAKE)
    assert main(["ingest", "tickets", str(first), "--db", str(db)]) == 0
    assert not Database(db).can_undo()
    assert main(["undo", "--db", str(db)]) == 1


def test_undo_is_audited_and_keeps_the_audit_entries_made_since(db: Path, tmp_path: Path) -> None:
    mistake = tmp_path / "mistake.csv"
    mistake.write_text(MISTAKE)
    assert main(["ingest", "tickets", str(mistake), "--db", str(db)]) == 0
    assert main(["undo", "--db", str(db)]) == 0
    with Database(db).read() as con:
        log = con.execute("SELECT action, detail FROM audit ORDER BY happened_at").fetchall()
    # The load's own entry (written after the file undo swaps back was kept) is not lost.
    assert [a for a, d in log if "mistake.csv" in d] == ["load", "load undone"]
    assert log[-1][1].startswith("load #")
