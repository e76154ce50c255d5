"""Team: every indicator of one team or department against the organisation, and its tickets."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import charts, data, filters, model, signin, ui
from database.csvsafe import frame_csv
from metrics.periods import as_period
from metrics.registry import AREA_INFO, INDICATORS, by_id

viewer = signin.current()  # every read below is filtered for this person

LEVELS = {"team": "Team", "department": "Department"}
TICKET_LIMIT = 1000


def _choose_scope() -> tuple[str, str | None]:
    teams = data.teams(viewer)
    departments = sorted(teams["department"].dropna().unique().tolist())
    levels = ["team", "department"] if departments else ["team"]
    cols = st.columns([1, 2])
    with cols[0]:
        level = ui.url_radio("Look at a", levels, "level", "team", format_func=LEVELS.__getitem__)
    names = sorted(teams["team"].tolist()) if level == "team" else departments
    param = "team" if level == "team" else "dept"
    asked = st.query_params.get(param)
    if asked and asked not in names and not viewer.sees_everything:
        # A hand-edited link to a team (or department) that is not theirs: nothing of it shown.
        signin.refused(viewer.who, f"{level} in a link: {asked}")
        st.warning(f"The {level} in the link is not one you can see.", icon="🔒")
    if not names:
        return level, None
    with cols[1]:
        chosen = ui.url_selectbox(LEVELS[level], names, param, names[0])
    return level, chosen


def _indicator_table(
    frame: pd.DataFrame, org: pd.DataFrame, ranks: dict[str, str], current: pd.Timestamp
) -> pd.DataFrame:
    now = frame[frame["period_start"] == current].set_index("indicator")
    org_now = org[org["period_start"] == current].set_index("indicator")
    k = data.settings(viewer).privacy.k
    rows = []
    for ind in INDICATORS:
        row = now.loc[ind.id] if ind.id in now.index else None
        status = str(row["status"]) if row is not None else "grey"
        value = row["value"] if row is not None else None
        if row is not None and status == "suppressed":
            shown = ui.hidden_reason(row["suppressed_because"], k)
        else:
            shown = ui.fmt_value(value, ind.unit_label)
        history = frame[frame["indicator"] == ind.id].sort_values("period_start")["value"]
        org_value = org_now.loc[ind.id, "value"] if ind.id in org_now.index else None
        rows.append(
            {
                "Area": AREA_INFO[ind.area].label,
                "Indicator": ind.label,
                "Value": shown,
                "Target": ("≤ " if ind.better == "lower" else "≥ ")
                + ui.fmt_value(row["target"] if row is not None else ind.target, ind.unit_label),
                "Status": ui.status_text(status),
                "Change": (
                    ui.fmt_change(row["change"], ind.unit_label) if row is not None else None
                )
                or "–",
                "Organisation": ui.fmt_value(org_value, ind.unit_label),
                "Rank": ranks.get(ind.id, "–"),
                "n": None if row is None or pd.isna(row["n"]) else int(row["n"]),
                "Trend": [None if pd.isna(v) else float(v) for v in history],
                "id": ind.id,
            }
        )
    return pd.DataFrame(rows)


def _trend_against_org(frame: pd.DataFrame, org: pd.DataFrame, who: str, period: str) -> None:
    options = [i.id for i in INDICATORS]
    chosen = ui.url_selectbox(
        "Indicator", options, "ind", options[0], format_func=lambda i: by_id(i).label
    )
    ind = by_id(chosen)
    mine = frame[frame["indicator"] == chosen][["period_start", "value", "n"]].assign(series=who)
    theirs = org[org["indicator"] == chosen][["period_start", "value", "n"]].assign(
        series="Organisation"
    )
    both = pd.concat([mine, theirs]).dropna(subset=["value"])
    if both.empty:
        st.info("No values for this indicator in the chosen range.")
        return
    unit = (
        f" ({ind.unit_label.strip()})"
        if ind.unit_label.strip() and ind.unit_label != "/100"
        else ""
    )
    chart = charts.trend(both, period, ind.label + unit, dashed=["Organisation"], height=260)
    target = frame[frame["indicator"] == chosen]["target"].dropna()
    if len(target):
        rule = (
            charts.alt.Chart(pd.DataFrame({"target": [float(target.iloc[-1])]}))
            .mark_rule(color="#666666", strokeDash=[2, 2])
            .encode(y="target:Q", tooltip=[charts.alt.Tooltip("target:Q", title="Target")])
        )
        chart = chart + rule
    st.altair_chart(chart, width="stretch")
    better = "lower" if ind.better == "lower" else "higher"
    st.caption(f"{ind.description} {better.capitalize()} is better; dotted line: the target.")


def _tickets(scope: str, scope_id: str, period: str, start: date, label: str) -> None:
    # One list per delivered indicator: exactly the tickets its number counts (the registry's
    # drill-down), worst first, so a list can never disagree with its number.
    if not viewer.sees_rows(scope, scope_id):
        st.info(f"Ticket lists are shown for your own {scope} only.", icon="🔒")
        return
    options = [i.id for i in INDICATORS if i.drilldown is not None]
    chosen = ui.url_selectbox(
        "Which figure", options, "list", options[0], format_func=lambda i: by_id(i).label
    )
    drill = by_id(chosen).drilldown
    assert drill is not None
    st.caption(f"{drill.label}. Tickets created in {label}.")
    with st.spinner("Finding tickets..."):
        tickets = data.tickets_behind(viewer, chosen, period, start, scope, scope_id, TICKET_LIMIT)
    if tickets.empty:
        st.success("No tickets in this list for the chosen period.", icon="✅")
        return
    more = " (the first 1,000)" if len(tickets) >= TICKET_LIMIT else ""
    st.markdown(f"**{len(tickets):,} tickets**{more}")
    shown = tickets.drop(columns=["team"]) if scope == "team" else tickets
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "ticket_id": st.column_config.TextColumn("Ticket"),
            "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD HH:mm"),
            "due_at": st.column_config.DatetimeColumn("Due", format="YYYY-MM-DD HH:mm"),
            "resolved_at": st.column_config.DatetimeColumn("Resolved", format="YYYY-MM-DD HH:mm"),
            "first_response_min": st.column_config.NumberColumn(
                "First response (min)", format="%.0f"
            ),
            "sla_target_min": st.column_config.NumberColumn("Target (min)", format="%.0f"),
            "resolution_hours": st.column_config.NumberColumn("Resolution (h)", format="%.1f"),
            "handle_minutes": st.column_config.NumberColumn("Handle (min)", format="%.0f"),
        },
    )
    safe = "".join(ch if ch.isalnum() else "-" for ch in scope_id).strip("-").lower()
    st.download_button(
        "Download these tickets (CSV)",
        data=frame_csv(tickets).encode("utf-8"),
        file_name=f"tickets-{safe}-{chosen}-{start.isoformat()}.csv",
        mime="text/csv",
        key="download_tickets",
        icon=":material/download:",
    )


def render() -> None:
    """The page body."""
    st.title("Team scorecard")
    if not data.has_data(viewer):
        ui.empty_state(viewer.can_load)
        return
    period, start, end = filters.period_and_range()
    scope, scope_id = _choose_scope()
    if scope_id is None:
        st.info("No teams yet: load tickets, surveys or a teams file on the Data page.")
        return
    first = as_period(period).start(start)
    with st.spinner("Computing the scorecard..."):
        values = data.indicator_values(viewer, period)
    frame = model.in_scope(values, scope, scope_id, first, end)
    org = model.in_scope(values, "org", None, first, end)
    current, _ = model.latest_and_previous(frame)
    if current is None:
        st.info(f"No data for {scope} {ui.text(scope_id)} in this date range: widen the range.")
        return

    teams = data.teams(viewer)
    if scope == "team":
        info = teams[teams["team"] == scope_id]
        dept = info["department"].iloc[0] if len(info) else None
        lead = info["lead_email"].iloc[0] if len(info) else None
        bits = [f"Department: {ui.text(dept)}" if isinstance(dept, str) else "No department"]
        if isinstance(lead, str):
            bits.append(f"Lead: {ui.text(lead)}")
        st.caption(" · ".join(bits))

    periods = model.periods(frame)
    labels = {p: ui.period_label(period, p, short=True) for p in periods}
    at = ui.url_selectbox(
        f"{ui.PERIOD_LABELS[period]} starting",
        [p.date().isoformat() for p in reversed(periods)],
        "at",
        current.date().isoformat(),
        where=st.sidebar,
        format_func=lambda s: labels[pd.Timestamp(s)],
    )
    current = pd.Timestamp(at)
    period_label = ui.period_label(period, current)

    index = data.culture_index(viewer, period)
    mine = index[
        (index["period_start"] == current)
        & (index["scope"] == scope)
        & (index["scope_id"] == scope_id)
    ][model.value_column(index)].dropna()
    place = data.rank(viewer, period, current, scope, scope_id)
    now = frame[frame["period_start"] == current]
    on_target = int((now["status"] == "green").sum())
    with_value = int(now["status"].isin(["green", "amber", "red"]).sum())
    c1, c2, c3 = st.columns(3)
    with c1:
        st.metric(
            "Service-culture index",
            ui.fmt_value(mine.iloc[0] if len(mine) else None, "", 0),
            border=True,
        )
    with c2:
        # Only the place and how many: the others are never named.
        rank = f"{ui.ordinal(place[0])} of {place[1]} {scope}s" if place else "–"
        st.metric(f"Rank among {scope}s", rank, border=True, help="By service-culture index.")
    with c3:
        st.metric("Indicators on target", f"{on_target} of {with_value}", border=True)
    st.caption(
        f"{scope.capitalize()} **{ui.text(scope_id)}**, {period_label}. Rank and values for this "
        f"{period}; trends over the date range."
    )
    pulse = data.pulse_caption(viewer, period, current.date())
    if pulse:
        st.caption(pulse)

    st.subheader("Every indicator")
    ranks = data.indicator_ranks(viewer, period, current, scope, scope_id)
    table = _indicator_table(frame, org, ranks, current)
    st.dataframe(
        table.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 980),
        column_config={
            "Area": st.column_config.TextColumn("Area", width=120),
            "Indicator": st.column_config.TextColumn("Indicator", width=235),
            "Trend": st.column_config.LineChartColumn("Trend", width="small"),
            "n": st.column_config.NumberColumn("n", help="How many items the value is over"),
            "Rank": st.column_config.TextColumn("Rank", help=f"Rank among {scope}s, best first"),
        },
    )

    hidden = now[now["status"] == "suppressed"]
    if len(hidden):
        k = data.settings(viewer).privacy.k
        reason = ui.hidden_summary(hidden["suppressed_because"].tolist(), k)
        st.info(
            f"{len(hidden)} wellbeing figure(s) of {ui.text(scope_id)} are hidden: {reason} "
            f"(k = {k}), so no one's answers can be singled out.",
            icon="🔒",
        )

    st.subheader("Trend against the organisation")
    _trend_against_org(frame, org, scope_id, period)

    st.subheader(f"Distributions, {period_label}")
    end_of = as_period(period).end(current.date())
    left, right = st.columns(2)
    for where, measure, title in (
        (left, "first_response", "Time to first response"),
        (right, "resolution", "Time to resolution"),
    ):
        dist = data.duration_distribution(viewer, measure, scope, scope_id, current.date(), end_of)
        with where:
            st.markdown(f"**{title}**")
            if int(dist["tickets"].sum()) == 0:
                st.info("No tickets with this time in the period.")
            else:
                st.altair_chart(charts.distribution(dist, title), width="stretch")

    st.subheader(f"Tickets behind the numbers, {period_label}")
    _tickets(scope, scope_id, period, current.date(), period_label)


ui.guard(render)
