"""The export: exact columns, every indicator, number format, order, the command's errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from metrics.export import EXPORT_COLUMNS, export_csv
from metrics.registry import INDICATORS
from tests.metrics.helpers import add_polls, add_surveys, add_teams, add_tickets


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    add_teams(con, ("B", "Sales", None), ("A", "Sales", None), ("Solo", None, None))
    add_tickets(
        con,
        {"team": "A", "created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:20"},
        {"team": "B", "created_at": "2026-01-05 10:00", "first_response_at": "2026-01-05 10:21"},
        {"team": "Solo", "created_at": "2026-02-05 10:00"},
    )
    add_surveys(con, *({"team": "A", "submitted_at": "2026-01-06", "csat": c} for c in (5, 4, 1)))
    add_polls(con, *({"team": "A", "submitted_at": "2026-01-06", "enps": 9} for _ in range(2)))


def test_columns_rows_and_order(con, settings) -> None:
    _fill(con)
    text = export_csv(con, "month", settings)
    assert text.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    rows = rows_of(text)
    groups = [(r["period_start"], r["scope"], r["scope_id"]) for r in rows[:: len(INDICATORS)]]
    # period, then org < department < team, then scope_id; teams in name order
    assert groups == [
        ("2026-01-01", "org", ""),
        ("2026-01-01", "department", "Sales"),
        ("2026-01-01", "team", "A"),
        ("2026-01-01", "team", "B"),
        ("2026-02-01", "org", ""),
        ("2026-02-01", "team", "Solo"),
    ]
    ids = [i.id for i in INDICATORS]
    for start in range(0, len(rows), len(ids)):
        assert [r["indicator"] for r in rows[start : start + len(ids)]] == ids


@pytest.mark.parametrize("indicator", [i.id for i in INDICATORS])
def test_every_indicator_is_exported_for_every_scope(con, settings, indicator: str) -> None:
    _fill(con)
    rows = rows_of(export_csv(con, "month", settings))
    assert sum(r["indicator"] == indicator for r in rows) == 6


def test_number_format_and_empty_cells(con, settings) -> None:
    _fill(con)
    rows = {
        (r["scope"], r["scope_id"], r["indicator"], r["period_start"]): r
        for r in rows_of(export_csv(con, "month", settings))
    }
    csat = rows[("org", "", "loyalty.csat_pct", "2026-01-01")]
    assert (csat["value"], csat["n"], csat["status"]) == ("66.66666666666667", "3", "red")
    median = rows[("org", "", "speed.first_response_median_min", "2026-01-01")]
    assert (median["value"], median["n"]) == ("20.5", "2")  # interpolated, unrounded
    grey = rows[("org", "", "loyalty.nps", "2026-01-01")]
    assert (grey["value"], grey["n"], grey["status"]) == ("", "0", "grey")
    hidden = rows[("team", "A", "wellbeing.enps", "2026-01-01")]
    assert (hidden["value"], hidden["n"], hidden["status"]) == ("", "", "suppressed")


def test_value_round_trips_exactly(con, settings) -> None:
    add_surveys(con, *({"submitted_at": "2026-01-06", "csat": c} for c in (5, 5, 5, 5, 5, 5, 1)))
    rows = rows_of(export_csv(con, "month", settings))
    value = next(r["value"] for r in rows if r["indicator"] == "loyalty.csat_pct")
    assert float(value) == 600 / 7


def test_command_writes_file_and_stdout(db_path: Path, tmp_path: Path, capsys) -> None:
    con = duckdb.connect(str(db_path))
    from database.schema import ensure_schema

    ensure_schema(con)
    _fill(con)
    con.close()
    out = tmp_path / "export.csv"
    assert main(["export", "--db", str(db_path), "--period", "quarter", "--output", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("period_start,scope,scope_id,indicator,value,n,status\n")
    assert "2026-01-01,team,Solo," in text  # February falls in Q1
    assert main(["export", "--db", str(db_path), "--period", "quarter"]) == 0
    assert capsys.readouterr().out == text


def test_command_without_database_prints_a_message(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope.duckdb"
    assert main(["export", "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "no database" in err and str(missing) in err and "Traceback" not in err


def test_command_with_bad_settings_prints_a_message(db_path: Path, capsys) -> None:
    duckdb.connect(str(db_path)).close()
    db_path.with_name("scorecard.settings.toml").write_text("[privacy]\nk = 1\n")
    assert main(["export", "--db", str(db_path)]) == 1
    assert "privacy.k" in capsys.readouterr().err


def test_command_on_a_file_that_is_not_a_database(tmp_path: Path, capsys) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database")
    assert main(["export", "--db", str(bogus)]) == 1
    assert "scorecard export:" in capsys.readouterr().err


# OWASP CSV injection: cells a spreadsheet would run as a formula.
HOSTILE_TEAMS = ["=1+2", "+x", "-Ops", "@sum", "\tTab team", "\rCR team", '=HYPERLINK("http://x")']


def test_formula_team_names_are_neutralised_and_numbers_stay_numbers(con, settings) -> None:
    add_teams(con, *((name, "-Dept", None) for name in HOSTILE_TEAMS))
    for name in HOSTILE_TEAMS:
        # NPS of one promoter, two detractors and five passives: (1 - 2) / 8 = -12.5
        add_surveys(
            con,
            *(
                {"team": name, "submitted_at": "2026-01-06", "nps": nps}
                for nps in (10, 0, 3, 7, 7, 8, 8, 7)
            ),
        )
    text = export_csv(con, "month", settings)
    rows = rows_of(text)
    teams = {r["scope_id"] for r in rows if r["scope"] == "team"}
    assert teams == {"'" + name for name in HOSTILE_TEAMS}
    assert {r["scope_id"] for r in rows if r["scope"] == "department"} == {"'-Dept"}
    nps = [r for r in rows if r["indicator"] == "loyalty.nps"]
    assert {r["value"] for r in nps} == {"-12.5"}  # a number: never prefixed
    assert {r["n"] for r in nps if r["scope"] == "team"} == {"8"}
    # Nothing in the file starts a formula but the numbers (value, n) themselves.
    for row in rows:
        for column, cell in row.items():
            if column not in ("value", "n"):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)


def test_the_export_command_writes_the_neutralised_file(db_path: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(db_path))
    from database.schema import ensure_schema

    ensure_schema(con)
    add_teams(con, ("=1+2", None, None))
    add_surveys(con, {"team": "=1+2", "submitted_at": "2026-01-06", "nps": 0})
    con.close()
    out = tmp_path / "export.csv"
    assert main(["export", "--db", str(db_path), "--output", str(out)]) == 0
    rows = rows_of(out.read_text())
    team_nps = next(r for r in rows if r["scope"] == "team" and r["indicator"] == "loyalty.nps")
    assert (team_nps["scope_id"], team_nps["value"]) == ("'=1+2", "-100.0")
