"""Uploaded files on disk only while ingest reads them, in a folder that ends with the session.

Ingest reads a file by path (DuckDB's reader), so an upload has to touch the disk. `on_disk`
writes the bytes, hands the path to one preview or one load and removes the file in a
`finally`, whatever the outcome (refused files and errors included); the bytes themselves stay
in Streamlit's memory for the next use.

Each browser session writes into a folder of its own, removed when the session ends. Streamlit
has no session-end hook as such; its public one is a session-scoped resource
(`st.cache_resource(scope="session", on_release=...)`, the pattern Streamlit's maintainers give
in streamlit/streamlit#8545): the runtime clears a session's resources when its browser
disconnects (tab closed, network lost) or the session is shut down, and calls `on_release`.
Rejected alternatives: a `weakref.finalize` on an object in st.session_state runs only when the
session object is garbage collected (after the reconnect window, or never while something holds
it); sweeping folders against the runtime's live sessions needs Streamlit's private API.
A session that reconnects gets a new folder. A folder whose server process died (killed, so
nothing ran) is removed by the next session that starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

SESSION_FOLDER = re.compile(r"(\d+)-[0-9a-f]{32}")  # <server pid>-<random>
OLD_LAYOUT_AGE_S = 24 * 3600


def uploads_root() -> Path:
    """The folder under which every session keeps its uploads (in the system temp folder)."""
    return Path(tempfile.gettempdir()) / "scorecard-uploads"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class SessionUploads:
    """One browser session's upload folder: files come and go; the folder goes on release."""

    def __init__(self, root: Path) -> None:
        self.folder = root / f"{os.getpid()}-{uuid.uuid4().hex}"
        self._lock = threading.Lock()
        self._busy = 0
        self._released = False
        _sweep_dead_servers(root)

    @contextlib.contextmanager
    def on_disk(self, name: str, data: bytes) -> Iterator[Path]:
        """The bytes as a file named like the upload, for the duration of the block only."""
        with self._lock:
            self._busy += 1
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = Path(tempfile.mkdtemp(dir=self.folder))
            try:
                path = folder / _file_name(name)
                path.write_bytes(data)
                yield path
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            with self._lock:
                self._busy -= 1
                remove = self._released and self._busy == 0
            if remove:  # released while a load was still reading: the last user tidies up
                shutil.rmtree(self.folder, ignore_errors=True)

    def release(self) -> None:
        """Remove the session's folder (now, or when the preview or load under way is done)."""
        with self._lock:
            self._released = True
            remove = self._busy == 0
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def _file_name(name: str) -> str:
    """The upload's own file name (no directories), or a neutral one."""
    base = Path(name.replace("\\", "/")).name
    return base if base not in ("", ".", "..") else "upload.csv"


def _sweep_dead_servers(root: Path) -> None:
    """Remove the folders of server processes that no longer run (nothing released them), and
    what the layout before session folders left behind (tmp*, mapping-*) once a day old: an
    older server may still be previewing a file in one of those."""
    if not root.is_dir():
        return
    day_ago = time.time() - OLD_LAYOUT_AGE_S
    for entry in root.iterdir():
        ours = SESSION_FOLDER.fullmatch(entry.name)
        if ours:
            if int(ours[1]) == os.getpid() or _process_alive(int(ours[1])):
                continue
        else:
            try:
                if entry.lstat().st_mtime > day_ago:
                    continue
            except FileNotFoundError:
                continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@st.cache_resource(scope="session", on_release=SessionUploads.release, show_spinner=False)
def _session_uploads(root: str) -> SessionUploads:
    return SessionUploads(Path(root))


def session_uploads() -> SessionUploads:
    """This browser session's uploads (created on first use, removed when the session ends)."""
    return _session_uploads(str(uploads_root()))


@contextlib.contextmanager
def on_disk(uploaded: Any) -> Iterator[Path]:
    """An st.file_uploader file on disk for the duration of the block (see the module doc)."""
    with session_uploads().on_disk(uploaded.name, uploaded.getvalue()) as path:
        yield path
