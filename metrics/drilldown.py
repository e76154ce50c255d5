"""The tickets behind a number: exactly the rows an indicator's n counts, from the same source
relation its value aggregates (metrics/sources.py), so a list can never disagree with it.

Each row carries `measure`: the value the indicator takes the median or mean of, or, for a
share, whether the row is a hit (its numerator). Recomputing the indicator from the full list
gives its value.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from database.settings import Settings
from metrics.periods import Period, as_period
from metrics.registry import Indicator, by_id
from metrics.sources import source_parameters, source_sql

# Shown per relation, besides `measure`; all columns of the relation (metrics/sources.py).
COLUMNS = {
    "tickets": (
        "ticket_id", "team", "created_at", "priority", "channel", "category", "agent", "status",
        "first_response_min", "sla_target_min", "resolution_hours", "due_at", "resolved_at",
        "reopens", "agent_replies", "customer_replies", "handle_minutes",
    ),
    "resolutions": ("ticket_id", "team", "created_at", "resolved_at", "repeat_contact"),
}  # fmt: skip
_SCOPES = {"org": "TRUE", "department": "department = $scope_id", "team": "team = $scope_id"}


def items_condition(ind: Indicator) -> str:
    """SQL: true for the rows an indicator's n counts (its denominator)."""
    comp = ind.computation
    if comp.median is not None:
        return f"({comp.median}) IS NOT NULL"
    assert comp.n is not None  # additive: checked by the model
    part = comp.parts[comp.n.strip("{}")]
    return part.expr if part.agg == "count_where" else f"({part.expr}) IS NOT NULL"


def measure(ind: Indicator) -> str:
    """SQL: the value a row contributes (median or mean), or whether it is a hit (share)."""
    comp = ind.computation
    if comp.median is not None:
        return comp.median
    if "total" in comp.parts:  # a mean: total / known
        return comp.parts["total"].expr
    return f"({comp.parts['hits'].expr})"


def tickets_behind(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    period: str | Period,
    start: date,
    scope: str,
    scope_id: str | None,
    settings: Settings,
    limit: int | None = 200,
) -> pd.DataFrame:
    """The rows behind one figure: indicator, period starting at `start`, scope; first `limit`."""
    ind = by_id(indicator_id)
    if ind.drilldown is None:
        raise ValueError(f"{ind.label} has no tickets behind it (it is not a delivered figure)")
    if scope not in _SCOPES:
        raise ValueError(f"unknown scope {scope!r} (use org, department or team)")
    period = as_period(period)
    source = ind.computation.source
    sql = f"""
        WITH src AS ({source_sql(source)})
        SELECT {", ".join(COLUMNS[source])}, {measure(ind)} AS measure
        FROM src
        WHERE date_trunc('{period.sql_unit}', ts) = $start
          AND {_SCOPES[scope]}
          AND ({items_condition(ind)})
        ORDER BY {ind.drilldown.order}, ticket_id
        {"" if limit is None else "LIMIT $limit"}
    """
    params: dict[str, object] = {
        **source_parameters(source, settings),
        "start": datetime.combine(start, datetime.min.time()),
    }
    if scope != "org":
        params["scope_id"] = scope_id
    if limit is not None:
        params["limit"] = int(limit)
    return con.execute(sql, params).df()
