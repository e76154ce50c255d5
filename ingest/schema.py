"""The database schema: one DuckDB file holds teams, tickets, surveys, polls and the load log."""

from __future__ import annotations

import secrets

import duckdb

SCHEMA_VERSION = "1"

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
    reopens INTEGER NOT NULL,
    agent_replies INTEGER,
    customer_replies INTEGER,
    handle_minutes DOUBLE,
    customer_hash UBIGINT
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
    comment VARCHAR
);
CREATE TABLE IF NOT EXISTS poll_responses (
    response_id VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    team VARCHAR NOT NULL,
    enps INTEGER,
    {", ".join(f"{c} INTEGER" for c in POLL_ITEMS_1_5 + WHO5_ITEMS)}
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
    ignored_columns VARCHAR
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
    "rejected_rows",
)


def customer_hash_sql(salt: str, expr: str) -> str:
    """SQL for the stored customer id: the first 64 bits of SHA-256(salt + id), as a number.

    64 bits keep repeat-contact matching exact in practice (a collision among a million
    customers has odds of about 1 in 30 million) and store as a fixed-width number: the hex
    string cost more than half again the time of a whole load.
    """
    salt_sql = "'" + salt.replace("'", "''") + "'"
    return f"CAST('0x' || sha256({salt_sql} || {expr})[1:16] AS UBIGINT)"


def customer_hash(salt: str, customer_id: str) -> int:
    """The stored value for a customer id, computed in Python (tests, checks)."""
    import hashlib

    return int(hashlib.sha256((salt + customer_id).encode()).hexdigest()[:16], 16)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and the per-database salt; safe to call on every write."""
    con.execute(DDL)
    if meta_value(con, "customer_salt") is None:
        # One random salt per database, kept in it: hashes cannot be joined across customers'
        # databases and a customer id cannot be looked up from a dictionary of hashes.
        set_meta(con, "customer_salt", secrets.token_hex(16))
        set_meta(con, "schema_version", SCHEMA_VERSION)


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """One value from the meta table, or None."""
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set one meta value."""
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
