"""Shared page furniture: error boundary, status badges, URL-kept filters, formatting."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import streamlit as st

log = logging.getLogger("scorecard.dashboard")

# Okabe-Ito colours (safe for the common colour-vision deficiencies); every status also has
# an icon and a word, so colour is never the only signal.
STATUS: dict[str, tuple[str, str, str]] = {
    "green": ("✅", "On target", "#009E73"),
    "amber": ("⚠️", "Close to target", "#E69F00"),
    "red": ("❌", "Off target", "#D55E00"),
    "grey": ("➖", "No data", "#999999"),
    "suppressed": ("🔒", "Suppressed", "#CC79A7"),
}
STATUS_ORDER = list(STATUS)
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
# Units written without a suffix (scores, indexes, counts).
PLAIN_UNITS = ("", "/100", "score", "index", "points", "count")
PERIOD_LABELS = {"week": "Week", "month": "Month", "quarter": "Quarter"}


# Every ASCII punctuation character: CommonMark lets a backslash escape any of them, and they
# are all the syntax there is (images, links, emphasis, code, HTML, tables, Streamlit's
# :color[...] and $LaTeX$ directives, list and heading markers).
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def text(value: Any) -> str:
    """A user-supplied string to put inside Markdown, shown as the literal text it is.

    Streamlit renders Markdown in st.markdown, st.caption, st.title/header/subheader, the alert
    bodies (st.info, st.success, st.warning, st.error), st.write of a string, and in the labels
    of widgets, metrics (label, value, delta), tabs, expanders, st.status and help tooltips;
    labels show images too, so a team named ![x](http://host/x.png) makes every browser fetch
    the URL. st.dataframe cells and headers, selectbox options and chart text are plain text:
    they take the string as it is. HTML is escaped by Streamlit unless unsafe_allow_html.
    """
    # One line, single spaces: a line break could open a block (# , - , >), a leading tab or
    # blank would keep ** from being bold around the name; HTML shows runs of blanks as one.
    one_line = " ".join(str(value).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", one_line)


def status_text(status: str | None) -> str:
    """Icon and word for a status, e.g. '✅ On target'."""
    icon, word, _ = STATUS.get(status or "grey", STATUS["grey"])
    return f"{icon} {word}"


def hidden_reason(because: Any, k: int) -> str:
    """Why a suppressed figure is hidden, for people (metrics' suppressed_because code)."""
    if because == "protects_another":
        return "protects a smaller group"
    return f"fewer than {k} responses"


def hidden_summary(because: Sequence[Any], k: int) -> str:
    """'fewer than 5 responses', with ', or to protect a smaller group' when that applies."""
    text = f"fewer than {k} responses"
    if any(b == "protects_another" for b in because):
        text += (
            ", or to protect a smaller group (so that its figures cannot be worked out from "
            "the totals)"
        )
    return text


def status_colour(status: str | None) -> str:
    """The palette colour of a status."""
    return STATUS.get(status or "grey", STATUS["grey"])[2]


def is_missing(value: Any) -> bool:
    """True for None and NaN."""
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def fmt_value(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """A value with its unit for people: 12.3 %, 45 min, 3.2 h, -12 (NPS)."""
    if is_missing(value):
        return "–"
    unit = (unit or "").strip()
    if digits is None:
        digits = 0 if abs(float(value)) >= 100 else 1
    number = f"{float(value):,.{digits}f}"
    if unit in ("%", "pct", "percent"):
        return f"{number} %"
    if unit in PLAIN_UNITS:
        return number
    return f"{number} {unit}"


def fmt_change(change: Any, unit: str | None = None) -> str | None:
    """A signed change in the indicator's own unit (percentage points for percentages)."""
    if is_missing(change):
        return None
    unit = (unit or "").strip()
    sign = "+" if float(change) > 0 else ""
    digits = 0 if abs(float(change)) >= 100 else 1
    number = f"{sign}{float(change):,.{digits}f}"
    if unit in ("%", "pct", "percent"):
        return f"{number} pp"
    if unit in PLAIN_UNITS:
        return number
    return f"{number} {unit}"


def readable_error(exc: BaseException) -> str:
    """One line a person can act on, without a traceback."""
    message = str(exc).strip() or type(exc).__name__
    name = type(exc).__name__
    # Our own errors (ingest, metrics) are written for people already.
    if type(exc).__module__.split(".")[0] in ("ingest", "metrics") or name == "ValueError":
        return message
    if "Could not set lock" in message:
        return "The database is busy; try again in a moment."
    first_line = message.splitlines()[0]
    return f"{first_line} ({name})"


def guard(render: Callable[[], None]) -> None:
    """Run a page body; an error becomes a readable st.error, never a traceback."""
    try:
        render()
    except Exception as exc:  # noqa: BLE001 - the page boundary: nothing may escape to the user
        # st.stop / st.rerun / st.switch_page raise BaseException subclasses, which pass through.
        log.exception("page failed")
        # The message may quote a file name or a value from the data: shown as text.
        st.error(f"Sorry, this view could not be shown: {text(readable_error(exc))}", icon="🚫")
        st.caption("The details are in the server log.")


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
    key = _url_widget_key(param, options, default)
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
    key = _url_widget_key(param, options, default)
    value = where.radio(label, options, key=key, format_func=format_func, horizontal=horizontal)
    _remember(param, value)
    return str(value)


def _url_widget_key(param: str, options: list[Any], default: Any) -> str:
    """The widget key for a URL-kept choice, its state set to the current or initial value."""
    key = f"w_{param}"
    fallback = default if default in options else options[0]
    current = st.session_state.get(key)
    # Re-assigning keeps the value when the widget re-appears on another page (Streamlit drops
    # widget state of pages not shown; an explicit Session State value survives).
    st.session_state[key] = current if current in options else _initial(param, options, fallback)
    return key


def _parse_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        return None


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
        start = _parse_date(st.query_params.get("from")) or _parse_date(
            st.session_state.get("_keep_from")
        )
        end = _parse_date(st.query_params.get("to")) or _parse_date(
            st.session_state.get("_keep_to")
        )
        start, end = clamp(start or default[0]), clamp(end or default[1])
        if start > end:
            start, end = default
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


def empty_state(can_load: bool = True) -> None:
    """The message shown when the database holds no data yet (with the way to the Data page
    for someone who may load)."""
    if not can_load:
        st.info("There is no data yet: an analyst has to load it first.", icon="📭")
        return
    st.info(
        "There is no data yet. Load CSV exports on the **Data** page, or run "
        "`scorecard demo` to load the sample data.",
        icon="📭",
    )
    st.page_link("views/load_data.py", label="Go to the Data page", icon="📥")


def period_label(period: str, start: Any, short: bool = False) -> str:
    """'October 2026' / 'Oct 2026', 'Q4 2026', 'week of 26 Oct 2026' / '26 Oct 2026'."""
    if period == "week":
        return f"{start:%d %b %Y}" if short else f"week of {start:%d %b %Y}"
    if period == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%b %Y}" if short else f"{start:%B %Y}"


def sentence(text: str) -> str:
    """Text with its first letter in upper case (names after it keep their case)."""
    return text[:1].upper() + text[1:]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
