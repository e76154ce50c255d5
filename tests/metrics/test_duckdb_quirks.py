"""The DuckDB behaviours the metric SQL is written around (docs/metrics.md)."""

from __future__ import annotations

import duckdb


def test_median_interpolates_on_numbers() -> None:
    con = duckdb.connect()
    assert con.execute("SELECT median(x) FROM (VALUES (1), (2), (4), (10)) v(x)").fetchone() == (
        3.0,
    )
    row = con.execute("SELECT median(CAST(x AS DOUBLE)) FROM (VALUES (1.5), (2.0)) v(x)")
    assert row.fetchone() == (1.75,)
    # ...but on DECIMAL it keeps the input's scale (1.75 -> 1.7): medians here are over DOUBLE
    # (epoch() differences and handle_minutes are DOUBLE).
    assert con.execute("SELECT median(x) FROM (VALUES (1.5), (2.0)) v(x)").fetchone() != (1.75,)


def test_count_if_is_null_on_an_all_null_group_but_filter_counts_zero() -> None:
    con = duckdb.connect()
    row = con.execute(
        "SELECT count_if(x >= 4), count(*) FILTER (WHERE x >= 4) "
        "FROM (VALUES (CAST(NULL AS INTEGER)), (NULL)) v(x)"
    ).fetchone()
    assert row == (None, 0)  # why the registry counts with FILTER


def test_division_by_zero_is_infinite_so_we_divide_by_nullif() -> None:
    con = duckdb.connect()
    assert con.execute("SELECT 1 / 0, 1 / nullif(0, 0)").fetchone() == (float("inf"), None)
