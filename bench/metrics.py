"""Metrics benchmark: the full monthly scorecard against one raw group-by over the same tickets.

    .venv/bin/python bench/metrics.py [--tickets 1000000 10000000] [--repeat 3] [--keep]
                                      [--order random|created] [--breakdown] [--floor]

For each size, generates a database in bench/out/ (gitignored) with DuckDB SQL alone
(range() + hash(): deterministic, seconds): N tickets over two years in 200 teams (20
departments, every tenth team without one), surveys and polls in the sample data's
proportions (1 survey response per 3 tickets, 6 poll responses per 100 tickets), stored in
random time order (--order created: the same rows stored in time order). Then, in a
fresh subprocess per size (so peak memory is that process's own), times
  (a) the full monthly scorecard: metrics.scorecard.indicator_values(con, "month", settings),
      i.e. every indicator for org / departments / teams with privacy, status and change;
  (b) the raw query: SELECT team, date_trunc('month', created_at), count(*),
      median(first-response minutes) FROM tickets GROUP BY ALL,
alternately, best of --repeat warm runs each, and prints both, their ratio and ru_maxrss.
--breakdown then runs the scorecard --repeat more times recording each of its queries
(metrics.compute.queries, execute to fetched frame) and prints the run with the least CPU time
split into its queries and the rest (Python: privacy, targets, status, change, the frame).
--floor times, alone, the work no exact scorecard can avoid (FLOOR_QUERIES: the spec's four
exact medians at the three levels with nothing else, and each customer's next ticket for
repeat contact) and prints it as a ratio to the raw query too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from database.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TEAMS = 200
ORDERS = ("random", "created")
DEPARTMENTS = 20

RAW_QUERY = """
SELECT team, date_trunc('month', created_at) AS month, count(*) AS tickets,
       median((epoch(first_response_at) - epoch(created_at)) / 60) AS median_first_response
FROM tickets
GROUP BY ALL
"""

# The least any exact scorecard asks of the engine (--floor): the spec's four medians at the
# three levels, with nothing else computed, and the per-customer ordering that repeat contact
# needs (each resolved ticket's next ticket of the same customer).
_FRT = "(epoch(t.first_response_at) - epoch(t.created_at)) / 60"
_AFTER_HOURS = (
    "(t.created_at >= date_trunc('week', t.created_at) + INTERVAL 5 DAY"
    " OR hour(t.created_at) * 60 + minute(t.created_at) < 540"
    " OR hour(t.created_at) * 60 + minute(t.created_at) >= 1020)"
)
FLOOR_QUERIES = {
    "4 medians, team level only": f"""
SELECT t.team, date_trunc('month', t.created_at) AS p, median({_FRT}),
       median((epoch(t.resolved_at) - epoch(t.created_at)) / 3600),
       median(CASE WHEN {_AFTER_HOURS} THEN {_FRT} END),
       median(CASE WHEN t.resolved_at IS NOT NULL THEN t.handle_minutes END)
FROM tickets AS t
GROUP BY ALL""",
    "4 medians x 3 levels": f"""
SELECT m.department, t.team, date_trunc('month', t.created_at) AS p, median({_FRT}),
       median((epoch(t.resolved_at) - epoch(t.created_at)) / 3600),
       median(CASE WHEN {_AFTER_HOURS} THEN {_FRT} END),
       median(CASE WHEN t.resolved_at IS NOT NULL THEN t.handle_minutes END)
FROM tickets AS t
LEFT JOIN teams AS m ON m.team = t.team
GROUP BY GROUPING SETS ((p), (p, m.department), (p, m.department, t.team))""",
    "next ticket per customer": """
SELECT count(next_created_at) FROM (
    SELECT min(created_at) OVER (
               PARTITION BY customer_hash ORDER BY created_at
               ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) AS next_created_at
    FROM tickets
    WHERE customer_hash IS NOT NULL)""",
}

# u(i, salt) is a deterministic uniform in (0, 1); -ln(u) x scale an exponential duration.
_U = "((hash(i, {salt}) % 1000000) + 1) / 1000001.0"


def _u(salt: int) -> str:
    return _U.format(salt=salt)


def _answer(salt: int, missing_one_in: int, low: int, choices: int) -> str:
    """A deterministic answer low..low+choices-1, missing on 1 row in `missing_one_in`."""
    return (
        f"CASE WHEN hash(i, {salt}) % {missing_one_in} = 0 THEN NULL "
        f"ELSE {low} + CAST(hash(i, {salt + 1}) % {choices} AS INTEGER) END"
    )


def generate_sql(tickets: int, order: str = "random") -> list[str]:
    """Statements that fill a fresh database (schema already created) with N tickets.

    order "random": rows stored in generation order, i.e. in random time order; "created":
    the same rows stored in time order (tickets by created_at, responses by submitted_at), as
    a load of a real export (sorted by time) stores them.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    by_time = order == "created"
    seconds = 730 * 86400
    surveys = tickets // 3
    polls = tickets * 6 // 100
    customers = max(tickets // 4, 1)
    team = f"'team_' || lpad(CAST(hash(i, 1) % {TEAMS} AS VARCHAR), 3, '0')"
    when = f"TIMESTAMP '2024-11-01' + to_seconds(CAST(hash(i, 2) % {seconds} AS BIGINT))"
    ratings = ", ".join(_answer(30 + 2 * k, 6, 1, 5) for k in range(7))
    items = ", ".join(_answer(50 + 2 * k, 8, 1, 5) for k in range(6))
    # WHO-5: the five items are missing together on 1 in 12 responses
    who5 = ", ".join(
        f"CASE WHEN hash(i, 70) % 12 = 0 THEN NULL ELSE CAST(hash(i, {71 + k}) % 6 AS INTEGER) END"
        for k in range(5)
    )
    return [
        f"""
        INSERT INTO teams
        SELECT 'team_' || lpad(CAST(t AS VARCHAR), 3, '0'),
               CASE WHEN t % 10 = 0 THEN NULL ELSE 'dept_' || (t % {DEPARTMENTS}) END,
               NULL, 5 + CAST(t % 30 AS INTEGER)
        FROM range({TEAMS}) r(t)
        """,
        f"""
        INSERT INTO tickets
        WITH base AS (
            SELECT i,
                   TIMESTAMP '2024-11-01' + to_seconds(CAST(hash(i, 2) % {seconds} AS BIGINT))
                       AS created_at,
                   ['low', 'normal', 'normal', 'normal', 'high', 'urgent'][
                       CAST(hash(i, 3) % 6 AS INTEGER) + 1] AS priority,
                   -ln({_u(4)}) * 3 * 3600 AS wait_s,
                   -ln({_u(5)}) * 20 * 3600 AS work_s
            FROM range({tickets}) r(i)
        )
        SELECT CAST(i AS VARCHAR), {team}, created_at,
               ['email', 'chat', 'phone', 'web', 'social'][CAST(hash(i, 6) % 5 AS INTEGER) + 1],
               priority, 'agent_' || (hash(i, 7) % 500), 'cat_' || (hash(i, 8) % 12), 'closed',
               CASE WHEN hash(i, 9) % 100 = 0 THEN NULL
                    ELSE created_at + to_microseconds(CAST(wait_s * 1e6 AS BIGINT)) END,
               CASE WHEN hash(i, 10) % 40 = 0 THEN NULL
                    ELSE created_at + to_microseconds(CAST((wait_s + work_s) * 1e6 AS BIGINT)) END,
               created_at + to_hours(CASE priority WHEN 'urgent' THEN 8 WHEN 'high' THEN 24
                                                   WHEN 'normal' THEN 72 ELSE 120 END),
               CASE WHEN hash(i, 11) % 10 = 0 THEN 1 ELSE 0 END,
               CASE WHEN hash(i, 12) % 50 = 0 THEN NULL ELSE CAST(hash(i, 13) % 5 AS INTEGER) END,
               CASE WHEN hash(i, 14) % 50 = 0 THEN NULL ELSE CAST(hash(i, 15) % 4 AS INTEGER) END,
               CASE WHEN hash(i, 16) % 50 = 0 THEN NULL ELSE 1 + (hash(i, 17) % 300) / 10.0 END,
               CASE WHEN hash(i, 18) % 20 = 0 THEN NULL
                    ELSE hash(hash(i, 19) % {customers}) END,
               NULL  -- load_id: no load
        FROM base
        {"ORDER BY created_at, i" if by_time else ""}
        """,
        f"""
        INSERT INTO survey_responses
        SELECT 's' || i, {when}, {team}, NULL, NULL,
               {_answer(20, 5, 1, 5)}, {_answer(22, 4, 0, 11)}, {_answer(24, 3, 1, 7)},
               {ratings}, NULL, NULL
        FROM range({surveys}) r(i)
        {"ORDER BY 2, i" if by_time else ""}
        """,
        f"""
        INSERT INTO poll_responses
        SELECT 'p' || i, {when}, {team}, {_answer(40, 10, 0, 11)}, {items}, {who5}, NULL
        FROM range({polls}) r(i)
        {"ORDER BY 2, i" if by_time else ""}
        """,
    ]


def generate(path: Path, tickets: int, order: str = "random") -> float:
    """Write a fresh benchmark database; returns the seconds it took."""
    import duckdb

    from database.schema import ensure_schema

    started = time.perf_counter()
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    ensure_schema(con)
    for statement in generate_sql(tickets, order):
        con.execute(statement)
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


class _TimedConnection:
    """Passes execute(...).df() through to a connection, recording each call's (wall, cpu)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.calls: list[tuple[float, float]] = []

    def execute(self, *args: Any) -> _TimedResult:
        started = (time.perf_counter(), time.process_time())
        return _TimedResult(self, self.con.execute(*args), started)


class _TimedResult:
    def __init__(
        self,
        owner: _TimedConnection,
        result: duckdb.DuckDBPyConnection,
        started: tuple[float, float],
    ) -> None:
        self.owner, self.result = owner, result
        self.wall, self.cpu = started

    def df(self) -> Any:
        frame = self.result.df()
        self.owner.calls.append((time.perf_counter() - self.wall, time.process_time() - self.cpu))
        return frame


def breakdown(
    con: duckdb.DuckDBPyConnection, settings: Settings, repeat: int
) -> list[dict[str, object]]:
    """Where the scorecard's time goes: each of its queries as run inside indicator_values
    (execute to fetched frame), and the rest (Python: privacy, targets, status, change, the
    frame), from the run with the least CPU time of `repeat` runs."""
    from metrics.compute import queries
    from metrics.scorecard import indicator_values

    best: tuple[float, list[tuple[float, float]], tuple[float, float]] | None = None
    for _ in range(repeat):
        timed = _TimedConnection(con)
        wall, cpu = time.perf_counter(), time.process_time()
        indicator_values(timed, "month", settings)  # type: ignore[arg-type]
        total = (time.perf_counter() - wall, time.process_time() - cpu)
        if best is None or total[1] < best[0]:
            best = (total[1], timed.calls, total)
    assert best is not None
    _, calls, (total_wall, total_cpu) = best
    out: list[dict[str, object]] = []
    for (source, inds, _), (wall_s, cpu_s) in zip(queries("month"), calls, strict=True):
        kind = "medians" if inds[0].computation.median is not None else "parts"
        out.append({"query": f"{source} {kind} ({len(inds)})", "wall_s": wall_s, "cpu_s": cpu_s})
    out.append(
        {
            "query": "rest (Python)",
            "wall_s": total_wall - sum(w for w, _ in calls),
            "cpu_s": total_cpu - sum(c for _, c in calls),
        }
    )
    out.append({"query": "scorecard (this run)", "wall_s": total_wall, "cpu_s": total_cpu})
    return out


def floor(con: duckdb.DuckDBPyConnection, repeat: int) -> list[dict[str, object]]:
    """Best-of-repeat (wall, cpu) of each FLOOR_QUERIES entry: work no exact scorecard avoids."""
    out: list[dict[str, object]] = []
    for name, sql in FLOOR_QUERIES.items():
        runs = []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            con.execute(sql).fetchall()
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall_s, cpu_s = min(runs)
        out.append({"query": name, "wall_s": wall_s, "cpu_s": cpu_s})
    return out


def measure(
    path: Path, repeat: int, with_breakdown: bool = False, with_floor: bool = False
) -> dict[str, object]:
    """Best-of-repeat seconds of the scorecard and of the raw query on one database."""
    import duckdb

    from database.settings import default_settings_data, validate_settings
    from metrics.scorecard import indicator_values

    settings = validate_settings(default_settings_data())
    con = duckdb.connect(str(path), read_only=True)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM survey_responses), "
        "(SELECT count(*) FROM poll_responses)"
    ).fetchone()
    con.execute(RAW_QUERY).fetchall()  # warm the file cache once
    scorecard, raw, rows, groups = [], [], 0, 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        frame = indicator_values(con, "month", settings)
        scorecard.append((time.perf_counter() - wall, time.process_time() - cpu))
        rows = len(frame)
        wall, cpu = time.perf_counter(), time.process_time()
        groups = len(con.execute(RAW_QUERY).fetchall())
        raw.append((time.perf_counter() - wall, time.process_time() - cpu))
    parts = breakdown(con, settings, repeat) if with_breakdown else []
    floors = floor(con, repeat) if with_floor else []
    con.close()
    return {
        "tickets": counts[0] if counts else 0,
        "surveys": counts[1] if counts else 0,
        "polls": counts[2] if counts else 0,
        # best run by wall time; cpu = all threads of this process (robust to other load)
        "scorecard_s": min(scorecard)[0],
        "scorecard_cpu_s": min(scorecard)[1],
        "raw_s": min(raw)[0],
        "raw_cpu_s": min(raw)[1],
        "scorecard_runs": scorecard,
        "raw_runs": raw,
        "scorecard_rows": rows,
        "raw_groups": groups,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "breakdown": parts,
        "floor": floors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--order",
        choices=ORDERS,
        default="random",
        help="row order of the generated tables: random (default) or created (by time, as a "
        "load of a real export stores them)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time each query of the scorecard alone"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time the work no exact scorecard can avoid (its medians, the customer sort)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: child process
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.repeat, args.breakdown, args.floor)))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    command = "bench/metrics.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    print(f"command: {sys.executable} {command}".rstrip())
    cores = os.cpu_count()
    print(f"machine: {platform.platform()}, {cores} cores, Python {platform.python_version()}")
    print(
        f"{'tickets':>11} {'surveys':>9} {'polls':>8} {'generate':>8} {'scorecard':>9} "
        f"{'raw query':>9} {'ratio':>6} {'cpu ratio':>9} {'peak RSS':>9}"
    )
    for tickets in args.tickets:
        suffix = "" if args.order == "random" else f"-{args.order}"
        path = OUT / f"metrics-{tickets}{suffix}.duckdb"
        gen_s = generate(path, tickets, args.order)
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                str(path),
                "--repeat",
                str(args.repeat),
                *(["--breakdown"] if args.breakdown else []),
                *(["--floor"] if args.floor else []),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        m = json.loads(child.stdout)
        ratio = m["scorecard_s"] / m["raw_s"]
        cpu_ratio = m["scorecard_cpu_s"] / m["raw_cpu_s"]
        print(
            f"{m['tickets']:>11,} {m['surveys']:>9,} {m['polls']:>8,} {gen_s:>7.1f}s "
            f"{m['scorecard_s']:>8.2f}s {m['raw_s']:>8.2f}s {ratio:>5.1f}x {cpu_ratio:>8.1f}x "
            f"{m['peak_rss_mb']:>6.0f} MB"
        )
        runs = ", ".join(f"{w:.2f}s/{c:.2f}s" for w, c in m["scorecard_runs"])
        raw_runs = ", ".join(f"{w:.2f}s/{c:.2f}s" for w, c in m["raw_runs"])
        print(f"{'':>11} scorecard runs (wall/cpu) {runs}; raw runs {raw_runs}")
        print(f"{'':>11} {m['scorecard_rows']:,} scorecard rows, {m['raw_groups']:,} raw groups")
        for q in m["breakdown"]:
            print(
                f"{'':>11} {q['query']:<26} {q['wall_s']:>6.2f}s wall {q['cpu_s']:>6.2f}s cpu "
                f"{q['cpu_s'] / m['raw_cpu_s']:>5.1f}x raw cpu"
            )
        for q in m["floor"]:
            print(
                f"{'':>11} floor: {q['query']:<26} {q['wall_s']:>6.2f}s wall "
                f"{q['cpu_s']:>6.2f}s cpu {q['wall_s'] / m['raw_s']:>5.1f}x raw wall"
            )
        if m["floor"]:
            least = sum(q["wall_s"] for q in m["floor"][1:])
            print(
                f"{'':>11} floor: medians x 3 levels + next ticket {least:>6.2f}s wall "
                f"{least / m['raw_s']:>5.1f}x raw wall (before any other indicator)"
            )
        if not args.keep:
            path.unlink(missing_ok=True)
    print("target: scorecard within 3x of the raw query")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
