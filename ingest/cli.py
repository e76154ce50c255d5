"""Command line entry point: `scorecard ingest | demo | rejected | export | serve`."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="scorecard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("export", help="print the scorecard as CSV (the spec's export format)")
    p.add_argument("--db", help="database file (default: $SCORECARD_DB or data/scorecard.duckdb)")
    p.add_argument("--period", choices=["week", "month", "quarter"], default="month")
    p.add_argument("--output", help="write to this file instead of stdout")

    p = sub.add_parser("serve", help="serve the dashboard on a database")
    p.add_argument("--db", help="database file (default: $SCORECARD_DB or data/scorecard.duckdb)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; errors a person can act on are printed without a traceback."""
    args = build_parser().parse_args(argv)
    if args.command == "export":
        from metrics.export import export_command  # lazy: keeps `ingest` free of metrics

        return export_command(db=args.db, period=args.period, output=args.output)
    if args.command == "serve":
        from dashboard.serve import serve

        return serve(db=args.db, port=args.port, host=args.host)
    return 2


if __name__ == "__main__":
    sys.exit(main())
