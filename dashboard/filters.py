"""The period / date range / department filters, drawn in the sidebar and kept in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from dashboard import data, links, signin, ui
from metrics.periods import MONTH, PERIODS, as_period

ALL = "(all departments)"


@dataclass(frozen=True)
class Filters:
    """What the person chose: period length, date range and scope."""

    period: str
    start: date
    end: date
    scope: str
    scope_id: str | None

    @property
    def first_period(self) -> date:
        """Start of the period containing the range's first day."""
        return as_period(self.period).start(self.start)

    @property
    def scope_label(self) -> str:
        """'the organisation', 'department Support', 'team Tier 1'."""
        if self.scope == "org":
            return "the whole organisation"
        return f"{self.scope} {self.scope_id}"


def default_range(span: tuple[date, date]) -> tuple[date, date]:
    """The last twelve months of data (or all of it when there is less)."""
    lo, hi = span
    return max(lo, hi - timedelta(days=365)), hi


def period_and_range(choose_period: bool = True) -> tuple[str, date, date]:
    """Period and date-range widgets in the sidebar (months only without choose_period)."""
    span = data.date_span(signin.current())
    assert span is not None, "period_and_range needs data"
    if not choose_period:
        start, end = links.url_date_range("Date range", span, default_range(span), where=st.sidebar)
        return MONTH.name, start, end
    period = links.url_selectbox(
        "Period",
        list(PERIODS),
        "period",
        "month",
        where=st.sidebar,
        format_func=lambda p: ui.PERIOD_LABELS[p],
        help="Indicators are computed per week (starting Monday), month or quarter.",
    )
    start, end = links.url_date_range("Date range", span, default_range(span), where=st.sidebar)
    return period, start, end


def department_choice() -> str | None:
    """Department selectbox in the sidebar; None for the whole organisation."""
    viewer = signin.current()
    teams = data.teams(viewer)
    departments = sorted(d for d in teams["department"].dropna().unique())
    asked = st.query_params.get("dept")
    if asked and asked not in departments and not viewer.sees_everything:
        # A hand-edited link to a department that is not theirs: nothing of it shown.
        signin.refused(viewer.who, f"department in a link: {asked}")
        st.warning("The department in the link is not one you can see.", icon=":material/lock:")
        del st.query_params["dept"]  # said once, without its name (no second notice below)
    if not departments:
        return None
    chosen = links.url_selectbox("Department", [ALL, *departments], "dept", ALL, where=st.sidebar)
    return None if chosen == ALL else chosen


def scorecard_filters(*, department: bool = True, choose_period: bool = True) -> Filters:
    """The overview's filters: period, range and (optionally) a department."""
    period, start, end = period_and_range(choose_period)
    dept = department_choice() if department else None
    if dept:
        return Filters(period, start, end, "department", dept)
    return Filters(period, start, end, "org", None)
