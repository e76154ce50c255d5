"""Preview: validate a file and show its mapped rows without writing anything."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from database.db import resolve_db_path
from database.schema import ensure_schema
from database.settings import Settings, load_settings
from ingest.load import bad_shape_reasons, reasons_sql
from ingest.mapping import load_mapping
from ingest.plan import sql_str
from ingest.sources import SOURCES
from ingest.stage import stage

MAX_REJECTS = 1000


class Preview(NamedTuple):
    """The first mapped rows as they would be stored, and the rows that would be rejected."""

    rows: pd.DataFrame
    rejects: pd.DataFrame


def preview(
    source: str,
    file_path: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | None = None,
    limit: int = 50,
    db_path: str | os.PathLike[str] | None = None,
    settings: Settings | None = None,
) -> Preview:
    """Stage a file in memory; raise the same errors a load would (ReadError, PlanError...)."""
    src = SOURCES[source]
    db_path = resolve_db_path(db_path)  # None: $SCORECARD_DB or the default database
    mapping_obj = load_mapping(mapping, source)
    settings = settings or load_settings(db_path)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        ensure_schema(con)
        if db_path.exists() and source == "surveys":
            # Surveys without a team take it from tickets already loaded.
            con.execute(f"ATTACH {sql_str(str(db_path))} AS live (READ_ONLY)")
            con.execute("DROP TABLE tickets")
            con.execute("CREATE VIEW tickets AS SELECT * FROM live.tickets")
        tz = settings.organisation.timezone
        # Nothing of a preview is stored: a throwaway key hashes its ids.
        staged = stage(con, src, mapping_obj, Path(file_path), tz, "preview", ordered=True)
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
        if staged.bad_shape:
            shape = pd.DataFrame(
                [(line, None, None, reason) for line, reason in bad_shape_reasons(staged)],
                columns=["line", "column", "value", "reason"],
            )
            rejects = pd.concat([rejects, shape]).sort_values("line").head(MAX_REJECTS)
        return Preview(rows, rejects.reset_index(drop=True))
    finally:
        con.close()
