"""The database schema: one DuckDB file holds teams, tickets, surveys, polls and the load log."""

from __future__ import annotations

import duckdb

# 2: keyed hashes with the key outside the file, poll response ids hashed, columns carried per
# load, the load of every row, reopens unknown (NULL) where a load did not carry it.
# 3: the audit log (who loaded, changed settings or access, or was refused, and when).
# 4: the stored scorecard (metrics/store.py) and the rows each write changed, for its refresh.
SCHEMA_VERSION = "4"

RATING_COLUMNS = (
    "rating_speed",
    "rating_accuracy",
    "rating_clarity",
    "rating_transparency",
    "rating_accessibility",
    "rating_friendliness",
    "rating_efficiency",
)
POLL_ITEMS_1_5 = (
    "wellbeing",
    "workload",
    "burnout",
    "recognition",
    "manager_support",
    "enablement",
)
WHO5_ITEMS = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")

# No PRIMARY KEY constraints: DuckDB's ART indexes slow bulk loads badly and make
# delete-then-insert in one transaction fail; ingest keeps keys unique itself.
DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR);
CREATE TABLE IF NOT EXISTS teams (
    team VARCHAR NOT NULL,
    department VARCHAR,
    lead_email VARCHAR,
    headcount INTEGER
);
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id VARCHAR NOT NULL,
    team VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    channel VARCHAR,
    priority VARCHAR NOT NULL,
    agent VARCHAR,
    category VARCHAR,
    status VARCHAR,
    first_response_at TIMESTAMP,
    resolved_at TIMESTAMP,
    due_at TIMESTAMP,
    reopens INTEGER,
    agent_replies INTEGER,
    customer_replies INTEGER,
    handle_minutes DOUBLE,
    customer_hash UBIGINT,
    load_id INTEGER
);
CREATE TABLE IF NOT EXISTS survey_responses (
    response_id VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    team VARCHAR NOT NULL,
    ticket_id VARCHAR,
    channel VARCHAR,
    csat INTEGER,
    nps INTEGER,
    ces INTEGER,
    {", ".join(f"{c} INTEGER" for c in RATING_COLUMNS)},
    comment VARCHAR,
    load_id INTEGER
);
CREATE TABLE IF NOT EXISTS poll_responses (
    response_id VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    team VARCHAR NOT NULL,
    enps INTEGER,
    {", ".join(f"{c} INTEGER" for c in POLL_ITEMS_1_5 + WHO5_ITEMS)},
    load_id INTEGER
);
CREATE TABLE IF NOT EXISTS poll_extra_answers (
    response_id VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR,
    mapping VARCHAR,
    mapping_json VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_replaced BIGINT,
    rows_rejected BIGINT,
    outcome VARCHAR NOT NULL,
    message VARCHAR,
    dropped_columns VARCHAR,
    ignored_columns VARCHAR,
    carried VARCHAR[],
    late_pulses VARCHAR[]
);
CREATE TABLE IF NOT EXISTS scorecard (
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    seq INTEGER NOT NULL,
    scope VARCHAR NOT NULL,
    scope_id VARCHAR NOT NULL,
    parent VARCHAR,
    indicator VARCHAR NOT NULL,
    value DOUBLE,
    n BIGINT,
    suppressed_because VARCHAR,
    previous_value DOUBLE
);
CREATE TABLE IF NOT EXISTS changed_rows (
    source VARCHAR NOT NULL,
    ts TIMESTAMP,
    customer_hash UBIGINT
);
CREATE TABLE IF NOT EXISTS audit (
    happened_at TIMESTAMP NOT NULL,
    who VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    detail VARCHAR
);
CREATE TABLE IF NOT EXISTS rejected_rows (
    load_id INTEGER NOT NULL,
    line BIGINT,
    column_name VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL
);
"""

TABLES = (
    "meta",
    "teams",
    "tickets",
    "survey_responses",
    "poll_responses",
    "poll_extra_answers",
    "loads",
    "scorecard",
    "changed_rows",
    "rejected_rows",
    "audit",
)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def customer_hash_sql(key: str, expr: str) -> str:
    """SQL for a stored customer id: the first 64 bits of SHA-256(key + id), as a number.

    64 bits keep repeat-contact matching exact in practice (a collision among a million
    customers has odds of about 1 in 30 million) and store as a fixed-width number: the hex
    string cost more than half again the time of a whole load.
    """
    return f"CAST('0x' || sha256({_sql_literal(key)} || {expr})[1:16] AS UBIGINT)"


def customer_hash(key: str, customer_id: str) -> int:
    """The stored value for a customer id, computed in Python (tests, checks)."""
    import hashlib

    return int(hashlib.sha256((key + customer_id).encode()).hexdigest()[:16], 16)


# A poll response id (often an employee number) is hashed apart from customer ids, so the same
# text in both never gives the same stored value.
RESPONSE_DOMAIN = "poll-response:"


def response_hash_sql(key: str, expr: str) -> str:
    """SQL for a stored poll response id: 16 hex digits of SHA-256(key + domain + id)."""
    return f"sha256({_sql_literal(key + RESPONSE_DOMAIN)} || {expr})[1:16]"


def response_hash(key: str, response_id: str) -> str:
    """The stored value for a poll response id, computed in Python (tests, checks)."""
    import hashlib

    return hashlib.sha256((key + RESPONSE_DOMAIN + response_id).encode()).hexdigest()[:16]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables; a new database starts at the current schema version."""
    fresh = not con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]  # type: ignore[index]
    con.execute(DDL)
    if fresh:
        set_meta(con, "schema_version", SCHEMA_VERSION)


def schema_version(con: duckdb.DuckDBPyConnection) -> str:
    """The schema version a database file was written with ("1" before versions were kept)."""
    return meta_value(con, "schema_version") or "1"


def migrate(con: duckdb.DuckDBPyConnection, key: str) -> bool:
    """Bring an older database to SCHEMA_VERSION, in the writer's transaction; True if it did."""
    version = int(schema_version(con))
    if version >= int(SCHEMA_VERSION):
        return False
    if version < 2:
        _to_version_2(con, key)
    # 3: the audit table; 4: the scorecard tables (the store builds itself in this write, see
    # metrics/store.py). Both are created by ensure_schema's DDL before the writer migrates.
    set_meta(con, "schema_version", SCHEMA_VERSION)
    return True


def _to_version_2(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Version 1 to 2: load ids, carried columns, hashed poll ids, the items allow-list."""
    for table in ("tickets", "survey_responses", "poll_responses"):
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS load_id INTEGER")
    con.execute("ALTER TABLE loads ADD COLUMN IF NOT EXISTS carried VARCHAR[]")
    con.execute("ALTER TABLE loads ADD COLUMN IF NOT EXISTS late_pulses VARCHAR[]")
    nullable = con.execute(
        "SELECT is_nullable FROM information_schema.columns "
        "WHERE table_name = 'tickets' AND column_name = 'reopens'"
    ).fetchone()
    if nullable and nullable[0] == "NO":
        con.execute("ALTER TABLE tickets ALTER COLUMN reopens DROP NOT NULL")
    # Version 1 stored poll response ids as given (employee numbers, e-mail addresses).
    for table in ("poll_responses", "poll_extra_answers"):
        con.execute(f"UPDATE {table} SET response_id = {response_hash_sql(key, 'response_id')}")
    # Extra poll items are an allow-list now: keep `item_<name>` as <name>, drop the rest (HR
    # columns with 1..5 values were kept as items before).
    con.execute("DELETE FROM poll_extra_answers WHERE NOT starts_with(item, 'item_')")
    con.execute("UPDATE poll_extra_answers SET item = item[6:]")
    # Rejected rows keep no poll values and no raw records (a row of the wrong width).
    con.execute(
        "UPDATE rejected_rows SET value = NULL WHERE column_name IS NULL OR load_id IN "
        "(SELECT load_id FROM loads WHERE source = 'polls')"
    )


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """One value from the meta table, or None."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set one meta value."""
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
