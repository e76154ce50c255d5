"""Uploaded files leave the disk after each preview and load, and a session's folder goes when
the session ends (the real release Streamlit runs on a disconnect, not a stand-in)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from streamlit.runtime.caching import clear_session_resource_cache

from dashboard.uploads import SessionUploads, uploads_root
from tests.dashboard.dashboard_helpers import no_errors

PAGE = "views/load_data.py"
MARKER = b"UPLOAD-MARKER-7f3a"
TICKETS = (
    b"ticket_id,team,created_at,priority\n"
    + b"M-1,Billing,2026-10-30 10:00,high\n"
    + b"M-2,Billing,2026-10-30 11:00,bogus\n"
    + b"# "
    + MARKER
    + b"\n"
)
APPTEST_SESSION = "test session id"  # AppTest runs every script in this one session


@pytest.fixture
def temp_root(private_temp: Path) -> Path:
    """The system temp folder of the app under test (uploads go under it; see conftest)."""
    assert tempfile.gettempdir() == str(private_temp)
    return private_temp


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def holding_the_upload(root: Path) -> list[Path]:
    """Every file under the temp folder that holds the upload's bytes."""
    return [p for p in files_under(root) if MARKER in p.read_bytes()]


def session_folders() -> list[Path]:
    root = uploads_root()
    return sorted(root.iterdir()) if root.exists() else []


def test_nothing_is_left_after_a_preview(app_db: Path, temp_root: Path, open_page) -> None:
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("marked.csv", TICKETS, "text/csv")).run()
    no_errors(at)
    assert len(at.dataframe[0].value) == 1  # previewed: the file was on disk and read
    assert len(session_folders()) == 1  # under the temp folder of this test
    assert files_under(temp_root) == []


def test_nothing_is_left_after_a_load(app_db: Path, temp_root: Path, open_page) -> None:
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("marked.csv", TICKETS, "text/csv")).run()
    at.button(key="confirm_load").click().run()
    no_errors(at)
    assert "3 rows read, 1 loaded" in " ".join(s.value for s in at.success)
    assert files_under(temp_root) == []
    at.run()  # a rerun shows the report again without writing the file
    assert files_under(temp_root) == []


def test_nothing_is_left_after_a_refused_file(app_db: Path, temp_root: Path, open_page) -> None:
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(
        ("tickets_wrong.csv", b"id,when\n1,2026-01-01\n# " + MARKER + b"\n", "text/csv")
    ).run()
    assert not at.exception
    assert at.error  # refused at preview
    assert holding_the_upload(temp_root) == []
    assert files_under(temp_root) == []


def test_nothing_is_left_of_an_own_mapping_file(app_db: Path, temp_root: Path, open_page) -> None:
    mapping = (
        b'name = "our_helpdesk"\nsource = "tickets"\n\n'
        b'[columns]\nticket_id = "Nr"\nteam = "Queue"\ncreated_at = "Opened"\n'
    )
    export = b"Nr;Queue;Opened\nH-1;Billing;2026-10-29 08:00\n"
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("helpdesk.csv", export, "text/csv")).run()
    at.selectbox(key="source").select("tickets").run()
    at.file_uploader(key="mapping_file").set_value(
        ("our_helpdesk.toml", mapping, "application/toml")
    ).run()
    no_errors(at)
    assert list(at.dataframe[0].value["ticket_id"]) == ["H-1"]
    assert files_under(temp_root) == []
    at.button(key="confirm_load").click().run()
    no_errors(at)
    assert "1 rows read, 1 loaded" in " ".join(s.value for s in at.success)
    assert files_under(temp_root) == []


def test_the_session_folder_goes_when_the_session_ends(
    app_db: Path, temp_root: Path, open_page
) -> None:
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("marked.csv", TICKETS, "text/csv")).run()
    no_errors(at)
    [folder] = session_folders()
    # What a preview stopped half-way (the process killed between write and remove) leaves.
    (folder / "left-behind").mkdir()
    (folder / "left-behind" / "marked.csv").write_bytes(TICKETS)
    # What Streamlit runs when a browser session disconnects or shuts down
    # (AppSession.clear_session_caches): the session's resources are released.
    clear_session_resource_cache(APPTEST_SESSION)
    assert not folder.exists()
    assert holding_the_upload(temp_root) == []
    # The next run of the session (a reconnect) works in a new folder.
    at.run()
    no_errors(at)
    assert [f.name for f in session_folders()] != [folder.name]


def test_a_release_during_a_load_waits_for_it(tmp_path: Path) -> None:
    uploads = SessionUploads(tmp_path)
    reading, released = threading.Event(), threading.Event()
    seen: list[bytes] = []

    def load() -> None:
        with uploads.on_disk("big.csv", b"rows") as path:
            reading.set()
            released.wait(10)
            seen.append(path.read_bytes())  # still there while the load reads it

    worker = threading.Thread(target=load)
    worker.start()
    assert reading.wait(10)
    uploads.release()  # the browser went away mid-load
    assert uploads.folder.exists()
    released.set()
    worker.join(10)
    assert seen == [b"rows"]
    assert not uploads.folder.exists()  # the load's end removed what the release left


def test_a_file_named_to_escape_its_folder_stays_inside(tmp_path: Path) -> None:
    uploads = SessionUploads(tmp_path)
    for name in ("../../evil.csv", "..", "/etc/passwd", "C:\\x\\..\\evil.csv", ""):
        with uploads.on_disk(name, b"x") as path:
            assert path.parent.parent == uploads.folder
    assert files_under(tmp_path) == []


def test_folders_of_dead_servers_and_old_layouts_are_swept(tmp_path: Path) -> None:
    root = tmp_path / "scorecard-uploads"
    root.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    gone = root / f"{int(dead.stdout)}-{'0' * 32}"
    mine = root / f"{os.getpid()}-{'1' * 32}"
    old = [root / "tmpabc123", root / "mapping-some-file-id"]
    recent = root / "tmprecent"  # an older server version may be previewing in it
    for folder in (gone, mine, recent, *old):
        folder.mkdir()
        (folder / "upload.csv").write_bytes(MARKER)
    two_days_ago = time.time() - 2 * 24 * 3600
    for folder in old:
        os.utime(folder, (two_days_ago, two_days_ago))
    SessionUploads(root)
    assert sorted(root.iterdir()) == sorted([mine, recent])
