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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.registry import INDICATORS

PRIVATE_INDICATORS: frozenset[str] = frozenset(i.id for i in INDICATORS if i.privacy)
MIN_K = 3
# Why a figure is suppressed (the spec: "no value is shown or exported, only the reason").
FEWER_THAN_K = "fewer_than_k"  # 1..k-1 respondents of its own
PROTECTS_ANOTHER = "protects_another"  # k or more, hidden so a smaller sibling stays hidden


def check_k(k: int) -> int:
    """k itself, or ValueError: the spec never allows fewer than 3 respondents."""
    if int(k) < MIN_K:
        raise ValueError(f"privacy k = {k} is below the minimum of {MIN_K} respondents")
    return int(k)


@dataclass(frozen=True)
class _Group:
    """One wellbeing figure of one scope in one period (a row of the frame)."""

    row: int
    scope: str
    scope_id: str
    parent: str | None
    respondents: int


def _complete_family(siblings: list[_Group], hidden: set[int], k: int) -> None:
    """Complementary suppression among siblings, adding to `hidden` (row numbers)."""
    # A sibling with no respondents holds nothing (its value is missing anyway): never chosen.
    candidates = sorted(
        (g for g in siblings if g.respondents > 0), key=lambda g: (g.respondents, g.scope_id)
    )
    held = sum(g.respondents for g in candidates if g.row in hidden)
    for group in candidates:
        if not 0 < held < k:
            break
        if group.row not in hidden:
            hidden.add(group.row)
            held += group.respondents


def _hidden_rows(groups: list[_Group], k: int) -> set[int]:
    """Rows to suppress among the scopes of one (period, indicator)."""
    hidden = {g.row for g in groups if 1 <= g.respondents < k}
    teams = [g for g in groups if g.scope == "team"]
    depts = [g for g in groups if g.scope == "department"]
    _complete_family(depts + [t for t in teams if t.parent == ""], hidden, k)
    by_department: dict[str, list[_Group]] = {}
    for team in teams:
        if team.parent:
            by_department.setdefault(team.parent, []).append(team)
    for family in by_department.values():
        _complete_family(family, hidden, k)
    # A department hidden only as a complement must not be rebuilt as the sum of its teams.
    for dept in depts:
        children = [t for t in by_department.get(dept.scope_id, []) if t.respondents > 0]
        if dept.row in hidden and children and not any(t.row in hidden for t in children):
            hidden.add(min(children, key=lambda g: (g.respondents, g.scope_id)).row)
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
    columns = ["period_start", "indicator", "scope", "scope_id", "parent", "respondents"]
    rows = out[out["indicator"].isin(PRIVATE_INDICATORS)][columns]
    # Plain Python lists: iterating pandas' arrow-backed columns row by row is ~10x slower.
    respondents = rows["respondents"].astype("Float64").fillna(0).astype("int64").tolist()
    families: dict[tuple[object, str], list[_Group]] = {}
    for row, period, indicator, scope, scope_id, parent, count in zip(
        rows.index.tolist(),
        *(rows[column].tolist() for column in columns[:-1]),
        respondents,
        strict=True,
    ):
        families.setdefault((period, indicator), []).append(
            _Group(row=row, scope=scope, scope_id=scope_id, parent=parent, respondents=count)
        )
    hidden: set[int] = set()
    for groups in families.values():
        hidden |= _hidden_rows(groups, k)
    mask = out.index.isin(list(hidden))
    out.loc[mask, "suppressed"] = True
    out.loc[mask, "value"] = np.nan
    out.loc[mask, "n"] = pd.NA
    # With no respondents there is nothing to hide: the value is missing already (n = 0),
    # except participation, which is 0 % for a silent team with a headcount.
    return out
