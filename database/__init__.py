"""The database layer: one DuckDB file, its schema, its key file and its settings file.

Everything above it (ingest writes, metrics reads, the dashboard and the command line) goes
through `database.db.Database`; this package imports nothing of theirs.
"""
