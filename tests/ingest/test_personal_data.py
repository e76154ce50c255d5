"""No identity stored, ever: keyed hashes with the key beside the database, identity columns
dropped, extra poll items by allow-list, rejected rows without personal values."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import duckdb
import pytest

from database.keys import LEGACY_SALT, key_path, read_key
from database.schema import customer_hash, response_hash
from ingest.load import load_file
from tests.ingest.helpers import query, scalar

HR_POLL = (
    "EmpID,Employee_Name,emp_id,response_id,submitted_at,team,PerfScoreID,EmpStatusID,"
    "enps,wellbeing,item_focus\n"
    "10026,Zimmerman Lauren,E-77001,lauren.zimmerman@corp.example,2025-03-10 09:00,Alpha,4,3,"
    "9,4,5\n"
    "10084,Quinn Margaret,E-77002,margaret.quinn@corp.example,2025-03-10 10:00,Alpha,2,5,"
    "3,2,1\n"
    "10196,Osborne Rick,E-77003,rick.osborne@corp.example,2025-03-11 10:00,Alpha,1,1,"
    "11,2,1\n"  # enps 11: rejected, and must keep no value
)
SECRETS = (
    "10026", "10084", "10196", "Zimmerman", "Lauren", "Quinn", "Osborne",
    "E-77001", "E-77002", "E-77003", "corp.example", "lauren.zimmerman",
)  # fmt: skip


def every_stored_text(db_path: Path) -> str:
    """Every value of every table, as text."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return " ".join(
            str(row) for t in tables for row in con.execute(f'SELECT * FROM "{t}"').fetchall()
        )


def test_no_identity_of_a_poll_file_is_anywhere_in_the_database(
    tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "hr_poll.csv"
    path.write_text(HR_POLL, encoding="utf-8")

    report = load_file(db_path, "polls", path)

    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert report.dropped_columns == ["EmpID", "Employee_Name", "emp_id", "EmpStatusID"]
    assert report.ignored_columns == ["PerfScoreID"]  # HR codes 1..5 are not poll items
    assert report.extra_items == ["focus"]
    stored = every_stored_text(db_path)
    for secret in SECRETS:
        assert secret not in stored
    raw = db_path.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    # The rejected row is explained without any of its values.
    assert query(db_path, "SELECT line, column_name, value FROM rejected_rows") == [
        (4, "enps", None)
    ]
    # What is stored for a response id is its keyed hash.
    key = read_key(db_path)
    assert key is not None
    assert sorted(r for (r,) in query(db_path, "SELECT response_id FROM poll_responses")) == sorted(
        response_hash(key, f"{name}.{first}@corp.example")
        for name, first in (("lauren", "zimmerman"), ("margaret", "quinn"))
    )


def test_an_employee_number_mapped_as_response_id_is_stored_only_hashed(
    tmp_path: Path, db_path: Path
) -> None:
    mapping = tmp_path / "hr.toml"
    mapping.write_text(
        'name = "hr"\nsource = "polls"\n[columns]\nresponse_id = "EmpID"\n'
        '[items]\nfocus = "item_focus"\nperformance = "PerfScoreID"\n',
        encoding="utf-8",
    )
    path = tmp_path / "hr_poll.csv"
    path.write_text(HR_POLL.replace(",response_id,", ",email_id,"), encoding="utf-8")

    report = load_file(db_path, "polls", path, mapping)

    # Declared items are kept; the identity column it reads as response_id is hashed.
    assert report.extra_items == ["focus", "performance"]
    assert "email_id" in report.dropped_columns
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    key = read_key(db_path)
    assert key is not None
    assert sorted(r for (r,) in query(db_path, "SELECT response_id FROM poll_responses")) == sorted(
        [response_hash(key, "10026"), response_hash(key, "10084")]
    )
    for secret in SECRETS:
        assert secret.encode() not in db_path.read_bytes(), secret


def test_a_declared_item_that_looks_like_an_identity_is_dropped(
    tmp_path: Path, db_path: Path
) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'name = "m"\nsource = "polls"\n[items]\nwho = "Employee_Name"\n', encoding="utf-8"
    )
    path = tmp_path / "p.csv"
    path.write_text(HR_POLL, encoding="utf-8")
    report = load_file(db_path, "polls", path, mapping)
    assert "Employee_Name" in report.dropped_columns
    assert "who" not in report.extra_items
    assert b"Zimmerman" not in db_path.read_bytes()


def test_the_key_lives_beside_the_database_readable_by_its_owner_only(
    tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_id,team,created_at,customer_id\nT1,Alpha,2025-03-01 10:00,ann@example.com\n",
        encoding="utf-8",
    )
    load_file(db_path, "tickets", path)

    key_file = key_path(db_path)
    assert key_file == tmp_path / "scorecard.duckdb.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = read_key(db_path)
    assert key is not None and len(key) == 64
    assert key.encode() not in db_path.read_bytes()
    assert scalar(db_path, "SELECT count(*) FROM meta WHERE key = ?", [LEGACY_SALT]) == 0
    assert scalar(db_path, "SELECT customer_hash FROM tickets") == customer_hash(
        key, "ann@example.com"
    )


def test_the_database_file_alone_reidentifies_nobody(tmp_path: Path, db_path: Path) -> None:
    # An attacker who copied the database file knows (or guesses) every customer id.
    ids = [f"customer{i}@example.com" for i in range(300)]
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_id,team,created_at,customer_id\n"
        + "".join(f"T{i},Alpha,2025-03-01 10:00,{c}\n" for i, c in enumerate(ids)),
        encoding="utf-8",
    )
    load_file(db_path, "tickets", path)
    key_path(db_path).unlink()  # the copy travels without the key file

    stored = {h for (h,) in query(db_path, "SELECT customer_hash FROM tickets")}
    # Every text the database holds is a candidate salt, plus no salt at all.
    candidates = {""} | {
        str(v) for (v,) in query(db_path, "SELECT value FROM meta")
    }  # fmt: skip
    guessed = {
        int(hashlib.sha256((salt + c).encode()).hexdigest()[:16], 16)
        for salt in candidates
        for c in ids
    }
    assert len(stored) == len(ids)
    assert stored.isdisjoint(guessed)


def test_a_legacy_database_moves_its_salt_out_and_keeps_its_hashes(
    tmp_path: Path, db_path: Path
) -> None:
    # A version-1 database: salt in meta, poll response ids as given.
    salt = "0123456789abcdef0123456789abcdef"
    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_id,team,created_at,customer_id\nT1,Alpha,2025-03-01 10:00,C1\n", encoding="utf-8"
    )
    load_file(db_path, "tickets", path)
    key_path(db_path).unlink()
    with duckdb.connect(str(db_path)) as con:
        con.execute("DELETE FROM meta")
        con.execute("INSERT INTO meta VALUES (?, ?), ('schema_version', '1')", [LEGACY_SALT, salt])
        con.execute("UPDATE tickets SET customer_hash = ?", [customer_hash(salt, "C1")])
        con.execute(
            "INSERT INTO poll_responses (response_id, submitted_at, team) "
            "VALUES ('EMP-42', '2025-03-01', 'Alpha')"
        )
    second = tmp_path / "t2.csv"
    second.write_text(
        "ticket_id,team,created_at,customer_id\nT2,Alpha,2025-03-02 10:00,C1\n", encoding="utf-8"
    )

    load_file(db_path, "tickets", second)

    assert read_key(db_path) == salt
    assert scalar(db_path, "SELECT count(*) FROM meta WHERE key = ?", [LEGACY_SALT]) == 0
    # Old and new hashes of the same customer still match (repeat contact keeps working).
    assert query(db_path, "SELECT DISTINCT customer_hash FROM tickets") == [
        (customer_hash(salt, "C1"),)
    ]
    assert query(db_path, "SELECT response_id FROM poll_responses") == [
        (response_hash(salt, "EMP-42"),)
    ]
    assert b"EMP-42" not in db_path.read_bytes()
    assert salt.encode() not in db_path.read_bytes()


def test_a_survey_row_of_the_wrong_width_does_not_keep_the_email_inside_it(
    tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "response_id,submitted_at,team,csat,comment\n"
        "S1,2025-03-01 10:00,Alpha,5,fine\n"
        "S2,2025-03-01 10:00,Alpha,4,write to me at jo.doe@example.org,please\n",
        encoding="utf-8",
    )
    report = load_file(db_path, "surveys", path)
    assert (report.rows_loaded, report.rows_rejected) == (1, 1)
    assert query(db_path, "SELECT line, column_name, value FROM rejected_rows") == [(3, None, None)]
    assert b"jo.doe" not in db_path.read_bytes()


@pytest.mark.parametrize("through", ["symlink", "relative"])
def test_loads_through_another_path_to_the_same_database_share_it(
    tmp_path: Path, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real" / "scorecard.duckdb"
    real.parent.mkdir()
    if through == "symlink":
        other = tmp_path / "link.duckdb"
        other.symlink_to(real)
    else:
        monkeypatch.chdir(tmp_path)
        other = Path("real/../real/scorecard.duckdb")
    for i, db in enumerate((real, other)):
        path = tmp_path / f"t{i}.csv"
        path.write_text(f"ticket_id,team,created_at\nT{i},Alpha,2025-03-01 10:00\n")
        load_file(db, "tickets", path)
    assert query(real, "SELECT ticket_id FROM tickets ORDER BY 1") == [("T0",), ("T1",)]
    if through == "symlink":
        assert other.is_symlink()


def test_a_poll_load_into_a_pulse_that_had_responses_is_named_late(
    tmp_path: Path, db_path: Path
) -> None:
    first, late = tmp_path / "march.csv", tmp_path / "late.csv"
    first.write_text(
        "response_id,submitted_at,team,enps\nR1,2025-03-03 09:00,Alpha,9\nR2,2025-03-04 09:00,"
        "Alpha,7\n"
    )
    # R1 again (a replacement, not late), R3 into March (late), R4 into April (a new pulse).
    late.write_text(
        "response_id,submitted_at,team,enps\nR1,2025-03-03 09:00,Alpha,8\nR3,2025-03-28 09:00,"
        "Alpha,5\nR4,2025-04-02 09:00,Alpha,10\n"
    )
    assert load_file(db_path, "polls", first).late_pulses == []

    report = load_file(db_path, "polls", late)

    assert report.late_pulses == ["2025-03"]
    assert report.notes == [
        "late responses: 1 new responses in pulses that already had responses (2025-03); their "
        "figures and suppression are recomputed, so what readers saw before this load changes"
    ]
    assert query(db_path, "SELECT load_id, late_pulses FROM loads ORDER BY load_id") == [
        (1, []),
        (2, ["2025-03"]),
    ]
