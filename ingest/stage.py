"""Staging: one set-based pass that reads a file, maps, types and checks every row.

The result is a temp table `staging` with the canonical columns typed, `__code` (NULL for a
good row, the index of the first broken rule, -1 for a row the mapping skips), `__value` (the
offending raw value), `__line` (the physical line where the record starts; NULL when the fast
path cannot know it and no row needs it) and `__row` (increasing in file order). The rowid of
`staging` is NOT file order: the statement that builds it is not order-preserving.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from database.schema import customer_hash_sql, response_hash_sql
from ingest.mapping import Mapping
from ingest.plan import Plan, build_plan, sql_str
from ingest.reader import Layout, inspect
from ingest.records import MAX_CELL_BYTES, normalise
from ingest.sources import Source

SKIPPED = -1
BLANK = -2  # every cell empty (Excel's trailing ,,,, rows): skipped and counted
StagingSql = Callable[[str, bool], str]  # (read SQL, normalised) -> CREATE TABLE staging


@dataclass
class FileFacts:
    """Content hash and newline count of a file (computed in a thread alongside DuckDB)."""

    sha256: str
    newlines: int
    ends_with_newline: bool
    nul_bytes: int = 0
    long_line: bool = False  # a line of MAX_CELL_BYTES or more


def _long_line(chunk: bytes, run: int, limit: int) -> tuple[bool, int]:
    """Whether a line of `limit` bytes or more ends or lies in chunk; the run left open at its
    end. `run`: bytes since the last line feed before the chunk. One rfind per `limit` bytes."""
    first = chunk.find(b"\n")
    if first == -1:
        return run + len(chunk) >= limit, run + len(chunk)
    if run + first >= limit:
        return True, 0
    start = first + 1
    while start + limit <= len(chunk):
        found = chunk.rfind(b"\n", start, start + limit)
        if found == -1:
            return True, 0
        start = found + 1
    tail = len(chunk) - 1 - chunk.rfind(b"\n")
    return tail >= limit, tail


def file_facts(path: Path) -> FileFacts:
    """Hash the file, count its line feeds and NUL bytes, find an over-long line: one pass."""
    digest = hashlib.sha256()
    newlines = nuls = run = 0
    long_line = False
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
            newlines += chunk.count(b"\n")
            nuls += chunk.count(b"\x00")
            if not long_line:
                long_line, run = _long_line(chunk, run, MAX_CELL_BYTES)
            last = chunk[-1:]
    return FileFacts(digest.hexdigest(), newlines, last == b"\n", nuls, long_line)


@dataclass
class Staged:
    """What staging found; the rows themselves are in the temp table `staging`."""

    plan: Plan
    facts: FileFacts
    rows_read: int
    bad_shape: list[tuple[int, int]] = field(default_factory=list)  # (line, fields found)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason) by the reader
    blank: int = 0  # blank records the careful path skipped (the fast path marks them BLANK)
    notes: list[str] = field(default_factory=list)  # for the load report (mixed encodings)
    normalised: bool = False


def _read_sql(plan: Plan, path: Path, normalised: bool, ordered: bool = True) -> str:
    width = len(plan.layout.header)
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    # The reader turns missing tokens into NULL (quoted ones too) at no cost; testing every
    # cell against the list in SQL took a tenth of a load.
    tokens = sorted(set(plan.mapping.read.missing_values) | {""})
    nulls = f"nullstr=[{', '.join(sql_str(t) for t in tokens)}], allow_quoted_nulls=true"
    if normalised:
        return (
            f"read_csv({sql_str(str(path))}, delim=',', quote='\"', escape='\"', header=false, "
            f"columns={{'{'__line'}': 'BIGINT', {cols}}}, auto_detect=false, strict_mode=true, "
            f"new_line='\\n', {nulls})"
        )
    # row_number() OVER () right on the scan is the documented way to keep the file order (the
    # joins DuckDB plans for IN lists later in the statement do not keep it).
    # Numbering rows makes the scan single-threaded, so a first pass goes without it (NULL
    # rows) and _fast repeats the pass numbered only when a row needs its line or its order.
    row = "row_number() OVER ()" if ordered else "NULL::BIGINT"
    layout = plan.layout
    # A line longer than the largest cell goes to the rejects, and so to the careful path,
    # which reads it with the limits (ingest.records).
    return (
        f"(SELECT *, {row} AS __row FROM read_csv({sql_str(str(path))}, "
        f"delim={sql_str(layout.delimiter)}, quote={sql_str(layout.quote)}, "
        f"escape={sql_str(layout.escape or layout.quote)}, header=false, "
        f"skip={layout.header_lines}, columns={{{cols}}}, max_line_size={MAX_CELL_BYTES}, "
        "auto_detect=false, strict_mode=true, ignore_errors=true, store_rejects=true, "
        f"rejects_table='__rejects', rejects_scan='__scans', {nulls}))"
    )


def staging_sql(
    plan: Plan, read_sql: str, normalised: bool, key: str, load_id: int | None = None
) -> str:
    """The CREATE TABLE staging statement for a plan (dropped or renamed by the load)."""
    source = plan.source
    raw_cols = [f'{expr} AS "{name}"' for name, expr in plan.raw.items()]
    item_columns = [f"x{i}" for i in range(len(plan.items))]
    raw_cols += [f'{expr} AS "x{i}"' for i, (_, expr) in enumerate(plan.items.values())]
    if normalised:
        raw_cols += ['"__line"', '"__line" AS __row']
    else:
        # Exact only when every record is one line; _fast checks that before trusting it.
        raw_cols += [f"__row + {plan.layout.header_lines} AS __line", "__row"]
    raw_cols.append(f"({plan.skip_where}) AS __skip" if plan.skip_where else "false AS __skip")
    # Every cell empty or a missing token (NULL from the reader). Testing whitespace too
    # (trim on every cell) cost a tenth of a 1M-row load: DuckDB evaluates every term.
    cells = ", ".join(f"c{i}" for i in range(len(plan.layout.header)))
    raw_cols.append(f"coalesce({cells}) IS NULL AS __blank")
    durations = plan.mapping.durations
    first = [
        f'{plan.typed[c.name]} AS "{c.name}__t"' for c in source.columns if c.name not in durations
    ]
    second = [f'{plan.typed[name]} AS "{name}__t"' for name in durations]

    final = []
    for col in source.columns:
        t = f'"{col.name}__t"'
        if col.kind == "int":
            final.append(f'TRY_CAST({t} AS INTEGER) AS "{col.name}"')
        elif col.name == "customer_id":
            # Only the keyed hash is ever stored.
            final.append(
                f"CASE WHEN {t} IS NOT NULL THEN {customer_hash_sql(key, t)} END AS customer_id"
            )
        elif source.name == "polls" and col.name == "response_id":
            # Often an employee number: only its keyed hash is ever stored.
            final.append(f'{response_hash_sql(key, t)} AS "response_id"')
        else:
            final.append(f'{t} AS "{col.name}"')
    final.append(f"CAST({'NULL' if load_id is None else int(load_id)} AS INTEGER) AS load_id")
    final += [f'CAST(try_cast("{x}" AS DOUBLE) AS INTEGER) AS "{x}"' for x in item_columns]
    code = " ".join(f"WHEN {r.test} THEN {i}" for i, r in enumerate(plan.rules))
    # The offending value is picked by the rule's number, not by testing every rule again.
    # Rejected poll rows keep no value at all (data contract, "Rejected rows").
    value = " ".join(f"WHEN {i} THEN CAST({r.value} AS VARCHAR)" for i, r in enumerate(plan.rules))
    keep_value = value and source.name != "polls"
    final += ["__code", f"CASE __code {value} END AS __value" if keep_value else "NULL AS __value"]
    final += ["__line", "__row"]
    final += [f'{sql} AS "{name}"' for name, sql in plan.extra.items()]  # counted, not stored
    return (
        "CREATE OR REPLACE TABLE staging AS "
        f"WITH raw AS (SELECT {', '.join(raw_cols)} FROM {read_sql}), "
        f"t1 AS (SELECT raw.*, {', '.join(first)} FROM raw), "
        f"t2 AS (SELECT t1.*{''.join(', ' + s for s in second)} FROM t1), "
        f"t3 AS (SELECT t2.*, CASE WHEN __blank THEN {BLANK} WHEN __skip THEN {SKIPPED} "
        f"{code} END AS __code FROM t2) "
        f"SELECT {', '.join(final)} FROM t3"
    )


def _duckdb_rejects(con: duckdb.DuckDBPyConnection) -> int:
    try:
        row = con.execute("SELECT count(*) FROM __rejects").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def _restart_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """After a failed statement: roll back the aborted transaction and begin a new one."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        return  # autocommit: no transaction was open, nothing to restart
    con.execute("BEGIN")


def _drop_rejects_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS __rejects")
    con.execute("DROP TABLE IF EXISTS __scans")


def stage(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    mapping: Mapping,
    path: Path,
    tz: str,
    key: str,
    ordered: bool = False,
    load_id: int | None = None,
) -> Staged:
    """Stage a file into the table `staging`, choosing the fast or the careful path.

    `key` hashes customer and poll response ids; `load_id` is written on every row;
    `ordered` numbers every row in file order even when no row needs it (previews).
    """
    layout = inspect(path, mapping.read)
    plan = build_plan(source, mapping, layout, tz)
    con.execute(f"SET TimeZone = {sql_str(tz)}")
    with ThreadPoolExecutor(max_workers=1) as pool:
        facts_future: Future[FileFacts] = pool.submit(file_facts, path)
        sql = functools.partial(staging_sql, plan, key=key, load_id=load_id)
        staged = None
        if _fast_possible(layout):
            staged = _fast(con, plan, path, sql, facts_future, ordered)
        if staged is None:
            staged = _careful(con, plan, path, sql, facts_future.result())
    return staged


def _fast_possible(layout: Layout) -> bool:
    clean_utf8 = layout.encoding in ("utf-8", "utf-8-sig") and not layout.errors
    return clean_utf8 and layout.header_is_plain


def _needs_order(con: duckdb.DuckDBPyConnection, key: str) -> bool:
    """True when a row is rejected (it needs its line) or a key repeats (the later row wins)."""
    row = con.execute(
        "SELECT count(*) FILTER (WHERE __code >= 0), count(*) FILTER (WHERE __code IS NULL), "
        f'count(DISTINCT "{key}") FILTER (WHERE __code IS NULL) FROM staging'
    ).fetchone()
    return bool(row and (row[0] or row[1] != row[2]))


def _fast(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    path: Path,
    sql: StagingSql,
    facts: Future[FileFacts],
    ordered: bool,
) -> Staged | None:
    staged = _fast_pass(con, plan, path, sql, facts, ordered)
    if staged is not None and not ordered and _needs_order(con, plan.source.key):
        staged = _fast_pass(con, plan, path, sql, facts, True)
    return staged


def _fast_pass(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    path: Path,
    sql: StagingSql,
    facts: Future[FileFacts],
    ordered: bool,
) -> Staged | None:
    _drop_rejects_tables(con)
    try:
        con.execute(sql(_read_sql(plan, path, False, ordered), False))
    except duckdb.InvalidInputException:
        # Mixed line ends, broken quoting, bad UTF-8: take the careful path. The failed
        # statement aborted the load's transaction; staging is its first step, so start it anew.
        _restart_transaction(con)
        return None
    try:
        dropped_by_reader = _duckdb_rejects(con)
    finally:
        _drop_rejects_tables(con)
    if dropped_by_reader:
        return None  # rows of the wrong width: the careful path reports them with their lines
    rows = int(con.execute("SELECT count(*) FROM staging").fetchone()[0])  # type: ignore[index]
    file = facts.result()
    if file.nul_bytes or file.long_line:
        # NUL bytes, or a line longer than DuckDB's buffer, which it drops without a reject
        # (DuckDB 2.0): the careful path refuses such records with their lines.
        return None
    rejected = con.execute("SELECT count(*) FROM staging WHERE __code >= 0").fetchone()[0]  # type: ignore[index]
    data_lines = file.newlines - plan.layout.header_lines + (0 if file.ends_with_newline else 1)
    if data_lines != rows:
        # Quoted newlines or blank lines: record n does not start on line n + header lines.
        if rejected:
            return None  # the careful path finds the real lines
        con.execute("UPDATE staging SET __line = NULL")
    return Staged(plan, file, rows)


def _careful(
    con: duckdb.DuckDBPyConnection, plan: Plan, path: Path, sql: StagingSql, facts: FileFacts
) -> Staged:
    with tempfile.TemporaryDirectory(prefix="scorecard-") as tmp:
        norm = normalise(path, plan.layout, Path(tmp) / "normalised.csv")
        con.execute(sql(_read_sql(plan, norm.path, True), True))
    return Staged(
        plan,
        facts,
        norm.records,
        norm.bad_shape,
        refused=norm.refused,
        blank=norm.blank,
        notes=norm.notes,
        normalised=True,
    )


def reasons_sql(staged: Staged) -> str:
    """The rule texts as an inline table r(code, column_name, reason)."""
    rows = ", ".join(
        f"({i}, {sql_str(r.column)}, {sql_str(r.reason)})" for i, r in enumerate(staged.plan.rules)
    )
    return f"(VALUES {rows}) AS r(code, column_name, reason)"


def reader_rejects(staged: Staged) -> list[tuple[int, str]]:
    """(line, reason) for every record the reader refused: wrong width, NUL, too large, ..."""
    width = len(staged.plan.layout.header)
    shape = [
        (
            line,
            f"row has {found} fields where the header has {width} "
            "(check the delimiter and the quotes on this line)",
        )
        for line, found in staged.bad_shape
    ]
    return sorted(shape + staged.refused)
