"""Taking back the last load from the Data page: the database as it was before it."""

from __future__ import annotations

import streamlit as st

from dashboard import data, signin, ui
from database import audit


def undo_section() -> None:
    """Name the last load and offer to undo it (one step: the file kept before that load)."""
    viewer = signin.current()
    undone = st.session_state.pop("_undone", None)
    if undone:
        st.success(undone, icon=":material/undo:")
    last = data.last_load(viewer)
    if last is None or not data.database().can_undo():
        return
    when = f"{last['finished_at']:%d %b %Y %H:%M}" if last["finished_at"] else ""
    with st.container(border=True):
        st.markdown(
            f"**Last load:** #{last['load_id']}, {ui.text(last['file_name'])} "
            f"({last['source']}, {ui.fmt_count(last['rows_loaded'])} rows, {when})."
        )
        confirm = st.checkbox(
            "Yes, take this load back: the data returns to exactly what it was before it",
            key="undo_confirm",
        )
        if st.button(
            "Undo the last load",
            key="undo_last_load",
            icon=":material/undo:",
            disabled=not confirm,
        ):
            detail = f"load #{last['load_id']} ({last['source']}, {last['file_name']})"
            audit.undo_last_load(data.database(), viewer.who, detail)
            st.session_state.pop("undo_confirm", None)
            st.session_state.pop("_last_report", None)  # its report no longer holds
            st.session_state["_undone"] = (
                f"Load #{last['load_id']} ({ui.text(last['file_name'])}) was taken back."
            )
            st.rerun()
