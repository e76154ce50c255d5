"""Who gets which view (resolve), where the server may listen, and that it stops whole."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from cli.serve import ROOT, refusal
from dashboard.access import auth_problem, is_loopback, resolve
from database.db import Database
from database.roles import AccessFile, Role, parse_access

TEAMS = pd.DataFrame(
    {
        "team": ["Billing", "Returns", "Onboarding", "Social Care"],
        "department": ["Consumer", "Consumer", "Business", None],
        "lead_email": ["Lead.Billing@example.com", "r@example.com", "o@example.com", None],
        "headcount": [18, 14, 10, 8],
    }
)
ACCESS = parse_access(
    {
        "people": {
            "boss@example.com": {"role": "executive"},
            "head@example.com": {"role": "department_head", "departments": ["Consumer"]},
            "deputy@example.com": {"role": "team_lead", "teams": ["Onboarding"]},
        },
        "groups": {"ops-admins": {"role": "admin"}},
    },
    "test",
)
GOOD_AUTH = {
    "auth": {
        "redirect_uri": "https://scorecard.example.com/oauth2callback",
        "cookie_secret": "x" * 32,
        "microsoft": {
            "client_id": "id",
            "client_secret": "secret",
            "server_metadata_url": "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration",
        },
    }
}


def test_a_lead_is_found_through_teams_csv_whatever_the_case() -> None:
    viewer = resolve("lead.billing@EXAMPLE.com", [], AccessFile(), TEAMS)
    assert viewer is not None
    assert (viewer.role, viewer.teams, viewer.departments) == (
        Role.TEAM_LEAD,
        frozenset({"Billing"}),
        frozenset({"Consumer"}),
    )
    assert viewer.sees("department", "Consumer") and not viewer.sees_rows("department", "Consumer")
    assert not viewer.sees("team", "Returns") and not viewer.sees("department", "Business")


def test_the_access_file_names_heads_leads_and_groups() -> None:
    head = resolve("head@example.com", [], ACCESS, TEAMS)
    assert head is not None and head.role == Role.DEPARTMENT_HEAD
    assert head.teams == frozenset({"Billing", "Returns"})
    assert head.sees_rows("department", "Consumer") and not head.sees("team", "Onboarding")
    deputy = resolve("deputy@example.com", [], ACCESS, TEAMS)
    assert deputy is not None and deputy.teams == frozenset({"Onboarding"})
    assert deputy.departments == frozenset({"Business"})
    admin = resolve("someone@example.com", ["staff", "ops-admins"], ACCESS, TEAMS)
    assert admin is not None and admin.role == Role.ADMIN and admin.teams is None
    # The broadest role wins: an executive who also leads a team sees everything.
    both = resolve("boss@example.com", [], ACCESS, TEAMS.assign(lead_email="boss@example.com"))
    assert both is not None and both.role == Role.EXECUTIVE and both.teams is None
    assert resolve("nobody@example.com", ["staff"], ACCESS, TEAMS) is None


@pytest.mark.parametrize(
    ("host", "local"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), (None, False), ("", False)],
)  # fmt: skip
def test_only_loopback_addresses_are_local(host: str | None, local: bool) -> None:
    assert is_loopback(host) is local


def test_sign_in_is_configured_only_with_an_auth_section_and_a_provider() -> None:
    assert auth_problem(GOOD_AUTH) is None
    assert auth_problem({}) == "there is no [auth] section"
    no_secret = {"auth": {**GOOD_AUTH["auth"], "cookie_secret": ""}}
    assert auth_problem(no_secret) == "[auth] lacks cookie_secret"
    no_provider = {"auth": {"redirect_uri": "x", "cookie_secret": "y"}}
    assert "names no provider" in str(auth_problem(no_provider))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_serving_beyond_this_machine_without_sign_in_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "secrets.toml"
    empty.write_text("")
    port = free_port()
    db = str(tmp_path / "s.duckdb")
    done = run_cli("serve", "--db", db, "--host", "0.0.0.0", "--port", str(port),
                   "--secrets", str(empty))  # fmt: skip
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0 without sign-in (there is no [auth] section)" in (
        done.stderr
    )
    assert "--host 127.0.0.1" in done.stderr and "[auth] section in " + str(empty) in done.stderr
    assert "Traceback" not in done.stderr and not listening(port)


def test_with_sign_in_configured_any_address_is_allowed(tmp_path: Path) -> None:
    good = tmp_path / "secrets.toml"
    good.write_text(
        '[auth]\nredirect_uri = "https://x/oauth2callback"\ncookie_secret = "s"\n'
        '[auth.keycloak]\nclient_id = "a"\nclient_secret = "b"\n'
        'server_metadata_url = "https://kc/realms/r/.well-known/openid-configuration"\n'
    )
    assert refusal("0.0.0.0", str(good), Database(tmp_path / "s.duckdb")) is None
    assert refusal("127.0.0.1", None, Database(tmp_path / "s.duckdb")) is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> set[int]:
    """Every process below pid (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        with contextlib.suppress(FileNotFoundError):
            text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
            kids = {int(p) for p in text.split()}
            found |= kids
            todo.extend(kids)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_signal_to_serve_leaves_no_process_of_the_server(tmp_path: Path, sig: int) -> None:
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--db", str(tmp_path / "s.duckdb"),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(240):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            time.sleep(0.25)
        children = descendants(serve.pid)
        assert children, "scorecard serve started no server"
        os.kill(serve.pid, sig)  # the serve process only, not its group
        serve.wait(timeout=60)
        for _ in range(120):  # SIGKILL: the kernel tells the child; it takes a moment
            if not any(alive(p) for p in children):
                break
            time.sleep(0.25)
        assert [p for p in children if alive(p)] == []
        assert not listening(port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
        serve.wait()
