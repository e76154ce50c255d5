"""Shared page furniture: error boundary, status badges, formatting (URL-kept choices: links.py)."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from database.settings import SettingsError
from metrics.registry import AREAS

log = logging.getLogger("scorecard.dashboard")


@dataclass(frozen=True)
class Status:
    """How a status looks: a Material icon, a word, a palette colour and a Markdown colour."""

    icon: str  # Streamlit's Material icon shortcode: drawn from a bundled font, never an emoji
    word: str
    colour: str
    markdown_colour: str  # the nearest of Streamlit's Markdown colours (:green[...])


# Okabe-Ito colours (safe for the common colour-vision deficiencies); every status also has
# an icon and a word, so colour is never the only signal, and the icons are Streamlit's own
# Material font: a desktop without a colour-emoji font shows them all the same.
STATUS: dict[str, Status] = {
    "green": Status(":material/check_circle:", "On target", "#009E73", "green"),
    "amber": Status(":material/error:", "Close to target", "#E69F00", "orange"),
    "red": Status(":material/cancel:", "Off target", "#D55E00", "red"),
    "grey": Status(":material/remove:", "No data", "#999999", "gray"),
    "suppressed": Status(":material/lock:", "Suppressed", "#CC79A7", "violet"),
}
STATUS_ORDER = list(STATUS)
# Series colours leave out the status green and vermillion, so a line never reads as a verdict.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442"]
# Units written without a suffix (scores, indexes, counts).
PLAIN_UNITS = ("", "/100", "score", "index", "points", "count")
MISSING = "—"  # a figure that is not there; the table or caption says why
# Perceived figures over fewer answers than this carry a small-sample warning.
SMALL_SAMPLE = 10
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


def status_of(status: str | None) -> Status:
    """The look of a status (grey for an unknown or missing one)."""
    return STATUS.get(status or "grey", STATUS["grey"])


def status_word(status: str | None) -> str:
    """The word of a status ('On target'), for tables and charts (plain text there)."""
    return status_of(status).word


def status_badge(status: str | None) -> str:
    """Icon and word in the status colour, for Markdown: ':green[:material/check_circle: On
    target]'."""
    look = status_of(status)
    return f":{look.markdown_colour}[{look.icon} {look.word}]"


def status_cell_style(word: Any) -> str:
    """CSS for a table cell that holds a status word or ends with one (a tint, not the text)."""
    for look in STATUS.values():
        if isinstance(word, str) and word.lower().endswith(look.word.lower()):
            return f"background-color: {look.colour}2e"  # the palette colour at 18 % opacity
    return ""


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
    return status_of(status).colour


def is_missing(value: Any) -> bool:
    """True for None and NaN."""
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def _duration(value: float, unit: str, signed: bool = False) -> str | None:
    """A duration in the largest readable unit (min under 2 h, h under 2 days, else d);
    None when the unit is not a duration."""
    minutes = {"min": 1.0, "h": 60.0}.get(unit)
    if minutes is None:
        return None
    total = float(value) * minutes
    if abs(total) < 120 and unit == "min":
        amount, digits, label = total, 0, "min"
    elif abs(total) < 48 * 60:
        amount, digits, label = total / 60, 1, "h"
    else:
        amount, digits, label = total / 1440, 1, "d"
    shown = round(amount, digits) or 0.0  # what rounds to zero shows as 0, never -0
    sign = "+" if signed and shown > 0 else ""
    return f"{sign}{shown:,.{digits}f} {label}"


def fmt_value(value: Any, unit: str | None = None, digits: int | None = None) -> str:
    """A value with its unit for people: 12.3 %, 45 min, 3.2 h, 2.5 d, -12 (NPS), 1,234."""
    if is_missing(value):
        return MISSING
    unit = (unit or "").strip()
    duration = _duration(value, unit) if digits is None else None
    if duration is not None:
        return duration
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
    duration = _duration(change, unit, signed=True)
    if duration is not None:
        return duration
    digits = 0 if abs(float(change)) >= 100 else 1
    shown = round(float(change), digits) or 0.0  # -0.04 shows as 0.0, never -0.0
    number = f"{'+' if shown > 0 else ''}{shown:,.{digits}f}"
    if unit in ("%", "pct", "percent"):
        return f"{number} pp"
    if unit in PLAIN_UNITS:
        return number
    return f"{number} {unit}"


def fmt_count(n: Any) -> str:
    """A count with thousands separators ('12,345'), or the missing mark."""
    return MISSING if is_missing(n) else f"{int(n):,}"


def readable_error(exc: BaseException) -> str:
    """One line a person can act on, without a traceback."""
    if isinstance(exc, SettingsError):
        # The file's path stays on the server; the Settings page names the field and fixes it.
        reasons = "; ".join(reason for _, reason in exc.problems)
        return f"the saved settings cannot be used ({reasons}): fix them on the Settings page."
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
        st.error(
            f"Sorry, this view could not be shown: {text(readable_error(exc))}",
            icon=":material/block:",
        )
        st.caption("The details are in the server log.")


def empty_state(can_load: bool = True) -> None:
    """The message shown when the database holds no data yet (with the way to the Data page
    for someone who may load)."""
    if not can_load:
        st.info("There is no data yet: an analyst has to load it first.", icon=":material/inbox:")
        return
    st.info(
        "There is no data yet. Load CSV exports on the **Data** page, or run "
        "`scorecard demo` to load the sample data.",
        icon=":material/inbox:",
    )
    st.page_link("views/load_data.py", label="Go to the Data page", icon=":material/upload_file:")


def period_label(period: str, start: Any, short: bool = False, partial: bool = False) -> str:
    """'October 2026' / 'Oct 2026', 'Q4 2026', 'week of 26 Oct 2026' / '26 Oct 2026'; with
    ' (partial)' for a period the data covers only in part."""
    if period == "week":
        label = f"{start:%d %b %Y}" if short else f"week of {start:%d %b %Y}"
    elif period == "quarter":
        label = f"Q{(start.month - 1) // 3 + 1} {start.year}"
    else:
        label = f"{start:%b %Y}" if short else f"{start:%B %Y}"
    return f"{label} (partial)" if partial else label


def partial_note(period: str, span: tuple[date, date] | None) -> str:
    """Why a period is marked partial, and what that does to the comparisons."""
    covered = f" (the data runs from {span[0]:%d %b %Y} to {span[1]:%d %b %Y})" if span else ""
    return (
        f"This {period} is only partly covered by the data{covered}: its figures are not "
        f"compared with a full {period}, and partial {period}s are left out of trend lines."
    )


TOTAL_AREAS = len(AREAS)
INDEX_HELP = (
    "Mean of the area scores that have a value (the number of areas behind it is shown); each "
    "area score is the mean attainment of its indicators against their targets (0-100)."
)


def score_target_note(tolerance_pct: float) -> str:
    """The target of an area score or the index, said where its status is shown."""
    return (
        f"Target: 100 (every indicator on its target); close to target: "
        f"{100 - tolerance_pct:g} or more."
    )


def areas_text(areas: Any) -> str:
    """'8 of 9 areas': how many area scores the index is a mean of."""
    return f"{int(areas)} of {TOTAL_AREAS} areas"


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
