"""Peak memory of a load, CLI and dashboard server, against DuckDB's raw read_csv on the same files.

    .venv/bin/python bench/ingest.py --memory [--quote-mb 400] [--big-gb 2]

Two files are written to bench/out/ (gitignored) from the benchmark's 1M canonical tickets:
(a) an unclosed quote on line 3 followed by about QUOTE_MB of tickets, (b) about BIG_GB of
valid tickets (the 1M file repeated under new ids). Each file is loaded, each time in a fresh
child process whose own peak RSS is measured (bench/ingest.py's wrapper):

- cli: `scorecard ingest tickets FILE --db fresh.duckdb`;
- server: what the dashboard's Data page runs for an upload: the upload's bytes held in memory
  (Streamlit's uploader keeps them), written to the session's folder (dashboard.uploads), the
  preview (ingest.preview) and the load (ingest.load.load_file);
- duckdb: `CREATE TABLE t AS SELECT * FROM read_csv(FILE)` (which fails on file a: it refuses a
  file with an unterminated quote; its peak until then is reported).

The files are deleted afterwards unless --keep.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

SERVER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from dashboard.uploads import SessionUploads\n"
    "from ingest.load import IngestError, load_file\n"
    "from ingest.preview import preview\n"
    "src, db, folder = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])\n"
    "data = src.read_bytes()  # Streamlit's file_uploader holds the upload in memory\n"
    "with SessionUploads(folder).on_disk(src.name, data) as path:\n"
    "    preview('tickets', path, db=db)\n"
    "    load_file(db, 'tickets', path, file_name=src.name)\n"
)
Timer = Callable[[list[str], bool], tuple[float, float, float, int]]


def write_quote_file(tickets: Path, out: Path, megabytes: int) -> int:
    """The tickets' header and first row, a row whose quote never closes, then tickets up to
    `megabytes`; returns the file's size."""
    limit = megabytes << 20
    with tickets.open("rb") as src, out.open("wb") as dst:
        dst.write(src.readline())
        dst.write(src.readline())
        broken = src.readline().split(b",")
        broken[6] = b'"' + broken[6]  # category: a quote opened and never closed
        dst.write(b",".join(broken))
        body = src.read()
        while dst.tell() < limit:
            dst.write(body[: limit - dst.tell()])
        if not body.endswith(b"\n"):
            dst.write(b"\n")
        return dst.tell()


def write_big_file(tickets: Path, out: Path, gigabytes: float) -> tuple[int, int]:
    """The 1M tickets repeated under new ids (copy k: ticket_id k-<id>) up to `gigabytes`;
    returns (rows, size)."""
    limit = int(gigabytes * (1 << 30))
    rows = 0
    with tickets.open("rb") as src:
        header = src.readline()
        body = src.read().splitlines(keepends=True)
    with out.open("wb") as dst:
        dst.write(header)
        copy = 0
        while dst.tell() < limit:
            prefix = b"%d-" % copy
            dst.write(b"".join(prefix + line for line in body))
            rows += len(body)
            copy += 1
        return rows, dst.tell()


def _fresh(db: Path) -> None:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()


def measure(
    root: Path, out: Path, python: Path, scorecard: Path, baseline: str, timed: Timer,
    tickets: Path, quote_mb: int, big_gb: float, keep: bool,
) -> None:  # fmt: skip
    """Write both files, measure the three loads of each, print one table."""
    quote = out / f"unclosed_quote_{quote_mb}mb.csv"
    big = out / f"valid_{big_gb:g}gb.csv"
    quote_size = write_quote_file(tickets, quote, quote_mb)
    big_rows, big_size = write_big_file(tickets, big, big_gb)
    db, folder = out / "memory.duckdb", out / "uploads"
    rel = lambda p: str(p.relative_to(root))  # noqa: E731
    runs = {
        "cli": lambda f: [rel(scorecard), "ingest", "tickets", rel(f), "--db", rel(db)],
        "server": lambda f: [rel(python), "-c", SERVER, rel(f), rel(db), rel(folder)],
        "duckdb read_csv": lambda f: [rel(python), "-c", baseline, rel(f), rel(db)],
    }
    print(
        f"\npeak memory (each run a fresh process; RSS = its own ru_maxrss):\n"
        f"  a: {rel(quote)} ({quote_size / 2**20:.0f} MB): an unclosed quote on line 3\n"
        f"  b: {rel(big)} ({big_size / 2**20:,.0f} MB, {big_rows:,} tickets): valid"
    )
    print(f"{'file':5}{'load':17}{'peak RSS MB':>12}{'seconds':>9}  outcome")
    try:
        for label, path in (("a", quote), ("b", big)):
            for name, cmd in runs.items():
                _fresh(db)
                seconds, _, rss, rc = timed(cmd(path), True)
                outcome = "ok" if rc == 0 else f"exit {rc}"
                print(f"{label:5}{name:17}{rss:>12,.0f}{seconds:>9.1f}  {outcome}")
        print("commands:")
        for name, cmd in runs.items():
            shown = cmd(Path(root / "FILE"))
            if "-c" in shown:
                i = shown.index("-c")
                shown[i + 1] = "<code>"
            print(f"  {name}: {shlex.join(shown)}")
        print(f"  server <code>:\n{SERVER}")
    finally:
        _fresh(db)
        if not keep:
            quote.unlink(missing_ok=True)
            big.unlink(missing_ok=True)
