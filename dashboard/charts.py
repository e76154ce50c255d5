"""Altair charts for the pages: colour-blind safe palette, tooltips on every mark."""

from __future__ import annotations

from typing import Any, Literal

import altair as alt
import pandas as pd

from dashboard.ui import SERIES_COLOURS, STATUS_ORDER, status_colour, status_text
from metrics.periods import as_period


def _status_colour(legend: Literal["top", "bottom"]) -> alt.Color:
    """Colour by status_text ('✅ On target', ...) in the status palette, legend at `legend`."""
    return alt.Color(
        "status_text:N",
        title=None,
        scale=alt.Scale(
            domain=[status_text(s) for s in STATUS_ORDER],
            range=[status_colour(s) for s in STATUS_ORDER],
        ),
        legend=alt.Legend(orient=legend),
    )


def _x(period: str) -> alt.X:
    return alt.X(
        "period_start:T",
        title=None,
        axis=alt.Axis(format=as_period(period).axis_format, labelAngle=0, tickCount=8),
    )


def trend(
    data: pd.DataFrame,
    period: str,
    y_title: str,
    *,
    series: str = "series",
    value: str = "value",
    height: int = 240,
    y_domain: tuple[float, float] | None = None,
    dashed: list[str] | None = None,
) -> alt.Chart:
    """Lines over periods, one per series, with points and a tooltip per point."""
    names = list(dict.fromkeys(data[series].tolist()))
    colour = alt.Color(
        f"{series}:N",
        title=None,
        scale=alt.Scale(domain=names, range=SERIES_COLOURS[: max(len(names), 1)]),
        legend=alt.Legend(orient="top", columns=2 if len(names) > 2 else 0, labelLimit=260),
    )
    y = alt.Y(
        f"{value}:Q",
        title=y_title,
        scale=alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False),
    )
    tooltip = [
        alt.Tooltip(f"{series}:N", title="Series"),
        alt.Tooltip("period_start:T", title="Period starting", format="%d %b %Y"),
        alt.Tooltip(f"{value}:Q", title=y_title, format=",.1f"),
    ]
    if "n" in data.columns:
        tooltip.append(alt.Tooltip("n:Q", title="n", format=",d"))
    dash: Any = alt.value([0])
    if dashed:
        dash = alt.condition(
            alt.FieldOneOfPredicate(field=series, oneOf=dashed), alt.value([5, 4]), alt.value([0])
        )
    base = alt.Chart(data).encode(x=_x(period), y=y, color=colour)
    lines = base.mark_line(strokeWidth=2.5).encode(strokeDash=dash)
    points = base.mark_point(filled=True, size=55).encode(
        shape=alt.Shape(f"{series}:N", legend=None), tooltip=tooltip
    )
    return (lines + points).properties(height=height)


def service_gap(gap: pd.DataFrame) -> alt.Chart:
    """Dumbbell per principle: delivered vs perceived attainment (% of target)."""
    long = gap.melt(
        id_vars=["principle", "gap"],
        value_vars=["delivered", "perceived"],
        var_name="kind",
        value_name="attainment",
    ).dropna(subset=["attainment"])
    long["kind"] = long["kind"].map({"delivered": "Delivered", "perceived": "Perceived"})
    order = gap["principle"].tolist()
    y = alt.Y("principle:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False))
    # Start the axis a little below the lowest value: the differences are what matters here.
    lowest = float(long["attainment"].min()) if len(long) else 0.0
    start = max(0.0, 10 * (int(lowest) // 10) - 10)
    scale = alt.Scale(domain=[start, 101], nice=False)
    x = alt.X("attainment:Q", title="Attainment of target (%)", scale=scale)
    rule = (
        alt.Chart(gap.dropna(subset=["delivered", "perceived"]))
        .mark_rule(color="#999999", strokeWidth=3)
        .encode(y=y, x=alt.X("delivered:Q", scale=scale), x2="perceived:Q")
    )
    dots = (
        alt.Chart(long)
        .mark_point(filled=True, size=160, opacity=1)
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["Delivered", "Perceived"], range=["#0072B2", "#E69F00"]),
                legend=alt.Legend(orient="top"),
            ),
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=["Delivered", "Perceived"], range=["circle", "diamond"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("principle:N", title="Principle"),
                alt.Tooltip("kind:N", title="Side"),
                alt.Tooltip("attainment:Q", title="Attainment %", format=".1f"),
                alt.Tooltip("gap:Q", title="Gap (delivered - perceived)", format="+.1f"),
            ],
        )
    )
    return (rule + dots).properties(height=max(40 * len(order), 120))


def status_bars(data: pd.DataFrame, x_title: str = "Score (0-100)") -> alt.Chart:
    """Horizontal bars of a 0..100 score per label, coloured and labelled by status."""
    order = data["label"].tolist()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X("score:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
            color=_status_colour("top"),
            tooltip=[
                alt.Tooltip("label:N", title="Area"),
                alt.Tooltip("score:Q", title="Score", format=".1f"),
                alt.Tooltip("status_text:N", title="Status"),
            ],
        )
        .properties(height=max(28 * len(order), 120))
    )


def distribution(data: pd.DataFrame, title: str) -> alt.Chart:
    """Bars of tickets per duration bucket, in bucket order."""
    order = data["bucket"].tolist()
    return (
        alt.Chart(data)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X("bucket:N", sort=order, title=title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("tickets:Q", title="Tickets"),
            tooltip=[
                alt.Tooltip("bucket:N", title=title),
                alt.Tooltip("tickets:Q", title="Tickets", format=",d"),
                alt.Tooltip("share_pct:Q", title="Share %", format=".1f"),
            ],
        )
        .properties(height=220)
    )


def chain_scatter(data: pd.DataFrame, x: str, y: str, x_title: str, y_title: str) -> alt.Chart:
    """One point per team and period: wellbeing against customers, with a least-squares line."""
    data = data.assign(department=data["department"].fillna("No department"))
    names = sorted(data["department"].unique())
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
    )
    points = base.mark_point(size=90, filled=True, opacity=0.8).encode(
        color=alt.Color(
            "department:N",
            title="Department",
            scale=alt.Scale(domain=names, range=SERIES_COLOURS[: len(names)]),
            legend=alt.Legend(orient="top"),
        ),
        shape=alt.Shape("department:N", legend=None),
        tooltip=[
            alt.Tooltip("team:N", title="Team"),
            alt.Tooltip("department:N", title="Department"),
            alt.Tooltip(f"{x}:Q", title=x_title, format=".1f"),
            alt.Tooltip(f"{y}:Q", title=y_title, format=".1f"),
        ],
    )
    line = base.transform_regression(x, y).mark_line(color="#555555", strokeDash=[6, 4])
    layers = points + line
    if len(data) <= 15:  # names next to the points only while they stay readable
        layers += base.mark_text(align="left", dx=8, fontSize=11, color="#444444").encode(
            text="team:N"
        )
    return layers.properties(height=340)


def heat_status(data: pd.DataFrame) -> alt.Chart:
    """Teams x indicators grid coloured by status, with the shown text in each cell."""
    return (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=alt.X("indicator_label:N", title=None, axis=alt.Axis(labelAngle=0, orient="top")),
            y=alt.Y("team:N", title=None),
            color=_status_colour("bottom"),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("indicator_label:N", title="Indicator"),
                alt.Tooltip("shown:N", title="Value"),
                alt.Tooltip("status_text:N", title="Status"),
            ],
        )
    )
