"""Loads in other processes: a load killed with SIGKILL leaves the old database intact, and a
reader querying in a loop during a large load sees only the data before or after it.

Real processes, a real large CSV, the real CLI. No wall-clock assertions: the tests wait for
what they need to see (a temp file, a size), with bounded loops.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ingest.load import load_file
from tests.ingest.helpers import ROOT, query, scalar, write_big_tickets

BIG_ROWS = 600_000
SMALL = (
    "ticket_id,team,created_at,priority,agent\n"
    "S1,Alpha,2025-01-06 09:00,high,Ann\n"
    "S2,Alpha,2025-01-06 10:00,low,Bob\n"
    "S3,Beta,2025-01-07 11:00,urgent,Cy\n"
)
SNAPSHOT = "SELECT ticket_id, team, created_at, priority, agent FROM tickets ORDER BY ticket_id"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("SCORECARD_DB", "SCORECARD_DEBUG"):
        env.pop(name, None)
    return env


def _ingest_process(db_path: Path, csv_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", "tickets", str(csv_path), "--db",
         str(db_path)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _temp_files(db_path: Path) -> list[Path]:
    return sorted(db_path.parent.glob(f".{db_path.name}.*.loading*"))


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_big_tickets(tmp_path_factory.mktemp("big") / "big.csv", BIG_ROWS)


@pytest.fixture
def small_db(tmp_path: Path, db_path: Path) -> Iterator[Path]:
    (tmp_path / "small.csv").write_text(SMALL)
    load_file(db_path, "tickets", tmp_path / "small.csv")
    yield db_path


# --- (a) a load killed in the middle ---------------------------------------------------------


def _wait_then_kill(proc: subprocess.Popen[bytes], db_path: Path, phase: str) -> None:
    """SIGKILL the load once it is in the given phase; fail if it ends first."""
    live_size = db_path.stat().st_size
    for _ in range(1_000_000):  # bounded; each pass sleeps 5 ms
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the load ended before the {phase} phase was seen: {out!r} {err!r}")
        temps = [p for p in _temp_files(db_path) if p.name.endswith(".loading")]
        if temps:
            if phase == "copy made":
                break
            # "writing": the private copy has grown past the live file, so DuckDB is writing
            # the new rows into it.
            try:
                if temps[0].stat().st_size > live_size:
                    break
            except FileNotFoundError:
                pass
        time.sleep(0.005)
    else:
        pytest.fail("gave up waiting")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("phase", ["copy made", "writing"])
def test_a_killed_load_leaves_the_old_data_readable(
    tmp_path: Path, small_db: Path, big_csv: Path, phase: str
) -> None:
    before = query(small_db, SNAPSHOT)
    assert len(before) == 3

    _wait_then_kill(_ingest_process(small_db, big_csv), small_db, phase)

    # The live file is the old one, whole: same rows, same load log, no trace of the big load.
    assert query(small_db, SNAPSHOT) == before
    assert query(small_db, "SELECT load_id, file_name, outcome FROM loads") == [
        (1, "small.csv", "loaded")
    ]
    assert scalar(small_db, "SELECT count(*) FROM tickets WHERE ticket_id LIKE 'B%'") == 0
    # What is left is a stray temp file beside it (the next writer clears it).
    assert _temp_files(small_db)

    # The lock died with the process: a following load runs and adds to the old data.
    (tmp_path / "more.csv").write_text(
        "ticket_id,team,created_at\nS4,Gamma,2025-01-08 12:00\nS1,Alpha,2025-01-06 09:30\n"
    )
    report = load_file(small_db, "tickets", tmp_path / "more.csv")
    assert (report.load_id, report.rows_loaded, report.rows_replaced) == (2, 2, 1)
    assert _temp_files(small_db) == []
    assert query(small_db, "SELECT ticket_id, created_at FROM tickets ORDER BY 1") == [
        ("S1", datetime(2025, 1, 6, 9, 30)),
        ("S2", datetime(2025, 1, 6, 10, 0)),
        ("S3", datetime(2025, 1, 7, 11, 0)),
        ("S4", datetime(2025, 1, 8, 12, 0)),
    ]


# --- (b) a reader in another process during a large load -------------------------------------

READER = """
import json, sys
from pathlib import Path
from database.db import read_connection

db, ready, stop, out = (Path(a) for a in sys.argv[1:5])
counts, errors, during = [], [], 0
for i in range(1_000_000):  # bounded; the stop file ends it long before
    stopping = stop.exists()
    loading = any(db.parent.glob(f".{db.name}.*.loading"))
    try:
        with read_connection(db) as con:
            counts.append(con.execute("SELECT count(*) FROM tickets").fetchone()[0])
        during += loading
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    if i == 0:
        ready.touch()
    if stopping:
        break
out.write_text(json.dumps({"counts": counts, "errors": errors, "during": during}))
"""


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(1_000_000):  # bounded; each pass sleeps 5 ms
        if path.exists():
            return
        if proc.poll() is not None:
            pytest.fail(f"the reader ended early: {proc.communicate()!r}")
        time.sleep(0.005)
    pytest.fail("gave up waiting for the reader")


@pytest.mark.slow  # a full load of the large file: ~15 s on 2 cores
def test_a_reader_sees_the_data_before_or_after_a_load_never_between(
    tmp_path: Path, small_db: Path, big_csv: Path
) -> None:
    (tmp_path / "reader.py").write_text(READER)
    ready, stop, out = tmp_path / "ready", tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, str(tmp_path / "reader.py"), str(small_db), str(ready), str(stop),
         str(out)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for(ready, reader)
        writer = _ingest_process(small_db, big_csv)
        w_out, w_err = writer.communicate()
    finally:
        stop.touch()
        r_out, r_err = reader.communicate()

    assert writer.returncode == 0, w_err.decode()
    assert f"read {BIG_ROWS:,}  loaded {BIG_ROWS:,}" in w_out.decode()
    assert reader.returncode == 0, r_err.decode()
    seen = json.loads(out.read_text())
    assert seen["errors"] == []
    after = 3 + BIG_ROWS
    assert scalar(small_db, "SELECT count(*) FROM tickets") == after
    counts = seen["counts"]
    # Only the count before and the count after, in that order, never anything in between.
    assert set(counts) == {3, after}
    assert counts[0] == 3 and counts[-1] == after
    assert counts == sorted(counts)
    # And the reader really was reading while the load ran.
    assert seen["during"] > 0
    print(f"reader: {len(counts)} queries, {seen['during']} during the load")
