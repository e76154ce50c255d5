"""`scorecard serve` wiring, and a new load showing up in a running app without restart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cli.main import build_parser, database_from
from cli.serve import APP, serve_environment, streamlit_command
from database.db import Database, data_version
from ingest.load import load_file
from tests.dashboard.dashboard_helpers import metric, no_errors


def test_serve_runs_streamlit_on_the_app_bound_to_localhost() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8501)
    command = streamlit_command(8765, "127.0.0.1")
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(APP)]
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags == {
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--server.address": "127.0.0.1",
        "--server.port": "8765",
    }


def test_serve_passes_the_resolved_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    mine = Database("x/my.duckdb")
    assert serve_environment(mine)["SCORECARD_DB"] == str(tmp_path / "x" / "my.duckdb")
    monkeypatch.setenv("SCORECARD_DB", "/data/from-env.duckdb")
    assert database_from(None) == Database("/data/from-env.duckdb")
    assert database_from("given.duckdb") == Database(tmp_path / "given.duckdb")


def test_a_new_load_shows_up_without_restart(app_db: Path, tmp_path: Path, open_page) -> None:
    at = open_page("views/team.py", team="Billing")
    no_errors(at)
    table = at.dataframe[0].value.set_index("Indicator")
    n_before = int(table.loc["First response time (median)", "n"])
    version = data_version(app_db)

    extra = tmp_path / "more_tickets.csv"
    rows = ["ticket_id,team,created_at,priority,first_response_at"]
    rows += [f"X{i},Billing,2026-10-2{i} 10:00,normal,2026-10-2{i} 10:30" for i in range(5)]
    extra.write_text("\n".join(rows) + "\n")
    load_file(app_db, "tickets", extra)
    assert data_version(app_db) != version

    at.run()  # the same session: cached queries are keyed on the data version
    no_errors(at)
    table = at.dataframe[0].value.set_index("Indicator")
    assert int(table.loc["First response time (median)", "n"]) == n_before + 5
    assert metric(at, "Indicators on target")


def test_sidebar_names_the_database_file_not_its_directory(app_db: Path, open_page) -> None:
    at = open_page("views/glossary.py")
    no_errors(at)
    captions = [c.value for c in at.sidebar.caption]
    assert "Database: scorecard\\.duckdb" in captions  # escaped text, the name only
    assert not any(str(app_db.parent) in c for c in captions)
