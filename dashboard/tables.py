"""Tables the pages show and download: every indicator of a scope, and tickets for people.

Pure pandas over the scorecard frames; what a cell says is decided here, once, so the page,
its download and the tests read the same text.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd

from dashboard import charts, ui
from metrics.registry import AREA_INFO, INDICATORS, Indicator

# The ticket list's columns as people read them, in the page and in its download.
TICKET_HEADERS = {
    "ticket_id": "Ticket",
    "team": "Team",
    "created_at": "Created",
    "priority": "Priority",
    "channel": "Channel",
    "category": "Category",
    "agent": "Agent",
    "status": "Status",
    "first_response_min": "First response (min)",
    "sla_target_min": "First-response target (min)",
    "resolution_hours": "Resolution (h)",
    "due_at": "Due",
    "resolved_at": "Resolved",
    "reopens": "Reopens",
    "agent_replies": "Agent replies",
    "customer_replies": "Customer replies",
    "handle_minutes": "Handle time (min)",
    "repeat_contact": "Repeat contact",
}


def change_word(change: Any, better: str) -> str | None:
    """'better' or 'worse' for a change, read by the indicator's direction; None for none."""
    if ui.is_missing(change) or abs(float(change)) < 1e-9:
        return None
    return "better" if (float(change) > 0) == (better == "higher") else "worse"


def change_text(change: Any, ind: Indicator, partial: bool) -> str:
    """'+3.2 pp · better', or why there is no change to show."""
    if partial:
        return f"{ui.MISSING} partial period"
    shown = ui.fmt_change(change, ind.unit_label)
    if shown is None:
        return ui.MISSING
    # What rounds to zero where it is shown reads as no change, whatever its sign.
    word = change_word(change, ind.better) if any(c in "123456789" for c in shown) else None
    return f"{shown} · {word}" if word else f"{shown} · no change"


def value_text(row: pd.Series | None, ind: Indicator, k: int) -> str:
    """The value with its unit, the reason when hidden, a warning on a small sample."""
    if row is None:
        return ui.MISSING
    if row["status"] == "suppressed":
        return ui.hidden_reason(row["suppressed_because"], k)
    shown = ui.fmt_value(row["value"], ind.unit_label)
    n = row["n"]
    if ind.kind == "perceived" and not ui.is_missing(n) and 0 < int(n) < ui.SMALL_SAMPLE:
        return f"{shown} (only {int(n)} answers)"
    return shown


def target_text(target: Any, ind: Indicator) -> str:
    """'≥ 80.0 %' or '≤ 4.0 h'."""
    return ("≤ " if ind.better == "lower" else "≥ ") + ui.fmt_value(target, ind.unit_label)


def indicator_table(
    frame: pd.DataFrame,
    org: pd.DataFrame,
    ranks: dict[str, str],
    current: pd.Timestamp,
    k: int,
    partial: Collection[pd.Timestamp] = (),
) -> pd.DataFrame:
    """One row per indicator of a scope in the current period, with its trend as a sparkline.

    `partial` periods (not fully covered by data) are left out of the sparkline and make the
    change not comparable.
    """
    now = frame[frame["period_start"] == current].set_index("indicator")
    org_now = org[org["period_start"] == current].set_index("indicator")
    grid = sorted(set(frame["period_start"]) - set(partial))
    previous = [p for p in sorted(set(frame["period_start"])) if p < current]
    comparable = current not in partial and not (previous and previous[-1] in partial)
    rows = []
    for ind in INDICATORS:
        row = now.loc[ind.id] if ind.id in now.index else None
        status = str(row["status"]) if row is not None else "grey"
        mine = frame[frame["indicator"] == ind.id].set_index("period_start")["value"]
        history = [
            None if p not in mine.index or ui.is_missing(mine[p]) else float(mine[p]) for p in grid
        ]
        org_value = org_now.loc[ind.id, "value"] if ind.id in org_now.index else None
        rows.append(
            {
                "Area": AREA_INFO[ind.area].label,
                "Indicator": ind.label,
                "Value": value_text(row, ind, k),
                "Target": target_text(row["target"] if row is not None else ind.target, ind),
                "Status": ui.status_word(status),
                "Change": change_text(
                    None if row is None else row["change"], ind, partial=not comparable
                ),
                "Organisation": ui.fmt_value(org_value, ind.unit_label),
                "Rank": ranks.get(ind.id, ui.MISSING),
                "n": ui.MISSING
                if row is None or status == "suppressed"
                else ui.fmt_count(row["n"]),
                "Trend": charts.sparkline_svg(history, ind.better),
                "id": ind.id,
            }
        )
    return pd.DataFrame(rows)


def change_cell_style(text: Any) -> str:
    """CSS for a change cell: a green tint when better, a vermillion tint when worse."""
    if isinstance(text, str) and text.endswith("better"):
        return f"background-color: {charts.TREND_COLOURS['better']}2e"
    if isinstance(text, str) and text.endswith("worse"):
        return f"background-color: {charts.TREND_COLOURS['worse']}2e"
    return ""


def tickets_for_people(tickets: pd.DataFrame, measure_label: str) -> pd.DataFrame:
    """The ticket list with human headers, rounded numbers and '—' for what is not there."""
    out = tickets.rename(columns={**TICKET_HEADERS, "measure": measure_label})
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_float_dtype(series):
            out[column] = series.round(1)
        elif pd.api.types.is_bool_dtype(series):
            out[column] = series.map({True: "yes", False: "no"})
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.astype(object).where(series.notna(), ui.MISSING)
    return out
