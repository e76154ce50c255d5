"""Sign-in journeys against a real OpenID Connect provider (npm's oidc-provider, tests/oidc)
started by the test: each role sees exactly what it may, on the page and in downloaded files."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.browser_helpers import choose, go_to, no_errors, screenshot, settle
from tests.browser.conftest import ROOT, Server, free_port

pytestmark = pytest.mark.browser
OIDC = ROOT / "tests" / "oidc"
ACCESS = """
contact = "Ana Lytic, ana@example.com"
[people."ana@example.com"]
role = "analyst"
[people."head.consumer@example.com"]
role = "department_head"
departments = ["Consumer"]
[groups."execs"]
role = "executive"
"""
CONSUMER = ["Billing", "Orders & Delivery", "Returns"]  # the sample's teams.csv
OTHERS = ["Enterprise Support", "Onboarding", "Escalations", "Tech Support L1",
          "Tech Support L2", "Integrations", "Social Care"]  # fmt: skip


def wait_for(url: str, what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(240):
        if proc.poll() is not None:
            pytest.fail(f"{what} exited:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        time.sleep(0.25)
    pytest.fail(f"{what} did not answer:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory: pytest.TempPathFactory, sample_db_file: Path) -> Iterator[str]:
    """The provider and `scorecard serve` with sign-in set up; the app's URL (localhost)."""
    if not (OIDC / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("the test provider is not installed: npm ci --prefix tests/oidc")
    folder = tmp_path_factory.mktemp("signin")
    provider_port, app_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{provider_port}"
    redirect = f"http://localhost:{app_port}/oauth2callback"  # the host must match exactly
    log = folder / "provider.log"
    with log.open("wb") as out:
        provider = subprocess.Popen(
            ["node", "provider.mjs", issuer, redirect], cwd=OIDC, stdout=out, stderr=out
        )
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f'[auth]\nredirect_uri = "{redirect}"\ncookie_secret = "a-long-random-test-secret"\n'
        f'[auth.company]\nclient_id = "scorecard"\nclient_secret = "s3cret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        'client_kwargs = { prompt = "login", scope = "openid email profile groups" }\n'
    )
    db = folder / "scorecard.duckdb"
    shutil.copyfile(sample_db_file, db)
    db.with_name("scorecard.access.toml").write_text(ACCESS)
    server = None
    try:
        wait_for(f"{issuer}/.well-known/openid-configuration", "the provider", provider, log)
        server = Server(db, folder / "server.log", port=app_port, secrets=secrets)
        server.wait_healthy()
        yield f"http://localhost:{app_port}"
    finally:
        if server is not None:
            server.stop()
        provider.terminate()
        provider.wait(timeout=30)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    """A fresh tab with no cookie of an earlier sign-in."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, url: str, user: str, shot: str | None = None) -> None:
    """Through the app's sign-in button and the provider's login and consent pages."""
    page.goto(url)
    button = page.get_by_role("button", name="Sign in")
    expect(button).to_be_visible()
    settle(page)
    if shot:
        screenshot(page, shot, 700)
    button.click()
    page.locator("input[name=login]").fill(user)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # the consent page
    expect(page.get_by_text("Signed in as")).to_be_visible()
    settle(page)


def download(page: Page, button: str) -> list[dict[str, str]]:
    """The rows of the CSV a download button gives."""
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def nav_links(page: Page) -> list[str]:
    """The page titles in the sidebar (each link's text starts with its icon's name)."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [text.strip().split("\n")[-1] for text in links]


def body(page: Page) -> str:
    return page.inner_text("body")


def test_team_lead_sees_their_team_only_and_signs_out(tab: Page, signin_app: str) -> None:
    sign_in(tab, signin_app, "lead.billing@example.com", shot="signin")
    expect(tab.get_by_role("heading", name="Service culture overview")).to_be_visible()
    assert nav_links(tab) == ["Overview", "Team", "Wellbeing", "Glossary"]
    exported = download(tab, "Download the scorecard by month (CSV)")
    assert {(r["scope"], r["scope_id"]) for r in exported} == {
        ("org", ""), ("department", "Consumer"), ("team", "Billing")
    }  # fmt: skip

    go_to(tab, "Team", "Team scorecard")
    no_errors(tab)
    expect(tab.get_by_role("combobox", name="Team")).to_have_value("Billing")
    rank = tab.get_by_test_id("stMetric").filter(has_text="Rank among teams").inner_text()
    assert rank.strip().endswith("of 10 teams"), rank
    assert [t for t in OTHERS + ["Returns", "Orders & Delivery"] if t in body(tab)] == []
    screenshot(tab, "team-lead", 1600)
    tickets = download(tab, "Download these tickets (CSV)")
    assert tickets and {r["Team"] for r in tickets} == {"Billing"}

    # A hand-edited link to another team shows nothing of it; the Data page is not there.
    tab.goto(f"{signin_app}/team?team=Returns")
    expect(tab.get_by_text("The team in the link is not one you can see.")).to_be_visible()
    settle(tab)
    expect(tab.get_by_role("combobox", name="Team")).to_have_value("Billing")
    assert "Returns" not in body(tab)
    tab.goto(f"{signin_app}/data")
    expect(tab.get_by_role("dialog")).to_be_visible()  # Streamlit: page not found
    settle(tab)
    assert "Upload" not in body(tab) and "Load history" not in body(tab)
    tab.keyboard.press("Escape")
    expect(tab.get_by_role("dialog")).to_have_count(0)

    tab.get_by_role("button", name="Sign out").click()
    # The provider ends its session too (its own "sign me out" page), then back to the app.
    tab.locator("button[autofocus], button[type=submit]").first.click()
    expect(tab.get_by_role("button", name="Sign in")).to_be_visible()
    tab.goto(f"{signin_app}/team")
    expect(tab.get_by_role("button", name="Sign in")).to_be_visible()
    assert "Billing" not in body(tab)


def test_department_head_sees_their_department(tab: Page, signin_app: str) -> None:
    sign_in(tab, signin_app, "head.consumer@example.com")
    assert nav_links(tab) == [
        "Overview", "Team", "Wellbeing", "Glossary", "Settings"
    ]  # fmt: skip
    exported = download(tab, "Download the scorecard by month (CSV)")
    assert {r["scope_id"] for r in exported if r["scope"] == "team"} == set(CONSUMER)
    assert {r["scope_id"] for r in exported if r["scope"] == "department"} == {"Consumer"}
    go_to(tab, "Team", "Team scorecard")
    choose(tab, "Team", "Returns")
    tickets = download(tab, "Download these tickets (CSV)")
    assert {r["Team"] for r in tickets} == {"Returns"}
    assert [t for t in OTHERS if t in body(tab)] == []


def test_executive_sees_everything_and_changes_nothing(tab: Page, signin_app: str) -> None:
    sign_in(tab, signin_app, "cfo@example.com|staff,execs")
    expect(tab.get_by_text("(executive)")).to_be_visible()
    exported = download(tab, "Download the scorecard by month (CSV)")
    assert {r["scope_id"] for r in exported if r["scope"] == "team"} == set(CONSUMER + OTHERS)
    go_to(tab, "Settings", "Settings")
    expect(tab.get_by_text("You can read the targets and rules")).to_be_visible()
    expect(tab.get_by_role("button", name="Save target")).to_have_count(0)
    assert "Data" not in nav_links(tab)


def test_analyst_loads_configures_and_sees_the_audit_log(tab: Page, signin_app: str) -> None:
    sign_in(tab, signin_app, "ana@example.com")
    go_to(tab, "Settings", "Settings")
    expect(tab.get_by_role("button", name="Save target")).to_be_visible()
    go_to(tab, "Data", "Data")
    tab.get_by_role("tab", name="Audit log").click()
    settle(tab)
    # The team lead's refused link, recorded with the e-mail from the token.
    expect(tab.get_by_test_id("stDataFrame").last).to_be_visible()
    assert "Upload" in body(tab)


def test_a_stranger_is_told_whom_to_ask(tab: Page, signin_app: str) -> None:
    sign_in_page_only = tab
    sign_in_page_only.goto(signin_app)
    sign_in_page_only.get_by_role("button", name="Sign in").click()
    tab.locator("input[name=login]").fill("stranger@example.com")
    tab.locator("input[name=password]").fill("any")
    tab.locator("button[type=submit]").click()
    tab.locator("button[type=submit]").click()
    expect(tab.get_by_text("Ask Ana Lytic, ana@example.com to add you.")).to_be_visible()
    assert "Billing" not in body(tab)
