"""Dashboard benchmark: how long the Overview and Team pages take to render at 1 M tickets.

    .venv/bin/python bench/dashboard.py [--copies 40] [--repeat 3] [--keep]

Builds bench/out/dashboard_<N>.duckdb (gitignored) through the real ingest: the sample data's
teams, and its tickets, survey responses and poll responses each repeated --copies times under
new ids (40 x 25,000 = 1,000,000 tickets, same teams, dates and story). Then, in a fresh
subprocess (nothing cached, modules imported before the clock starts), renders pages with
Streamlit's AppTest exactly as a browser session would run them:

  overview cold  first render: the scorecard is computed (st.cache_data is empty);
  overview warm  a new session on the same server process (cache filled), best of --repeat;
  team cold      the Team page right after st.cache_data.clear();
  team warm      a new session opening the Team page, best of --repeat;
  team change    choosing another team in a running session, best of --repeat;
  week cold/warm the overview by week (the weekly scorecard computed, then cached).

Every render is checked to have raised nothing and shown no error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
APP = ROOT / "dashboard" / "app.py"
SAMPLE = ROOT / "sample_data"
sys.path.insert(0, str(ROOT))

# One SELECT per repeated source: new ids per copy, links between them kept.
REPEAT_SQL = {
    "tickets": "SELECT 'BIG-' || r.i || '-' || t.ticket_id AS ticket_id, "
    "t.* EXCLUDE (ticket_id) FROM read_csv(?, all_varchar = true) t, range({copies}) r(i)",
    "surveys": "SELECT 'BIG-' || r.i || '-' || s.response_id AS response_id, "
    "CASE WHEN s.ticket_id IS NULL THEN NULL ELSE 'BIG-' || r.i || '-' || s.ticket_id END "
    "AS ticket_id, s.* EXCLUDE (response_id, ticket_id) "
    "FROM read_csv(?, all_varchar = true) s, range({copies}) r(i)",
    "polls": "SELECT 'BIG-' || r.i || '-' || p.response_id AS response_id, "
    "p.* EXCLUDE (response_id) FROM read_csv(?, all_varchar = true) p, range({copies}) r(i)",
}
FILES = {"tickets": "tickets.csv", "surveys": "surveys.csv", "polls": "employee_polls.csv"}


def build(copies: int) -> tuple[Path, dict[str, float]]:
    """The benchmark database (reused when it exists) and how long each load took."""
    import duckdb

    from ingest.load import load_file

    db = OUT / f"dashboard_{copies}.duckdb"
    if db.exists():
        return db, {}
    OUT.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    load_file(db, "teams", SAMPLE / "teams.csv")
    seconds["teams"] = time.perf_counter() - started
    for source, name in FILES.items():
        csv = OUT / f"dashboard_{copies}_{name}"
        con = duckdb.connect()
        sql = REPEAT_SQL[source].format(copies=copies)
        con.execute(f"COPY ({sql}) TO '{csv}' (HEADER)", [str(SAMPLE / name)])
        con.close()
        started = time.perf_counter()
        report = load_file(db, source, csv, file_name=csv.name)
        seconds[source] = time.perf_counter() - started
        print(f"  loaded {report.rows_loaded:>9,} {source:<8} in {seconds[source]:5.1f} s")
        csv.unlink()
    return db, seconds


def _timed(run) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    at = run()
    elapsed = time.perf_counter() - started
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return elapsed, at


def child(db: Path, repeat: int) -> dict[str, object]:
    """Render the pages in this (fresh) process; seconds per measurement."""
    os.environ["SCORECARD_DB"] = str(db)
    import_started = time.perf_counter()
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import dashboard.charts  # noqa: F401 - imported before the clock, as a running server has
    import dashboard.data  # noqa: F401
    import metrics.scorecard  # noqa: F401

    imports = time.perf_counter() - import_started

    def session() -> AppTest:
        return AppTest.from_file(str(APP), default_timeout=600)

    def overview() -> AppTest:
        at = session()
        at.run()
        return at

    result: dict[str, object] = {"imports": imports}
    result["overview_cold"], at = _timed(overview)
    result["overview_warm"] = min(_timed(overview)[0] for _ in range(repeat))

    st.cache_data.clear()
    at.switch_page("views/team.py")
    result["team_cold"], at = _timed(at.run)

    def team() -> AppTest:
        at = overview()
        at.switch_page("views/team.py")
        started = time.perf_counter()
        at.run()
        at.team_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
        return at

    runs = [_timed(team)[1] for _ in range(repeat)]
    result["team_warm"] = min(r.team_seconds for r in runs)  # type: ignore[attr-defined]

    teams = [o for o in at.selectbox(key="w_team").options]
    changes = []
    for name in teams[1 : repeat + 1]:
        at.selectbox(key="w_team").select(name)
        changes.append(_timed(at.run)[0])
    result["team_change"] = min(changes)

    def weekly() -> AppTest:
        at = session()
        at.query_params["period"] = "week"
        at.run()
        return at

    # Weeks were never asked for yet: this computes the weekly scorecard (53 periods).
    result["week_cold"] = _timed(weekly)[0]
    result["week_warm"] = min(_timed(weekly)[0] for _ in range(repeat))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main(argv: list[str] | None = None) -> int:
    """Build the database, measure in a subprocess, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="sample copies (40 = 1 M tickets)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child), args.repeat)))
        return 0

    print(f"building the database ({args.copies} x the sample data) through the real ingest...")
    db, loads = build(args.copies)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    tickets = con.execute("SELECT count(*) FROM tickets").fetchone()[0]  # type: ignore[index]
    surveys = con.execute("SELECT count(*) FROM survey_responses").fetchone()[0]  # type: ignore[index]
    polls = con.execute("SELECT count(*) FROM poll_responses").fetchone()[0]  # type: ignore[index]
    con.close()
    size_mb = db.stat().st_size / 1e6
    print(
        f"database: {db} ({size_mb:,.0f} MB): {tickets:,} tickets, {surveys:,} survey responses,"
        f" {polls:,} poll responses"
    )
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(db), "--repeat", str(args.repeat)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n")
        return 1
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"imports before the clock: {figures['imports']:.2f} s; "
        f"peak RSS {figures['peak_rss_mb']:,.0f} MB\n"
    )
    print(f"{'page':<22} {'cold s':>8} {'warm s':>8}")
    for label, key in (
        ("overview (month)", "overview"),
        ("team", "team"),
        ("overview by week", "week"),
    ):
        print(f"{label:<22} {figures[key + '_cold']:>8.2f} {figures[key + '_warm']:>8.2f}")
    print(f"team page, choosing another team in the same session: {figures['team_change']:.2f} s")
    if loads:
        print("load seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in loads.items()))
    if not args.keep:
        db.unlink()
        db.with_name(db.name + ".lock").unlink(missing_ok=True)  # the writer's lock file
    return 0


if __name__ == "__main__":
    sys.exit(main())
