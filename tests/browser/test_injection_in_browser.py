"""A real browser on hostile names: Markdown images and HTML in team, department, lead and
file names are shown as text and fetch nothing; a closed tab leaves no upload on disk."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_helpers import no_errors, settle, tab_panel
from tests.hostile import hostile_lead, make_hostile

pytestmark = pytest.mark.browser

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Trap:
    """An HTTP server on 127.0.0.1 that counts every request (and answers with a tiny PNG)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                trap.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PNG)))
                self.end_headers()
                self.wfile.write(PNG)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    server = Trap()
    yield server
    server.stop()


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The served app's temp folder (TMPDIR of the server process started after this)."""
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def body_text(page: Page) -> str:
    return page.inner_text("body")


def open_url(page: Page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    settle(page)
    no_errors(page)


def wait_for_text(page: Page, literal: str) -> None:
    """The literal string appears in the page's text (as text, not rendered as Markdown)."""
    deadline = time.monotonic() + 30
    while literal not in body_text(page):
        assert time.monotonic() < deadline, f"{literal!r} not on the page"
        page.wait_for_timeout(200)


def fetched_nothing(page: Page, trap: Trap) -> None:
    """No request reached the trap (given the page a moment to load any image)."""
    page.wait_for_timeout(500)
    assert trap.requests == [], f"the browser fetched {trap.requests} on {page.url}"


def test_hostile_names_are_shown_as_text_and_fetch_nothing(
    page: Page, sample_db_file: Path, start_server, trap: Trap, temp_dir: Path, tmp_path: Path
) -> None:
    # The trap works: a browser that is given an image there fetches it.
    page.set_content(f'<img src="{trap.url}/control.png">')
    page.wait_for_function("() => document.images[0].complete")
    assert trap.requests == ["/control.png"]
    trap.requests.clear()

    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(sample_db_file, db)
    names = make_hostile(db, trap.url)
    team, bold, html, dept = (
        names[n] for n in ("Billing", "Escalations", "Orders & Delivery", "Consumer")
    )
    server = start_server(db)
    q = urllib.parse.quote

    open_url(page, f"{server.url}/?dept={q(dept)}", "Service culture overview")
    fetched_nothing(page, trap)
    wait_for_text(page, f"Showing department {dept}, ")

    open_url(page, f"{server.url}/team?team={q(team)}", "Team scorecard")
    fetched_nothing(page, trap)
    wait_for_text(page, f"Team {team}, ")
    wait_for_text(page, f"Department: {dept} · Lead: {hostile_lead(trap.url)}")
    # Options of the team picker are plain text: open the list and let it draw.
    page.get_by_role("combobox", name="Team").click()
    expect(page.get_by_role("option", name=team, exact=True)).to_be_visible()
    expect(page.get_by_role("option", name=html, exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    settle(page)

    open_url(page, f"{server.url}/team?team={q(html)}", "Team scorecard")
    fetched_nothing(page, trap)
    wait_for_text(page, f"Team {html}, ")
    open_url(page, f"{server.url}/team?team={q(bold)}", "Team scorecard")
    fetched_nothing(page, trap)
    wait_for_text(page, f"Team {bold}, ")
    wait_for_text(page, f"figure(s) of {bold} are hidden")

    open_url(page, f"{server.url}/wellbeing?dept={q(dept)}", "Employee wellbeing")
    fetched_nothing(page, trap)
    wait_for_text(page, f"Department {dept}, ")

    open_url(page, f"{server.url}/data", "Data")
    file_name = f"![f]({trap.url}/f.png).csv"
    page.get_by_test_id("stFileUploader").first.locator('input[type="file"]').set_input_files(
        files=[
            {
                "name": file_name,
                "mimeType": "text/csv",
                "buffer": b"ticket_id,team,created_at\nF-1,Billing,2026-10-30 10:00\nF-2,,x\n",
            }
        ]
    )
    settle(page)
    fetched_nothing(page, trap)
    wait_for_text(page, f"Load {file_name} as tickets")
    page.get_by_role("button", name=f"Load {file_name} as tickets").click()
    settle(page)
    wait_for_text(page, f"{file_name} loaded as Tickets")
    panel = tab_panel(page, "Rejected rows")
    panel.get_by_role("combobox", name="Load").click()
    expect(page.get_by_role("option").filter(has_text=file_name)).to_be_visible()
    page.keyboard.press("Escape")
    settle(page)
    no_errors(page)

    fetched_nothing(page, trap)


def test_closing_the_tab_removes_the_sessions_uploads(
    browser, sample_db_file: Path, start_server, temp_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(sample_db_file, db)
    server = start_server(db)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    open_url(page, f"{server.url}/data", "Data")
    marker = b"CLOSE-TAB-MARKER"
    page.get_by_test_id("stFileUploader").first.locator('input[type="file"]').set_input_files(
        files=[
            {
                "name": "closing.csv",
                "mimeType": "text/csv",
                "buffer": b"ticket_id,team,created_at\nC-1,Billing,2026-10-30 10:00\n# "
                + marker
                + b"\n",
            }
        ]
    )
    settle(page)
    wait_for_text(page, "Load closing.csv as tickets")
    uploads = temp_dir / "scorecard-uploads"
    [folder] = list(uploads.iterdir())  # this session's folder, under the server's TMPDIR
    assert [p for p in folder.rglob("*") if p.is_file()] == []  # the preview's file is gone
    # What a preview stopped half-way would leave: the session's end removes it too.
    (folder / "left-behind.csv").write_bytes(marker)

    context.close()  # the tab goes: Streamlit sees the browser disconnect
    deadline = time.monotonic() + 30
    while folder.exists():
        assert time.monotonic() < deadline, f"{folder} still there:\n{server.log()}"
        time.sleep(0.2)
    assert list(uploads.iterdir()) == []
