"""The access file: who has which role, kept beside the database as `<stem>.access.toml`.

    contact = "Ana Lytic, ana@example.com"   # whom a signed-in person without a role asks
    groups_claim = "groups"                 # the ID-token claim that lists a person's groups

    [people."ana@example.com"]
    role = "analyst"

    [people."head.consumer@example.com"]
    role = "department_head"
    departments = ["Consumer"]

    [groups."scorecard-executives"]
    role = "executive"

Team leads need no entry: the `lead_email` of teams.csv makes a person the lead of that team.
An entry with role "team_lead" and `teams` adds (or replaces) a lead.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator


class Role(StrEnum):
    """The five roles, broadest first."""

    ADMIN = "admin"
    ANALYST = "analyst"
    EXECUTIVE = "executive"
    DEPARTMENT_HEAD = "department_head"
    TEAM_LEAD = "team_lead"


ROLE_LABELS = {
    Role.ADMIN: "administrator",
    Role.ANALYST: "analyst",
    Role.EXECUTIVE: "executive",
    Role.DEPARTMENT_HEAD: "department head",
    Role.TEAM_LEAD: "team lead",
}


class AccessError(ValueError):
    """An access file that cannot be used; the message names the entry and what is wrong."""


class Grant(BaseModel):
    """One person's or one group's role, with the departments or teams it covers."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    departments: list[str] = []
    teams: list[str] = []

    @model_validator(mode="after")
    def _scoped_roles(self) -> Grant:
        if self.role == Role.DEPARTMENT_HEAD and not self.departments:
            raise ValueError('a department_head needs departments = ["..."]')
        if self.role == Role.TEAM_LEAD and not self.teams:
            raise ValueError('a team_lead needs teams = ["..."]')
        if self.role not in (Role.DEPARTMENT_HEAD, Role.TEAM_LEAD) and (
            self.departments or self.teams
        ):
            raise ValueError(
                f"role {self.role.value} sees every scope: leave out departments and teams"
            )
        if self.role == Role.DEPARTMENT_HEAD and self.teams:
            raise ValueError("a department_head covers whole departments: leave out teams")
        if self.role == Role.TEAM_LEAD and self.departments:
            raise ValueError("a team_lead covers teams: leave out departments")
        return self


class AccessFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid")

    contact: str = ""
    groups_claim: str = "groups"
    people: dict[str, Grant] = {}
    groups: dict[str, Grant] = {}

    @field_validator("people")
    @classmethod
    def _emails(cls, people: dict[str, Grant]) -> dict[str, Grant]:
        lowered: dict[str, Grant] = {}
        for email, grant in people.items():
            key = email.strip().lower()
            if "@" not in key:
                raise ValueError(f"{email!r} is not an e-mail address")
            if key in lowered:
                raise ValueError(f"{email!r} is listed twice")
            lowered[key] = grant
        return lowered

    def admins(self) -> list[str]:
        """The e-mail addresses of the administrators named in the file."""
        return sorted(e for e, g in self.people.items() if g.role == Role.ADMIN)


def access_path_for(db_path: str | os.PathLike[str]) -> Path:
    """The access file of a database: `<stem>.access.toml` beside it."""
    db = Path(db_path).resolve()
    return db.with_name(db.stem + ".access.toml")


def _where(loc: tuple[Any, ...]) -> str:
    parts = []
    for part in loc:
        text = str(part)
        parts.append(f'"{text}"' if "." in text or "@" in text or " " in text else text)
    return ".".join(parts)


def parse_access(data: dict[str, Any], origin: str) -> AccessFile:
    """Validate the file's content; AccessError names the first bad entry."""
    try:
        return AccessFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _where(tuple(p for p in first["loc"] if p not in ("function-after",)))
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "enum":
            message = f"{first['input']!r} is not a role; use one of " + ", ".join(Role)
        elif first["type"] == "extra_forbidden":
            message = "is not a setting of the access file"
        raise AccessError(f"{origin}: {where}: {message}") from None


def load_access(db_path: str | os.PathLike[str]) -> AccessFile:
    """The access file of a database (an empty one when there is no file)."""
    path = access_path_for(db_path)
    if not path.exists():
        return AccessFile()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise AccessError(f"{path.name}: not valid TOML ({exc})") from None
    return parse_access(data, path.name)


def dump_access(access: AccessFile) -> dict[str, Any]:
    """The file's content as TOML-ready data (empty lists and defaults left out)."""
    out: dict[str, Any] = {}
    if access.contact:
        out["contact"] = access.contact
    if access.groups_claim != "groups":
        out["groups_claim"] = access.groups_claim
    for section in ("people", "groups"):
        grants = getattr(access, section)
        if grants:
            out[section] = {
                name: grant.model_dump(mode="json", exclude_defaults=True)
                for name, grant in sorted(grants.items())
            }
    return out


def save_access(access: AccessFile, db_path: str | os.PathLike[str]) -> Path:
    """Write the access file atomically (validated again first)."""
    import tomli_w  # only needed when writing

    data = dump_access(access)
    parse_access(data, "new access file")
    path = access_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            tomli_w.dump(data, fh)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def describe(name: str, grant: Grant) -> str:
    """'head@example.com: department head (Consumer)'."""
    scope = ", ".join(grant.departments or grant.teams)
    return f"{name}: {ROLE_LABELS[grant.role]}" + (f" ({scope})" if scope else "")


def granted(access: AccessFile, name: str, grant: Grant, group: bool) -> tuple[AccessFile, str]:
    """The access file with a person's (or group's) role set, and what changed, in words."""
    section = "groups" if group else "people"
    key = name.strip() if group else name.strip().lower()
    grants = {**getattr(access, section), key: grant}
    changed = parse_access(
        dump_access(access.model_copy(update={section: grants})), "the new access list"
    )
    return changed, describe(("group " if group else "") + key, grant)


def revoked(access: AccessFile, name: str, group: bool) -> tuple[AccessFile, str]:
    """The access file without a person's (or group's) role, and what changed, in words."""
    section = "groups" if group else "people"
    key = name.strip() if group else name.strip().lower()
    grants = dict(getattr(access, section))
    if grants.pop(key, None) is None:
        raise AccessError(f"{key} has no role in the access file")
    label = ("group " if group else "") + key
    return access.model_copy(update={section: grants}), f"{label}: role taken away"
