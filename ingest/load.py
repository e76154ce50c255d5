"""Loading a file: stage it, replace rows by key, quarantine bad rows, log the load.

Everything happens in one transaction on a private copy of the database (database.db), so a
load is all or nothing and readers never see half of one.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from database import audit
from database.db import Database, as_database
from database.keys import database_key
from database.settings import Settings
from ingest import tables
from ingest.check import UNREADABLE_CSV, check_file
from ingest.mapping import Mapping, MappingError
from ingest.plan import PlanError
from ingest.reader import ReadError
from ingest.recognise import resolve, suggest
from ingest.sources import KNOWN_VALUES, SOURCES, Source
from ingest.stage import BLANK, SKIPPED, stage

log = logging.getLogger(__name__)


LOAD_MEMORY = "1GB"  # what one load's DuckDB may hold in memory (bounded memory, data contract)


class IngestError(Exception):
    """A file refused whole; the message tells a person what to do.

    `problems` lists each reason (a mapping's name its key); `suggestion` is a shipped mapping
    that reads the file; `needs_mapping` says no shipped mapping does. The command line and
    the Data page each add their own way to act on these.
    """

    def __init__(
        self,
        message: str,
        problems: list[str] | None = None,
        suggestion: str | None = None,
        needs_mapping: bool = False,
    ) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.suggestion = suggestion
        self.needs_mapping = needs_mapping


@dataclass
class LoadReport:
    """What a load did, for the CLI, the dashboard and the load log."""

    load_id: int | None
    source: str
    file_name: str
    mapping: str
    outcome: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_replaced: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_blank: int = 0  # records whose every cell is empty: skipped, not rejected
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    extra_items: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)  # canonical columns the file fed
    recognised: bool = False  # the mapping was picked from the file's header
    absent_columns: list[str] = field(default_factory=list)  # mapped, not in this file
    # (column, what was done, [(value, rows)]) for channel/status values outside their list
    unknown_values: list[tuple[str, str, list[tuple[str, int]]]] = field(default_factory=list)
    late_pulses: list[str] = field(default_factory=list)  # YYYY-MM pulses that got new answers
    notes: list[str] = field(default_factory=list)
    message: str = ""


def unknown_values_text(report: LoadReport) -> list[str]:
    """One sentence per column with values outside its documented list."""
    lines = []
    for column, done, counts in report.unknown_values:
        rows = sum(n for _, n in counts)
        listed = ", ".join(f"{v!r} ({n:,})" for v, n in counts[:5])
        more = f" and {len(counts) - 5:,} more" if len(counts) > 5 else ""
        lines.append(
            f"{column}: {rows:,} {'row' if rows == 1 else 'rows'} outside "
            f"{', '.join(KNOWN_VALUES[column])}, {done}: {listed}{more}"
        )
    return lines


def _source(name: str) -> Source:
    if name not in SOURCES:
        raise IngestError(f"unknown source {name!r}: use one of {', '.join(SOURCES)}")
    return SOURCES[name]


def _checked_path(file_path: str | os.PathLike[str]) -> Path:
    path = Path(file_path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    return path


def load_file(
    db: Database | str | os.PathLike[str],
    source: str,
    file_path: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | None = None,
    file_name: str | None = None,
    settings: Settings | None = None,
    progress: bool = False,
    who: str | None = None,
) -> LoadReport:
    """Load one CSV export into the database; raise IngestError if the file is refused.

    The audit log records the load or the refusal with `who` (the signed-in person in the
    dashboard; by default the operating-system user, as on the command line)."""
    src = _source(source)
    path = _checked_path(file_path)
    name = file_name or path.name
    started = datetime.now()
    database = as_database(db)
    settings = settings or database.settings()
    mapping_obj: Mapping | None = None
    try:
        mapping_obj, recognised = resolve(mapping, source, path)
        check_file(src, mapping_obj, path, settings.organisation.timezone)
        with database.write(keep_previous=True) as con:
            # DuckDB's default (80 % of the machine) would let a big file's staging grow with
            # the file; past this it spills to the database's temp folder instead.
            con.execute(f"SET memory_limit = '{LOAD_MEMORY}'")
            if progress:
                # DuckDB draws its own progress bar for statements that run over two seconds.
                con.execute("SET enable_progress_bar = true")
                con.execute("SET enable_progress_bar_print = true")
            key = database_key(con, database.path)
            report = _load(con, src, mapping_obj, path, name, started, settings, key)
            report.recognised = recognised
            audit.record_in(
                con,
                who or audit.os_user(),
                audit.LOAD,
                f"{name} as {source} (load #{report.load_id}): {report.rows_loaded:,} rows "
                f"loaded, {report.rows_rejected:,} rejected",
            )
            return report
    except (ReadError, PlanError, MappingError) as exc:
        if isinstance(exc, PlanError) and mapping_obj is not None:
            suggest(exc, mapping_obj, source, path)
        label = mapping_obj.name if mapping_obj else str(mapping or "canonical")
        message = f"{name}: {exc}"
        _log_refusal(database, src, name, label, started, message, who)
        raise IngestError(
            message,
            problems=getattr(exc, "problems", None) or [str(exc)],
            suggestion=getattr(exc, "suggestion", None),
            needs_mapping=getattr(exc, "needs_mapping", False),
        ) from exc
    except duckdb.Error as exc:
        # A file we could not read even on the careful path. DuckDB's own words name its
        # internals, not the file: they go to the log, never to the person.
        log.debug("load of %s failed in DuckDB", name, exc_info=True)
        label = mapping_obj.name if mapping_obj else str(mapping or "canonical")
        message = f"{name}: {UNREADABLE_CSV}"
        _log_refusal(database, src, name, label, started, message, who)
        raise IngestError(message, problems=[message]) from exc


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0])  # type: ignore[index]


def _log_refusal(
    database: Database,
    src: Source,
    name: str,
    mapping: str,
    started: datetime,
    message: str,
    who: str | None,
) -> None:
    with database.write() as con:
        audit.record_in(con, who or audit.os_user(), audit.LOAD_REFUSED, message)
        con.execute(
            "INSERT INTO loads (load_id, source, file_name, mapping, started_at, finished_at, "
            "rows_read, rows_loaded, rows_replaced, rows_rejected, outcome, message) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 'refused', ?)",
            [_next_load_id(con), src.name, name, mapping, started, datetime.now(), message],
        )


def _load(
    con: duckdb.DuckDBPyConnection,
    src: Source,
    mapping: Mapping,
    path: Path,
    name: str,
    started: datetime,
    settings: Settings,
    key: str,
) -> LoadReport:
    load_id = _next_load_id(con)
    tz = settings.organisation.timezone
    staged = stage(con, src, mapping, path, tz, key, load_id=load_id)
    if staged.rows_read == 0:
        raise ReadError("the file has a header but no data rows")
    report = LoadReport(load_id, src.name, name, mapping.name, "loaded", rows_read=staged.rows_read)
    report.dropped_columns = staged.plan.dropped
    report.ignored_columns = list(staged.plan.ignored)
    report.carried = staged.plan.carried
    report.absent_columns = list(staged.plan.absent)
    report.unknown_values = tables.unknown_values(con, staged)

    key = src.key
    skipped, blank, valid, distinct = con.execute(
        f"SELECT count(*) FILTER (WHERE __code = {SKIPPED}), "
        f"count(*) FILTER (WHERE __code = {BLANK}), "
        "count(*) FILTER (WHERE __code IS NULL), "
        f'count(DISTINCT "{key}") FILTER (WHERE __code IS NULL) FROM staging'
    ).fetchone() or (0, 0, 0, 0)
    report.rows_skipped = int(skipped)
    report.rows_blank = int(blank) + staged.blank
    if report.rows_blank:
        what = "row" if report.rows_blank == 1 else "rows"
        report.notes.append(
            f"{report.rows_blank:,} blank {what} (every cell empty) skipped, not rejected"
        )
    report.notes.extend(staged.notes)
    tables.quarantine(con, staged, load_id)
    if distinct < valid:
        # The same key twice in one file: the later row wins, as across files.
        con.execute(
            f"DELETE FROM staging WHERE __code IS NULL AND __row NOT IN "
            f'(SELECT max(__row) FROM staging WHERE __code IS NULL GROUP BY "{key}")'
        )
        report.notes.append(f"{valid - distinct:,} rows repeat a {key} found later in the file")
    table_was_empty = not tables.scalar(
        con, f"SELECT count(*) FROM (SELECT 1 FROM {src.table} LIMIT 1)"
    )
    if src.name == "polls" and not table_was_empty:
        report.late_pulses, added = tables.late_pulses(con)
        if report.late_pulses:
            months = ", ".join(report.late_pulses)
            report.notes.append(
                f"late responses: {added:,} new responses in pulses that already had responses "
                f"({months}); their figures and suppression are recomputed, so what readers "
                "saw before this load changes"
            )
    tables.record_changes(con, src, table_was_empty)
    replaced = 0 if table_was_empty else tables.delete_replaced(con, src)
    report.rows_replaced = (valid - distinct) + replaced
    report.rows_loaded = distinct
    report.rows_rejected = tables.scalar(
        con, "SELECT count(*) FROM rejected_rows WHERE load_id = ?", [load_id]
    )

    if src.name == "tickets":
        tables.ticket_csat_to_surveys(con)
    if src.name == "polls":
        report.extra_items = tables.poll_extra_items(con, staged)
    if src.name != "teams":
        con.execute(
            "INSERT INTO teams (team) SELECT DISTINCT team FROM staging WHERE __code IS NULL "
            "AND team IS NOT NULL AND team NOT IN (SELECT team FROM teams)"
        )
    report.top_reasons = [
        (str(r), int(c))
        for r, c in con.execute(
            "SELECT reason, count(*) AS c FROM rejected_rows WHERE load_id = ? "
            "GROUP BY reason ORDER BY c DESC, reason LIMIT 5",
            [load_id],
        ).fetchall()
    ]
    previous = con.execute(
        "SELECT load_id, started_at FROM loads WHERE content_hash = ? AND source = ? "
        "AND outcome = 'loaded' ORDER BY load_id DESC LIMIT 1",
        [staged.facts.sha256, src.name],
    ).fetchone()
    if previous:
        report.notes.append(
            f"this exact file was already loaded (load #{previous[0]} "
            f"at {previous[1]:%Y-%m-%d %H:%M}); "
            "its rows replaced themselves, so nothing changed"
        )
    tables.install(con, src, table_was_empty)
    con.execute(
        "INSERT INTO loads (load_id, source, file_name, content_hash, mapping, mapping_json, "
        "started_at, finished_at, rows_read, rows_loaded, rows_replaced, rows_rejected, outcome, "
        "message, dropped_columns, ignored_columns, carried, late_pulses) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            src.name,
            name,
            staged.facts.sha256,
            mapping.name,
            mapping.model_dump_json(),
            started,
            datetime.now(),
            report.rows_read,
            report.rows_loaded,
            report.rows_replaced,
            report.rows_rejected,
            "loaded",
            "; ".join(report.notes) or None,
            json.dumps(report.dropped_columns),
            json.dumps(report.ignored_columns),
            report.carried,
            report.late_pulses,
        ],
    )
    return report
