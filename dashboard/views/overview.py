"""Overview: the whole service culture at a glance, and what changed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, filters, model, signin, ui
from metrics.registry import AREA_INFO, AREAS, by_id
from metrics.scorecard import area_status

viewer = signin.current()  # every read below is filtered for this person

LOYALTY = ("loyalty.csat_pct", "loyalty.nps")
WELLBEING = (
    "wellbeing.enps",
    "wellbeing.favourable_pct",
    "wellbeing.burnout_risk_pct",
    "wellbeing.who5_index",
)


def _scoped(frame: pd.DataFrame, f: filters.Filters) -> pd.DataFrame:
    return model.in_scope(frame, f.scope, f.scope_id, f.first_period, f.end)


def culture_index_block(f: filters.Filters, current: pd.Timestamp) -> None:
    """The service-culture index: this period, its change and its trend."""
    index = data.culture_index(viewer, f.period)
    col = model.value_column(index)
    mine = _scoped(index, f).sort_values("period_start")
    now = mine[mine["period_start"] == current][col]
    before = mine[mine["period_start"] < current][col].dropna()
    value = float(now.iloc[0]) if len(now) and not pd.isna(now.iloc[0]) else None
    previous = float(before.iloc[-1]) if len(before) else None
    change = None if value is None or previous is None else value - previous
    status = area_status(value, data.settings(viewer).status.amber_tolerance_pct)
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        st.metric(
            "Service-culture index",
            ui.fmt_value(value, "", 0),
            delta=None if change is None else round(change, 1),
            delta_description=f"vs previous {f.period}",
            chart_data=mine[col].dropna().tolist(),
            border=True,
            help="Mean of the nine area scores; each area score is the mean attainment of its "
            "indicators against their targets (0-100).",
        )
        st.markdown(f"**Status:** {ui.status_text(status)}")
    with right:
        series = mine[["period_start", col]].rename(columns={col: "value"})
        series["series"] = f.scope_id or "Organisation"
        if f.scope != "org":
            org = model.in_scope(index, "org", None, f.first_period, f.end)
            org = org[["period_start", col]].rename(columns={col: "value"})
            org["series"] = "Organisation"
            series = pd.concat([series, org])
        chart = charts.trend(
            series.dropna(subset=["value"]),
            f.period,
            "Index (0-100)",
            y_domain=(0, 100),
            height=220,
            dashed=["Organisation"] if f.scope != "org" else None,
        )
        st.altair_chart(chart, width="stretch")


def area_tiles(f: filters.Filters, current: pd.Timestamp) -> None:
    """One tile per area: score, status, change from the previous period, sparkline."""
    scores = data.area_scores(viewer, f.period)
    col = model.value_column(scores)
    mine = _scoped(scores, f).sort_values("period_start")
    tolerance = data.settings(viewer).status.amber_tolerance_pct
    areas = AREAS
    for row_start in range(0, len(areas), 3):
        cols = st.columns(3)
        for slot, area in zip(cols, areas[row_start : row_start + 3], strict=False):
            series = mine[mine["area"] == area]
            now = series[series["period_start"] == current]
            value = float(now[col].iloc[0]) if len(now) and not pd.isna(now[col].iloc[0]) else None
            earlier = series[series["period_start"] < current][col].dropna()
            previous = float(earlier.iloc[-1]) if len(earlier) else None
            change = None if value is None or previous is None else round(value - previous, 1)
            if "status" in now.columns and len(now) and isinstance(now["status"].iloc[0], str):
                status = str(now["status"].iloc[0])
            else:
                status = area_status(value, tolerance)
            icon, word, _ = ui.STATUS[status if status in ui.STATUS else "grey"]
            with slot:
                st.metric(
                    f"{AREA_INFO[area].label} · {word}",
                    ui.fmt_value(value, "", 0),
                    delta=change,
                    delta_description=f"vs previous {f.period}" if change is not None else None,
                    chart_data=series[col].dropna().tolist() or None,
                    border=True,
                    icon=icon,
                    help=f"Area score 0-100 (mean attainment of the {AREA_INFO[area].label} "
                    "indicators against their targets). Status: " + ui.status_text(status),
                )


def gap_block(frame: pd.DataFrame, current: pd.Timestamp) -> None:
    """Delivered vs perceived per principle."""
    gap = model.service_gap(frame, current)
    if gap[["delivered", "perceived"]].isna().all().all():
        st.info("No indicator of the seven principles has a value in this period.")
        return
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(charts.service_gap(gap), width="stretch")
    with right:

        def shown(values: pd.Series, signed: bool = False) -> list[str]:
            spec = "{:+.0f}" if signed else "{:.0f}"
            return ["–" if ui.is_missing(v) else spec.format(float(v)) for v in values]

        table = pd.DataFrame(
            {
                "Principle": gap["principle"],
                "Delivered %": shown(gap["delivered"]),
                "Perceived %": shown(gap["perceived"]),
                "Gap (pts)": shown(gap["gap"], signed=True),
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(
            "Attainment of target, 0-100. A positive gap: customers feel the service is worse "
            "than the operation's own numbers say."
        )


def trends_block(frame: pd.DataFrame, f: filters.Filters) -> None:
    """Loyalty and wellbeing trends side by side."""
    left, right = st.columns(2)
    k = data.settings(viewer).privacy.k
    for where, title, ids in (
        (left, "Customer loyalty", LOYALTY),
        (right, "Employee wellbeing", WELLBEING),
    ):
        with where:
            st.markdown(f"**{title}**")
            rows = frame[frame["indicator"].isin(ids)].copy()
            rows["series"] = rows["indicator"].map(lambda i: by_id(i).label)
            shown = rows.dropna(subset=["value"])
            if shown.empty:
                st.info("No values in this range.")
            else:
                st.altair_chart(
                    charts.trend(shown, f.period, "% or points", height=230), width="stretch"
                )
            hidden = rows[rows["status"] == "suppressed"] if "status" in rows else rows.iloc[:0]
            if len(hidden):
                because = hidden.get("suppressed_because", pd.Series(dtype=str)).tolist()
                st.caption(f"🔒 {len(hidden)} value(s) hidden: {ui.hidden_summary(because, k)}.")


def movers_block(frame: pd.DataFrame, f: filters.Filters, current: pd.Timestamp) -> None:
    """Indicators that moved most against their target since the previous period."""
    moved = model.movers(frame, current)
    if moved.empty:
        st.info(f"Nothing to compare yet: there is no previous {f.period} with values.")
        return
    table = pd.DataFrame(
        {
            "Indicator": moved["label"],
            "Area": moved["area"],
            "Before": [
                ui.fmt_value(v, u)
                for v, u in zip(moved["previous_value"], moved["unit"], strict=True)
            ],
            "Now": [ui.fmt_value(v, u) for v, u in zip(moved["value"], moved["unit"], strict=True)],
            "Change": [
                ui.fmt_change(v, u) for v, u in zip(moved["change"], moved["unit"], strict=True)
            ],
            "Direction": ["▲ better" if m > 0 else "▼ worse" for m in moved["moved"]],
            "Attainment moved (pts)": moved["moved"].astype("float64"),
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Attainment moved (pts)": st.column_config.NumberColumn(
                format="%+.1f", help="Change in attainment of target, percentage points"
            )
        },
    )


def render() -> None:
    """The page body."""
    st.title("Service culture overview")
    if not data.has_data(viewer):
        ui.empty_state(viewer.can_load)
        return
    f = filters.scorecard_filters()
    with st.spinner("Computing the scorecard..."):
        frame = _scoped(data.indicator_values(viewer, f.period), f)
    current, _ = model.latest_and_previous(frame)
    if current is None:
        st.info("No data for this selection: widen the date range or pick another department.")
        return
    st.caption(
        f"Showing {ui.text(f.scope_label)}, {ui.PERIOD_LABELS[f.period].lower()} by "
        f"{f.period}. Latest period: **{ui.period_label(f.period, current)}**, "
        f"compared with the {f.period} before."
    )
    pulse = data.pulse_caption(viewer, f.period, current.date())
    if pulse:
        st.caption(pulse)
    culture_index_block(f, current)
    st.subheader("Areas")
    area_tiles(f, current)
    st.subheader("Service gap: delivered vs perceived")
    gap_block(frame, current)
    st.subheader("Loyalty and wellbeing")
    trends_block(frame, f)
    st.subheader(f"Biggest movers this {f.period}")
    movers_block(frame, f, current)
    st.download_button(
        f"Download the scorecard by {f.period} (CSV)",
        data.export_csv(viewer, f.period).encode("utf-8"),
        file_name=f"scorecard-{f.period}.csv",
        mime="text/csv",
        key="download_export",
        icon=":material/download:",
        help="Every indicator of every scope you can see, in the export format of the command "
        "line.",
    )


ui.guard(render)
