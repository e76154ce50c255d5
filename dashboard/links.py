"""Choices kept in the URL (?param=value) and across pages, with a notice for a link value that
cannot be used."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import streamlit as st

from dashboard.ui import text


def _remember(param: str, value: str) -> None:
    st.query_params[param] = value
    st.session_state[f"_keep_{param}"] = value


def _initial(param: str, options: Sequence[str], default: str) -> str:
    raw = st.query_params.get(param)
    if raw in options:
        return str(raw)
    kept = st.session_state.get(f"_keep_{param}")
    if kept in options:
        return str(kept)
    return default


def url_notice(message: str) -> None:
    """Say that a value in the link could not be used, and what is shown instead."""
    st.warning(message, icon=":material/link_off:")


def _rejected_from_url(param: str, options: Sequence[str]) -> str | None:
    """The link's value for `param` when it is there but not among the options."""
    raw = st.query_params.get(param)
    if raw is None or raw in options:
        return None
    return str(raw)


def url_selectbox(
    label: str,
    options: Sequence[str],
    param: str,
    default: str | None = None,
    *,
    where: Any = None,
    format_func: Callable[[Any], str] = str,
    help: str | None = None,
) -> str:
    """A selectbox whose value lives in the URL (?param=value) and across pages."""
    options = list(options)
    where = where or st
    key = _url_widget_key(param, options, default, label, format_func)
    value = where.selectbox(label, options, key=key, format_func=format_func, help=help)
    _remember(param, value)
    return str(value)


def url_radio(
    label: str,
    options: Sequence[str],
    param: str,
    default: str | None = None,
    *,
    where: Any = None,
    format_func: Callable[[Any], str] = str,
    horizontal: bool = True,
) -> str:
    """A radio whose value lives in the URL and across pages."""
    options = list(options)
    where = where or st
    key = _url_widget_key(param, options, default, label, format_func)
    value = where.radio(label, options, key=key, format_func=format_func, horizontal=horizontal)
    _remember(param, value)
    return str(value)


def _url_widget_key(
    param: str, options: list[Any], default: Any, label: str, format_func: Callable[[Any], str]
) -> str:
    """The widget key for a URL-kept choice, its state set to the current or initial value.

    A value in the link that is not among the options gets a visible notice naming what is
    shown instead: a link never silently shows another team or another year.
    """
    key = f"w_{param}"
    fallback = default if default in options else options[0]
    current = st.session_state.get(key)
    if current not in options:
        chosen = _initial(param, options, fallback)
        rejected = _rejected_from_url(param, options)
        if rejected is not None:
            url_notice(
                f"The link asks for {label.lower()} “{text(rejected)}”, which is not in the "
                f"data: showing {text(format_func(chosen))} instead."
            )
        current = chosen
    # Re-assigning keeps the value when the widget re-appears on another page (Streamlit drops
    # widget state of pages not shown; an explicit Session State value survives).
    st.session_state[key] = current
    return key


def _parse_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        return None


def _range_from_link(
    span: tuple[date, date], default: tuple[date, date]
) -> tuple[date, date, str | None]:
    """The range the link (or this session) asks for, within the data, and a notice when the
    link's dates could not be used as they are."""
    lo, hi = span
    raw = {end: st.query_params.get(end) for end in ("from", "to")}
    asked = {end: _parse_date(value) for end, value in raw.items()}
    kept = {end: _parse_date(st.session_state.get(f"_keep_{end}")) for end in ("from", "to")}
    start = asked["from"] or kept["from"] or default[0]
    end = asked["to"] or kept["to"] or default[1]
    unreadable = [f"“{text(v)}”" for k, v in raw.items() if v is not None and asked[k] is None]
    data_runs = f"the data runs from {lo:%d %b %Y} to {hi:%d %b %Y}"
    if unreadable:
        notice = f"The link's date {' and '.join(unreadable)} is not a date (YYYY-MM-DD)"
    elif start > end:
        notice = f"The link's dates run backwards ({start} to {end})"
    elif end < lo or start > hi:
        notice = f"The link asks for {start:%d %b %Y} to {end:%d %b %Y}, but {data_runs}"
    elif start < lo or end > hi:
        notice = f"The link asks for {start:%d %b %Y} to {end:%d %b %Y}; {data_runs}"
    else:
        return start, end, None
    if start > end or end < lo or start > hi:
        start, end = default
    start, end = min(max(start, lo), hi), min(max(end, lo), hi)
    return start, end, f"{notice}: showing {start:%d %b %Y} to {end:%d %b %Y}."


def url_date_range(
    label: str, span: tuple[date, date], default: tuple[date, date], *, where: Any = None
) -> tuple[date, date]:
    """A from-to date input kept in the URL as ?from=YYYY-MM-DD&to=YYYY-MM-DD."""
    where = where or st
    key = "w_dates"
    lo, hi = span

    def clamp(d: date) -> date:
        return min(max(d, lo), hi)

    current = st.session_state.get(key)
    if isinstance(current, tuple | list) and len(current) == 1:
        pass  # a person is half-way through picking a range: leave it alone
    elif not (isinstance(current, tuple | list) and len(current) == 2):
        start, end, notice = _range_from_link(span, default)
        if notice:
            url_notice(notice)
        st.session_state[key] = (start, end)
    else:
        st.session_state[key] = (clamp(current[0]), clamp(current[1]))
    chosen = where.date_input(label, min_value=lo, max_value=hi, key=key, format="YYYY-MM-DD")
    # While a person is picking the second date the widget holds a single date.
    if isinstance(chosen, tuple | list) and len(chosen) == 2:
        start, end = chosen
    else:
        start, end = st.session_state.get("_range", default)
    st.session_state["_range"] = (start, end)
    _remember("from", start.isoformat())
    _remember("to", end.isoformat())
    return start, end
