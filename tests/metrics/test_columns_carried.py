"""Columns an export never had are unknown, not empty (metrics.md, Common rules)."""

from __future__ import annotations

from pathlib import Path

from database.db import read_connection
from database.settings import Settings
from ingest.load import load_file
from metrics.registry import unfed_text
from metrics.scorecard import indicator_values
from tests.metrics.helpers import cell

# Two tickets that carry every column the rules need: T1 answered in 30 min (met, normal
# priority: 480), resolved, reopened once, due and kept; T2 unanswered (missed), resolved
# after its due date (broken), not reopened.
FULL = (
    "ticket_id,team,created_at,first_response_at,resolved_at,due_at,reopens\n"
    "T1,Alpha,2025-03-03 10:00,2025-03-03 10:30,2025-03-03 12:00,2025-03-04 10:00,1\n"
    "T2,Alpha,2025-03-03 11:00,,2025-03-05 12:00,2025-03-04 11:00,\n"
)
# Three tickets from an export without first responses, reopens or resolution times.
BARE = (
    "ticket_id,team,created_at,due_at\n"
    "B1,Alpha,2025-03-04 10:00,2025-03-04 12:00\n"
    "B2,Alpha,2025-03-04 11:00,2025-03-04 12:00\n"
    "B3,Alpha,2025-03-04 12:00,\n"
)


def _values(db_path: Path, settings: Settings):
    with read_connection(db_path) as con:
        return indicator_values(con, "month", settings)


def test_an_export_without_a_column_feeds_no_figure_from_it(
    tmp_path: Path, db_path: Path, settings: Settings
) -> None:
    (tmp_path / "bare.csv").write_text(BARE)

    report = load_file(db_path, "tickets", tmp_path / "bare.csv")

    assert report.carried == ["ticket_id", "team", "created_at", "due_at"]
    frame = _values(db_path, settings)
    for indicator in (
        "speed.first_response_sla_pct",  # never a red 0 %
        "accuracy.reopen_rate_pct",  # never a green 0 %
        "transparency.promise_kept_pct",
    ):
        row = cell(frame, indicator, period_start="2025-03-01")
        assert (row["n"], row["status"]) == (0, "grey"), indicator
        assert row["value"] != row["value"]  # NaN: no value
    # Stored as unknown, not as 0.
    with read_connection(db_path) as con:
        assert con.execute("SELECT count(*) FROM tickets WHERE reopens IS NULL").fetchone() == (3,)


def test_figures_come_only_from_the_loads_that_carried_their_columns(
    tmp_path: Path, db_path: Path, settings: Settings
) -> None:
    (tmp_path / "full.csv").write_text(FULL)
    (tmp_path / "bare.csv").write_text(BARE)
    load_file(db_path, "tickets", tmp_path / "full.csv")
    load_file(db_path, "tickets", tmp_path / "bare.csv")

    frame = _values(db_path, settings)
    sla = cell(frame, "speed.first_response_sla_pct", period_start="2025-03-01")
    assert (sla["value"], sla["n"]) == (50.0, 2)  # T1 met, T2 missed; B1..B3 unknown
    reopen = cell(frame, "accuracy.reopen_rate_pct", period_start="2025-03-01")
    assert (reopen["value"], reopen["n"]) == (50.0, 2)  # T1 reopened of T1, T2
    promise = cell(frame, "transparency.promise_kept_pct", period_start="2025-03-01")
    assert (promise["value"], promise["n"]) == (50.0, 2)  # T1 kept, T2 broken; B1, B2 unknown


def test_a_reloaded_ticket_takes_what_its_last_load_carried(
    tmp_path: Path, db_path: Path, settings: Settings
) -> None:
    (tmp_path / "full.csv").write_text(FULL)
    (tmp_path / "again.csv").write_text(
        "ticket_id,team,created_at\nT1,Alpha,2025-03-03 10:00\nT2,Alpha,2025-03-03 11:00\n"
    )
    load_file(db_path, "tickets", tmp_path / "full.csv")
    load_file(db_path, "tickets", tmp_path / "again.csv")  # last load wins, whole row
    sla = cell(_values(db_path, settings), "speed.first_response_sla_pct")
    assert (sla["n"], sla["status"]) == (0, "grey")


def test_the_report_says_what_a_file_cannot_feed() -> None:
    carried = ["ticket_id", "team", "created_at", "priority", "resolved_at", "reopens"]
    assert unfed_text("tickets", carried)[0] == (
        "no first_response_at: First response time (median), First response within target, "
        "After-hours first response (median) come from other loads only"
    )
    assert unfed_text("polls", ["response_id", "team", "submitted_at", "workload"]) == [
        "no enps: Employee NPS comes from other loads only",
        "no burnout: Burnout risk comes from other loads only",
        "no who5_1 / who5_2 / who5_3 / who5_4 / who5_5: WHO-5 wellbeing index comes from other "
        "loads only",
    ]
