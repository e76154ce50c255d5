"""Every mapping example in docs/mappings.md is a valid mapping; the layout examples load the
fixtures built on the same real layouts exactly as the fixtures' own mappings do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.load import load_file
from ingest.mapping import parse_mapping
from tests.ingest.helpers import query

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = re.findall(r"```toml\n(.*?)```", (ROOT / "docs" / "mappings.md").read_text(), re.S)


def test_the_docs_have_an_example_per_new_key() -> None:
    joined = "\n".join(EXAMPLES)
    for key in ("[combine.", "[when.", "[generated_id]", "[unknown_values]"):
        assert key in joined, key


@pytest.mark.parametrize("text", EXAMPLES, ids=lambda t: t.split("\n")[0][:30])
def test_every_example_is_a_valid_mapping(text: str) -> None:
    if not re.search(r"^name = ", text, re.M):
        text = 'name = "fragment"\nsource = "tickets"\n' + text  # a section shown alone
    mapping = parse_mapping(text, "docs/mappings.md")
    assert mapping.name


@pytest.mark.parametrize(
    "name,source,table", [("call_centre", "tickets", "tickets"), ("days_open", "tickets",
                          "tickets"), ("engagement_pulse", "polls", "poll_responses")]
)  # fmt: skip
def test_the_documented_example_is_the_fixtures_mapping(
    tmp_path: Path, name: str, source: str, table: str
) -> None:
    documented = next(t for t in EXAMPLES if f'name = "{name}"' in t)
    (tmp_path / "doc.toml").write_text(documented)
    assert parse_mapping(documented, "doc") == parse_mapping(
        (FIXTURES / f"{name}.toml").read_text(), "fixture"
    )
    report = load_file(
        tmp_path / "db.duckdb", source, FIXTURES / f"{name}.csv", tmp_path / "doc.toml"
    )
    assert (
        report.rows_loaded == query(tmp_path / "db.duckdb", f"SELECT count(*) FROM {table}")[0][0]
    )
