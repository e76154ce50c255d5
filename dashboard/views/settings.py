"""Settings: targets and rules an analyst can change without code, validated and saved."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, signin, ui
from database import audit
from database.settings import (
    SettingsError,
    default_settings_data,
)
from metrics.registry import AREA_INFO, INDICATORS, by_id, registry_problems

viewer = signin.current()  # every read below is filtered for this person


def current_overrides() -> dict[str, Any]:
    """What the analyst's settings file holds now (empty when there is none)."""
    path = data.database().settings_path
    if not path.exists():
        return {}
    with Path(path).open("rb") as fh:
        return tomllib.load(fh)


def target_problems(targets: dict[str, float]) -> list[str]:
    """Problems with a set of targets, as the metrics registry judges them (and percentages)."""
    problems = []
    for key, value in targets.items():
        ind = by_id(key)
        if not value > 0:
            problems.append(f"{ind.label}: the target must be above 0")
        elif ind.unit_label.strip() == "%" and value > 100:
            problems.append(f"{ind.label}: a percentage target cannot be above 100")
    checked = registry_problems(INDICATORS, targets)
    return problems + [p for p in checked if "target" in p and "must be above 0" not in p]


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What a save changes, for the audit log: 'privacy.k 5 -> 3' (default: the shipped one)."""
    defaults = _flat(default_settings_data()) | {f"targets.{i.id}": i.target for i in INDICATORS}
    old, new = _flat(before), _flat(after)
    said = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            was = old.get(key, defaults.get(key, "default"))
            now = new.get(key, defaults.get(key, "default"))
            said.append(f"{key} {was} -> {now}")
    return "; ".join(said) or "no change"


def _save(overrides: dict[str, Any], what: str, action: str = audit.SETTINGS) -> None:
    if not viewer.can_configure:  # the form is not drawn for them; a stale one is refused
        signin.refused(viewer.who, f"settings change: {what}")
        st.error("Only analysts and administrators change targets and rules.", icon="🚫")
        return
    current = current_overrides()
    try:
        data.database().save_settings(overrides)
    except SettingsError as exc:
        st.error(f"Not saved: {ui.text(exc)}", icon="🚫")
        return
    # Rules that change values (time zone, business hours, SLA, k) recompute the stored
    # scorecard here, with progress; targets and tolerance only change status, at once.
    bar = st.progress(0.0, text="Checking whether the scorecard needs recomputing…")

    def step(done: int, total: int, label: str) -> None:
        text = f"Recomputing the scorecard with the new rules: by {label.lower()}…"
        bar.progress(done / total, text=text if label else "Scorecard recomputed.")

    recomputed = data.update_scorecard(viewer, step)
    bar.empty()
    # After the recompute: the audit's own write would otherwise recompute without progress.
    audit.record(data.database(), viewer.who, action, f"{what}: {changes(current, overrides)}")
    done = " Every figure was recomputed with them." if recomputed else ""
    st.session_state["_settings_saved"] = f"{what} saved.{done}"
    st.rerun()


def targets_section(overrides: dict[str, Any]) -> None:
    """The table of targets and the form to change one."""
    settings = data.settings(viewer)
    rows = []
    for ind in INDICATORS:
        current = settings.targets.get(ind.id, ind.target)
        rows.append(
            {
                "Area": AREA_INFO[ind.area].label,
                "Indicator": ind.label,
                "id": ind.id,
                "Better": ind.better,
                "Unit": ind.unit_label.strip() or "score",
                "Default target": ind.target,
                "Target": current,
                "Changed": "✏️ yes" if ind.id in overrides.get("targets", {}) else "",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=420)
    if not viewer.can_configure:
        return

    ids = [i.id for i in INDICATORS]
    with st.form("target_form", border=True):
        st.markdown("**Change a target**")
        chosen = st.selectbox(
            "Indicator",
            ids,
            key="target_indicator",
            format_func=lambda i: f"{by_id(i).label} ({i})",
        )
        value = st.number_input(
            "New target (in the indicator's unit)",
            value=None,
            step=1.0,
            key="target_value",
            placeholder="e.g. 90",
        )
        c1, c2 = st.columns(2)
        save = c1.form_submit_button("Save target", type="primary")
        reset = c2.form_submit_button("Reset to default")
    if save:
        if value is None:
            st.error("Type a new target first.", icon="🚫")
            return
        new = copy.deepcopy(overrides)
        new.setdefault("targets", {})[chosen] = float(value)
        problems = target_problems({**settings.targets, chosen: float(value)})
        if problems:
            st.error("Not saved: " + "; ".join(problems), icon="🚫")
            return
        _save(new, f"Target of {by_id(chosen).label} ({ui.fmt_value(value)})", audit.TARGET)
    if reset:
        new = copy.deepcopy(overrides)
        new.get("targets", {}).pop(chosen, None)
        if not new.get("targets"):
            new.pop("targets", None)
        _save(new, f"Default target of {by_id(chosen).label}", audit.TARGET)


def rules_section(overrides: dict[str, Any]) -> None:
    """Privacy k, amber tolerance, SLA targets, business hours and time zone."""
    s = data.settings(viewer)
    if not viewer.can_configure:
        _rules_table(s)
        return
    with st.form("rules_form", border=True):
        c1, c2 = st.columns(2)
        k = c1.number_input(
            "Privacy: smallest group shown (k respondents)",
            min_value=3,
            value=int(s.privacy.k),
            step=1,
            key="k",
            help="Wellbeing figures of smaller groups are hidden. Never below 3.",
        )
        tolerance = c2.number_input(
            "Amber tolerance (% of the target)",
            min_value=0.0,
            max_value=100.0,
            value=float(s.status.amber_tolerance_pct),
            step=1.0,
            key="tolerance",
        )
        st.markdown("**First-response targets by priority (minutes)**")
        cols = st.columns(4)
        sla = {}
        for col, priority in zip(cols, ("urgent", "high", "normal", "low"), strict=True):
            sla[priority] = col.number_input(
                priority.capitalize(),
                min_value=1.0,
                value=float(getattr(s.sla_first_response_minutes, priority)),
                step=15.0,
                key=f"sla_{priority}",
            )
        st.markdown("**Organisation**")
        c1, c2, c3 = st.columns(3)
        tz = c1.text_input("Time zone (IANA name)", value=s.organisation.timezone, key="tz")
        start = c2.text_input(
            "Business hours start (HH:MM)",
            value=s.organisation.business_hours_start,
            key="bh_start",
        )
        end = c3.text_input(
            "Business hours end (HH:MM)", value=s.organisation.business_hours_end, key="bh_end"
        )
        submitted = st.form_submit_button("Save rules", type="primary")
    if submitted:
        chosen: dict[str, dict[str, Any]] = {
            "privacy": {"k": int(k)},
            "status": {"amber_tolerance_pct": float(tolerance)},
            "sla_first_response_minutes": {p: float(v) for p, v in sla.items()},
            "organisation": {
                "timezone": tz.strip(),
                "business_hours_start": start.strip(),
                "business_hours_end": end.strip(),
            },
        }
        _save(_only_changes(overrides, chosen), "Rules")


def _rules_table(s: Any) -> None:
    """The rules in force, to read (for people who do not change them)."""
    sla = s.sla_first_response_minutes
    rows = [
        ("Privacy: smallest group shown (k respondents)", str(s.privacy.k)),
        ("Amber tolerance (% of the target)", f"{s.status.amber_tolerance_pct:g}"),
        *(
            (f"First-response target, {p} (minutes)", f"{getattr(sla, p):g}")
            for p in ("urgent", "high", "normal", "low")
        ),
        ("Time zone", s.organisation.timezone),
        (
            "Business hours",
            f"{s.organisation.business_hours_start}-{s.organisation.business_hours_end}",
        ),
    ]
    st.dataframe(pd.DataFrame(rows, columns=["Rule", "In force"]), hide_index=True)


def _only_changes(overrides: dict[str, Any], chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Overrides holding only what differs from the shipped defaults (a small, readable file)."""
    defaults = default_settings_data()
    new = copy.deepcopy(overrides)
    for section, values in chosen.items():
        changed = {k: v for k, v in values.items() if defaults.get(section, {}).get(k) != v}
        if changed:
            new[section] = changed
        else:
            new.pop(section, None)
    return new


def render() -> None:
    """The page body."""
    st.title("Settings")
    if viewer.can_configure:
        st.caption(
            "Changes are validated, then kept in this database's settings file (the shipped "
            "defaults stay as they are). Every page uses them at once."
        )
    else:
        st.info(
            f"You can read the targets and rules; as {viewer.role_label} you do not change them "
            "(analysts and administrators do).",
            icon="👁️",
        )
    saved = st.session_state.pop("_settings_saved", None)
    if saved:
        st.success(saved, icon="✅")
    overrides = current_overrides()
    st.subheader("Targets")
    targets_section(overrides)
    st.subheader("Rules")
    rules_section(overrides)


ui.guard(render)
