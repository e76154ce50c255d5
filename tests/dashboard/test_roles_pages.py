"""Every role on every page (AppTest, sign-in configured, the sample data and an access file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from database.db import read_connection
from tests.dashboard.conftest import APP, TIMEOUT
from tests.dashboard.dashboard_helpers import no_errors, shown, texts

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret",
    "company": {
        "client_id": "scorecard",
        "client_secret": "s3cret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
}
ACCESS = """
contact = "Ana Lytic, ana@example.com"

[people."admin@example.com"]
role = "admin"

[people."ana@example.com"]
role = "analyst"

[people."head.consumer@example.com"]
role = "department_head"
departments = ["Consumer"]

[groups."execs"]
role = "executive"
"""
ADMIN = {"email": "admin@example.com"}
ANALYST = {"email": "ana@example.com"}
EXECUTIVE = {"email": "cfo@example.com", "groups": ["staff", "execs"]}
HEAD = {"email": "head.consumer@example.com"}
LEAD = {"email": "lead.billing@example.com"}  # teams.csv: the lead of Billing
EVERYONE = {"admin": ADMIN, "analyst": ANALYST, "executive": EXECUTIVE, "head": HEAD, "lead": LEAD}
SCORECARD = ["views/overview.py", "views/team.py", "views/wellbeing.py", "views/glossary.py"]
PAGES = {
    "admin": [*SCORECARD, "views/load_data.py", "views/settings.py", "views/access.py"],
    "analyst": [*SCORECARD, "views/load_data.py", "views/settings.py"],
    "executive": [*SCORECARD, "views/settings.py"],
    "head": [*SCORECARD, "views/settings.py"],
    "lead": SCORECARD,
}
ALL_PAGES = PAGES["admin"]
CONSUMER = ["Billing", "Orders & Delivery", "Returns"]  # the sample's teams.csv
NOT_CONSUMER = ["Enterprise Support", "Onboarding", "Escalations", "Tech Support L1",
                "Tech Support L2", "Integrations", "Social Care"]  # fmt: skip


@pytest.fixture
def signed_in(app_db: Path) -> Callable[..., AppTest]:
    """Run the app as a signed-in person (claims), on a page, with URL parameters."""
    app_db.with_name("scorecard.access.toml").write_text(ACCESS)

    def run(claims: dict[str, object] | None, page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": False} if claims is None else {"is_logged_in": True, **claims}
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page)
            for key, value in query.items():
                at.query_params[key] = value
            at.run()
        return at

    return run


def all_text(at: AppTest) -> str:
    """What the page says and every table, selectbox option and download it holds."""
    parts = [texts(at), *(str(m.label) + str(m.value) for m in at.metric)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox]
    parts += [t.value for t in at.title]
    return shown("\n".join(parts))


@pytest.mark.parametrize("role", list(EVERYONE))
def test_each_role_opens_exactly_its_pages(signed_in, role: str) -> None:
    for page in ALL_PAGES:
        if page in PAGES[role]:
            at = signed_in(EVERYONE[role], page)
            no_errors(at)
            assert f"({ROLE_WORDS[role]})" in shown(texts(at)), page
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                signed_in(EVERYONE[role], page)


ROLE_WORDS = {"admin": "administrator", "analyst": "analyst", "executive": "executive",
              "head": "department head", "lead": "team lead"}  # fmt: skip


@pytest.mark.parametrize("page", SCORECARD)
def test_a_team_lead_sees_nothing_of_another_team_on_any_page(signed_in, page: str) -> None:
    at = signed_in(LEAD, page)
    no_errors(at)
    text = all_text(at)
    assert [t for t in NOT_CONSUMER + ["Orders & Delivery", "Returns"] if t in text] == []


def test_a_team_lead_has_their_team_and_a_rank_without_names(signed_in) -> None:
    at = signed_in(LEAD, "views/team.py")
    assert at.selectbox(key="w_team").options == ["Billing"]
    rank = next(m for m in at.metric if m.label == "Rank among teams").value
    assert rank.endswith(" of 10 teams"), rank
    at.radio(key="w_level").set_value("department").run()
    assert at.selectbox(key="w_dept").options == ["Consumer"]
    assert "Ticket lists are shown for your own department only." in texts(at)


def test_a_team_leads_hand_edited_link_shows_nothing_of_that_team(signed_in, app_db) -> None:
    at = signed_in(LEAD, "views/team.py", team="Returns")
    no_errors(at)
    assert "The team in the link is not one you can see." in texts(at)
    text = all_text(at)
    assert "Returns" not in text.replace("The team in the link", "")
    assert at.selectbox(key="w_team").value == "Billing"
    with read_connection(app_db) as con:
        logged = con.execute("SELECT who, detail FROM audit WHERE action = 'refused'").fetchall()
    assert logged == [("lead.billing@example.com", "team in a link: Returns")]


def test_a_department_head_sees_their_departments_teams_only(signed_in) -> None:
    at = signed_in(HEAD, "views/team.py")
    no_errors(at)
    assert at.selectbox(key="w_team").options == sorted(CONSUMER)
    text = all_text(at)
    assert [t for t in NOT_CONSUMER if t in text] == []
    at = signed_in(HEAD, "views/wellbeing.py")
    no_errors(at)
    table = at.dataframe[0].value
    assert set(table["Team"]) <= set(CONSUMER) and len(table) > 0


def test_an_executive_sees_every_team_and_cannot_change_a_target(signed_in) -> None:
    at = signed_in(EXECUTIVE, "views/team.py")
    assert len(at.selectbox(key="w_team").options) == 10
    at = signed_in(EXECUTIVE, "views/settings.py")
    no_errors(at)
    assert [b.label for b in at.button] == ["Sign out"]  # no form to save
    assert len(at.number_input) == 0
    assert "You can read the targets and rules" in texts(at)


def test_an_analyst_changes_a_target_and_the_audit_log_says_who(signed_in, app_db) -> None:
    at = signed_in(ANALYST, "views/settings.py")
    at.selectbox(key="target_indicator").select("loyalty.csat_pct")
    at.number_input(key="target_value").set_value(91.0)
    at.button[0].click().run()  # "Save target"
    no_errors(at)
    assert "saved" in texts(at)
    assert "91.0" in app_db.with_name("scorecard.settings.toml").read_text()
    with read_connection(app_db) as con:
        logged = con.execute("SELECT who, action, detail FROM audit").fetchall()
    assert logged[-1] == (
        "ana@example.com",
        "target changed",
        "Target of Customer satisfaction (CSAT) (91.0): targets.loyalty.csat_pct 80.0 -> 91.0",
    )
    at = signed_in(ANALYST, "views/load_data.py")
    no_errors(at)
    log = at.dataframe[-1].value
    assert list(log.columns) == ["happened_at", "who", "action", "detail"]
    assert "ana@example.com" in set(log["who"])


def test_lowering_k_is_in_the_audit_log_with_the_old_and_new_value(signed_in, app_db) -> None:
    at = signed_in(ADMIN, "views/settings.py")
    at.number_input(key="k").set_value(3)
    next(b for b in at.button if b.label == "Save rules").click().run()
    no_errors(at)
    with read_connection(app_db) as con:
        logged = con.execute("SELECT who, action, detail FROM audit").fetchall()
    assert logged[-1] == ("admin@example.com", "settings changed", "Rules: privacy.k 5 -> 3")


def test_a_team_leads_hand_edited_department_link_shows_nothing_of_it(signed_in) -> None:
    at = signed_in(LEAD, "views/overview.py", dept="Business")
    no_errors(at)
    assert "The department in the link is not one you can see." in texts(at)
    assert at.selectbox(key="w_dept").options == ["(all departments)", "Consumer"]
    assert "Business" not in all_text(at).replace("The department in the link", "")


def test_an_administrator_gives_and_takes_a_role_on_the_access_page(signed_in, app_db) -> None:
    at = signed_in(ADMIN, "views/access.py")
    no_errors(at)
    table = at.dataframe[0].value
    assert ("lead.billing@example.com", "team lead", "Billing") in set(
        zip(table["Who"], table["Role"], table["Covers"], strict=True)
    )
    at.text_input(key="grant_name").input("New.Head@Example.com")
    at.selectbox(key="grant_role").select("department_head")
    at.multiselect(key="grant_departments").select("Business")
    next(b for b in at.button if b.label == "Give the role").click().run()
    no_errors(at)
    assert "Saved: new.head@example.com: department head (Business)." in shown(texts(at))
    access = app_db.with_name("scorecard.access.toml").read_text()
    assert '[people."new.head@example.com"]\nrole = "department_head"' in access
    now_head = signed_in({"email": "new.head@example.com"}, "views/team.py")
    assert now_head.selectbox(key="w_team").options == ["Enterprise Support", "Escalations",
                                                        "Onboarding"]  # fmt: skip
    at.selectbox(key="revoke_who").select(("person", "new.head@example.com"))
    next(b for b in at.button if b.label == "Take the role away").click().run()
    with read_connection(app_db) as con:
        logged = con.execute("SELECT who, action, detail FROM audit").fetchall()
    assert logged[-2:] == [
        ("admin@example.com", "access changed", "new.head@example.com: department head (Business)"),
        ("admin@example.com", "access changed", "new.head@example.com: role taken away"),
    ]
    assert signed_in({"email": "new.head@example.com"}).warning  # no role any more


def test_someone_without_a_role_is_told_whom_to_ask(signed_in) -> None:
    at = signed_in({"email": "stranger@example.com"})
    no_errors(at)
    said = shown(texts(at))
    assert "signed in as **stranger@example.com**, but no role" in said
    assert "Ask Ana Lytic, ana@example.com to add you." in said
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.dataframe and not at.metric


def test_someone_not_signed_in_sees_only_the_sign_in(signed_in) -> None:
    at = signed_in(None)
    no_errors(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.metric


def test_a_bad_access_file_names_the_entry(signed_in, app_db) -> None:
    app_db.with_name("scorecard.access.toml").write_text(
        '[people."ana@example.com"]\nrole = "boss"\n'
    )
    at = signed_in(ANALYST)
    said = shown(" ".join(e.value for e in at.error))
    assert "scorecard.access.toml: people.\"ana@example.com\".role: 'boss' is not a role" in said


@pytest.mark.parametrize("page", ALL_PAGES)
def test_local_mode_says_so_on_every_page(open_page, app_db, page: str) -> None:
    at = open_page(page)
    no_errors(at)
    assert "Local mode, no sign-in" in texts(at)


def test_no_sign_in_and_not_local_shows_nothing(app_db) -> None:
    st_config.set_option("server.address", "0.0.0.0")  # the fixture puts it back
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert "Sign-in is not set up" in at.error[0].value
    assert not at.dataframe and not at.metric and not at.button
