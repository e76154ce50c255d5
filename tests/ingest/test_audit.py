"""The audit log: loads and refusals recorded with who, a version-2 file migrated, the CLI."""

from __future__ import annotations

import csv
import getpass
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from database.db import Database, read_connection
from database.roles import AccessError, load_access
from database.schema import SCHEMA_VERSION, schema_version
from ingest.load import IngestError, load_file

ROOT = Path(__file__).resolve().parents[2]
TEAMS = "team,department,lead_email,headcount\nBilling,Consumer,lead@example.com,5\n"


def audit_rows(db: Path) -> list[tuple[str, str, str]]:
    with read_connection(db) as con:
        return con.execute("SELECT who, action, detail FROM audit ORDER BY rowid").fetchall()


def test_a_load_and_a_refused_file_are_recorded_with_who(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    teams = tmp_path / "teams.csv"
    teams.write_text(TEAMS)
    load_file(db, "teams", teams, who="ana@example.com")
    bad = tmp_path / "tickets.csv"
    bad.write_text("nothing,useful\n1,2\n")
    with pytest.raises(IngestError) as refused:
        load_file(db, "tickets", bad)
    assert audit_rows(db) == [
        ("ana@example.com", "load", "teams.csv as teams (load #1): 1 rows loaded, 0 rejected"),
        (getpass.getuser(), "load refused", str(refused.value)),
    ]


def test_a_version_2_database_gets_the_audit_table(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    teams = tmp_path / "teams.csv"
    teams.write_text(TEAMS)
    load_file(db, "teams", teams)
    with duckdb.connect(str(db)) as con:  # made as version 2 wrote it
        con.execute("DROP TABLE audit")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert Database(db).upgrade() is True
    with read_connection(db) as con:
        assert schema_version(con) == SCHEMA_VERSION == "4"
        assert con.execute("SELECT count(*) FROM audit").fetchone() == (0,)
        assert con.execute("SELECT team FROM teams").fetchall() == [("Billing",)]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_access_commands_change_the_file_and_the_log(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    teams = tmp_path / "teams.csv"
    teams.write_text(TEAMS)
    assert cli("ingest", "teams", str(teams), "--db", db).returncode == 0
    done = cli("access", "--db", db, "grant", "Head@Example.com", "department_head",
               "--department", "Consumer")  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "head@example.com: department head (Consumer)\n")
    refused = cli("access", "--db", db, "grant", "x@example.com", "department_head")
    assert refused.returncode == 1
    assert refused.stderr == 'scorecard access: x@example.com: a department_head needs ' \
        'departments = ["..."]\n'  # fmt: skip
    assert cli("access", "--db", db, "revoke", "head@example.com").returncode == 0
    assert load_access(db).people == {}
    listed = list(csv.reader(io.StringIO(cli("audit", "--db", db).stdout)))
    user = getpass.getuser()
    assert listed[0] == ["when", "who", "action", "detail"]
    assert [row[1:] for row in listed[1:]] == [
        [user, "access changed", "head@example.com: role taken away"],
        [user, "access changed", "head@example.com: department head (Consumer)"],
        [user, "load", "teams.csv as teams (load #1): 1 rows loaded, 0 rejected"],
    ]


def test_a_bad_access_file_names_the_entry(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    db.with_name("d.access.toml").write_text(
        '[people."ana@example.com"]\nrole = "analyst"\nteams = ["Billing"]\n'
    )
    with pytest.raises(AccessError) as bad:
        load_access(db)
    assert str(bad.value) == (
        'd.access.toml: people."ana@example.com": role analyst sees every scope: leave out '
        "departments and teams"
    )
