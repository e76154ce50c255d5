"""Real-browser journeys: executive, team lead, analyst, and a suppressed team."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from database.db import read_connection
from database.settings import load_settings
from metrics.drilldown import tickets_behind
from tests.browser.browser_helpers import (
    choose,
    go_to,
    no_errors,
    open_app,
    screenshot,
    settle,
    tab_panel,
    table_rows,
    table_text,
)

pytestmark = pytest.mark.browser


def test_executive_sees_tiles_and_charts(page: Page, shared_server) -> None:
    open_app(page, shared_server.url)
    no_errors(page)
    metrics = page.get_by_test_id("stMetric")
    expect(metrics).to_have_count(10)  # the index and one tile per area
    expect(metrics.first).to_contain_text("Service-culture index")
    for area in ("Speed", "Friendliness", "Customer loyalty", "Employee wellbeing"):
        expect(metrics.filter(has_text=area)).to_have_count(1)
    # Status in words next to the colour on every tile.
    tiles = metrics.all()[1:]
    assert all(
        any(w in t.inner_text() for w in ("On target", "Close to target", "Off target"))
        for t in tiles
    )
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(4)
    expect(page.get_by_text("Latest period: October 2026")).to_be_visible()
    # Each mover's word follows the sign of its attainment move (the last column).
    movers = table_rows(page, 1)[1:]
    assert movers
    for row in movers:
        moved = float(row[-1].replace("+", ""))
        assert row[-2] == ("▲ better" if moved > 0 else "▼ worse")
    screenshot(page, "overview", 2500)

    choose(page, "Period", "Quarter")
    assert "period=quarter" in page.url
    expect(page.get_by_text("Latest period: Q4 2026")).to_be_visible()
    no_errors(page)


def test_team_lead_drills_into_a_team_and_downloads_its_tickets(page: Page, shared_server) -> None:
    open_app(page, shared_server.url)
    go_to(page, "Team", "Team scorecard")
    choose(page, "Team", "Tech Support L1")
    expect(page.get_by_test_id("stMetric").filter(has_text="Rank among teams")).to_be_visible()
    assert parse_qs(urlsplit(page.url).query)["team"] == ["Tech Support L1"]
    grid = table_text(page, 0)
    assert "First response time (median)" in grid
    choose(page, "Which figure", "Reopen rate")
    no_errors(page)
    screenshot(page, "team", 3000)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download these tickets (CSV)").click()
    download = info.value
    assert download.suggested_filename.startswith(
        "tickets-tech-support-l1-accuracy.reopen_rate_pct"
    )
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    db = shared_server.db
    with read_connection(db) as con:
        expected = tickets_behind(
            con,
            "accuracy.reopen_rate_pct",
            "month",
            date(2026, 10, 1),
            "team",
            "Tech Support L1",
            load_settings(db),
            limit=1000,
        )
    assert [r["Ticket"] for r in rows] == [str(t) for t in expected["ticket_id"]]
    assert len(rows) > 0
    assert {r["Team"] for r in rows} == {"Tech Support L1"}
    assert int(rows[0]["Reopens"]) > 0


def test_analyst_uploads_confirms_and_sees_the_numbers_change(
    page: Page, sample_db_file: Path, start_server, tmp_path: Path
) -> None:
    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(sample_db_file, db)
    server = start_server(db)
    open_app(page, server.url)
    speed = page.get_by_test_id("stMetric").filter(has_text="Speed")
    before = speed.get_by_test_id("stMetricValue").inner_text()

    # October tickets answered very late: the organisation's speed must drop.
    upload = tmp_path / "late_tickets.csv"
    lines = ["ticket_id,team,created_at,priority,first_response_at,resolved_at"]
    for i in range(3000):
        day = 1 + i % 28
        lines.append(
            f"LATE-{i},Billing,2026-10-{day:02d} 10:00,urgent,"
            f"2026-10-{day:02d} 23:59,2026-10-{day:02d} 23:59"
        )
    lines.append("LATE-BAD,Billing,2026-10-05 10:00,urgent,2026-10-04 10:00,")
    upload.write_text("\n".join(lines) + "\n")

    go_to(page, "Data", "Data")
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(upload)
    settle(page)
    expect(page.get_by_role("combobox", name="What the file holds")).to_have_value("Tickets")
    expect(page.get_by_text("1 row(s) of the file break a rule")).to_be_visible()
    page.get_by_role("button", name="Load late_tickets.csv as tickets").click()
    success = page.get_by_text("3,001 rows read, 3,000 loaded, 0 replaced, 1 rejected")
    expect(success).to_be_visible()
    settle(page)
    no_errors(page)
    screenshot(page, "data", 1500)

    history = table_text(tab_panel(page, "Load history"))
    assert "late_tickets.csv" in history
    reasons = table_text(tab_panel(page, "Rejected rows"))
    assert "first response" in reasons.lower()

    go_to(page, "Overview", "Service culture overview")
    after = page.get_by_test_id("stMetric").filter(has_text="Speed")
    expect(after.get_by_test_id("stMetricValue")).not_to_have_text(before)
    no_errors(page)


def test_a_small_team_shows_fewer_than_k_responses(page: Page, shared_server) -> None:
    open_app(page, shared_server.url)
    go_to(page, "Wellbeing", "Employee wellbeing")
    no_errors(page)
    expect(page.get_by_text("figure(s) hidden: fewer than 5 responses")).to_be_visible()
    grid = table_text(page, 0)
    assert "Escalations" in grid
    escalations = next(line for line in grid.splitlines() if line.startswith("Escalations"))
    cells = escalations.split("\t")[2:]  # after team and department
    assert cells == ["fewer than 5 responses"] * 5
    screenshot(page, "wellbeing", 2000)

    go_to(page, "Team", "Team scorecard")
    choose(page, "Team", "Escalations")
    expect(page.get_by_text("figure(s) of Escalations are hidden: fewer than 5")).to_be_visible()
    no_errors(page)
