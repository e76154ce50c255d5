"""While `scorecard ingest` loads a large file in another process, the app keeps serving."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Page, expect

from cli.main import SAMPLE_DIR
from tests.browser.browser_helpers import go_to, no_errors, open_app, tab_panel, table_text

pytestmark = pytest.mark.browser

COPIES = 40  # x 25,000 sample tickets = one million rows, about 170 MB
PAGES = (
    ("Team", "Team scorecard"),
    ("Wellbeing", "Employee wellbeing"),
    ("Data", "Data"),
    ("Overview", "Service culture overview"),
)


def big_tickets_file(path: Path) -> Path:
    """The sample tickets repeated under new ids (DuckDB writes it in a few seconds)."""
    con = duckdb.connect()
    try:
        con.execute(
            f"""
            COPY (
                SELECT 'BIG-' || r.i || '-' || t.ticket_id AS ticket_id,
                       t.* EXCLUDE (ticket_id)
                FROM read_csv(?, all_varchar = true) t, range({COPIES}) r(i)
            ) TO '{path}' (HEADER)
            """,
            [str(SAMPLE_DIR / "tickets.csv")],
        )
    finally:
        con.close()
    return path


def test_pages_keep_working_while_a_large_load_runs(
    page: Page, sample_db_file: Path, start_server, tmp_path: Path
) -> None:
    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(sample_db_file, db)
    big = big_tickets_file(tmp_path / "big_tickets.csv")
    server = start_server(db)
    open_app(page, server.url)

    load = subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", "tickets", str(big), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        rendered = during = 0
        while load.poll() is None or rendered < len(PAGES):
            title, heading = PAGES[rendered % len(PAGES)]
            go_to(page, title, heading)
            no_errors(page)
            rendered += 1
            during += load.poll() is None  # this page was served while the load ran
            if rendered > 200:
                break
        output, _ = load.communicate(timeout=600)
    finally:
        if load.poll() is None:
            load.kill()
    assert load.returncode == 0, output
    assert "read 1,000,000" in output
    assert during >= 2, f"only {during} page(s) were rendered while the load ran"

    # The new load shows up in the running app without a restart.
    go_to(page, "Data", "Data")
    expect(page.get_by_role("tab", name="Load history")).to_be_visible()
    assert "big_tickets.csv" in table_text(tab_panel(page, "Load history"))
    no_errors(page)
    time.sleep(0.5)
    log = server.log()
    assert "Traceback" not in log, log
    assert "page failed" not in log, log
