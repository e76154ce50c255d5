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
from pathlib import Path
from types import FrameType

from database.db import Database

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
STOP_SECONDS = 10  # how long the server may take to end before it is killed
_PR_SET_PDEATHSIG = 1


def streamlit_command(port: int, host: str) -> list[str]:
    """The `streamlit run` command line for the dashboard."""
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


def serve(database: Database, port: int = 8501, host: str = "127.0.0.1") -> int:
    """Run the dashboard until it ends or this process is told to stop; its exit code."""
    env = serve_environment(database)
    print(f"Serving the scorecard of {database.path} on http://{host}:{port}", flush=True)
    child = subprocess.Popen(
        streamlit_command(port, host), env=env, cwd=ROOT, preexec_fn=_die_with_parent
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
