"""Wellbeing: how employees feel, by team, and whether it goes with happier customers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import charts, data, filters, links, model, signin, ui
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


def _cell(row: pd.Series | None, unit: str, k: int, answers: bool) -> str:
    """'41.0 % · Off target', the reason when hidden, a small-sample warning."""
    if row is None or (row["status"] != "suppressed" and pd.isna(row["value"])):
        return ui.MISSING
    if row["status"] == "suppressed":
        return ui.hidden_reason(row["suppressed_because"], k)
    shown = f"{ui.fmt_value(row['value'], unit)} · {ui.status_word(str(row['status']))}"
    if answers and not pd.isna(row["n"]) and int(row["n"]) < ui.SMALL_SAMPLE:
        shown += f" (n {int(row['n'])})"  # a small sample; the caption under the table says so
    return shown


def _scope_tiles(values: pd.DataFrame, f: filters.Filters, current: pd.Timestamp, k: int) -> None:
    now = model.in_scope(values, f.scope, f.scope_id, current.date(), current.date())
    now = now.set_index("indicator")
    # Three tiles a row: five abreast cut their labels at 1280 px ("Favourabl…").
    slots = [slot for start in range(0, len(WELLBEING), 3) for slot in st.columns(3)]
    for slot, ind_id in zip(slots, WELLBEING, strict=False):
        ind = by_id(ind_id)
        row = now.loc[ind_id] if ind_id in now.index else None
        with slot:
            if row is not None and row["status"] == "suppressed":
                with st.container(border=True, height="stretch"):
                    st.markdown(f":material/lock: {ind.label}")
                    st.markdown(f"**{ui.hidden_reason(row['suppressed_because'], k)}**")
                continue
            value = None if row is None else row["value"]
            change = None if row is None or pd.isna(row["change"]) else round(row["change"], 1)
            status = "grey" if row is None else str(row["status"])
            look = ui.status_of(status)
            n = None if row is None or pd.isna(row["n"]) else int(row["n"])
            small = n is not None and wellbeing_counts_answers(ind_id) and n < ui.SMALL_SAMPLE
            with st.container(border=True, height="stretch"):
                st.metric(
                    ind.label,
                    ui.fmt_value(value, ind.unit_label),
                    delta=change,
                    delta_color="inverse" if ind.better == "lower" else "normal",
                    icon=look.icon,
                    help=f"{ind.description} {'Lower' if ind.better == 'lower' else 'Higher'} "
                    "is better.",
                )
                st.markdown(ui.status_badge(status))
                if small:
                    st.caption(
                        f":material/info: Only {n} answers: a small sample, read it as a hint, "
                        "not a verdict."
                    )


def wellbeing_counts_answers(ind_id: str) -> bool:
    """True for figures over answers (participation's n is the headcount, not answers)."""
    return ind_id != "wellbeing.participation_pct"


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
            "Department": team.department if isinstance(team.department, str) else ui.MISSING,
        }
        for ind_id in WELLBEING:
            ind = by_id(ind_id)
            row[ind.label] = _cell(
                mine.loc[ind_id] if ind_id in mine.index else None,
                ind.unit_label,
                k,
                wellbeing_counts_answers(ind_id),
            )
        rows.append(row)
    return pd.DataFrame(rows), hidden


def _team_trend(values: pd.DataFrame, f: filters.Filters, k: int) -> None:
    """One team's wellbeing indicators over the pulses of the range (hidden ones said)."""
    teams = data.teams(viewer)
    if f.scope == "department":
        teams = teams[teams["department"] == f.scope_id]
    names = sorted(teams["team"].tolist())
    if not names:
        st.info("No teams in this selection.")
        return
    team = links.url_selectbox("Team", names, "wteam", names[0])
    rows = model.in_scope(values, "team", team, f.first_period, f.end)
    rows = rows[rows["indicator"].isin(WELLBEING[:-1])]  # participation has its own scale
    drawn = rows.dropna(subset=["value"])
    hidden = rows[rows["status"] == "suppressed"]
    if drawn.empty:
        st.info(f"No wellbeing values of {ui.text(team)} to draw in this range.")
    else:
        drawn = drawn.assign(series=drawn["indicator"].map(lambda i: charts.series_name(by_id(i))))
        chart = charts.trend(
            drawn, f.period, "% or points", height=240, title=f"Wellbeing of {team} by pulse"
        )
        st.altair_chart(chart, width="stretch")
    if len(hidden):
        st.caption(
            f":material/lock: {len(hidden)} figure(s) of {ui.text(team)} hidden in this range: "
            f"{ui.hidden_summary(hidden['suppressed_because'].tolist(), k)}."
        )


def _extra_items(k: int) -> None:
    """Extra poll questions (item_<name> columns) for the organisation, per pulse."""
    items = data.extra_poll_items(viewer)
    if items.empty:
        st.caption(
            "No extra poll questions loaded. A poll export's columns named item_<name> "
            "(answers 1-5) are kept and shown here."
        )
        return
    table = pd.DataFrame(
        {
            "Question": items["item"],
            "Pulse": [MONTH.describe(p) for p in items["pulse"]],
            "Favourable": [
                ui.hidden_reason("fewer_than_k", k) if h else ui.fmt_value(v, "%")
                for v, h in zip(items["favourable_pct"], items["hidden"], strict=True)
            ],
            "Mean answer (1-5)": [
                ui.MISSING if h else f"{v:.2f}"
                for v, h in zip(items["mean_answer"], items["hidden"], strict=True)
            ],
            "Respondents": [
                ui.MISSING if h else ui.fmt_count(n)
                for n, h in zip(items["respondents"], items["hidden"], strict=True)
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        "For the whole organisation only: answers at 4 or 5 count as favourable. "
        f"A pulse with fewer than {k} respondents to a question is hidden."
    )


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
        x = links.url_selectbox(
            "Wellbeing measure", list(CHAIN_X), "wx", format_func=CHAIN_X.__getitem__
        )
    with c2:
        y = links.url_selectbox(
            "Customer measure", list(CHAIN_Y), "cy", format_func=CHAIN_Y.__getitem__
        )
    with c3:
        lag = links.url_selectbox(
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
        shown_r = ui.MISSING if pd.isna(r) else f"{r:+.2f}"
        st.metric("Correlation r", shown_r, border=True, help="Pearson's r, -1 to +1.")
        st.metric(
            "n team-periods", f"{n:,}", border=True, help="Team-periods with both values."
        )
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
    at = links.url_selectbox(
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
        labels = [by_id(i).label for i in WELLBEING]
        st.dataframe(
            table.style.map(ui.status_cell_style, subset=labels),
            hide_index=True,
            width="stretch",
            column_config={
                "Team": st.column_config.TextColumn("Team", pinned=True),
                **{label: st.column_config.TextColumn(label, width=148) for label in labels},
            },
        )
        if hidden:
            st.caption(
                f":material/lock: {len(hidden)} figure(s) hidden: {ui.hidden_summary(hidden, k)}."
            )
        st.caption(
            "A value marked (n 7) rests on only 7 answers (fewer than "
            f"{ui.SMALL_SAMPLE}): a small sample, read it as a hint, not a verdict."
        )

    st.subheader("Trends")
    in_range = model.in_scope(values, f.scope, f.scope_id, f.first_period, f.end)
    in_range = in_range[in_range["indicator"].isin(WELLBEING)]
    trend = in_range[in_range["indicator"] != "wellbeing.participation_pct"].dropna(
        subset=["value"]
    )
    if trend.empty:
        st.info("No values to draw in this range.")
    else:
        trend = trend.assign(series=trend["indicator"].map(lambda i: charts.series_name(by_id(i))))
        chart = charts.trend(
            trend, f.period, "% or points", height=260, title="Employee wellbeing by pulse"
        )
        st.altair_chart(chart, width="stretch")

    st.subheader("One team over time")
    _team_trend(values, f, k)

    st.subheader("Extra poll questions")
    _extra_items(k)

    st.subheader("Service-profit chain: team wellbeing vs customer satisfaction")
    _chain(f)


ui.guard(render)
