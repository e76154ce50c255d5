"""Shared fixtures: a fresh DuckDB file per test, the repository paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"
PUBLIC_DATA = ROOT.parent / "shared" / "datasets" / "public"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files instead of comparing"
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when golden files should be rewritten (make golden)."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet (one per test)."""
    return tmp_path / "scorecard.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data loaded once per session through the real ingest (never modified)."""
    from cli.main import DEMO_FILES, SAMPLE_DIR
    from ingest.load import load_file

    path = tmp_path_factory.mktemp("sample") / "scorecard.duckdb"
    for source, name in DEMO_FILES:
        load_file(path, source, SAMPLE_DIR / name)
    return path
