"""Stored-scorecard benchmark: pages right after a load, a small load into a big database,
the full recompute against the floor, and how each grows with the database.

    .venv/bin/python bench/store.py [--tickets 1000000 10000000] [--load 10000] [--repeat 5]
                                    [--keep]

For each size N: writes bench/out/store_<N>.duckdb with bench/metrics.py's generator (SQL
alone, rows in time order as a load stores them), then, each in a fresh process:
  full       one write that builds the stored scorecard from nothing (week, month and
             quarter: what a first load or a settings change of k, SLA or hours costs);
  floor      the monthly base values (metrics.scorecard.base_values: the monthly part of the
             full recompute) against "The floor" of docs/benchmarks.md (bench/metrics.py
             FLOOR_QUERIES: the four exact medians at three levels + the next ticket per
             customer), best of --repeat each;
  load       `scorecard ingest tickets` of a --load ticket file (new tickets in the data's
             last week, the stored scorecard refreshed in the same write) into a copy of the
             N database, against the same file into an empty database and DuckDB's raw
             read_csv of it into a fresh file;
  pages      Overview and Team rendered by AppTest right after that load, every cache
             cleared before each render (the first person opening a page after a load):
             p50 / p95 of --repeat renders reading the stored scorecard, against today's
             cold path before this change (the scorecard computed from the tickets).
Seconds are wall time; peak RSS is each process's own.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_module(name: str) -> ModuleType:
    """bench/<name>.py as a module (bench is not a package; its names shadow ours)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_INGEST, _METRICS = _bench_module("ingest"), _bench_module("metrics")
BASELINE, PYTHON, SCORECARD, timed = (
    _INGEST.BASELINE, _INGEST.PYTHON, _INGEST.SCORECARD, _INGEST.timed
)  # fmt: skip
FLOOR_QUERIES = _METRICS.FLOOR_QUERIES

OUT = ROOT / "bench" / "out"
APP = ROOT / "dashboard" / "app.py"

# New tickets in the generated data's last week (it spans 2024-11-01 .. 2026-11-01), with the
# generator's shapes; customer ids of their own (the generated hashes are not keyed).
LOAD_SQL = """
COPY (
    SELECT 'L' || i AS ticket_id,
           'team_' || lpad(CAST(hash(i, 1) % 200 AS VARCHAR), 3, '0') AS team,
           c AS created_at, 'email' AS channel, 'normal' AS priority, 'agent_1' AS agent,
           'cat_1' AS category, 'closed' AS status,
           c + INTERVAL 2 HOUR AS first_response_at,
           CASE WHEN i % 3 = 0 THEN NULL ELSE c + INTERVAL 20 HOUR END AS resolved_at,
           c + INTERVAL 72 HOUR AS due_at, 0 AS reopens, 2 AS agent_replies,
           1 AS customer_replies, 12.5 AS handle_minutes, 'C' || (i % 2500) AS customer_id,
           NULL AS csat
    FROM (SELECT i, TIMESTAMP '2026-10-25' + to_seconds(CAST(hash(i, 2) % 518400 AS BIGINT)) AS c
          FROM range({rows}) r(i))
    ORDER BY c
) TO '{path}' (HEADER)
"""

CHILD_FULL = """
import sys
from database.db import Database
import metrics.store  # registers the refresh every write runs
with Database(sys.argv[1]).write():
    pass
"""


# In its own process: the parent's peak RSS would carry over into every later child.
CHILD_GENERATE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("bench_metrics", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.generate(__import__("pathlib").Path(sys.argv[2]), int(sys.argv[3]), "created")
"""


def _child(args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [str(PYTHON), str(Path(__file__)), "--child", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith("RESULT "):
        sys.exit(f"child failed: {args}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return json.loads(lines[-1][7:])  # type: ignore[no-any-return]


def floor_child(db: str, repeat: int) -> dict[str, object]:
    """Monthly base values vs the floor queries, alternately, best of `repeat` each."""
    import duckdb

    from database.settings import load_settings
    from metrics.scorecard import base_values

    settings = load_settings(db)
    con = duckdb.connect(db, read_only=True)
    base, floors = [], {name: [] for name in FLOOR_QUERIES}  # type: ignore[var-annotated]
    for _ in range(repeat):
        started = time.perf_counter()
        base_values(con, "month", settings)
        base.append(time.perf_counter() - started)
        for name, sql in FLOOR_QUERIES.items():
            started = time.perf_counter()
            con.execute(sql).fetchall()
            floors[name].append(time.perf_counter() - started)
    con.close()
    return {
        "base_month": min(base),
        "floor": {k: min(v) for k, v in floors.items()},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def pages_child(db: str, repeat: int, computed: bool) -> dict[str, object]:
    """Overview and Team renders with every cache cleared first; seconds of each render."""
    os.environ["SCORECARD_DB"] = db
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import dashboard.charts  # noqa: F401 - imported before the clock, as a running server has
    import dashboard.data
    import metrics.scorecard

    if computed:  # today's cold path before the store: the scorecard computed from tickets
        dashboard.data.store.stored_values = metrics.scorecard.indicator_values  # type: ignore[assignment]

    def render(page: str | None) -> float:
        st.cache_data.clear()
        at = AppTest.from_file(str(APP), default_timeout=900)
        started = time.perf_counter()
        if page is None:
            at.run()
        else:
            at.run()  # the entry page first, then the page as a reader would open it
            st.cache_data.clear()
            at.switch_page(page)
            started = time.perf_counter()
            at.run()
        elapsed = time.perf_counter() - started
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        return elapsed

    render(None)  # the first run of a server: the store check, imports of page modules
    out: dict[str, object] = {}
    for name, page in (("overview", None), ("team", "views/team.py")):
        out[name] = [render(page) for _ in range(repeat)]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fresh(db: Path) -> None:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    for p in db.parent.glob(f".{db.name}.*"):
        p.unlink()


def _ingest(csv: Path, db: Path) -> tuple[float, float, float]:
    return timed([str(SCORECARD), "ingest", "tickets", str(csv), "--db", str(db)])


def run_size(tickets: int, load: int, repeat: int, keep: bool) -> dict[str, object]:
    import duckdb

    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / f"store_{tickets}.duckdb"
    _fresh(base)
    script = str(ROOT / "bench" / "metrics.py")
    generated = timed([str(PYTHON), "-c", CHILD_GENERATE, script, str(base), str(tickets)])
    result: dict[str, object] = {"tickets": tickets, "generate_s": generated[0]}
    result["full"] = timed([str(PYTHON), "-c", CHILD_FULL, str(base)])
    result["db_mb"] = base.stat().st_size / 1e6
    result["floor"] = _child(["floor", str(base), str(repeat)])
    csv = OUT / f"store_load_{load}.csv"
    with duckdb.connect() as con:
        con.execute(LOAD_SQL.format(rows=load, path=csv))
    loaded = OUT / f"store_{tickets}_loaded.duckdb"
    empty = OUT / "store_empty.duckdb"
    raw = OUT / "store_raw.duckdb"
    runs: dict[str, list[tuple[float, float, float]]] = {"big": [], "empty": [], "raw": []}
    for _ in range(max(1, repeat // 2)):
        _fresh(loaded)
        shutil.copyfile(base, loaded)
        runs["big"].append(_ingest(csv, loaded))
        _fresh(empty)
        runs["empty"].append(_ingest(csv, empty))
        _fresh(raw)
        runs["raw"].append(timed([str(PYTHON), "-c", BASELINE, str(csv), str(raw)]))
    result["load"] = {k: min(v) for k, v in runs.items()}
    result["load_runs"] = {k: [r[0] for r in v] for k, v in runs.items()}
    result["pages_stored"] = _child(["pages", str(loaded), str(repeat), "stored"])
    cold_repeat = max(2, repeat // 2) if tickets <= 10_000_000 else 1
    result["pages_computed"] = _child(["pages", str(loaded), str(cold_repeat), "computed"])
    if not keep:
        for db in (base, loaded, empty, raw):
            _fresh(db)
        csv.unlink(missing_ok=True)
    return result


def report(r: dict[str, object]) -> None:
    full, load, fl = r["full"], r["load"], r["floor"]
    assert isinstance(full, tuple | list) and isinstance(load, dict) and isinstance(fl, dict)
    print(
        f"\n== {r['tickets']:,} tickets (database {r['db_mb']:.0f} MB, "
        f"generated in {r['generate_s']:.1f} s)"
    )
    print(
        f"full recompute (week+month+quarter, stored, one write): {full[0]:6.2f} s  "
        f"cpu {full[1]:6.2f} s  peak RSS {full[2]:6.0f} MB"
    )
    floor_total = fl["floor"]["4 medians x 3 levels"] + fl["floor"]["next ticket per customer"]
    print(
        f"monthly base values {fl['base_month']:6.2f} s  vs floor (medians x 3 levels + next "
        f"ticket) {floor_total:6.2f} s  = {fl['base_month'] / floor_total:4.2f}x  "
        f"peak RSS {fl['peak_rss_mb']:6.0f} MB"
    )
    big, empty, raw = load["big"], load["empty"], load["raw"]
    print(
        f"load of the ticket file: into this database {big[0]:6.2f} s (peak {big[2]:5.0f} MB), "
        f"into an empty one {empty[0]:6.2f} s (peak {empty[2]:5.0f} MB) "
        f"= {big[0] / empty[0]:4.2f}x, "
        f"raw read_csv {raw[0]:6.2f} s = {big[0] / raw[0]:4.2f}x; runs {r['load_runs']}"
    )
    for mode in ("stored", "computed"):
        pages = r[f"pages_{mode}"]
        assert isinstance(pages, dict)
        for page in ("overview", "team"):
            v = pages[page]
            print(
                f"  {page:<8} right after the load, {mode:<8}: p50 {_p(v, 0.5):6.2f} s  "
                f"p95 {_p(v, 0.95):6.2f} s  ({len(v)} renders)  "
                f"peak RSS {pages['peak_rss_mb']:5.0f} MB"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--load", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, db, repeat, *mode = args.child
        if kind == "floor":
            out = floor_child(db, int(repeat))
        else:
            out = pages_child(db, int(repeat), mode == ["computed"])
        print("RESULT " + json.dumps(out))
        return 0
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for tickets in args.tickets:
        report(run_size(tickets, args.load, args.repeat, args.keep))
        print(f"  (load average {os.getloadavg()[0]:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
