"""Wellbeing: how employees feel, by team, and whether it goes with happier customers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import charts, data, filters, model, signin, ui
from metrics.periods import MONTH
from metrics.registry import by_id

viewer = signin.current()  # every read below is filtered for this person

WELLBEING = (
    "wellbeing.enps",
    "wellbeing.favourable_pct",
    "wellbeing.burnout_risk_pct",
    "wellbeing.who5_index",
    "wellbeing.participation_pct",
)
CHAIN_X = {"favourable_pct": "Favourable % (wellbeing)", "enps": "eNPS"}
CHAIN_Y = {"csat_pct": "CSAT %", "nps": "NPS"}


def _cell(row: pd.Series | None, unit: str, k: int) -> str:
    if row is None:
        return "–"
    if row["status"] == "suppressed":
        return ui.hidden_reason(row["suppressed_because"], k)
    if pd.isna(row["value"]):
        return "–"
    icon = ui.STATUS.get(str(row["status"]), ui.STATUS["grey"])[0]
    return f"{ui.fmt_value(row['value'], unit)} {icon}"


def _scope_tiles(values: pd.DataFrame, f: filters.Filters, current: pd.Timestamp, k: int) -> None:
    now = model.in_scope(values, f.scope, f.scope_id, current.date(), current.date())
    now = now.set_index("indicator")
    cols = st.columns(len(WELLBEING))
    for slot, ind_id in zip(cols, WELLBEING, strict=True):
        ind = by_id(ind_id)
        row = now.loc[ind_id] if ind_id in now.index else None
        with slot:
            if row is not None and row["status"] == "suppressed":
                with st.container(border=True, height="stretch"):
                    st.markdown(f"🔒 {ind.label}")
                    st.markdown(f"**{ui.hidden_reason(row['suppressed_because'], k)}**")
                continue
            value = None if row is None else row["value"]
            change = None if row is None or pd.isna(row["change"]) else round(row["change"], 1)
            status = "grey" if row is None else str(row["status"])
            st.metric(
                ind.label,
                ui.fmt_value(value, ind.unit_label),
                delta=change,
                delta_color="inverse" if ind.better == "lower" else "normal",
                border=True,
                icon=ui.STATUS.get(status, ui.STATUS["grey"])[0],
                help=f"{ind.description} Status: {ui.status_text(status)}.",
            )


def _team_table(
    values: pd.DataFrame, f: filters.Filters, current: pd.Timestamp, k: int
) -> tuple[pd.DataFrame, list[str]]:
    """The team table, and why each of its hidden figures is hidden (one reason per figure)."""
    teams = data.teams(viewer)
    if f.scope == "department":
        teams = teams[teams["department"] == f.scope_id]
    now = values[
        (values["period_start"] == current)
        & (values["scope"] == "team")
        & (values["indicator"].isin(WELLBEING))
    ]
    rows, hidden = [], []
    for team in teams.itertuples(index=False):
        mine = now[now["scope_id"] == team.team].set_index("indicator")
        if mine.empty:
            continue
        hidden += mine.loc[mine["status"] == "suppressed", "suppressed_because"].tolist()
        row: dict[str, object] = {
            "Team": team.team,
            "Department": team.department if isinstance(team.department, str) else "–",
        }
        for ind_id in WELLBEING:
            ind = by_id(ind_id)
            row[ind.label] = _cell(
                mine.loc[ind_id] if ind_id in mine.index else None, ind.unit_label, k
            )
        rows.append(row)
    return pd.DataFrame(rows), hidden


def _chain(f: filters.Filters) -> None:
    by_team = data.chain_by_team(viewer, f.period)
    by_team = by_team.assign(period_start=pd.to_datetime(by_team["period_start"]))
    by_team = by_team[
        (by_team["period_start"] >= pd.Timestamp(f.first_period))
        & (by_team["period_start"] <= pd.Timestamp(f.end))
    ]
    if f.scope == "department":
        by_team = by_team[by_team["department"] == f.scope_id]
    c1, c2, c3 = st.columns(3)
    with c1:
        x = ui.url_selectbox(
            "Wellbeing measure", list(CHAIN_X), "wx", format_func=CHAIN_X.__getitem__
        )
    with c2:
        y = ui.url_selectbox(
            "Customer measure", list(CHAIN_Y), "cy", format_func=CHAIN_Y.__getitem__
        )
    with c3:
        lag = ui.url_selectbox(
            "Customers measured",
            ["0", "1"],
            "lag",
            format_func=lambda v: "in the same period" if v == "0" else f"the next {f.period}",
        )
    y_col = y if lag == "0" else f"next_{y}"
    points = by_team.dropna(subset=[x, y_col]).copy()
    from metrics.chain import pearson

    r, n = pearson(by_team[x], by_team[y_col])
    left, right = st.columns([3, 1])
    with right:
        st.metric("Correlation (Pearson r)", "–" if pd.isna(r) else f"{r:+.2f}", border=True)
        st.metric("n (team-periods with both values)", f"{n}", border=True)
        if pd.isna(r):
            st.caption("Too few pairs to compute a correlation (at least 3 are needed).")
        else:
            strength = "weak" if abs(r) < 0.3 else "moderate" if abs(r) < 0.6 else "strong"
            direction = "positive" if r > 0 else "negative"
            st.caption(
                f"A {strength} {direction} relation across {n} team-periods. Correlation is "
                "not cause; suppressed wellbeing figures are left out."
            )
    with left:
        if points.empty:
            st.info("No team has both a wellbeing and a customer value in this range.")
            return
        points["team"] = points["team"] + " · " + points["period_start"].dt.strftime("%b %Y")
        st.altair_chart(
            charts.chain_scatter(points, x, y_col, CHAIN_X[x], CHAIN_Y[y]), width="stretch"
        )


def render() -> None:
    """The page body."""
    st.title("Employee wellbeing")
    if not data.has_data(viewer):
        ui.empty_state(viewer.can_load)
        return
    # Polls are read per calendar month (a pulse): no week or quarter view of wellbeing.
    f = filters.scorecard_filters(choose_period=False)
    k = data.settings(viewer).privacy.k
    pulses = data.pulse_months(viewer)
    if not pulses:
        st.info("No employee poll responses yet: load a poll export on the Data page.")
        return
    with st.spinner("Computing wellbeing..."):
        values = data.indicator_values(viewer, f.period)
    scoped = model.in_scope(values, f.scope, f.scope_id, min(pulses), max(pulses))
    scoped = scoped[scoped["indicator"].isin(WELLBEING)]
    shown = scoped[scoped["value"].notna() | (scoped["status"] == "suppressed")]
    with_data = sorted({p.date() for p in shown["period_start"]}) or pulses
    at = ui.url_selectbox(
        "Pulse",
        [p.isoformat() for p in reversed(pulses)],
        "pulse",
        with_data[-1].isoformat(),  # the latest pulse with data for this scope
        where=st.sidebar,
        format_func=lambda s: f"{MONTH.describe(date.fromisoformat(s))} pulse",
        help="Employee polls are read per calendar month: one pulse per month with answers.",
    )
    current = pd.Timestamp(at)
    st.caption(
        f"{ui.text(ui.sentence(f.scope_label))}, the {MONTH.describe(current)} pulse. "
        f"Figures for a group with fewer than {k} respondents are never shown (k = {k}); "
        "another group may be hidden too so that a hidden one cannot be worked out from the "
        "totals."
    )
    _scope_tiles(values, f, current, k)

    st.subheader("By team")
    table, hidden = _team_table(values, f, current, k)
    if table.empty:
        st.info("No team has poll responses in this period.")
    else:
        st.dataframe(table, hide_index=True, width="stretch")
        if hidden:
            st.caption(f"🔒 {len(hidden)} figure(s) hidden: {ui.hidden_summary(hidden, k)}.")

    st.subheader("Trends")
    in_range = model.in_scope(values, f.scope, f.scope_id, f.first_period, f.end)
    in_range = in_range[in_range["indicator"].isin(WELLBEING)]
    trend = in_range[in_range["indicator"] != "wellbeing.participation_pct"].dropna(
        subset=["value"]
    )
    if trend.empty:
        st.info("No values to draw in this range.")
    else:
        trend = trend.assign(series=trend["indicator"].map(lambda i: by_id(i).label))
        st.altair_chart(charts.trend(trend, f.period, "% or points", height=260), width="stretch")

    st.subheader("Service-profit chain: team wellbeing vs customer satisfaction")
    _chain(f)


ui.guard(render)
