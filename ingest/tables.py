"""Putting a staged load into the tables: quarantine, replaced rows, late pulses, changes noted
for the stored scorecard, csat moved to surveys, extra poll items."""

from __future__ import annotations

import duckdb

from ingest.plan import sql_str
from ingest.sources import Source
from ingest.stage import Staged, reader_rejects, reasons_sql


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    """The first cell of a query as an int (0 when empty)."""
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def unknown_values(
    con: duckdb.DuckDBPyConnection, staged: Staged
) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """Channel and status values outside their lists, counted per value (all rows)."""
    out = []
    for column, policy in staged.plan.unknown.items():
        counts = con.execute(
            f'SELECT "{column}__unknown", count(*) AS n FROM staging '
            f'WHERE "{column}__unknown" IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1'
        ).fetchall()
        if counts:
            done = {"reject": "rejected", "other": "stored as other", "missing": "left empty"}
            out.append((column, done[policy], [(str(v), int(n)) for v, n in counts]))
    return out


def quarantine(con: duckdb.DuckDBPyConnection, staged: Staged, load_id: int) -> None:
    """Rejected rows go to rejected_rows with line, column, value and reason."""
    con.execute(
        "INSERT INTO rejected_rows SELECT ?, s.__line, r.column_name, s.__value, r.reason "
        f"FROM staging s JOIN {reasons_sql(staged)} ON s.__code = r.code ORDER BY s.__line",
        [load_id],
    )
    if staged.bad_shape or staged.refused:
        # Line and width only: the record's text may hold personal values.
        con.executemany(
            "INSERT INTO rejected_rows VALUES (?, ?, NULL, NULL, ?)",
            [[load_id, line, reason] for line, reason in reader_rejects(staged)],
        )


def late_pulses(con: duckdb.DuckDBPyConnection) -> tuple[list[str], int]:
    """Pulses (YYYY-MM) to which this load adds new responses although they had some before."""
    rows = con.execute(
        """
        SELECT strftime(date_trunc('month', s.submitted_at), '%Y-%m') AS pulse, count(*)
        FROM staging AS s
        WHERE s.__code IS NULL
          AND s.response_id NOT IN (SELECT response_id FROM poll_responses)
          AND date_trunc('month', s.submitted_at) IN
              (SELECT DISTINCT date_trunc('month', submitted_at) FROM poll_responses)
        GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    return [str(pulse) for pulse, _ in rows], sum(int(count) for _, count in rows)


# Where each source's rows sit in time, for the stored scorecard's refresh (metrics.store):
# the time that places a row in a period, and the customer (repeat contact reaches back).
PLACED = {
    "tickets": ("created_at", "customer_hash", "customer_id"),
    "surveys": ("submitted_at", "NULL", "NULL"),
    "polls": ("submitted_at", "NULL", "NULL"),
}


def record_changes(con: duckdb.DuckDBPyConnection, src: Source, table_was_empty: bool) -> None:
    """Note in changed_rows the rows this load replaces and adds (ts NULL: all periods)."""
    if src.name not in PLACED or table_was_empty:
        con.execute("INSERT INTO changed_rows VALUES (?, NULL, NULL)", [src.name])
        return
    ts, stored_customer, staged_customer = PLACED[src.name]
    key = f'"{src.key}"'
    new = f"SELECT {key} FROM staging WHERE __code IS NULL"
    con.execute(
        f"INSERT INTO changed_rows SELECT '{src.name}', {ts}, {stored_customer} "
        f"FROM {src.table} WHERE {key} IN ({new}) "
        f"UNION ALL SELECT '{src.name}', {ts}, {staged_customer} "
        "FROM staging WHERE __code IS NULL"
    )
    if src.name == "tickets":
        # A ticket's csat is a survey response placed at its resolution (or creation).
        con.execute(
            "INSERT INTO changed_rows SELECT 'surveys', submitted_at, NULL FROM survey_responses "
            "WHERE response_id IN (SELECT 'ticket:' || ticket_id FROM staging "
            "WHERE __code IS NULL) UNION ALL SELECT 'surveys', coalesce(resolved_at, created_at), "
            "NULL FROM staging WHERE __code IS NULL AND csat IS NOT NULL"
        )


def delete_replaced(con: duckdb.DuckDBPyConnection, src: Source) -> int:
    """Delete the rows whose key comes again in this load; count them."""
    key = f'"{src.key}"'
    return scalar(
        con,
        f"DELETE FROM {src.table} WHERE {key} IN (SELECT {key} FROM staging WHERE __code IS NULL)",
    )


def install(con: duckdb.DuckDBPyConnection, src: Source, table_was_empty: bool) -> None:
    """Put the load's good rows into the source's table; staging is gone afterwards."""
    columns = [c.name for c in src.columns if not (src.name == "tickets" and c.name == "csat")]
    if src.name != "teams":
        columns.append("load_id")
    target = ["customer_hash" if c == "customer_id" else c for c in columns]
    if table_was_empty:
        # First rows of this table: staging *becomes* the table, which saves writing every row
        # a second time (a sixth of a large first load). Same columns, order and types.
        con.execute("DELETE FROM staging WHERE __code IS NOT NULL")
        for (name,) in con.execute("SELECT column_name FROM (DESCRIBE staging)").fetchall():
            if name not in columns:
                con.execute(f'ALTER TABLE staging DROP COLUMN "{name}"')
        con.execute(f"DROP TABLE {src.table}")
        con.execute(f"ALTER TABLE staging RENAME TO {src.table}")
        if "customer_id" in columns:
            con.execute(f"ALTER TABLE {src.table} RENAME COLUMN customer_id TO customer_hash")
        return
    con.execute(
        f"INSERT INTO {src.table} ({', '.join(target)}) "
        f"SELECT {', '.join(columns)} FROM staging WHERE __code IS NULL"
    )
    con.execute("DROP TABLE staging")


def ticket_csat_to_surveys(con: duckdb.DuckDBPyConnection) -> None:
    """A csat on a ticket becomes the survey response `ticket:<id>` (last load wins)."""
    con.execute(
        "DELETE FROM survey_responses WHERE response_id IN "
        "(SELECT 'ticket:' || ticket_id FROM staging WHERE __code IS NULL)"
    )
    con.execute(
        "INSERT INTO survey_responses (response_id, submitted_at, team, ticket_id, channel, csat, "
        "load_id) SELECT 'ticket:' || ticket_id, coalesce(resolved_at, created_at), team, "
        "ticket_id, channel, csat, load_id FROM staging WHERE __code IS NULL AND csat IS NOT NULL"
    )


def poll_extra_items(con: duckdb.DuckDBPyConnection, staged: Staged) -> list[str]:
    """The load's extra poll items (allow-listed by the plan) into poll_extra_answers."""
    con.execute(
        "DELETE FROM poll_extra_answers WHERE response_id IN "
        "(SELECT response_id FROM staging WHERE __code IS NULL)"
    )
    for i, item in enumerate(staged.plan.items):
        con.execute(
            f"INSERT INTO poll_extra_answers SELECT response_id, {sql_str(item)}, x{i} "
            f"FROM staging WHERE __code IS NULL AND x{i} IS NOT NULL"
        )
    return list(staged.plan.items)
