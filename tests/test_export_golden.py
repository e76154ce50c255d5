"""Golden file: the monthly export of the sample data, reviewed in the diff when it changes.

Regenerate with `make golden` (pytest tests/test_export_golden.py --update-golden).
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

from ingest.db import read_connection
from ingest.settings import default_settings_data, validate_settings
from metrics.export import export_csv
from tests.conftest import SAMPLE_DATA

GOLDEN = Path(__file__).resolve().parent / "golden" / "export_month.csv"
# teams and tickets first: some survey responses take their team from the ticket.
FILES = (
    ("teams", "teams.csv"),
    ("tickets", "tickets.csv"),
    ("surveys", "surveys.csv"),
    ("polls", "employee_polls.csv"),
)


def _missing_prerequisite() -> str | None:
    if importlib.util.find_spec("ingest.load") is None:
        return "ingest.load is not there yet"
    for _, name in FILES:
        if not (SAMPLE_DATA / name).is_file():
            return f"sample_data/{name} is not there yet"
    return None


def test_monthly_export_of_sample_data(db_path: Path, update_golden: bool) -> None:
    reason = _missing_prerequisite()
    if reason:
        pytest.skip(reason)
    from ingest.load import load_file

    # Shipped defaults, whatever SCORECARD_SETTINGS says: the golden file is about the code.
    settings = validate_settings(default_settings_data())
    for source, name in FILES:
        load_file(db_path, source, SAMPLE_DATA / name, settings=settings)
    with read_connection(db_path) as con:
        text = export_csv(con, "month", settings)
    if update_golden or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"wrote a new {GOLDEN.name}: review it and commit it")
        return
    expected = GOLDEN.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    "golden",
                    "now",
                    n=0,
                )
            )[:60]
        )
        pytest.fail(f"export differs from {GOLDEN.name} (make golden to accept):\n{diff}")
