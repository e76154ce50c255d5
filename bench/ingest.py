"""Ingest benchmark: `scorecard ingest tickets` against DuckDB's raw read_csv on the same file.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--repeat 3] [--keep]

Writes N canonical tickets to bench/out/ (gitignored), then times, each in its own
subprocess so that peak memory is that process's own: (a) our ingest into a fresh database,
(b) `CREATE TABLE t AS SELECT * FROM read_csv(FILE)` into a fresh database file. Wall time is
the whole subprocess (interpreter start, imports, load, close); peak RSS is its ru_maxrss,
read by a small wrapper process so that this process's memory does not leak into it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
SCORECARD = ROOT / ".venv" / "bin" / "scorecard"
BASELINE = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[2])\n"
    "con.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[1]])\n"
    "con.close()\n"
)


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    rows: int


def _generator():
    """sample_data/generate.py as a module (sample_data is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "sample_data_generate", ROOT / "sample_data" / "generate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def ingest_available() -> str | None:
    """None when `scorecard ingest` can run, else why not."""
    if not SCORECARD.exists():
        return f"{SCORECARD.relative_to(ROOT)} does not exist: run `make setup`"
    done = subprocess.run([str(SCORECARD), "ingest", "--help"], capture_output=True, text=True)
    if done.returncode != 0:
        return f"`scorecard ingest --help` failed ({done.returncode}): {done.stderr.strip()[-500:]}"
    return None


def _fresh(db: Path) -> None:
    """Remove a database and whatever sits beside it (wal, lock, temp copies, settings)."""
    for p in db.parent.glob(db.name + "*"):
        p.unlink()


# A child's ru_maxrss starts at its parent's peak (Linux carries it over fork and exec), and
# this process holds the generated tickets. So each command runs under a small wrapper that
# times it and reports the peak RSS of its own children: the command's, and only the command's.
WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.call(sys.argv[1:])\n"
    "s = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "cpu = u.ru_utime + u.ru_stime\n"
    "print('BENCH ' + json.dumps({'rc': rc, 'seconds': s, 'cpu': cpu, 'kb': u.ru_maxrss}))\n"
)


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Run cmd in a fresh process: wall seconds, CPU seconds, its own peak RSS MB (fails loudly)."""
    seconds, cpu, mb, _ = timed_rc(cmd, False)
    return seconds, cpu, mb


def timed_rc(cmd: list[str], may_fail: bool) -> tuple[float, float, float, int]:
    """As timed, and the exit code; a non-zero one stops the benchmark unless may_fail."""
    done = subprocess.run(
        [str(PYTHON), "-c", WRAPPER, *cmd],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if may_fail else subprocess.PIPE,
        text=True,
    )
    lines = done.stdout.splitlines()
    report = json.loads(lines[-1][6:]) if lines and lines[-1].startswith("BENCH ") else None
    if report is None or (report["rc"] != 0 and not may_fail):
        sys.exit(f"failed: {shlex.join(cmd)}\n{done.stdout}{done.stderr}")
    # Linux reports kilobytes.
    return report["seconds"], report["cpu"], report["kb"] / 1024, report["rc"]


def _rows(db: Path, table: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def run_ingest(csv: Path, db: Path) -> tuple[Run, list[str]]:
    """Our ingest of csv into a fresh database."""
    _fresh(db)
    cmd = [
        str(SCORECARD.relative_to(ROOT)),
        "ingest",
        "tickets",
        str(csv.relative_to(ROOT)),
        "--db",
        str(db.relative_to(ROOT)),
    ]
    return Run(*timed(cmd), _rows(db, "tickets")), cmd


def run_baseline(csv: Path, db: Path) -> tuple[Run, list[str]]:
    """DuckDB's own reader, no validation, into a fresh database file."""
    _fresh(db)
    cmd = [
        str(PYTHON.relative_to(ROOT)),
        "-c",
        BASELINE,
        str(csv.relative_to(ROOT)),
        str(db.relative_to(ROOT)),
    ]
    return Run(*timed(cmd), _rows(db, "t")), cmd


def machine() -> str:
    """CPU model, cores, memory, Python and DuckDB versions."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return (
        f"{model}, {os.cpu_count()} cores, {mem_kb / 1024**2:.0f} GB RAM, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def code_version() -> str:
    """The commit measured, and whether ingest/ had uncommitted changes."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "ingest"], capture_output=True)
    note = " + uncommitted changes in ingest/" if dirty.stdout.strip() else ""
    return f"commit {head.stdout.strip() or '?'}{note}"


def main(argv: list[str] | None = None) -> int:
    """Generate, time both loads, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="tickets (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is reported")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the CSV and databases")
    parser.add_argument(
        "--memory", action="store_true", help="also peak memory on big files (bench/ingest_memory)"
    )
    parser.add_argument("--quote-mb", type=int, default=400, help="unclosed-quote file size")
    parser.add_argument("--big-gb", type=float, default=2.0, help="valid file size")
    args = parser.parse_args(argv)

    problem = ingest_available()
    if problem:
        print(f"bench/ingest.py: cannot benchmark our ingest yet: {problem}", file=sys.stderr)
        return 2

    OUT.mkdir(parents=True, exist_ok=True)
    csv = OUT / f"tickets_{args.rows}.csv"
    start = time.perf_counter()
    _generator().write_bench_tickets(csv, args.rows, seed=args.seed)
    gen_s = time.perf_counter() - start
    size_mb = csv.stat().st_size / 1024**2
    print(f"command: {shlex.join(['.venv/bin/python', 'bench/ingest.py', *sys.argv[1:]])}")
    print(f"code:    {code_version()}")
    print(f"machine: {machine()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"file:    {csv.relative_to(ROOT)}: {args.rows:,} tickets, {size_mb:.0f} MB, "
        f"generated in {gen_s:.1f} s"
    )

    results: dict[str, list[Run]] = {"ingest": [], "baseline": []}
    commands: dict[str, list[str]] = {}
    for _ in range(args.repeat):  # alternate, so both see the same page cache and load
        for name, fn, db in (
            ("ingest", run_ingest, OUT / "ingest.duckdb"),
            ("baseline", run_baseline, OUT / "baseline.duckdb"),
        ):
            run, commands[name] = fn(csv, db)
            if run.rows != args.rows:
                sys.exit(f"{name} loaded {run.rows:,} rows, expected {args.rows:,}")
            results[name].append(run)

    best = {name: min(runs, key=lambda r: r.seconds) for name, runs in results.items()}
    how = f"best of {args.repeat} runs each" if args.repeat > 1 else "one run each"
    print(f"\nresults ({how}; wall time of the whole subprocess):")
    head = f"{'rows':>11}{'seconds':>9}{'rows/s':>11}{'CPU s':>7}{'peak RSS MB':>13}"
    print(f"{'':10}{head}  all runs (s)")
    for name, r in best.items():
        every = ", ".join(f"{x.seconds:.2f}" for x in results[name])
        print(
            f"{name:10}{r.rows:>11,}{r.seconds:>9.2f}{r.rows / r.seconds:>11,.0f}"
            f"{r.cpu_seconds:>7.1f}{r.peak_rss_mb:>13.0f}  {every}"
        )
    ratio = best["ingest"].seconds / best["baseline"].seconds
    print(f"ratio ingest / baseline time: {ratio:.2f}x")
    print(f"ingest:   {shlex.join(commands['ingest'])}")
    print(
        f"baseline: {shlex.join(commands['baseline'][:2])} '<code>' "
        f"{shlex.join(commands['baseline'][3:])}   <code>: {BASELINE!r}"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if ratio > 2:
        print("NOTE: our ingest is more than 2x slower than DuckDB's raw reader.")

    if args.memory:
        import ingest_memory  # bench/ is this script's folder

        ingest_memory.measure(
            ROOT, OUT, PYTHON, SCORECARD, BASELINE, timed_rc, csv, args.quote_mb, args.big_gb,
            args.keep,
        )  # fmt: skip
    if not args.keep:
        _fresh(OUT / "ingest.duckdb")
        _fresh(OUT / "baseline.duckdb")
        csv.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
