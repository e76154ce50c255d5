"""Service Scorecard dashboard: the entry script (`streamlit run dashboard/app.py`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, signin, ui  # noqa: E402
from dashboard.access import Viewer  # noqa: E402
from database.db import DEFAULT_DB, Database  # noqa: E402

st.set_page_config(
    page_title="Service Scorecard",
    page_icon=":material/insights:",
    layout="wide",
    initial_sidebar_state="expanded",
)


def pages(viewer: Viewer) -> dict[str, list[st.Page]]:
    """The pages this viewer's role opens (a page left out cannot be reached by its URL)."""
    scorecard = [
        st.Page(
            "views/overview.py",
            title="Overview",
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
        st.Page("views/team.py", title="Team", icon=":material/groups:", url_path="team"),
        st.Page(
            "views/wellbeing.py",
            title="Wellbeing",
            icon=":material/favorite:",
            url_path="wellbeing",
        ),
    ]
    reference = []
    if viewer.can_load:
        reference.append(
            st.Page(
                "views/load_data.py", title="Data", icon=":material/upload_file:", url_path="data"
            )
        )
    reference.append(
        st.Page(
            "views/glossary.py", title="Glossary", icon=":material/menu_book:", url_path="glossary"
        )
    )
    if viewer.reads_settings:
        reference.append(
            st.Page(
                "views/settings.py", title="Settings", icon=":material/tune:", url_path="settings"
            )
        )
    if viewer.can_manage_access:
        reference.append(
            st.Page("views/access.py", title="Access", icon=":material/key:", url_path="access")
        )
    return {"Scorecard": scorecard, "Data and reference": reference}


# The boundary: `scorecard serve` says which database through SCORECARD_DB; read it here,
# once per run, and hand the Database down.
data.use(Database(os.environ.get("SCORECARD_DB") or DEFAULT_DB))
viewer = signin.gate()  # stops here with the sign-in page for someone not signed in
page = st.navigation(pages(viewer))
signin.banner(viewer)


def _footer() -> None:
    # The file name only: the server's directories are none of the browser's business.
    st.sidebar.caption(f"Database: {ui.text(data.database().name)}")
    if not data.database().exists():
        st.sidebar.caption("No database file yet.")


page.run()
ui.guard(_footer)
