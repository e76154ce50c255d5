"""A mapping checked against a sample of the file's rows before anything runs.

The plan's own SQL runs on the first rows in a private in-memory database. A timestamp,
duration or number column of which no sampled value reads is a mapping mistake, not a file of
bad rows: the refusal names the mapping key, the column, a value and what to write instead.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.mapping import Mapping
from ingest.plan import Plan, PlanError, build_plan
from ingest.reader import HEAD_BYTES, errors_for, inspect
from ingest.records import dialect
from ingest.rules import sql_str
from ingest.sources import SOURCES, Source

# The refusal of a file DuckDB's reader stops on: DuckDB's own words name its internals.
UNREADABLE_CSV = (
    "could not be read as CSV (the reader stopped on a record it could not parse); check "
    "that the file is a CSV export"
)
SAMPLE_ROWS = 200
MIN_VALUES = 3  # fewer sampled values than this prove nothing about the mapping
COMMON_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y",
)


def sample_rows(path: Path, plan: Plan, limit: int = SAMPLE_ROWS) -> list[list[str]]:
    """The first data records of a file (from its first MiB), as read by the plan's layout."""
    layout = plan.layout
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    decoder = codecs.getincrementaldecoder(layout.encoding)(
        layout.errors or errors_for(layout.encoding)
    )
    try:
        text = decoder.decode(head).lstrip("\ufeff")
    except UnicodeDecodeError:
        return []  # the reader reports the file's encoding; the sample proves nothing
    lines = io.StringIO(text, newline="")
    for _ in range(layout.header_lines):
        lines.readline()
    width = len(layout.header)
    rows: list[list[str]] = []
    reader = csv.reader(lines, **dialect(layout))
    try:
        for record in reader:
            if len(record) == width:
                rows.append(record)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a record cut by the end of the head
    return rows[:-1] if len(rows) > 1 and len(head) == HEAD_BYTES else rows


def _sample_table(con: duckdb.DuckDBPyConnection, plan: Plan, rows: list[list[str]]) -> None:
    width = len(plan.layout.header)
    missing = {v.strip() for v in plan.mapping.read.missing_values} | {""}
    cols = ", ".join(f'"c{i}" VARCHAR' for i in range(width))
    con.execute(f"CREATE TABLE sample (__line BIGINT, {cols})")
    cleaned = [
        [n, *(None if v.strip() in missing else v for v in row)] for n, row in enumerate(rows)
    ]
    con.executemany(f"INSERT INTO sample VALUES ({', '.join(['?'] * (width + 1))})", cleaned)
    # Surveys take their team from loaded tickets: none here, which only blanks that team.
    con.execute("CREATE TABLE tickets (ticket_id VARCHAR, team VARCHAR)")


def _typed_sql(plan: Plan) -> str:
    """raw -> t1 (typed) -> t2 (durations after their timestamps), as staging builds them."""
    raw = ", ".join(f'{expr} AS "{name}"' for name, expr in plan.raw.items())
    durations = plan.mapping.durations
    first = ", ".join(
        f'{plan.typed[c.name]} AS "{c.name}__t"'
        for c in plan.source.columns
        if c.name not in durations
    )
    second = "".join(f', {plan.typed[n]} AS "{n}__t"' for n in durations)
    return (
        f"WITH raw AS (SELECT {raw} FROM sample), t1 AS (SELECT raw.*, {first} FROM raw), "
        f"t2 AS (SELECT t1.*{second} FROM t1)"
    )


def check_sample(plan: Plan, path: Path) -> None:
    """Raise PlanError when a mapped column reads no value of the file's first rows."""
    rows = sample_rows(path, plan)
    if not rows:
        return
    problems: list[str] = []
    with duckdb.connect(":memory:") as con:
        _sample_table(con, plan, rows)
        with_sql = _typed_sql(plan)
        for col in plan.source.columns:
            if col.name not in plan.carried or col.kind == "text":
                continue
            raw, typed = f'"{col.name}"', f'"{col.name}__t"'
            failing = [
                str(v)
                for (v,) in con.execute(
                    f"{with_sql} SELECT {raw} FROM t2 WHERE {raw} IS NOT NULL AND {typed} IS NULL"
                ).fetchall()
            ]
            present = con.execute(f"{with_sql} SELECT count({raw}) FROM t2").fetchone()
            if len(failing) < MIN_VALUES or present is None or len(failing) < present[0]:
                continue
            problem = _problem(con, plan, col.name, col.kind, failing)
            if problem:
                problems.append(problem)
    if problems:
        raise PlanError("; ".join(problems), problems)


def _stated(mapping: Mapping, name: str) -> bool:
    """True when a mapping key says how to read the column (not just its own name)."""
    sections = (
        mapping.columns,
        mapping.formats,
        mapping.durations,
        mapping.combine,
        mapping.constants,
    )
    return any(name in section for section in sections)


def _problem(
    con: duckdb.DuckDBPyConnection, plan: Plan, name: str, kind: str, values: list[str]
) -> str | None:
    """The mapping's mistake behind a column no sampled value of which reads, if it is one.

    A column read under its own name with no key about it is the file's business: its rows
    are rejected one by one, unless its values all read in one common format (then the
    mapping lacks that format, and saying so beats rejecting every row).
    """
    mapping = plan.mapping
    fits = _fitting_format(con, values) if kind == "timestamp" else None
    if not _stated(mapping, name) and fits is None:
        return None
    example = values[0]
    n = len(values)
    if name in mapping.durations:
        duration = mapping.durations[name]
        return (
            f"durations.{name}.unit: none of the {n} sampled values of "
            f"{duration.column!r} is a duration in {duration.unit} (e.g. {example!r}); "
            f"{_unit_hint(values)}"
        )
    if name in mapping.constants:
        if kind == "timestamp":
            return (
                f"constants.{name}: {example!r} is not a timestamp; write one like 2025-03-01 14:05"
            )
        return f"constants.{name}: {example!r} is not a number; write one like 3"
    if name in mapping.combine:
        spec = mapping.combine[name]
        where = f"{spec.date!r} and {spec.time!r}"
        key = f"combine.{name}.formats"
    else:
        where = repr(mapping.source_for(name))
        key = f"formats.{name}" if kind == "timestamp" else f"columns.{name}"
    if kind != "timestamp":
        return (
            f"{key}: {where} holds no number in the {n} sampled rows (e.g. {example!r}); map "
            f"{name} to a column of numbers, or translate the values under values.{name}"
        )
    declared = mapping.combined_formats(name)
    instead = (
        f'write {key} = "{fits}"'
        if fits
        else "write the strptime format of these values, e.g. %d/%m/%Y %H:%M"
    )
    what = (
        f"reads as {' or '.join(declared)}"
        if declared
        else "is an ISO 8601 timestamp like 2025-03-01 14:05"
    )
    return f"{key}: none of the {n} sampled values of {where} {what} (e.g. {example!r}); {instead}"


def _fitting_format(con: duckdb.DuckDBPyConnection, values: list[str]) -> str | None:
    """The first common format that reads every sampled value, if any."""
    listed = ", ".join(sql_str(v.strip()) for v in values[:50])
    for fmt in COMMON_FORMATS:
        row = con.execute(
            f"SELECT bool_and(try_strptime(v, {sql_str(fmt)}) IS NOT NULL) "
            f"FROM (SELECT unnest([{listed}]) AS v)"
        ).fetchone()
        if row and row[0]:
            return fmt
    return None


def _unit_hint(values: list[str]) -> str:
    if all(re.fullmatch(r"\d+:\d{1,2}:\d{1,2}", v.strip()) for v in values):
        return 'write unit = "hh:mm:ss"'
    if all(re.fullmatch(r"\d+:\d{1,2}", v.strip()) for v in values):
        return 'write unit = "hh:mm"'
    return "map a column that holds durations (numbers, hh:mm or hh:mm:ss)"


def check_file(source: Source, mapping: Mapping, path: Path, tz: str) -> Plan:
    """The plan for a file, its mapping checked against the header and a sample of rows."""
    plan = build_plan(source, mapping, inspect(path, mapping.read), tz)
    check_sample(plan, path)
    return plan


@dataclass(frozen=True)
class Coverage:
    """What a file feeds: the mapping that reads it and the canonical columns it carries."""

    mapping: str
    recognised: bool
    carried: list[str]
    absent: list[str]  # mapped columns the file lacks, as "'Source column' (canonical)"


def coverage(
    source: str, path: str | os.PathLike[str], mapping: str | os.PathLike[str] | None, tz: str
) -> Coverage:
    """The coverage of a file before it loads (raises like a load would refuse it)."""
    from ingest.recognise import resolve  # recognise builds on plan, as this module does

    mapping_obj, recognised = resolve(mapping, source, path)
    plan = check_file(SOURCES[source], mapping_obj, Path(path), tz)
    return Coverage(mapping_obj.name, recognised, list(plan.carried), list(plan.absent))
