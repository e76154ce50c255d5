"""The metric SQL keeps to idioms that transpile cleanly to Spark (recipes.md).

Every indicator's SQL, every source relation and every generated query is transpiled with
sqlglot (DuckDB -> Spark, unsupported constructs raise) and may use only the functions below.
Known to break or change numbers on Spark, so not allowed: quantile_cont, approx_quantile,
epoch(interval), epoch_ms, date_sub/date_diff with units, and decimal literals like 100.0
(Spark makes them DECIMAL).
"""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from metrics.compute import SOURCES, over_parts, queries
from metrics.periods import PERIODS
from metrics.registry import INDICATORS, Indicator
from metrics.sources import source_sql

ALLOWED = {
    # aggregates
    exp.Count,
    exp.Sum,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.Median,
    exp.Grouping,
    # scalar
    exp.Case,
    exp.If,
    exp.Cast,
    exp.Coalesce,
    exp.Nullif,
    exp.Greatest,
    exp.Lower,
    exp.Hour,
    exp.Minute,
    exp.TimeToUnix,  # epoch(timestamp) -> UNIX_TIMESTAMP
    exp.TimestampTrunc,  # date_trunc
    exp.ArrayContains,  # list_contains -> array_contains (columns carried per load)
    exp.And,
    exp.Or,
}


def functions_outside_allowed_list(sql: str) -> set[str]:
    tree = sqlglot.parse_one(sql, read="duckdb")
    return {type(f).__name__ for f in tree.find_all(exp.Func) if type(f) not in ALLOWED}


def decimal_literals(sql: str) -> list[str]:
    tree = sqlglot.parse_one(sql, read="duckdb")
    return [lit.this for lit in tree.find_all(exp.Literal) if lit.is_number and "." in lit.this]


def assert_portable(sql: str) -> None:
    spark = sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )[0]
    sqlglot.parse_one(spark, read="spark")  # the Spark text parses back
    assert functions_outside_allowed_list(sql) == set()
    assert decimal_literals(sql) == []


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.id)
def test_indicator_sql_is_portable(indicator: Indicator) -> None:
    comp = indicator.computation
    if comp.median is not None:
        assert_portable(f"SELECT median({comp.median}), count({comp.median}) FROM t")
        return
    parts = [f"{part.sql()} AS p0_{name}" for name, part in comp.parts.items()]
    assert_portable(f"SELECT {', '.join(parts)} FROM t")
    for template in (comp.value, comp.n, comp.respondents):
        if template is not None:
            assert_portable(f"SELECT {over_parts(template, 0)} FROM t")


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("period", PERIODS)
def test_generated_queries_are_portable(source: str, period: str) -> None:
    assert_portable(source_sql(source))
    for query_source, _, sql in queries(period):
        if query_source == source:
            assert_portable(sql)


@pytest.mark.parametrize(
    "bad",
    [
        "SELECT quantile_cont(x, 0.5) FROM t",
        "SELECT approx_quantile(x, 0.5) FROM t",
        "SELECT epoch_ms(ts) FROM t",
        "SELECT date_diff('minute', a, b) FROM t",
        "SELECT 100.0 * count(x) FROM t",
        "SELECT isodow(ts) FROM t",
    ],
)
def test_the_check_catches_non_portable_sql(bad: str) -> None:
    with pytest.raises(AssertionError):
        assert_portable(bad)
