"""`scorecard serve`: Streamlit on the dashboard's entry script, for one database.

The server is a child process. SIGTERM and SIGINT to `scorecard serve` end it too, and on
Linux the child is told to end if its parent dies, so no orphan keeps serving the port.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tomllib
from pathlib import Path
from types import FrameType
from typing import Any

from dashboard.access import auth_problem, is_loopback
from database.db import Database

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
STOP_SECONDS = 10  # how long the server may take to end before it is killed
_PR_SET_PDEATHSIG = 1


def secrets_files(secrets: str | None) -> list[Path]:
    """The secrets files Streamlit will read: the one given, or its two default places."""
    if secrets:
        return [Path(secrets).resolve()]
    return [Path.home() / ".streamlit" / "secrets.toml", ROOT / ".streamlit" / "secrets.toml"]


def read_secrets(files: list[Path]) -> dict[str, Any]:
    """The secrets of those files merged (later files win, as in Streamlit)."""
    merged: dict[str, Any] = {}
    for path in files:
        if path.is_file():
            with path.open("rb") as fh:
                merged.update(tomllib.load(fh))
    return merged


def refusal(host: str, secrets: str | None, database: Database) -> str | None:
    """Why the server may not start on this address (sign-in missing), or None."""
    if is_loopback(host):
        return None
    files = secrets_files(secrets)
    try:
        problem = auth_problem(read_secrets(files))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problem = f"the secrets file cannot be read ({exc})"
    if problem is None:
        return None
    return "\n".join(
        [
            f"scorecard serve: refusing to serve on {host} without sign-in ({problem}).",
            "Anyone who reaches that address would see every figure as an administrator.",
            "Either serve on this machine only: --host 127.0.0.1 (local mode, no sign-in).",
            f"Or set up sign-in: an [auth] section in {files[-1]}",
            "  with redirect_uri, cookie_secret and your provider's client_id, client_secret",
            "  and server_metadata_url (README, 'Sign-in and roles'),",
            f"  and give people roles: scorecard access grant EMAIL ROLE --db {database.path}",
        ]
    )


def streamlit_command(port: int, host: str, secrets: str | None = None) -> list[str]:
    """The `streamlit run` command line for the dashboard."""
    extra = ["--secrets.files", str(Path(secrets).resolve())] if secrets else []
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        host,
        "--server.port",
        str(port),
        *extra,
    ]


def serve_environment(database: Database) -> dict[str, str]:
    """The environment for the server: SCORECARD_DB, the absolute database path, is how the
    dashboard's entry script learns which database to show."""
    env = dict(os.environ)
    env["SCORECARD_DB"] = str(database.path.resolve())
    return env


def _die_with_parent() -> None:
    # Runs in the child before exec: if `scorecard serve` is killed outright (SIGKILL), the
    # kernel sends the server SIGTERM instead of leaving it serving the port.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the signal handlers below still end the child


def serve(
    database: Database, port: int = 8501, host: str = "127.0.0.1", secrets: str | None = None
) -> int:
    """Run the dashboard until it ends or this process is told to stop; its exit code."""
    refused = refusal(host, secrets, database)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    env = serve_environment(database)
    signin = auth_problem(read_secrets(secrets_files(secrets))) is None
    how = "sign-in required" if signin else "local mode, no sign-in"
    print(f"Serving the scorecard of {database.path} on http://{host}:{port} ({how})", flush=True)
    child = subprocess.Popen(
        streamlit_command(port, host, secrets), env=env, cwd=ROOT, preexec_fn=_die_with_parent
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        if child.poll() is None:
            child.terminate()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                stop(signal.SIGINT, None)
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code
