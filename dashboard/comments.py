"""Customers' own words: survey comments of a scope and period, by rating, searchable."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, links, signin, ui

RATINGS = {
    "all": "All ratings",
    "low": "Unhappy (CSAT 1-2)",
    "mid": "Neutral (CSAT 3)",
    "high": "Happy (CSAT 4-5)",
}


def _by_rating(frame: pd.DataFrame, rating: str) -> pd.DataFrame:
    csat = frame["csat"]
    if rating == "low":
        return frame[csat <= 2]
    if rating == "mid":
        return frame[csat == 3]
    if rating == "high":
        return frame[csat >= 4]
    return frame


def comments_section(scope: str, scope_id: str, start: date, end: date, label: str) -> None:
    """The comments table with its rating filter and search box."""
    viewer = signin.current()
    comments = data.survey_comments(viewer, scope, scope_id, start, end)
    if comments.empty:
        st.info(f"No survey comments in {label}.")
        return
    left, right = st.columns([1, 2])
    with left:
        rating = links.url_selectbox(
            "Rating", list(RATINGS), "rating", "all", format_func=RATINGS.__getitem__
        )
    with right:
        search = st.text_input("Search the comments", key="comment_search", placeholder="e.g. slow")
    shown = _by_rating(comments, rating)
    if search.strip():
        shown = shown[shown["comment"].str.contains(search.strip(), case=False, regex=False)]
    st.caption(f"{len(shown):,} of {len(comments):,} comments in {label}, newest first.")
    table = pd.DataFrame(
        {
            "Submitted": shown["submitted_at"],
            "CSAT": shown["csat"].astype("Int64"),
            "NPS": shown["nps"].astype("Int64"),
            "Channel": shown["channel"].fillna(ui.MISSING),
            "Team": shown["team"],
            "Comment": shown["comment"],
        }
    )
    if scope == "team":
        table = table.drop(columns=["Team"])
    # A table cell is plain text: a comment is shown as written, never as Markdown.
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 420),
        column_config={
            "Submitted": st.column_config.DatetimeColumn("Submitted", format="YYYY-MM-DD HH:mm"),
            "CSAT": st.column_config.NumberColumn("CSAT", help="1-5", width=60),
            "NPS": st.column_config.NumberColumn("NPS", help="0-10", width=60),
            "Comment": st.column_config.TextColumn("Comment", width="large"),
        },
    )
