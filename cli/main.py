"""Command line entry point: `scorecard ingest | demo | rejected | export | serve | access |
audit`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from cli.access import access_command, add_commands, audit_command
from cli.serve import serve
from database import audit
from database.csvsafe import write_rows
from database.db import DEFAULT_DB, Database
from database.settings import SettingsError
from ingest.load import IngestError, LoadReport, load_file, unknown_values_text
from ingest.mapping import available_mappings, load_mapping
from ingest.sources import SOURCES
from metrics import queries
from metrics.export import stored_export_csv
from metrics.registry import RegistryError, unfed_text
from metrics.store import brought_up_to_date

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
DEMO_FILES = (
    ("teams", "teams.csv"),
    ("tickets", "tickets.csv"),
    ("surveys", "surveys.csv"),
    ("polls", "employee_polls.csv"),
)
DB_HELP = "database file (default: $SCORECARD_DB or data/scorecard.duckdb)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="scorecard", description="Service Scorecard.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load CSV exports into the database")
    p.add_argument("source", choices=list(SOURCES), help="what the files hold")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--mapping",
        help="a shipped mapping name or a mapping .toml path (default: recognised from the header)",
    )
    p.add_argument("--db", help=DB_HELP)

    p = sub.add_parser("demo", help="load the sample data into the database")
    p.add_argument("--db", help=DB_HELP)

    p = sub.add_parser("rejected", help="list rejected rows as CSV (all loads, or one)")
    p.add_argument("--load", type=int, help="only this load id")
    p.add_argument("--db", help=DB_HELP)

    p = sub.add_parser("undo", help="take back the last load: the data as it was before it")
    p.add_argument("--db", help=DB_HELP)

    p = sub.add_parser("mappings", help="list the shipped mappings")

    p = sub.add_parser("export", help="print the scorecard as CSV (the spec's export format)")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--period", choices=["week", "month", "quarter"], default="month")
    p.add_argument("--output", help="write to this file instead of stdout")

    p = sub.add_parser("serve", help="serve the dashboard on a database")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: local mode, no sign-in; any other address "
        "needs sign-in set up in .streamlit/secrets.toml)",
    )
    p.add_argument("--secrets", help="a secrets.toml with the [auth] sign-in set-up to use")
    add_commands(sub, DB_HELP)
    return parser


def database_from(arg: str | None) -> Database:
    """--db, else $SCORECARD_DB, else data/scorecard.duckdb: read once, here, at the top."""
    return Database(arg or os.environ.get("SCORECARD_DB") or DEFAULT_DB)


def print_report(report: LoadReport, db_arg: str | None) -> None:
    """A load report a person can read."""
    out = sys.stdout
    how = ", recognised from the header" if report.recognised else ""
    out.write(
        f"{report.file_name} -> {report.source} "
        f"(mapping: {report.mapping}{how}, load #{report.load_id})\n"
    )
    out.write(
        f"  read {report.rows_read:,}  loaded {report.rows_loaded:,}  "
        f"replaced {report.rows_replaced:,}  rejected {report.rows_rejected:,}"
        + (f"  skipped {report.rows_skipped:,}" if report.rows_skipped else "")
        + "\n"
    )
    if report.top_reasons:
        out.write("  top reasons for rejected rows:\n")
        for reason, count in report.top_reasons:
            out.write(f"    {count:>8,}  {reason}\n")
        db = f" --db {db_arg}" if db_arg else ""
        out.write(f"  list them all: scorecard rejected --load {report.load_id}{db}\n")
    if report.dropped_columns:
        out.write(f"  dropped on sight, never stored: {', '.join(report.dropped_columns)}\n")
    if report.absent_columns:
        out.write(f"  not in this file, not carried: {', '.join(report.absent_columns)}\n")
    for line in unknown_values_text(report):
        out.write(f"  {line}\n")
    if report.rows_loaded:
        for line in unfed_text(report.source, report.carried):
            out.write(f"  {line}\n")
    if report.ignored_columns:
        out.write(f"  columns not stored: {', '.join(report.ignored_columns)}\n")
    if report.extra_items:
        out.write(f"  extra poll items kept: {', '.join(report.extra_items)}\n")
    for note in report.notes:
        out.write(f"  note: {note}\n")


def _ingest(db: str | None, source: str, files: list[str], mapping: str | None) -> int:
    database = database_from(db)
    failed = 0
    for file in files:
        try:
            report = load_file(database, source, file, mapping, progress=sys.stderr.isatty())
        except IngestError as exc:
            sys.stderr.write(f"refused: {exc}\n")
            if exc.suggestion:
                sys.stderr.write(
                    f"  try: scorecard ingest {source} {file} --mapping {exc.suggestion}\n"
                )
            elif exc.needs_mapping:
                sys.stderr.write(
                    "  write a mapping for this layout (docs/mappings.md) and pass it with "
                    "--mapping FILE.toml\n"
                )
            failed += 1
            continue
        print_report(report, db)
        if report.rows_loaded == 0:
            sys.stderr.write(f"nothing loaded: every row of {report.file_name} was rejected\n")
            failed += 1
    return 1 if failed else 0


def _demo(db: str | None) -> int:
    database = database_from(db)
    status = 0
    for source, name in DEMO_FILES:
        status |= _ingest(str(database.path), source, [str(SAMPLE_DIR / name)], None)
    print(f"sample data loaded into {database.path}")
    return status


def _rejected(db: str | None, load: int | None) -> int:
    database = database_from(db)
    if not database.exists():
        sys.stderr.write(f"error: no database at {database.path}\n")
        return 1
    sql = (
        "SELECT r.load_id, l.file_name, r.line, r.column_name, r.value, r.reason "
        "FROM rejected_rows r JOIN loads l USING (load_id)"
    )
    params: list[object] = []
    if load is not None:
        sql += " WHERE r.load_id = ?"
        params.append(load)
    with database.read() as con:
        rows = con.execute(sql + " ORDER BY r.load_id, r.line", params).fetchall()
    # File names and raw values are the uploader's text: formula cells are neutralised.
    write_rows(sys.stdout, ["load_id", "file_name", "line", "column", "value", "reason"], rows)
    return 0


def _undo(database: Database) -> int:
    """Put back the database as it was before the last load."""
    last = None
    if database.exists():
        with database.read() as con:
            last = queries.last_load(con)
    if last is None or not database.can_undo():
        print("scorecard undo: there is no load to undo", file=sys.stderr)
        return 1
    detail = f"load #{last['load_id']} ({last['source']}, {last['file_name']})"
    audit.undo_last_load(database, audit.os_user(), detail)
    print(
        f"undid load #{last['load_id']} ({last['source']}, {last['file_name']}): the data is "
        "as it was before it"
    )
    return 0


def _mappings() -> int:
    for source in SOURCES:
        for name in available_mappings(source):
            description = load_mapping(name, source).description or "the canonical layout"
            print(f"{source:8} {name:24} {description}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Dispatch a parsed command."""
    if args.command == "ingest":
        return _ingest(args.db, args.source, args.files, args.mapping)
    if args.command == "demo":
        return _demo(args.db)
    if args.command == "rejected":
        return _rejected(args.db, args.load)
    if args.command == "mappings":
        return _mappings()
    if args.command == "undo":
        return _undo(database_from(args.db))
    if args.command == "export":
        return _export(database_from(args.db), period=args.period, output=args.output)
    if args.command == "serve":
        return serve(database_from(args.db), port=args.port, host=args.host, secrets=args.secrets)
    if args.command == "audit":
        return audit_command(database_from(args.db), args.limit)
    if args.command == "access":
        return access_command(database_from(args.db), args)
    return 2


def _export(database: Database, period: str, output: str | None) -> int:
    """Print or write the export; a short message (no traceback) and 1 on errors."""
    if not database.exists():
        print(
            f"scorecard export: no database at {database.path} (load data first, or pass "
            "--db PATH)",
            file=sys.stderr,
        )
        return 1
    try:
        database.upgrade()  # a database written by an older version
        settings = database.settings()
        # Settings edited since the last write: recompute the stored values first.
        brought_up_to_date(database, settings)
        with database.read() as con:
            text = stored_export_csv(con, period, settings)
    except (SettingsError, RegistryError, ValueError, duckdb.Error) as exc:
        print(f"scorecard export: {exc}", file=sys.stderr)
        return 1
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"scorecard export: cannot write {output}: {exc.strerror}", file=sys.stderr)
        return 1
    lines = text.count("\n") - 1
    print(f"wrote {lines} rows to {output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; problems are printed as one line, never as a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except BrokenPipeError:
        # `scorecard rejected | head`: the reader went away; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing of the unfinished load was kept\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("SCORECARD_DEBUG"):
            raise
        sys.stderr.write(f"error: {exc}\n(set SCORECARD_DEBUG=1 to see the details)\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
