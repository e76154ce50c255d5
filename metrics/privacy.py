"""Privacy of employee answers: k-threshold by respondents and complementary suppression.

Rules (docs/metrics.md, "Privacy"): a wellbeing figure with 1..k-1 respondents is suppressed.
Within one parent and period, if the suppressed children together hold 1..k-1 respondents, the
visible child with the fewest respondents (ties: name) is suppressed too, until the suppressed
ones hold at least k or all are. Parents: each department (children: its teams) and the
organisation (children: the departments and the teams that have no department). A department
hidden only to protect a sibling would still be recoverable as the sum of its teams, so one of
its teams is then hidden too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.registry import INDICATORS

PRIVATE_INDICATORS: frozenset[str] = frozenset(i.id for i in INDICATORS if i.privacy)
MIN_K = 3


def check_k(k: int) -> int:
    """k itself, or ValueError: the spec never allows fewer than 3 respondents."""
    if int(k) < MIN_K:
        raise ValueError(f"privacy k = {k} is below the minimum of {MIN_K} respondents")
    return int(k)


def _complete_family(members: pd.DataFrame, hidden: set[int], k: int) -> None:
    """Complementary suppression among siblings (rows of `members`), updating `hidden`."""
    candidates = members[members["respondents"] > 0].sort_values(
        ["respondents", "scope_id", "scope"], kind="stable"
    )
    held = int(candidates.loc[candidates.index.isin(list(hidden)), "respondents"].sum())
    for idx, row in candidates.iterrows():
        if not 0 < held < k:
            break
        if idx in hidden:
            continue
        hidden.add(int(idx))  # type: ignore[arg-type]
        held += int(row["respondents"])


def _hidden_rows(group: pd.DataFrame, k: int) -> set[int]:
    """Row labels to suppress within one (period, indicator) of wellbeing rows."""
    r = group["respondents"].fillna(0)
    hidden = set(group.index[(r >= 1) & (r < k)].tolist())
    teams = group[group["scope"] == "team"]
    depts = group[group["scope"] == "department"]
    org_children = pd.concat([depts, teams[teams["parent"] == ""]])
    _complete_family(org_children, hidden, k)
    for _, family in teams[teams["parent"] != ""].groupby("parent"):
        _complete_family(family, hidden, k)
    for idx, dept in depts.iterrows():
        if idx not in hidden:
            continue
        children = teams[(teams["parent"] == dept["scope_id"]) & (teams["respondents"] > 0)]
        if len(children) and not children.index.isin(list(hidden)).any():
            smallest = children.sort_values(["respondents", "scope_id"], kind="stable").index[0]
            hidden.add(int(smallest))
    return hidden


def protect(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """The frame with every wellbeing figure below k (or recoverable) blanked and flagged.

    Input: long form with period_start, scope ('org'|'department'|'team'), scope_id, parent
    ('' for org-level children, the department for its teams), indicator, value, n,
    respondents. Output: the same plus `suppressed` (bool); on suppressed rows value and n
    are missing. Rows of other indicators pass unchanged. Use this for any wellbeing cut.
    """
    k = check_k(k)
    out = frame.reset_index(drop=True)
    out["suppressed"] = False
    private = out[out["indicator"].isin(PRIVATE_INDICATORS)]
    hidden: set[int] = set()
    for _, group in private.groupby(["period_start", "indicator"], sort=False):
        hidden |= _hidden_rows(group, k)
    mask = out.index.isin(list(hidden))
    out.loc[mask, "suppressed"] = True
    out.loc[mask, "value"] = np.nan
    out.loc[mask, "n"] = pd.NA
    # With no respondents there is nothing to hide, and nothing to show: value missing, n = 0.
    empty = out["indicator"].isin(PRIVATE_INDICATORS) & (out["respondents"].fillna(0) == 0)
    out.loc[empty, "value"] = np.nan
    out.loc[empty, "n"] = 0
    return out
