"""Who is looking (the Viewer) and what they may see: the one rule every dashboard read applies.

A Viewer is resolved on every run from the signed-in e-mail and group claims, the access file
beside the database and the teams table (a team's `lead_email` makes its lead). dashboard/data.py
passes every frame it returns through `restrict`, so no page, list, download or rank can show a
row the viewer may not see. No streamlit here: the sign-in pages are in dashboard/signin.py.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from database.roles import ROLE_LABELS, AccessFile, Grant, Role

EVERY_SCOPE = (Role.ADMIN, Role.ANALYST, Role.EXECUTIVE)
LOOPBACK_NAMES = ("localhost",)


@dataclass(frozen=True)
class Viewer:
    """A person with a role: what they may see (None: everything) and what they may do."""

    who: str
    role: Role
    teams: frozenset[str] | None = None  # teams whose rows they see
    departments: frozenset[str] | None = None  # departments whose aggregates they see
    whole_departments: frozenset[str] = frozenset()  # departments whose every row they see
    local: bool = False

    @property
    def sees_everything(self) -> bool:
        """Every scope and row (admin, analyst, executive)."""
        return self.teams is None

    @property
    def role_label(self) -> str:
        """'team lead', 'department head' ..."""
        return ROLE_LABELS[self.role]

    @property
    def can_load(self) -> bool:
        """May load data and see the load history, rejected rows and audit log."""
        return self.role in (Role.ADMIN, Role.ANALYST)

    @property
    def can_configure(self) -> bool:
        """May change targets and rules."""
        return self.role in (Role.ADMIN, Role.ANALYST)

    @property
    def can_manage_access(self) -> bool:
        """May change who has which role."""
        return self.role == Role.ADMIN

    @property
    def reads_settings(self) -> bool:
        """May read the targets and rules (the Settings page)."""
        return self.role != Role.TEAM_LEAD

    def sees(self, scope: str, scope_id: Any) -> bool:
        """May see the figures of this scope (the organisation's are everybody's)."""
        if scope == "org" or self.teams is None:
            return True
        if scope == "department":
            return self.departments is not None and scope_id in self.departments
        if scope == "team":
            return scope_id in self.teams
        return False

    def sees_rows(self, scope: str, scope_id: Any) -> bool:
        """May see the rows (tickets) under this scope: every one of its teams is theirs."""
        if self.teams is None:
            return True
        if scope == "team":
            return scope_id in self.teams
        return scope == "department" and scope_id in self.whole_departments


def local_admin(who: str) -> Viewer:
    """The one person of local mode: an administrator on this machine."""
    return Viewer(who=who, role=Role.ADMIN, local=True)


def _grants(who: str, groups: Iterable[str], access: AccessFile) -> list[Grant]:
    found = []
    if who in access.people:
        found.append(access.people[who])
    found.extend(access.groups[g] for g in groups if g in access.groups)
    return found


def resolve(
    email: str, groups: Iterable[str], access: AccessFile, teams: pd.DataFrame
) -> Viewer | None:
    """The viewer for a signed-in person, or None when they have no role."""
    who = email.strip().lower()
    grants = _grants(who, groups, access)
    broad = [g.role for g in grants if g.role in EVERY_SCOPE]
    if broad:
        return Viewer(who=who, role=min(broad, key=list(Role).index))
    head_of = {d for g in grants if g.role == Role.DEPARTMENT_HEAD for d in g.departments}
    led = {t for g in grants if g.role == Role.TEAM_LEAD for t in g.teams}
    leads = teams["lead_email"].fillna("").astype(str).str.strip().str.lower()
    led |= set(teams.loc[leads == who, "team"].astype(str))
    if not head_of and not led:
        return None
    in_departments = teams.loc[teams["department"].isin(head_of), "team"].astype(str)
    of_led = teams.loc[teams["team"].isin(led), "department"].dropna().astype(str)
    return Viewer(
        who=who,
        role=Role.DEPARTMENT_HEAD if head_of else Role.TEAM_LEAD,
        teams=frozenset(led | set(in_departments)),
        departments=frozenset(head_of | set(of_led)),
        whole_departments=frozenset(head_of),
    )


def restrict(frame: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """The rows of a frame the viewer may see: by scope, and by team where rows name one."""
    if viewer.sees_everything:
        return frame
    keep = pd.Series(True, index=frame.index)
    if "scope" in frame.columns and "scope_id" in frame.columns:
        pairs = zip(frame["scope"], frame["scope_id"], strict=True)
        keep &= pd.Series([viewer.sees(s, i) for s, i in pairs], index=frame.index, dtype=bool)
    if "team" in frame.columns:
        keep &= frame["team"].isin(viewer.teams or ())
    elif "department" in frame.columns:
        keep &= frame["department"].isin(viewer.departments or ())
    return frame[keep]


def groups_of(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The group names in a token's claim (a list, or one string)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def is_loopback(host: str | None) -> bool:
    """True for an address only this machine can reach (127.0.0.1, ::1, localhost)."""
    if not host:
        return False  # Streamlit binds every interface when no address is given
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_problem(secrets: Mapping[str, Any]) -> str | None:
    """What is missing for sign-in in a secrets mapping, or None when it is configured."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return "there is no [auth] section"
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    if missing:
        return f"[auth] lacks {' and '.join(missing)}"
    if not providers(auth) and not auth.get("client_id"):
        return "[auth] names no provider (client_id, client_secret, server_metadata_url)"
    return None


def providers(auth: Mapping[str, Any]) -> list[str]:
    """The named providers of an [auth] section ([auth.microsoft] ...), in file order."""
    return [name for name, value in auth.items() if isinstance(value, Mapping)]
