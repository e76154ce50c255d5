"""Small steps of the browser journeys: wait for Streamlit, pick options, take screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def settle(page: Page) -> None:
    """Wait until the app has finished running the script (and charts had a moment to draw)."""
    status = page.get_by_test_id("stStatusWidget")
    # The status widget shows up shortly after a rerun starts; give it the chance to appear.
    try:
        status.wait_for(state="attached", timeout=1_500)
    except PlaywrightTimeoutError:
        pass
    status.wait_for(state="detached", timeout=90_000)
    page.wait_for_timeout(300)


def open_app(page: Page, url: str) -> None:
    """Open the app's main page and wait for the overview."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Service culture overview")).to_be_visible()
    settle(page)


def go_to(page: Page, title: str, heading: str) -> None:
    """Click a page in the sidebar navigation and wait for its heading."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    settle(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox by its label."""
    box = page.get_by_role("combobox", name=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a rerun that lands while the list is open closes it: open it again
        box.click()
        try:
            choice.click(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            settle(page)
    settle(page)
    expect(box).to_have_value(option)


def no_errors(page: Page) -> None:
    """No exception box and no error alert on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "Sorry, this view could not be shown" not in page.inner_text("body")


def screenshot(page: Page, name: str, height: int) -> Path:
    """Save a tall screenshot of the page to docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 1440, "height": height})
    page.wait_for_timeout(1500)
    settle(page)
    # Streamlit scrolls inside its own containers: bring every one back to the top.
    page.evaluate(
        "() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"
    )
    page.wait_for_timeout(300)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    if size:
        page.set_viewport_size(size)
    return path


def table_rows(page: Page | Locator, index: int = 0) -> list[list[str]]:
    """Cells of the accessible grid behind one visible st.dataframe (its rendered rows)."""
    grid = page.locator('[data-testid="stDataFrame"]:visible').nth(index).locator("table")
    return grid.evaluate(
        "t => [...t.querySelectorAll('tr')]"
        ".map(r => [...r.querySelectorAll('th, td')].map(c => c.innerText.trim()))"
    )


def table_text(page: Page | Locator, index: int = 0) -> str:
    """The grid as text: cells separated by tabs, rows by newlines."""
    return "\n".join("\t".join(row) for row in table_rows(page, index))


def tab_panel(page: Page, name: str) -> Locator:
    """Open a tab of st.tabs and return its panel."""
    page.get_by_role("tab", name=name).click()
    settle(page)
    return page.locator('[role="tabpanel"]:visible')
