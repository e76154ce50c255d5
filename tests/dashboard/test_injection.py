"""Attacks through names: Markdown/HTML shown as text on every page, formula cells in every
download neutralised (the pages read the download buttons' bytes)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from tests.dashboard.dashboard_helpers import downloads, escaped, no_errors, shown
from tests.hostile import hostile_lead, make_hostile

HOST = "http://127.0.0.1:9"
IMAGE, BOLD, HTML = "Billing", "Escalations", "Orders & Delivery"  # sample names they replace
FORMULA_TEAM = "Enterprise Support"
DEPARTMENT = "Consumer"
FILE_IMAGE = f"![f]({HOST}/f.png).csv"
NEW_TICKETS = (
    b"ticket_id,team,created_at,priority,first_response_at,resolved_at,reopens\n"
    b"EV-1,Billing,2026-10-30 10:00,=1+2,,,0\n"
    b"EV-2,Billing,2026-10-30 11:00,-Ops,,,0\n"
    b"EV-3,Billing,2026-10-30 11:00,@sum,,,0\n"
    b"EV-4,Billing,2026-10-30 11:00,+x,,,0\n"
    b"EV-5,Billing,2026-10-30 11:00,normal,,,-3\n"
    b"EV-6,Billing,2026-10-30 12:00,high,2026-10-30 12:05,,0\n"
)
# Fields of Streamlit's element protos that the browser renders as Markdown: bodies of
# markdown, captions, headings and alerts; labels of widgets, buttons, metrics, tabs and
# expanders; metric values and deltas; help tooltips.
MARKDOWN_FIELDS = {"body", "label", "help", "delta", "delta_description"}


@pytest.fixture(scope="session")
def hostile_sample(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "scorecard.duckdb"
    shutil.copyfile(sample_db, path)
    make_hostile(path, HOST)
    return path


@pytest.fixture
def names() -> dict[str, str]:
    from tests.hostile import hostile_names

    return hostile_names(HOST)


@pytest.fixture
def hostile_db(hostile_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "scorecard.duckdb"
    shutil.copyfile(hostile_sample, path)
    monkeypatch.setenv("SCORECARD_DB", str(path))
    return path


def assert_no_formula_cell(csv_text: str) -> list[list[str]]:
    """No cell a spreadsheet would run: nothing starts with = + @ tab CR, and - only numbers."""
    rows = list(csv.reader(io.StringIO(csv_text, newline="")))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                float(cell)  # a negative number, never text
    return rows


def _strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            for item in [value] if isinstance(value, Message) else value:
                yield from _strings(item)
        elif field.type == FieldDescriptor.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            yield from [value] if isinstance(value, str) else value


def markdown_strings(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown (main area and sidebar)."""
    found: list[str] = []

    def visit(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            found.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.main)
    visit(at.sidebar)
    return found


def assert_shown_as_text(at: AppTest, *hostile: str) -> str:
    """Every hostile string that reaches Markdown is escaped (a reader sees it only where the
    Markdown holds ui.text of it); returns the Markdown of the page, joined."""
    bodies = markdown_strings(at)
    for name in hostile:
        literal, seen = escaped(name), " ".join(name.split())
        for body in bodies:
            assert shown(body).count(seen) == body.count(literal), f"{name!r} raw in {body!r}"
    return "\n".join(bodies)


def test_team_names_on_the_team_page_are_text(hostile_db: Path, open_page, names) -> None:
    for sample in (IMAGE, BOLD, HTML):
        at = open_page("views/team.py", team=names[sample])
        no_errors(at)
        page = assert_shown_as_text(at, *names.values(), hostile_lead(HOST))
        assert f"Team **{escaped(names[sample])}**" in page
        assert f"Team **{names[sample]}**" in shown(page)  # what the reader sees
        if sample == BOLD:  # a small team: says by name that its figures are hidden
            assert f"figure(s) of {escaped(names[BOLD])} are hidden" in page
    at = open_page("views/team.py", team=names[IMAGE])
    page = assert_shown_as_text(at, hostile_lead(HOST))
    assert f"Department: {escaped(names[DEPARTMENT])} · Lead: {escaped(hostile_lead(HOST))}" in page


def test_a_department_name_is_text_on_overview_and_wellbeing(
    hostile_db: Path, open_page, names
) -> None:
    for view in ("views/overview.py", "views/wellbeing.py"):
        at = open_page(view, dept=names[DEPARTMENT])
        no_errors(at)
        assert at.selectbox(key="w_dept").value == names[DEPARTMENT]
        page = assert_shown_as_text(at, *names.values())
        assert f"epartment {escaped(names[DEPARTMENT])}, " in page


def test_every_page_keeps_hostile_names_out_of_markdown(hostile_db: Path, open_page, names) -> None:
    for view in ("views/overview.py", "views/team.py", "views/wellbeing.py", "views/load_data.py"):
        at = open_page(view)
        no_errors(at)
        assert_shown_as_text(at, *names.values(), hostile_lead(HOST))
    # The names are still there, as plain text, where tables and pickers show them.
    team_page = open_page("views/team.py", team=names[IMAGE])
    assert names[IMAGE] in team_page.selectbox(key="w_team").options
    wellbeing = open_page("views/wellbeing.py")
    table = next(d.value for d in wellbeing.dataframe if "Team" in d.value.columns)
    assert {names[IMAGE], names[BOLD], names[HTML]} <= set(table["Team"])


def test_an_uploaded_file_name_is_text(hostile_db: Path, open_page) -> None:
    at = open_page("views/load_data.py")
    at.file_uploader(key="upload").set_value((FILE_IMAGE, NEW_TICKETS, "text/csv")).run()
    no_errors(at)
    assert_shown_as_text(at, FILE_IMAGE)
    assert at.button(key="confirm_load").label == f"Load {escaped(FILE_IMAGE)} as tickets"
    at.button(key="confirm_load").click().run()
    no_errors(at)
    page = assert_shown_as_text(at, FILE_IMAGE)
    assert f"**{escaped(FILE_IMAGE)}** loaded as Tickets" in page
    # Stored and listed as the literal name (tables and pickers show plain text).
    history = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert history.iloc[0]["file_name"] == FILE_IMAGE
    assert any(FILE_IMAGE in label for label in at.selectbox(key="rejected_load").options)


def test_downloads_of_the_team_page_neutralise_formula_cells(
    hostile_db: Path, open_page, media, names
) -> None:
    at = open_page("views/team.py", team=names[FORMULA_TEAM])
    no_errors(at)
    rows = assert_no_formula_cell(downloads(at, media)["download_tickets"])
    header, body = rows[0], rows[1:]
    assert body, "the team has tickets to download"
    assert {r[header.index("Team")] for r in body} == {"'=1+2"}
    assert {r[header.index("Agent")] for r in body} == {"'=agent"}
    assert {r[header.index("Category")] for r in body} == {"'-category"}


def test_downloads_of_the_data_page_neutralise_formula_cells(
    hostile_db: Path, open_page, media
) -> None:
    at = open_page("views/load_data.py")
    at.file_uploader(key="upload").set_value(("@evil.csv", NEW_TICKETS, "text/csv")).run()
    at.button(key="confirm_load").click().run()
    no_errors(at)
    files = downloads(at, media)
    history = assert_no_formula_cell(files["download_history"])
    assert history[1][history[0].index("file_name")] == "'@evil.csv"
    rejected = assert_no_formula_cell(files["download_rejected"])
    header = rejected[0]
    mine = [r for r in rejected[1:] if r[header.index("file_name")] == "'@evil.csv"]
    assert [r[header.index("value")] for r in mine] == ["'=1+2", "'-Ops", "'@sum", "'+x", "'-3"]
    assert {r[header.index("line")] for r in mine} == {"2", "3", "4", "5", "6"}


def test_the_glossary_download_is_written_safely(hostile_db: Path, open_page, media) -> None:
    at = open_page("views/glossary.py")
    no_errors(at)
    rows = assert_no_formula_cell(downloads(at, media)["download_glossary"])
    assert rows[0][:3] == ["area", "id", "label"]
