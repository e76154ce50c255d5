"""Golden files: the export of the sample data at week, month and quarter, reviewed in the diff
when they change.

Regenerate with `make golden` (pytest tests/test_export_golden.py --update-golden).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from database.db import read_connection
from database.settings import default_settings_data, validate_settings
from ingest.load import load_file
from metrics.export import export_csv, stored_export_csv
from tests.conftest import SAMPLE_DATA

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
# teams and tickets first: some survey responses take their team from the ticket.
FILES = (
    ("teams", "teams.csv"),
    ("tickets", "tickets.csv"),
    ("surveys", "surveys.csv"),
    ("polls", "employee_polls.csv"),
)


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_export_of_sample_data(db_path: Path, update_golden: bool, period: str) -> None:
    # Shipped defaults: the golden file is about the code.
    settings = validate_settings(default_settings_data())
    for source, name in FILES:
        load_file(db_path, source, SAMPLE_DATA / name, settings=settings)
    with read_connection(db_path) as con:
        text = stored_export_csv(con, period, settings)
        # The store kept up by the loads publishes what a full recompute gives.
        assert text == export_csv(con, period, settings)
    golden = GOLDEN_DIR / f"export_{period}.csv"
    if update_golden or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"wrote a new {golden.name}: review it and commit it")
        return
    expected = golden.read_text(encoding="utf-8")
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
        pytest.fail(f"export differs from {golden.name} (make golden to accept):\n{diff}")
