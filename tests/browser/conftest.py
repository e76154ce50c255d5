"""Browser fixtures: `scorecard serve` on a free port, headless Debian Chromium via Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cli.main import DEMO_FILES, SAMPLE_DIR
from ingest.load import load_file

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_sample_db(path: Path) -> Path:
    """The sample data loaded through the real ingest."""
    for source, name in DEMO_FILES:
        load_file(path, source, SAMPLE_DIR / name)
    return path


class Server:
    """A `scorecard serve` process (and its Streamlit child) on one database."""

    def __init__(
        self, db: Path, log: Path, port: int | None = None, secrets: Path | None = None
    ) -> None:
        self.db = db
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        env = dict(os.environ)
        self._log = log.open("wb")
        # Its own session: stopping it stops the Streamlit child too (by this process group).
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "serve",
                "--db",
                str(db),
                "--port",
                str(self.port),
                "--host",
                "127.0.0.1",
                *(["--secrets", str(secrets)] if secrets else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        """Poll /_stcore/health until it answers; fail with the server log if it died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the server exited early:\n{self.log()}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            time.sleep(0.25)
        pytest.fail(f"the server did not become healthy in {timeout} s:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the process group this fixture started."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self._log.close()


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample database, built once (copy it before changing it)."""
    return build_sample_db(tmp_path_factory.mktemp("browser-sample") / "scorecard.duckdb")


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[[Path], Server]]:
    """Start `scorecard serve` on a database; every server started is stopped afterwards."""
    servers: list[Server] = []

    def start(db: Path) -> Server:
        server = Server(db, tmp_path / f"server-{len(servers)}.log")
        servers.append(server)
        server.wait_healthy()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def shared_server(
    sample_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One server on an unchanged copy of the sample data, for journeys that only read."""
    folder = tmp_path_factory.mktemp("shared-server")
    db = folder / "scorecard.duckdb"
    shutil.copyfile(sample_db_file, db)
    server = Server(db, folder / "server.log")
    server.wait_healthy()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser tab (own context, downloads allowed)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    yield tab
    context.close()
