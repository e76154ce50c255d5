"""Team: every indicator of one team or department against the organisation, and its tickets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, data, filters, links, model, signin, tables, ui
from dashboard.comments import comments_section
from database.csvsafe import frame_csv
from metrics.periods import as_period
from metrics.registry import INDICATORS, by_id

viewer = signin.current()  # every read below is filtered for this person

LEVELS = {"team": "Team", "department": "Department"}
ORGANISATION = charts.ORGANISATION
TICKET_LIMIT = 1000
# What a reader needs first comes first: at 1280 px the columns up to Trend fit beside the
# sidebar, and on a phone the pinned indicator name stays while the rest scrolls.
TABLE_ORDER = [
    "Indicator", "Value", "n", "Status", "Change", "Trend", "Target", "Organisation", "Rank",
    "Area",
]  # fmt: skip


def _choose_scope() -> tuple[str, str | None, Any]:
    """Level and name of what to look at, and the slot beside them for the period picker."""
    teams = data.teams(viewer)
    departments = sorted(teams["department"].dropna().unique().tolist())
    levels = ["team", "department"] if departments else ["team"]
    cols = st.columns([1, 2, 2])
    with cols[0]:
        level = links.url_radio(
            "Look at a", levels, "level", "team", format_func=LEVELS.__getitem__
        )
    names = sorted(teams["team"].tolist()) if level == "team" else departments
    param = "team" if level == "team" else "dept"
    asked = st.query_params.get(param)
    if asked and asked not in names and not viewer.sees_everything:
        # A hand-edited link to a team (or department) that is not theirs: nothing of it shown.
        signin.refused(viewer.who, f"{level} in a link: {asked}")
        st.warning(f"The {level} in the link is not one you can see.", icon=":material/lock:")
        del st.query_params[param]  # said once, without its name (no second notice below)
    if not names:
        return level, None, cols[2]
    with cols[1]:
        chosen = links.url_selectbox(LEVELS[level], names, param, names[0])
    return level, chosen, cols[2]


def _show_indicator_table(table: pd.DataFrame, scope: str) -> None:
    """The table of every indicator; choosing a row opens its trend and its tickets below."""
    shown = table.drop(columns=["id"])
    styled = shown.style.map(ui.status_cell_style, subset=["Status"]).map(
        tables.change_cell_style, subset=["Change"]
    )
    event = st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 980),
        column_order=TABLE_ORDER,
        on_select="rerun",
        selection_mode="single-row",
        key="indicator_table",
        column_config={
            "Indicator": st.column_config.TextColumn("Indicator", width=190, pinned=True),
            "Value": st.column_config.TextColumn("Value", width=100),
            "Status": st.column_config.TextColumn("Status", width=115),
            "Change": st.column_config.TextColumn(
                "Change", width=125, help="Against the previous period, read by the direction "
                "that is better for the indicator"
            ),
            "Trend": st.column_config.ImageColumn(
                "Trend", width=125, help="Over the date range; green: getting better overall, "
                "vermillion: getting worse, grey: flat. Gaps: no value in that period."
            ),
            "Target": st.column_config.TextColumn("Target", width=85),
            "Organisation": st.column_config.TextColumn("Organisation", width=95),
            "Rank": st.column_config.TextColumn("Rank", width=65, help=f"Among {scope}s, best "
                                                "first"),
            "n": st.column_config.TextColumn("n", width=60, help="How many items the value is "
                                             "over"),
            "Area": st.column_config.TextColumn("Area", width=110),
        },
    )  # fmt: skip
    rows = list(event.selection.rows) if event is not None else []
    picked = str(table.iloc[rows[0]]["id"]) if rows else None
    if picked is not None and picked != st.session_state.get("_picked_row"):
        # A newly chosen row sets the trend and, where it has one, the ticket list below.
        st.session_state["w_ind"] = picked
        if by_id(picked).drilldown is not None:
            st.session_state["w_list"] = picked
    st.session_state["_picked_row"] = picked
    st.caption(
        f"{ui.MISSING} in a cell: no value in this period (nothing to compute over). Choose a "
        "row to see its trend and the tickets behind it below."
    )


def _trend_against_org(
    frame: pd.DataFrame, org: pd.DataFrame, who: str, period: str, partial: set[pd.Timestamp]
) -> None:
    options = [i.id for i in INDICATORS]
    chosen = links.url_selectbox(
        "Indicator", options, "ind", options[0], format_func=lambda i: by_id(i).label
    )
    ind = by_id(chosen)
    full = ~frame["period_start"].isin(partial)
    rows = frame[(frame["indicator"] == chosen) & full]
    mine = rows[["period_start", "value", "n"]].assign(series=who)
    theirs = org[(org["indicator"] == chosen) & ~org["period_start"].isin(partial)]
    theirs = theirs[["period_start", "value", "n"]].assign(series=ORGANISATION)
    both = pd.concat([mine, theirs]).dropna(subset=["value"])
    if both.empty:
        st.info("No values for this indicator in the chosen range.")
        return
    hidden = rows[rows["status"] == "suppressed"]
    if len(hidden) and mine["value"].isna().all():
        k = data.settings(viewer).privacy.k
        reason = ui.hidden_summary(hidden["suppressed_because"].tolist(), k)
        st.info(
            f"The values of {ui.text(who)} for this indicator are hidden ({reason}): only the "
            "organisation's line is drawn.",
            icon=":material/lock:",
        )
    unit = (
        f" ({ind.unit_label.strip()})"
        if ind.unit_label.strip() and ind.unit_label != "/100"
        else ""
    )
    chart: Any = charts.trend(
        both,
        period,
        ind.label + unit,
        dashed=[ORGANISATION],
        height=260,
        title=f"{ind.label}: {who} against the organisation",
    )
    target = frame[frame["indicator"] == chosen]["target"].dropna()
    target_note = ""
    if len(target):
        chart = chart + charts.target_rule(float(target.iloc[-1]))
        target_note = f" Dotted line: the target, {tables.target_text(target.iloc[-1], ind)}."
    st.altair_chart(chart, width="stretch")
    better = "lower" if ind.better == "lower" else "higher"
    left_out = f" Partial {period}s are left out of the lines." if partial else ""
    st.caption(f"{ind.description} {better.capitalize()} is better.{target_note}{left_out}")


def _tickets(scope: str, scope_id: str, period: str, start: date, label: str) -> None:
    # One list per delivered indicator: exactly the tickets its number counts (the registry's
    # drill-down), worst first, so a list can never disagree with its number.
    if not viewer.sees_rows(scope, scope_id):
        st.info(f"Ticket lists are shown for your own {scope} only.", icon=":material/lock:")
        return
    options = [i.id for i in INDICATORS if i.drilldown is not None]
    chosen = links.url_selectbox(
        "Which figure", options, "list", options[0], format_func=lambda i: by_id(i).label
    )
    drill = by_id(chosen).drilldown
    assert drill is not None
    st.caption(f"{drill.label}. Tickets created in {label}.")
    with st.spinner("Finding tickets..."):
        tickets = data.tickets_behind(viewer, chosen, period, start, scope, scope_id, TICKET_LIMIT)
    if tickets.empty:
        st.success("No tickets in this list for the chosen period.", icon=":material/check:")
        return
    more = " (the first 1,000)" if len(tickets) >= TICKET_LIMIT else ""
    st.markdown(f"**{len(tickets):,} tickets**{more}")
    readable = tables.tickets_for_people(tickets, by_id(chosen).label)
    shown = readable.drop(columns=["Team"]) if scope == "team" else readable
    when = "YYYY-MM-DD HH:mm"
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "Ticket": st.column_config.TextColumn("Ticket", pinned=True),
            "Created": st.column_config.DatetimeColumn("Created", format=when),
            "Due": st.column_config.DatetimeColumn("Due", format=when),
            "Resolved": st.column_config.DatetimeColumn("Resolved", format=when),
        },
    )
    safe = "".join(ch if ch.isalnum() else "-" for ch in scope_id).strip("-").lower()
    st.download_button(
        "Download these tickets (CSV)",
        data=frame_csv(readable).encode("utf-8"),
        file_name=f"tickets-{safe}-{chosen}-{start.isoformat()}.csv",
        mime="text/csv",
        key="download_tickets",
        icon=":material/download:",
    )


def _header(scope: str, scope_id: str) -> None:
    """Department and lead of a team under the title."""
    if scope != "team":
        return
    teams = data.teams(viewer)
    info = teams[teams["team"] == scope_id]
    dept = info["department"].iloc[0] if len(info) else None
    lead = info["lead_email"].iloc[0] if len(info) else None
    bits = [f"Department: {ui.text(dept)}" if isinstance(dept, str) else "No department"]
    if isinstance(lead, str):
        bits.append(f"Lead: {ui.text(lead)}")
    st.caption(" · ".join(bits))


def _headline(
    frame: pd.DataFrame, period: str, current: pd.Timestamp, scope: str, scope_id: str
) -> None:
    """Index (with the areas behind it), rank and how many indicators are on target."""
    _header(scope, scope_id)
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
    areas = model.index_areas(index, current, scope, scope_id)
    c1, c2, c3 = st.columns(3)
    with c1:
        st.metric(
            "Service-culture index",
            ui.fmt_value(mine.iloc[0] if len(mine) else None, "", 0),
            delta=ui.areas_text(areas) if areas else None,
            delta_color="off",
            delta_arrow="off",
            border=True,
            help=ui.INDEX_HELP,
        )
    with c2:
        # Only the place and how many: the others are never named.
        rank = f"{ui.ordinal(place[0])} of {place[1]} {scope}s" if place else ui.MISSING
        st.metric(f"Rank among {scope}s", rank, border=True, help="By service-culture index.")
    with c3:
        st.metric("Indicators on target", f"{on_target} of {with_value}", border=True)


def render() -> None:
    """The page body."""
    st.title("Team scorecard")
    if not data.has_data(viewer):
        ui.empty_state(viewer.can_load)
        return
    period, start, end = filters.period_and_range()
    scope, scope_id, picker = _choose_scope()
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

    periods = model.periods(frame)
    partial = model.partial_periods(period, periods, data.date_span(viewer))
    labels = {p: ui.period_label(period, p, short=True, partial=p in partial) for p in periods}
    with picker:
        at = links.url_selectbox(
            f"{ui.PERIOD_LABELS[period]} starting",
            [p.date().isoformat() for p in reversed(periods)],
            "at",
            current.date().isoformat(),
            format_func=lambda s: labels[pd.Timestamp(s)],
        )
    current = pd.Timestamp(at)
    period_label = ui.period_label(period, current)
    _headline(frame, period, current, scope, scope_id)
    st.caption(
        f"{scope.capitalize()} **{ui.text(scope_id)}**, {period_label}. Rank and values for this "
        f"{period}; trends over the date range."
    )
    if current in partial:
        st.caption(ui.partial_note(period, data.date_span(viewer)))
    pulse = data.pulse_caption(viewer, period, current.date())
    if pulse:
        st.caption(pulse)

    st.subheader("Every indicator")
    k = data.settings(viewer).privacy.k
    ranks = data.indicator_ranks(viewer, period, current, scope, scope_id)
    table = tables.indicator_table(frame, org, ranks, current, k, partial)
    _show_indicator_table(table, scope)

    now = frame[frame["period_start"] == current]
    hidden = now[now["status"] == "suppressed"]
    if len(hidden):
        reason = ui.hidden_summary(hidden["suppressed_because"].tolist(), k)
        st.info(
            f"{len(hidden)} wellbeing figure(s) of {ui.text(scope_id)} are hidden: {reason} "
            f"(k = {k}), so no one's answers can be singled out.",
            icon=":material/lock:",
        )

    st.subheader("Trend against the organisation")
    _trend_against_org(frame, org, scope_id, period, partial)

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

    st.subheader(f"In customers' words, {period_label}")
    comments_section(scope, scope_id, current.date(), end_of, period_label)


ui.guard(render)
