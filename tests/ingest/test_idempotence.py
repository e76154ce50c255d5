"""Load twice = load once; last load wins per key."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from database.db import read_connection
from ingest.load import load_file

HEADER = "ticket_id,team,created_at,priority,reopens,csat,customer_id\n"

ticket_rows = st.lists(
    st.tuples(
        st.sampled_from(["T1", "T2", "T3", "T4"]),  # few ids: duplicates happen
        st.sampled_from(["Alpha", "Beta", ""]),  # "" is a missing team: rejected
        st.sampled_from(["2025-03-03 10:00", "2025-03-04T08:30:00+01:00", "bad"]),
        st.sampled_from(["low", "HIGH", "", "P1"]),
        st.sampled_from(["0", "2", "-1", ""]),
        st.sampled_from(["", "1", "5", "9"]),
        st.sampled_from(["", "c1", "c2"]),
    ),
    min_size=1,
    max_size=12,
)


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every data table, sorted (the load log and each row's load are excluded: they record
    each attempt)."""
    tables = ("teams", "tickets", "survey_responses", "poll_responses", "meta")
    with read_connection(db_path) as con:
        return {
            t: sorted(con.execute(f"SELECT * EXCLUDE (load_id) FROM {t}").fetchall(), key=repr)
            if t not in ("teams", "meta")
            else sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
            for t in tables
        }


def write_csv(path: Path, rows: list[tuple[str, ...]]) -> None:
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=ticket_rows, second=ticket_rows)
def test_load_twice_equals_load_once(first: list, second: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base, a = Path(tmp) / "base.csv", Path(tmp) / "a.csv"
        write_csv(base, first)
        write_csv(a, second)
        once, twice = Path(tmp) / "once.duckdb", Path(tmp) / "twice.duckdb"
        for db in (once, twice):
            load_file(db, "tickets", base)
        load_file(once, "tickets", a)
        load_file(twice, "tickets", a)
        after_first = snapshot(twice)
        load_file(twice, "tickets", a)
        assert snapshot(twice) == after_first
        # The salt differs per database, so compare everything but hashes and meta.
        strip = lambda s: {  # noqa: E731
            k: [tuple(x for x in r if not (isinstance(x, int) and x > 2**40)) for r in v]
            for k, v in s.items()
            if k != "meta"
        }
        assert strip(snapshot(once)) == strip(snapshot(twice))


def test_last_load_wins_per_key(tmp_path: Path, db_path: Path) -> None:
    first, second = tmp_path / "w1.csv", tmp_path / "w2.csv"
    write_csv(first, [("T1", "Alpha", "2025-03-03 10:00", "low", "0", "5", ""),
                      ("T2", "Alpha", "2025-03-03 11:00", "low", "0", "", "")])  # fmt: skip
    write_csv(second, [("T1", "Beta", "2025-03-05 10:00", "high", "1", "", "")])
    load_file(db_path, "tickets", first)
    report = load_file(db_path, "tickets", second)
    assert (report.rows_loaded, report.rows_replaced) == (1, 1)
    with read_connection(db_path) as con:
        assert con.execute(
            "SELECT ticket_id, team, priority, reopens FROM tickets ORDER BY 1"
        ).fetchall() == [("T1", "Beta", "high", 1), ("T2", "Alpha", "low", 0)]
        # T1's csat went away with the newer row, so its survey response went too.
        assert con.execute("SELECT count(*) FROM survey_responses").fetchone() == (0,)


def test_same_file_twice_says_nothing_changed(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, [("T1", "Alpha", "2025-03-03 10:00", "low", "0", "5", "c1")])
    load_file(db_path, "tickets", path)
    again = load_file(db_path, "tickets", path)
    assert again.rows_replaced == 1
    assert any("already loaded (load #1" in note for note in again.notes)
