"""Data: upload exports, preview and validate them, load them; load history, rejects, freshness."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, signin, ui, uploads
from database.csvsafe import frame_csv
from ingest.check import coverage
from ingest.load import IngestError, load_file, unknown_values_text
from ingest.mapping import available_mappings, load_mapping
from ingest.preview import preview
from ingest.recognise import recognise_any
from ingest.sources import SOURCES
from metrics.registry import unfed_text

viewer = signin.current()  # every read below is filtered for this person

SOURCE_LABELS = {
    "teams": "Teams (teams.csv)",
    "tickets": "Tickets",
    "surveys": "Customer survey responses",
    "polls": "Employee poll responses",
}
NAME_HINTS = (
    ("poll", "polls"),
    ("pulse", "polls"),
    ("employee", "polls"),
    ("survey", "surveys"),
    ("qualtrics", "surveys"),
    ("response", "surveys"),
    ("team", "teams"),
    ("ticket", "tickets"),
)
PREVIEW_ROWS = 50


def guess_source(file_name: str) -> str:
    """The source a file name suggests (tickets when nothing matches)."""
    lower = file_name.lower()
    for hint, source in NAME_HINTS:
        if hint in lower:
            return source
    return "tickets"


def refusal_text(exc: BaseException) -> str:
    """A refusal for the browser: the reason, then what to do here (never a command line)."""
    message = ui.readable_error(exc)
    suggestion = getattr(exc, "suggestion", None)
    if suggestion:
        message += f" Choose the mapping {suggestion} under Mapping above."
    elif getattr(exc, "needs_mapping", False):
        message += (
            " This layout needs a mapping file: add one under 'Or your own mapping file' "
            "(whoever looks after the scorecard can write it)."
        )
    return message


def _recognised(uploaded: Any) -> tuple[str, str] | None:
    """(source, mapping) recognised from the upload's header, once per file."""
    memo = st.session_state.get("_recognised")
    if memo and memo[0] == uploaded.file_id:
        return memo[1]  # type: ignore[no-any-return]
    try:
        with uploads.on_disk(uploaded) as path:
            found = recognise_any(path)
    except Exception:  # noqa: BLE001 - an unreadable file is explained by its preview
        found = None
    st.session_state["_recognised"] = (uploaded.file_id, found)
    return found


def _sources() -> list[str]:
    return list(SOURCES)


def _mappings(source: str) -> list[str]:
    return available_mappings(source)


@contextlib.contextmanager
def _on_disk(uploaded: Any, own_mapping: Any) -> Iterator[tuple[Path, str | None]]:
    """The upload (and the analyst's own mapping file, if any) on disk for one preview or load;
    removed afterwards whatever happens (see dashboard/uploads.py)."""
    with contextlib.ExitStack() as files:
        path = files.enter_context(uploads.on_disk(uploaded))
        mapping = None
        if own_mapping is not None:
            mapping = str(files.enter_context(uploads.on_disk(own_mapping)))
        yield path, mapping


def _chosen(uploaded: Any, mapping: str) -> str | None:
    """The mapping to read with; None (recognise, or list the closest) when no shipped mapping
    was recognised and the analyst left the canonical one."""
    if mapping == "canonical" and _recognised(uploaded) is None:
        return None
    return mapping


def _preview(source: str, uploaded: Any, mapping: str, own: Any) -> tuple[Any, Any, Any]:
    memo_key = (uploaded.file_id, source, mapping, own.file_id if own is not None else None)
    memo = st.session_state.get("_preview")
    if memo and memo[0] == memo_key:
        return memo[1]
    with _on_disk(uploaded, own) as (path, own_mapping):
        with data.exclusive_read():  # a survey preview attaches the live database read-only
            result = preview(
                source,
                path,
                mapping=own_mapping or _chosen(uploaded, mapping),
                limit=PREVIEW_ROWS,
                db=data.database(),
            )
        tz = data.database().settings().organisation.timezone
        covered = coverage(source, path, own_mapping or _chosen(uploaded, mapping), tz)
    st.session_state["_preview"] = (memo_key, (*result, covered))
    return (*result, covered)


def coverage_notes(source: str, carried: list[str], absent: list[str]) -> list[str]:
    """What a file lacks and which figures it therefore cannot feed, one sentence each."""
    notes = []
    if absent:
        notes.append("Not in this file, so not carried: " + ", ".join(absent) + ".")
    notes.extend(f"What this file cannot feed: {line}." for line in unfed_text(source, carried))
    return notes


def _show_report(report: Any) -> None:
    kind = st.success if report.outcome == "loaded" else st.warning
    kind(
        f"**{ui.text(report.file_name)}** loaded as "
        f"{SOURCE_LABELS.get(report.source, report.source)} "
        f"(load #{report.load_id}): {report.rows_read:,} rows read, {report.rows_loaded:,} "
        f"loaded, {report.rows_replaced:,} replaced, {report.rows_rejected:,} rejected.",
        icon="✅" if report.outcome == "loaded" else "⚠️",
    )
    if report.top_reasons:
        reasons = pd.DataFrame(report.top_reasons, columns=["Reason", "Rows"])
        st.markdown("**Why rows were rejected** (all of them are under *Rejected rows*)")
        st.dataframe(reasons, hide_index=True, width="stretch")
    notes = []
    if report.recognised:
        notes.append(f"Mapping {report.mapping} was recognised from the file's header.")
    notes.extend(f"{line}." for line in unknown_values_text(report))
    if report.rows_loaded:
        notes.extend(coverage_notes(report.source, report.carried, report.absent_columns))
    if report.dropped_columns:
        notes.append(f"Dropped on sight, never stored: {', '.join(report.dropped_columns)}.")
    if report.ignored_columns:
        notes.append(f"Columns not stored: {', '.join(report.ignored_columns)}.")
    if getattr(report, "extra_items", None):
        notes.append(f"Extra poll items kept: {', '.join(report.extra_items)}.")
    notes.extend(getattr(report, "notes", []) or [])
    for note in notes:
        st.caption(ui.text(note))  # column names from the file


def upload_tab() -> None:
    """Upload, preview, validate and confirm a load."""
    st.markdown(
        "Drop a CSV export, say what it holds and which mapping reads it, check the preview and "
        "the validation report, then confirm. Load teams and tickets before surveys."
    )
    uploaded = st.file_uploader(
        "CSV export", type=["csv", "tsv", "txt"], key="upload", help="Up to 200 MB."
    )
    if uploaded is None:
        report = st.session_state.get("_last_report")
        if report is not None:
            _show_report(report)
        return
    sources = _sources()
    recognised = _recognised(uploaded)
    if st.session_state.get("_guessed_for") != uploaded.file_id:
        st.session_state["_guessed_for"] = uploaded.file_id
        # The header decides when a shipped mapping reads it; else the file name guesses.
        st.session_state["source"] = recognised[0] if recognised else guess_source(uploaded.name)
        if recognised:
            st.session_state["mapping"] = recognised[1]
        st.session_state.pop("_last_report", None)
    c1, c2 = st.columns(2)
    with c1:
        source = st.selectbox(
            "What the file holds",
            sources,
            key="source",
            format_func=lambda s: SOURCE_LABELS.get(s, s),
        )
    with c2:
        mappings = _mappings(source)
        if st.session_state.get("mapping") not in mappings:
            st.session_state["mapping"] = mappings[0]
        mapping = st.selectbox(
            "Mapping",
            mappings,
            key="mapping",
            help="How the export's columns become the canonical ones. 'canonical' reads files "
            "already in the product's own layout.",
        )
    if recognised and recognised == (source, mapping):
        description = load_mapping(mapping, source).description or "the canonical layout"
        st.caption(f"Recognised from the header: {ui.text(description)} (mapping {mapping}).")
    own = st.file_uploader(
        "Or your own mapping file (.toml)",
        type=["toml"],
        key="mapping_file",
    )
    if own is not None:
        st.caption(f"Reading the file with the mapping **{ui.text(own.name)}**.")

    st.markdown("#### Preview")
    with st.spinner("Reading and validating the file..."):
        try:
            result = _preview(source, uploaded, mapping, own)
        except Exception as exc:  # noqa: BLE001 - a refused file is shown, never raised
            st.error(f"This file cannot be loaded: {ui.text(refusal_text(exc))}", icon="🚫")
            return
    rows, rejects, covered = result
    st.caption(f"The first {min(len(rows), PREVIEW_ROWS)} rows as they will be stored.")
    st.dataframe(rows, hide_index=True, width="stretch", height=240)
    st.markdown("#### Validation report")
    if rejects is None or len(rejects) == 0:
        st.success("Every row of the file passes validation.", icon="✅")
    else:
        st.warning(
            f"{len(rejects):,} row(s) of the file break a rule and will be rejected "
            "(the good rows still load). Each is listed with its line and the reason.",
            icon="⚠️",
        )
        height = min(38 + 35 * len(rejects), 320)
        st.dataframe(rejects, hide_index=True, width="stretch", height=height)
    for note in coverage_notes(source, covered.carried, covered.absent):
        st.caption(ui.text(note))  # column names from the file

    if st.button(
        f"Load {ui.text(uploaded.name)} as {SOURCE_LABELS.get(source, source).lower()}",
        type="primary",
        key="confirm_load",
        icon=":material/database_upload:",
    ):
        with st.status("Loading...", expanded=True) as status:
            status.write("Validating every row and writing a new copy of the database...")
            try:
                with _on_disk(uploaded, own) as (path, own_mapping):
                    report = load_file(
                        data.database(),
                        source,
                        path,
                        mapping=own_mapping or _chosen(uploaded, mapping),
                        file_name=uploaded.name,
                        who=viewer.who,
                    )
            except IngestError as exc:
                status.update(label="The file was refused", state="error")
                st.error(ui.text(refusal_text(exc)), icon="🚫")
                return
            status.update(label="Loaded", state="complete", expanded=False)
        st.session_state["_last_report"] = report
    report = st.session_state.get("_last_report")
    if report is not None and report.file_name == uploaded.name:
        _show_report(report)


def history_tab() -> None:
    """The load log, newest first."""
    history = data.load_history(viewer)
    if history.empty:
        st.info("Nothing has been loaded yet.")
        return
    st.dataframe(
        history,
        hide_index=True,
        width="stretch",
        column_config={
            "load_id": st.column_config.NumberColumn("Load", format="#%d"),
            "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm:ss"),
            "finished_at": st.column_config.DatetimeColumn(
                "Finished", format="YYYY-MM-DD HH:mm:ss"
            ),
        },
    )
    st.download_button(
        "Download the load history (CSV)",
        frame_csv(history).encode("utf-8"),
        file_name="load-history.csv",
        mime="text/csv",
        key="download_history",
    )


def rejected_tab() -> None:
    """Rejected rows with their reasons, per load, downloadable."""
    history = data.load_history(viewer)
    with_rejects = history[history["rows_rejected"].fillna(0) > 0]
    if with_rejects.empty:
        st.success("No rejected rows: every loaded row passed validation.", icon="✅")
        return
    labels = {"all": "All loads"}
    for row in with_rejects.itertuples(index=False):
        labels[str(row.load_id)] = (
            f"#{row.load_id} {row.file_name} ({row.source}, {int(row.rows_rejected):,} rejected)"
        )
    choice = st.selectbox(
        "Load", list(labels), key="rejected_load", format_func=lambda k: labels[k]
    )
    load_id = None if choice == "all" else int(choice)
    reasons = data.rejection_reasons(viewer, load_id)
    rows = data.rejected_rows(viewer, load_id)
    left, right = st.columns([1, 2])
    with left:
        st.markdown("**By reason**")
        st.dataframe(reasons, hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{len(rows):,} rejected rows**")
        st.dataframe(rows, hide_index=True, width="stretch", height=320)
    name = "all" if load_id is None else f"load-{load_id}"
    st.download_button(
        "Download rejected rows (CSV)",
        frame_csv(rows).encode("utf-8"),
        file_name=f"rejected-rows-{name}.csv",
        mime="text/csv",
        key="download_rejected",
    )


def freshness_tab() -> None:
    """How recent each source is."""
    fresh = data.freshness(viewer)
    now = datetime.now()
    ages = []
    for latest in fresh["latest_record"]:
        if pd.isna(latest):
            ages.append("–")
        else:
            days = (now - pd.Timestamp(latest).to_pydatetime()).days
            ages.append("today" if days <= 0 else f"{days:,} days ago")
    fresh = fresh.assign(
        source=fresh["source"].map(lambda s: SOURCE_LABELS.get(s, s)), age=ages
    ).rename(
        columns={
            "source": "Source",
            "rows": "Rows stored",
            "latest_record": "Latest record",
            "age": "Latest record was",
            "last_loaded_at": "Last loaded",
            "last_file": "Last file",
        }
    )
    st.dataframe(
        fresh[
            [
                "Source",
                "Rows stored",
                "Latest record",
                "Latest record was",
                "Last loaded",
                "Last file",
            ]
        ],
        hide_index=True,
        width="stretch",
    )


def audit_tab() -> None:
    """Who loaded data, changed settings, targets or access, or was refused, and when."""
    log = data.audit_log(viewer)
    if log.empty:
        st.info("Nothing recorded yet.")
        return
    st.dataframe(
        log,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(log), 420),
        column_config={
            "happened_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
            "who": st.column_config.TextColumn("Who"),
            "action": st.column_config.TextColumn("What"),
            "detail": st.column_config.TextColumn("Detail"),
        },
    )
    st.caption("Newest first. Who is the signed-in e-mail, or the computer user for commands.")


def render() -> None:
    """The page body."""
    st.title("Data")
    upload, history, rejected, fresh, audited = st.tabs(
        ["Upload", "Load history", "Rejected rows", "Freshness", "Audit log"]
    )
    with upload:
        ui.guard(upload_tab)
    with history:
        ui.guard(history_tab)
    with rejected:
        ui.guard(rejected_tab)
    with fresh:
        ui.guard(freshness_tab)
    with audited:
        ui.guard(audit_tab)


ui.guard(render)
