"""Access (administrators): who has which role; grant and revoke, recorded in the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, signin, ui
from database import audit
from database.roles import (
    ROLE_LABELS,
    AccessError,
    AccessFile,
    Grant,
    Role,
    granted,
    revoked,
    save_access,
)

viewer = signin.current()  # every read below is filtered for this person


def _table(found: AccessFile) -> pd.DataFrame:
    rows = [
        {
            "Who": name,
            "Kind": kind,
            "Role": ROLE_LABELS[grant.role],
            "Covers": ", ".join(grant.departments or grant.teams) or "everything",
        }
        for kind, section in (("person", found.people), ("group", found.groups))
        for name, grant in sorted(section.items())
    ]
    teams = data.teams(viewer)
    for team in teams.dropna(subset=["lead_email"]).itertuples(index=False):
        rows.append(
            {
                "Who": str(team.lead_email).strip().lower(),
                "Kind": "person (teams.csv)",
                "Role": ROLE_LABELS[Role.TEAM_LEAD],
                "Covers": team.team,
            }
        )
    return pd.DataFrame(rows, columns=["Who", "Kind", "Role", "Covers"])


def _apply(change: tuple[AccessFile, str]) -> None:
    changed, detail = change
    save_access(changed, data.database().path)
    audit.record(data.database(), viewer.who, audit.ACCESS, detail)
    st.session_state["_access_saved"] = f"Saved: {detail}."
    st.rerun()


def _grant_form(found: AccessFile) -> None:
    teams = data.teams(viewer)
    with st.form("grant_form", border=True):
        st.markdown("**Give a role**")
        c1, c2, c3 = st.columns([2, 1, 1])
        name = c1.text_input("E-mail address, or group name", key="grant_name")
        kind = c2.radio("It is a", ["person", "group"], key="grant_kind", horizontal=True)
        role = c3.selectbox(
            "Role", list(Role), key="grant_role", format_func=lambda r: ROLE_LABELS[Role(r)]
        )
        c1, c2 = st.columns(2)
        departments = c1.multiselect(
            "Departments (department heads)",
            sorted(teams["department"].dropna().unique().tolist()),
            key="grant_departments",
        )
        chosen_teams = c2.multiselect(
            "Teams (team leads)", sorted(teams["team"].tolist()), key="grant_teams"
        )
        submitted = st.form_submit_button("Give the role", type="primary")
    if submitted:
        try:
            grant = Grant(
                role=Role(role or Role.TEAM_LEAD), departments=departments, teams=chosen_teams
            )
            _apply(granted(found, name, grant, kind == "group"))
        except ValueError as exc:  # AccessError, or pydantic's for the grant itself
            errors = getattr(exc, "errors", None)
            said = errors()[0]["msg"] if callable(errors) else str(exc)
            st.error(f"Not saved: {ui.text(str(said).removeprefix('Value error, '))}", icon="🚫")


def _revoke_form(found: AccessFile) -> None:
    entries = [("person", n) for n in sorted(found.people)]
    entries += [("group", n) for n in sorted(found.groups)]
    if not entries:
        return
    with st.form("revoke_form", border=True):
        st.markdown("**Take a role away**")
        chosen = st.selectbox(
            "Who", entries, key="revoke_who", format_func=lambda e: f"{e[1]} ({e[0]})"
        )
        submitted = st.form_submit_button("Take the role away")
    if submitted and chosen is not None:
        _apply(revoked(found, chosen[1], chosen[0] == "group"))


def render() -> None:
    """The page body."""
    st.title("Access")
    st.caption(
        "Who may see what. Team leads come from the lead e-mail of the teams file and need no "
        "entry. Every change is recorded in the audit log."
    )
    saved = st.session_state.pop("_access_saved", None)
    if saved:
        st.success(ui.text(saved), icon="✅")
    try:
        found = signin.access_file()
    except AccessError as exc:
        st.error(f"The access list cannot be read: {ui.text(exc)}", icon="🚫")
        return
    st.dataframe(_table(found), hide_index=True, width="stretch")
    _grant_form(found)
    _revoke_form(found)


ui.guard(render)
