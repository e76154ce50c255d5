"""Assertions on AppTest pages shared by the dashboard tests."""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest


def no_errors(at: AppTest) -> None:
    """Neither an uncaught exception nor a page-boundary error on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


PUNCTUATION = r"[!-/:-@\[-`{-~]"  # every ASCII punctuation character


def shown(markdown: str) -> str:
    """The text a reader sees of a Markdown body whose literal text was escaped (ui.text)."""
    return re.sub(rf"\\({PUNCTUATION})", r"\1", markdown)


def escaped(text: str) -> str:
    """Literal text as Markdown, written independently of ui.text: CommonMark's backslash
    before every ASCII punctuation character, on one line."""
    return re.sub(rf"({PUNCTUATION})", r"\\\1", " ".join(text.split()))


def metric(at: AppTest, label_start: str) -> Any:
    """The first metric whose label starts with the text."""
    for m in at.metric:
        if m.label.startswith(label_start):
            return m
    raise AssertionError(f"no metric {label_start!r} among {[m.label for m in at.metric]}")


def texts(at: AppTest) -> str:
    """All markdown, caption, info, success, warning and error text of the page, joined."""
    parts = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "subheader"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def charts(at: AppTest) -> list[dict[str, Any]]:
    """The Vega-Lite specs of the page's Altair charts."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_data(at: AppTest, index: int) -> list[pa.Table]:
    """The datasets of one chart as Arrow tables."""
    chart = at.get("vega_lite_chart")[index]
    return [pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets]


def downloads(at: AppTest, media: list[MemoryMediaFileStorage]) -> dict[str, str]:
    """Each download button's key -> the CSV text it hands the browser (from the last run)."""
    out = {}
    for button in at.get("download_button"):
        name = button.proto.url.rsplit("/", 1)[-1]
        out[button.proto.id.rsplit("-", 1)[-1]] = media[-1].get_file(name).content.decode()
    return out
