"""Each role's first page at 1440, 1280 and 390 px: nothing covered, nothing cut, tab titles,
a local favicon. Screenshots of the first screen go to docs/screenshots/<page>-<width>.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browser_helpers import SCREENSHOTS, no_errors, settle

pytestmark = pytest.mark.browser

# (role, url path, heading, tab title)
JOURNEYS = [
    ("executive", "", "Service culture overview", "Overview · Service Scorecard"),
    ("team lead", "team?team=Billing", "Team scorecard", "Team · Service Scorecard"),
    ("analyst", "wellbeing", "Employee wellbeing", "Wellbeing · Service Scorecard"),
]
WIDTHS = [1440, 1280, 390]


@pytest.fixture
def sized(browser, request) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh tab of the width under test."""
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def cut_labels(page: Page) -> list[str]:
    """Metric labels and column headers whose text does not fit (shown with an ellipsis)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMetricLabel] p, '
              + '[data-testid=stMetricLabel] div')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
    )


@pytest.mark.parametrize("sized", WIDTHS, indirect=True, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize(
    ("role", "path", "heading", "title"), JOURNEYS, ids=[j[0] for j in JOURNEYS]
)
def test_each_role_reads_its_page_at_every_width(
    sized: Page, shared_server, role: str, path: str, heading: str, title: str
) -> None:
    page = sized
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.goto(f"{shared_server.url}/{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    settle(page)
    no_errors(page)
    assert page.title() == title
    icon = page.locator("link[rel*='icon']").first.get_attribute("href") or ""
    assert not icon.startswith("http") or icon.startswith(shared_server.url), icon
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    if width < 500:
        # Closed on a phone: the page is not covered on first load.
        assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0, sidebar
    else:
        assert sidebar is not None and sidebar["width"] > 0
        assert cut_labels(page) == []
    if path.startswith("team"):
        grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        assert grid is not None and grid["x"] >= 0 and grid["x"] + grid["width"] <= width
    name = path.split("?")[0] or "overview"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
