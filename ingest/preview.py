"""Preview: validate a file and show its mapped rows without writing anything."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from database.db import Database, as_database
from database.schema import ensure_schema
from database.settings import Settings, default_settings
from ingest.check import UNREADABLE_CSV, check_file
from ingest.plan import PlanError, sql_str
from ingest.reader import ReadError
from ingest.recognise import resolve, suggest
from ingest.sources import SOURCES
from ingest.stage import reader_rejects, reasons_sql, stage

MAX_REJECTS = 1000
# The preview stages the whole file in an in-memory database: past this it spills to a temp
# folder instead of growing with the file (a dashboard server previews uploads side by side).
PREVIEW_MEMORY = "1GB"


class Preview(NamedTuple):
    """The first mapped rows as they would be stored, and the rows that would be rejected."""

    rows: pd.DataFrame
    rejects: pd.DataFrame


def preview(
    source: str,
    file_path: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | None = None,
    limit: int = 50,
    db: Database | str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> Preview:
    """Stage a file in memory; raise the same errors a load would (ReadError, PlanError...).

    `db`: the database a load would go to (its settings; surveys take teams from its tickets).
    """
    src = SOURCES[source]
    database = None if db is None else as_database(db)
    mapping_obj, _ = resolve(mapping, source, file_path)  # None: recognised from the header
    settings = settings or (database.settings() if database else default_settings())
    try:
        check_file(src, mapping_obj, Path(file_path), settings.organisation.timezone)
    except PlanError as exc:
        suggest(exc, mapping_obj, source, file_path)  # another shipped mapping reads it
        raise
    spill = tempfile.TemporaryDirectory(prefix="scorecard-preview-")
    config = {
        "autoinstall_known_extensions": False,
        "memory_limit": PREVIEW_MEMORY,
        "temp_directory": spill.name,
    }
    con = duckdb.connect(":memory:", config=config)  # type: ignore[arg-type]
    try:
        ensure_schema(con)
        if database is not None and database.exists() and source == "surveys":
            # Surveys without a team take it from tickets already loaded.
            con.execute(f"ATTACH {sql_str(str(database.path))} AS live (READ_ONLY)")
            con.execute("DROP TABLE tickets")
            con.execute("CREATE VIEW tickets AS SELECT * FROM live.tickets")
        tz = settings.organisation.timezone
        # Nothing of a preview is stored: a throwaway key hashes its ids.
        try:
            staged = stage(con, src, mapping_obj, Path(file_path), tz, "preview", ordered=True)
        except duckdb.Error as exc:
            raise ReadError(UNREADABLE_CSV) from exc  # DuckDB's words are for the log only
        columns = ", ".join(f'"{c.name}"' for c in src.columns if c.name != "customer_id")
        rows = con.execute(
            f"SELECT {columns} FROM staging WHERE __code IS NULL ORDER BY __row LIMIT ?", [limit]
        ).df()
        rejects = con.execute(
            "SELECT s.__line AS line, r.column_name AS column, s.__value AS value, r.reason "
            f"FROM staging s JOIN {reasons_sql(staged)} ON s.__code = r.code "
            "ORDER BY s.__line LIMIT ?",
            [MAX_REJECTS],
        ).df()
        if staged.bad_shape or staged.refused:
            shape = pd.DataFrame(
                [(line, None, None, reason) for line, reason in reader_rejects(staged)],
                columns=["line", "column", "value", "reason"],
            )
            rejects = pd.concat([rejects, shape]).sort_values("line").head(MAX_REJECTS)
        return Preview(rows, rejects.reset_index(drop=True))
    finally:
        con.close()
        spill.cleanup()
