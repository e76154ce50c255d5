"""Dashboard fixtures: the sample data loaded by the real ingest, and AppTest runners on it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from cli.main import DEMO_FILES, SAMPLE_DIR
from ingest.load import load_file

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
TIMEOUT = 60


@pytest.fixture(autouse=True)
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp folder of the test's own for the app (uploads), never the machine's /tmp."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data loaded once per session through the real ingest (never modified)."""
    path = tmp_path_factory.mktemp("sample") / "scorecard.duckdb"
    for source, name in DEMO_FILES:
        load_file(path, source, SAMPLE_DIR / name)
    return path


@pytest.fixture
def app_db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the sample database that the app under test shows (SCORECARD_DB)."""
    path = tmp_path / "scorecard.duckdb"
    shutil.copyfile(sample_db, path)
    monkeypatch.setenv("SCORECARD_DB", str(path))
    return path


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database path with no file yet."""
    path = tmp_path / "empty" / "scorecard.duckdb"
    monkeypatch.setenv("SCORECARD_DB", str(path))
    return path


@pytest.fixture
def open_page() -> Callable[..., AppTest]:
    """Run the app on a page ('views/team.py'), optionally with URL query parameters."""

    def run(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page)
            for key, value in query.items():
                at.query_params[key] = value
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


@pytest.fixture(autouse=True)
def on_this_machine() -> Iterator[None]:
    """The app bound to 127.0.0.1, as `scorecard serve` binds it: local mode unless a test
    configures sign-in (AppTest runs in this process and reads this process's options)."""
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", before)
