"""`scorecard access` (who has which role) and `scorecard audit` (what was done, by whom)."""

from __future__ import annotations

import argparse
import sys

from database import audit
from database.csvsafe import write_rows
from database.db import Database
from database.roles import (
    AccessError,
    Grant,
    Role,
    access_path_for,
    describe,
    granted,
    load_access,
    revoked,
    save_access,
)


def add_commands(sub: argparse._SubParsersAction, db_help: str) -> None:  # type: ignore[type-arg]
    """The `access` and `audit` subcommands."""
    p = sub.add_parser("audit", help="print the audit log as CSV, newest first")
    p.add_argument("--db", help=db_help)
    p.add_argument("--limit", type=int, default=1000, help="at most this many entries")

    p = sub.add_parser("access", help="list, grant or revoke roles (the access file)")
    p.add_argument("--db", help=db_help)
    verbs = p.add_subparsers(dest="verb", required=True)
    verbs.add_parser("list", help="who has which role")
    g = verbs.add_parser("grant", help="give a person (or, with --group, a group) a role")
    g.add_argument("name", help="an e-mail address, or a group name with --group")
    g.add_argument("role", choices=[r.value for r in Role])
    g.add_argument("--group", action="store_true", help="NAME is a group of the sign-in token")
    g.add_argument("--team", action="append", default=[], help="a team lead's team (repeat)")
    g.add_argument(
        "--department", action="append", default=[], help="a department head's department"
    )
    r = verbs.add_parser("revoke", help="take a person's (or group's) role away")
    r.add_argument("name")
    r.add_argument("--group", action="store_true")


def audit_command(database: Database, limit: int) -> int:
    """Print the audit log as CSV."""
    if not database.exists():
        print(f"scorecard audit: no database at {database.path}", file=sys.stderr)
        return 1
    database.upgrade()  # a database written before the audit log existed
    with database.read() as con:
        log = audit.entries(con, limit)
    rows = [
        [at.isoformat(sep=" ", timespec="seconds"), who, action, detail]
        for at, who, action, detail in log.itertuples(index=False)
    ]
    write_rows(sys.stdout, ["when", "who", "action", "detail"], rows)
    return 0


def access_command(database: Database, args: argparse.Namespace) -> int:
    """List, grant or revoke; a change is written to the access file and the audit log."""
    try:
        current = load_access(database.path)
    except AccessError as exc:
        print(f"scorecard access: {exc}", file=sys.stderr)
        return 1
    if args.verb == "list":
        print(f"# {access_path_for(database.path)}")
        for section in ("people", "groups"):
            for name, grant in sorted(getattr(current, section).items()):
                print(describe(("group " if section == "groups" else "") + name, grant))
        print("# team leads also come from lead_email in teams.csv")
        return 0
    try:
        if args.verb == "grant":
            grant = Grant(role=Role(args.role), teams=args.team, departments=args.department)
            changed, detail = granted(current, args.name, grant, args.group)
        else:
            changed, detail = revoked(current, args.name, args.group)
        save_access(changed, database.path)
    except AccessError as exc:
        print(f"scorecard access: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic's, for the grant itself
        print(f"scorecard access: {args.name}: {_first_line(exc)}", file=sys.stderr)
        return 1
    audit.record(database, audit.os_user(), audit.ACCESS, detail)
    print(detail)
    return 0


def _first_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return str(errors()[0]["msg"]).removeprefix("Value error, ")
    return str(exc).splitlines()[0]
