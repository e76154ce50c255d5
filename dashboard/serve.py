"""Serve the dashboard: `scorecard serve` runs Streamlit on the entry script with the chosen DB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from database.db import resolve_db_path

APP = Path(__file__).resolve().with_name("app.py")
# Streamlit reads .streamlit/config.toml from the working directory: run from the project root.
ROOT = APP.parent.parent


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


def serve_environment(db: str | None) -> dict[str, str]:
    """The environment for the server: SCORECARD_DB set to the resolved, absolute DB path."""
    env = dict(os.environ)
    env["SCORECARD_DB"] = str(resolve_db_path(db).resolve())
    return env


def serve(db: str | None, port: int = 8501, host: str = "127.0.0.1") -> int:
    """Run the dashboard until interrupted; returns Streamlit's exit code."""
    env = serve_environment(db)
    print(f"Serving the scorecard of {env['SCORECARD_DB']} on http://{host}:{port}", flush=True)
    try:
        return subprocess.call(streamlit_command(port, host), env=env, cwd=ROOT)
    except KeyboardInterrupt:
        return 0
