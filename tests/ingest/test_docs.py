"""The documentation names every canonical column and every shipped mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.mapping import MAPPINGS_DIR
from ingest.sources import SOURCES

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_canonical_column_is_documented(source: str) -> None:
    text = (DOCS / "canonical.md").read_text()
    section = text.split(f"## {source} ")[1].split("\n## ")[0]
    for column in SOURCES[source].names:
        assert f"| `{column}` |" in section, column


@pytest.mark.parametrize("path", sorted(MAPPINGS_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_mapping_is_documented(path: Path) -> None:
    assert f"`{path.stem}`" in (DOCS / "mappings.md").read_text()
