"""Glossary: every indicator's definition, formula, target and direction, from the registry."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, signin, ui
from database.csvsafe import frame_csv
from metrics.registry import AREA_INFO, AREAS, INDICATORS

viewer = signin.current()  # every read below is filtered for this person

HOW_SCORES_WORK = """
- **Status** compares a value with its target: ✅ *on target* when met, ⚠️ *close to target*
  when missed by no more than {tol:g} % of the target, ❌ *off target* otherwise, ➖ *no data*
  when there is nothing to compute over, 🔒 *suppressed* when fewer than {k} employees answered
  (or, for a larger group, when showing it would let a smaller hidden group be worked out from
  the totals).
- **Attainment** = value / target (higher is better) or target / value (lower is better),
  capped at 100 %. An **area score** is the mean attainment of its indicators that have a value;
  the **service-culture index** is the mean of the nine area scores.
- **Change** is against the previous period of the same team, department or organisation, in
  the indicator's own unit (percentage points for percentages).
- **Delivered** indicators come from tickets (what the operation did); **perceived** ones from
  customer surveys and employee polls (what people said). The gap between the two is the
  *service gap* on the Overview.
"""


def glossary_frame() -> pd.DataFrame:
    """One row per indicator with what the glossary shows."""
    targets = data.settings(viewer).targets
    rows = []
    for ind in INDICATORS:
        target = targets.get(ind.id, ind.target)
        rows.append(
            {
                "area": AREA_INFO[ind.area].label,
                "id": ind.id,
                "label": ind.label,
                "kind": ind.kind,
                "unit": ind.unit_label.strip() or "score",
                "better": ind.better,
                "target": target,
                "default_target": ind.target,
                "definition": ind.description,
                "formula": ind.formula,
            }
        )
    return pd.DataFrame(rows)


def render() -> None:
    """The page body."""
    st.title("Glossary")
    settings = data.settings(viewer)
    st.markdown(
        HOW_SCORES_WORK.format(tol=settings.status.amber_tolerance_pct, k=settings.privacy.k)
    )
    frame = glossary_frame()
    search = st.text_input("Search indicators", key="glossary_search", placeholder="e.g. reopen")
    if search:
        needle = search.strip().lower()
        hay = (frame["label"] + " " + frame["id"] + " " + frame["definition"]).str.lower()
        frame = frame[hay.str.contains(needle, regex=False)]
        if frame.empty:
            st.info(f"No indicator matches “{ui.text(search)}”.")
    for area in AREAS:
        label = AREA_INFO[area].label
        items = frame[frame["area"] == label]
        if items.empty:
            continue
        st.subheader(label)
        description = AREA_INFO[area].description
        if description:
            st.caption(description)
        for row in items.itertuples(index=False):
            arrow = "lower is better ↓" if row.better == "lower" else "higher is better ↑"
            unit = row.unit if row.unit != "/100" else "index 0-100"
            target = ui.fmt_value(row.target, row.unit)
            note = ""
            if row.target != row.default_target:
                note = f" (default {ui.fmt_value(row.default_target, row.unit)})"
            st.markdown(
                f"**{row.label}** · `{row.id}`  \n"
                f"{row.definition}  \n"
                f"*{row.kind.capitalize()}* · unit: {unit} · {arrow} · "
                f"target: **{'≤' if row.better == 'lower' else '≥'} {target}**{note}"
            )
            st.code(row.formula, language=None, wrap_lines=True)
    st.download_button(
        "Download the glossary (CSV)",
        frame_csv(glossary_frame()).encode("utf-8"),
        file_name="scorecard-glossary.csv",
        mime="text/csv",
        key="download_glossary",
    )


ui.guard(render)
