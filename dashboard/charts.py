"""Altair charts for the pages: colour-blind safe palette, tooltips on every mark."""

from __future__ import annotations

import base64
from typing import Any

import altair as alt
import pandas as pd

from dashboard.ui import SERIES_COLOURS
from metrics.periods import as_period
from metrics.registry import Indicator


def _x(period: str) -> alt.X:
    return alt.X(
        "period_start:T",
        title=None,
        axis=alt.Axis(format=as_period(period).axis_format, labelAngle=0, tickCount=8),
    )


ORGANISATION = "Organisation"
ORGANISATION_COLOUR = "#000000"  # Okabe-Ito black: the organisation looks the same everywhere


LOWER_IS_BETTER = " (lower is better)"
BAD_WHEN_UP_COLOUR = "#D55E00"  # vermillion: a rising line of this colour reads as bad


def series_name(ind: Indicator) -> str:
    """An indicator's name in a legend: 'Burnout risk (lower is better)' when lower is better."""
    return ind.label + (LOWER_IS_BETTER if ind.better == "lower" else "")


def _series_colours(names: list[str]) -> list[str]:
    """A colour per series: the organisation always black, a lower-is-better indicator always
    vermillion (never the green of 'on target'), the others in palette order."""
    others = iter(SERIES_COLOURS * 3)
    colours = []
    for name in names:
        if name == ORGANISATION:
            colours.append(ORGANISATION_COLOUR)
        elif name.endswith(LOWER_IS_BETTER):
            colours.append(BAD_WHEN_UP_COLOUR)
        else:
            colours.append(next(others))
    return colours


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
    title: str | None = None,
) -> alt.Chart:
    """Lines over periods, one per series, with points and a tooltip per point.

    The y axis fits the data (not from zero) unless `y_domain` says otherwise; `title` is the
    chart's accessible name (read by screen readers), not drawn.
    """
    names = list(dict.fromkeys(data[series].tolist()))
    colour = alt.Color(
        f"{series}:N",
        title=None,
        scale=alt.Scale(domain=names, range=_series_colours(names)),
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
    name = title or f"{y_title} by {period}: {', '.join(names)}"
    return (lines + points).properties(height=height, description=name)


def target_rule(target: float) -> alt.Chart:
    """A dotted horizontal line at the target, with its value in the tooltip."""
    return (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(color="#666666", strokeDash=[2, 2])
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=",.1f")])
    )


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
                alt.Tooltip("attainment:Q", title="Attainment of target", format=".1f"),
                alt.Tooltip("gap:Q", title="Perceived − delivered", format="+.1f"),
            ],
        )
    )
    return (rule + dots).properties(
        height=max(40 * len(order), 120),
        description="Service gap: delivered and perceived attainment of target per principle",
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
        .properties(height=220, description=f"{title}: tickets per duration band")
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
    return layers.properties(
        height=340, description=f"{y_title} against {x_title}, one point per team and period"
    )


SPARK_WIDTH, SPARK_HEIGHT = 120, 28
TREND_COLOURS = {"better": "#009E73", "worse": "#D55E00", "flat": "#777777"}


def overall_trend(values: list[float | None], better: str) -> str:
    """'better', 'worse' or 'flat': the least-squares slope over the whole line, read by the
    indicator's direction (a line that fell from 97 to 82 is worse whatever its last step)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return "flat"
    xs = [float(i) for i, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    rise = slope * (xs[-1] - xs[0])
    scale = max(abs(my), max(ys) - min(ys), 1e-9)
    if abs(rise) < 0.02 * scale:  # under 2 % of the level: no trend worth a colour
        return "flat"
    up = rise > 0
    return "better" if up == (better == "higher") else "worse"


def sparkline_svg(values: list[float | None], better: str) -> str | None:
    """A small line as an SVG data URI for an image column: gaps where a period has no value,
    coloured by the direction-aware overall trend; None with fewer than two values."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    lo, hi = min(known), max(known)
    span = hi - lo or 1.0
    step = (SPARK_WIDTH - 6) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{3 + i * step:.1f},{SPARK_HEIGHT - 3 - (v - lo) / span * (SPARK_HEIGHT - 6):.1f}"

    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(xy(i, v))
    colour = TREND_COLOURS[overall_trend(values, better)]
    shapes = []
    for run in runs:
        if len(run) == 1:
            x, y = run[0].split(",")
            shapes.append(f'<circle cx="{x}" cy="{y}" r="1.8" fill="{colour}"/>')
        elif run:
            shapes.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
            )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">{"".join(shapes)}</svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
