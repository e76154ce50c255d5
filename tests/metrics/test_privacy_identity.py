"""Issue 8's identity acceptance, end to end: after an HR-style poll load no identity is in any
file the database consists of, and a copy of the database file alone re-identifies nobody."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb

from database.keys import key_path, read_key
from database.schema import RESPONSE_DOMAIN
from ingest.load import load_file

EMPLOYEES = [
    (10026 + i, f"Surname{i} Given{i}", f"E-770{i:02d}", f"given{i}.surname{i}@corp.example")
    for i in range(12)
]
HEADER = "EmpID,Employee_Name,emp_id,response_id,submitted_at,team,PerfScoreID,EmpStatusID,enps\n"


def _poll_file(path: Path) -> None:
    rows = [
        f"{number},{name},{emp},{mail},2026-01-{10 + i % 5} 09:00,Alpha,{1 + i % 5},{5 - i % 5},"
        f"{i % 11}\n"
        for i, (number, name, emp, mail) in enumerate(EMPLOYEES)
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")


def test_no_identity_in_any_database_file_and_the_copy_alone_matches_no_one(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "db" / "scorecard.duckdb"
    db_path.parent.mkdir()
    _poll_file(tmp_path / "hr.csv")
    report = load_file(db_path, "polls", tmp_path / "hr.csv")
    assert report.rows_loaded == len(EMPLOYEES)
    assert {"EmpID", "Employee_Name", "emp_id", "EmpStatusID"} <= set(report.dropped_columns)
    # Every file of the database (the file itself and any write-ahead log), but not the key.
    files = [p for p in db_path.parent.iterdir() if p != key_path(db_path)]
    assert db_path in files
    raw = b"".join(p.read_bytes() for p in files)
    for number, name, emp, mail in EMPLOYEES:
        for secret in (str(number), *name.split(), emp, mail, mail.split("@")[0]):
            assert secret.encode() not in raw, secret
    assert b"corp.example" not in raw
    # The HR codes (1..5) are not kept as poll items.
    with duckdb.connect(str(db_path), read_only=True) as con:
        items = {
            i for (i,) in con.execute("SELECT DISTINCT item FROM poll_extra_answers").fetchall()
        }
        assert items == set()
        columns = {
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'poll_responses'"
            ).fetchall()
        }
        assert not {"PerfScoreID", "EmpStatusID", "perfscoreid", "empstatusid"} & columns

    # The file copied alone: every text it holds is tried as the key, and none at all.
    copy = tmp_path / "stolen" / "scorecard.duckdb"
    copy.parent.mkdir()
    shutil.copy(db_path, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        stored = {r for (r,) in con.execute("SELECT response_id FROM poll_responses").fetchall()}
        texts = {str(v) for (v,) in con.execute("SELECT value FROM meta").fetchall()}
    assert len(stored) == len(EMPLOYEES)
    guesses = {
        hashlib.sha256((key + domain + ident).encode()).hexdigest()[:16]
        for key in texts | {""}
        for domain in (RESPONSE_DOMAIN, "")
        for number, _, emp, mail in EMPLOYEES
        for ident in (str(number), emp, mail)
    }
    assert stored.isdisjoint(guesses)
    # With the key file beside it, the same guesses do match: the check above can fail.
    key = read_key(db_path)
    assert key is not None
    assert stored == {
        hashlib.sha256((key + RESPONSE_DOMAIN + mail).encode()).hexdigest()[:16]
        for _, _, _, mail in EMPLOYEES
    }
