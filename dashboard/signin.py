"""The door: sign-in with OpenID Connect (st.login), local mode, and who is looking on this run.

Three ways a run can go (`mode`): sign-in is configured in .streamlit/secrets.toml ([auth]), so
a person signs in and gets the role the access file or their team gives them; or the server
is bound to this machine only, so it runs as one local administrator ("local mode, no
sign-in"); or neither, and nothing is shown. `gate` draws the sign-in or no-role page and
stops the run, or returns the Viewer that every read of dashboard/data.py takes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard import access, data, ui
from dashboard.access import Viewer
from database import audit
from database.roles import AccessError, AccessFile, access_path_for, load_access

SIGNIN, LOCAL, CLOSED = "sign-in", "local", "closed"
LOCAL_NOTE = "Local mode, no sign-in: this machine only, everyone who opens it is administrator."
_VIEWER = "_viewer"
_NOTED = "_refusals_noted"


def _secrets() -> Mapping[str, Any]:
    try:
        return {"auth": st.secrets["auth"]} if "auth" in st.secrets else {}
    except (FileNotFoundError, KeyError, ValueError, st.errors.StreamlitAPIException):
        return {}  # no secrets file at all


def mode() -> str:
    """SIGNIN when [auth] is configured, LOCAL on a loopback address, CLOSED otherwise."""
    if access.auth_problem(_secrets()) is None:
        return SIGNIN
    if access.is_loopback(st.get_option("server.address")):
        return LOCAL
    return CLOSED


def _access_token() -> str:
    try:
        stat = os.stat(access_path_for(data.database().path))
    except FileNotFoundError:
        return "none"
    return f"{stat.st_mtime_ns}:{stat.st_size}"


@st.cache_data(max_entries=8, show_spinner=False)
def _access(db: str, token: str) -> AccessFile:
    return load_access(db)


def access_file() -> AccessFile:
    """The access file beside the database (re-read when it changes)."""
    return _access(str(data.database().path), _access_token())


def current() -> Viewer:
    """The viewer of this run (set by the entry script's gate)."""
    viewer = st.session_state.get(_VIEWER)
    if not isinstance(viewer, Viewer):
        raise RuntimeError("signin.gate() did not run before the page")
    return viewer


def refused(who: str, what: str) -> None:
    """Record a refusal in the audit log (once per session and thing)."""
    noted: set[str] = st.session_state.setdefault(_NOTED, set())
    if what not in noted:
        noted.add(what)
        audit.record(data.database(), who, audit.REFUSED, what)


def _closed() -> None:
    st.title("Service Scorecard")
    st.error(
        "Sign-in is not set up, so this scorecard is not shown to other machines. Ask the "
        "person who runs it to set up sign-in, or to serve it on this machine only.",
        icon="🔒",
    )
    st.stop()


def _sign_in_page() -> None:
    st.title("Service Scorecard")
    st.markdown("Sign in with your work account to see the scorecard.")
    names: list[str | None] = list(access.providers(_secrets()["auth"])) or [None]
    for name in names:
        label = "Sign in" if len(names) == 1 else f"Sign in with {name}"
        args = (name,) if name else ()
        st.button(label, type="primary", key=f"login_{name}", on_click=st.login, args=args)
    st.stop()


def _contact(found: AccessFile | None) -> str:
    if found and found.contact:
        return found.contact
    if found and found.admins():
        return ", ".join(found.admins())
    return "the person who runs the scorecard"


def _no_role_page(email: str, found: AccessFile | None, problem: str | None) -> None:
    st.title("Service Scorecard")
    if problem:
        st.error(f"The access list cannot be read: {ui.text(problem)}", icon="🚫")
    st.warning(
        f"You are signed in as **{ui.text(email)}**, but no role in the scorecard is given to "
        f"this address. Ask {ui.text(_contact(found))} to add you.",
        icon="🔑",
    )
    st.button("Sign out", on_click=st.logout, key="logout")
    st.stop()


def gate() -> Viewer:
    """The viewer of this run; draws the sign-in, no-role or closed page and stops otherwise."""
    how = mode()
    if how == CLOSED:
        _closed()
    if how == LOCAL:
        viewer = access.local_admin(f"{audit.os_user()} (local mode)")
    else:
        if not st.user.is_logged_in:
            _sign_in_page()
        email = str(st.user.get("email") or "")
        found: AccessFile | None = None
        problem = None
        try:
            found = access_file()
        except AccessError as exc:
            problem = str(exc)
        viewer_or_none = None
        if found is not None and email:
            groups = access.groups_of(st.user.to_dict(), found.groups_claim)
            viewer_or_none = access.resolve(email, groups, found, data.all_teams())
        if viewer_or_none is None:
            refused(email or "unknown", "no role: " + (problem or "not in the access list"))
            _no_role_page(email, found, problem)
        assert viewer_or_none is not None
        viewer = viewer_or_none
    st.session_state[_VIEWER] = viewer
    return viewer


def banner(viewer: Viewer) -> None:
    """Who is looking, on every page: local mode said plainly, or the person and a sign-out."""
    if viewer.local:
        st.caption(f"🖥️ {LOCAL_NOTE}")
        return
    st.sidebar.caption(f"Signed in as {ui.text(viewer.who)} ({viewer.role_label})")
    st.sidebar.button("Sign out", on_click=st.logout, key="logout", icon=":material/logout:")
