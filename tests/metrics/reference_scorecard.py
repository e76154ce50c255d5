"""An independent implementation of spec/metrics.md as changed in 2026-12, export rows included.

Plain Python over the stored rows (read back with SELECT *), written from the spec's text and
docs/metrics.md's readings, never from metrics/: pulses (wellbeing on the month grid, a week
shows the month it starts in, a quarter its latest pulse), participation (0 % for a silent
team with a headcount; teams without a headcount in neither part, nor in its respondents),
k-suppression by respondents with complements, n hidden on suppressed rows, and the
columns-carried rules for tickets. Only the indicator list, directions and default targets
come from the registry (metadata, not computation).
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from database.settings import Settings
from metrics.registry import INDICATORS

Key = tuple[date, str, str, str]  # period_start, scope, scope_id, indicator
Figure = tuple[float, int | None, str]  # value (NaN when missing), n (None: hidden), status
FAVOURABLE = ("wellbeing", "workload", "recognition", "manager_support", "enablement")
RATED = ("speed", "accuracy", "clarity", "transparency", "accessibility", "friendliness")
RATED += ("efficiency",)
WELLBEING = (
    "wellbeing.enps",
    "wellbeing.favourable_pct",
    "wellbeing.burnout_risk_pct",
    "wellbeing.who5_index",
    "wellbeing.participation_pct",
)
NAN = math.nan


def rows(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """Every row of a table as a dict of Python values (None for NULL)."""
    frame = con.execute(f"SELECT * FROM {table}").df()
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in out:
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.to_pydatetime()
    return out


def period_start(ts: datetime | date, unit: str) -> date:
    d = ts.date() if isinstance(ts, datetime) else ts
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def share(hits: int, total: int) -> float:
    return 100 * hits / total if total else NAN


def net(values: list[int]) -> float:
    hi, lo = sum(v >= 9 for v in values), sum(v <= 6 for v in values)
    return 100 * (hi - lo) / len(values) if values else NAN


def median(values: list[float]) -> float:
    return statistics.median(values) if values else NAN


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else NAN


def minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


def hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600  # spec: seconds / 3600 (not minutes / 60)


def status(indicator: str, value: float, settings: Settings) -> str:
    """green / amber / red / grey (spec "Targets, status and scores"; tolerance inclusive)."""
    if math.isnan(value):
        return "grey"
    ind = next(i for i in INDICATORS if i.id == indicator)
    target = float(settings.targets.get(indicator, ind.target))
    tol = abs(target) * settings.status.amber_tolerance_pct / 100
    if ind.better == "higher":
        return "green" if value >= target else "amber" if value >= target - tol else "red"
    return "green" if value <= target else "amber" if value <= target + tol else "red"


def on_boundary(indicator: str, value: float, settings: Settings) -> bool:
    """True when a value sits exactly on its target or the amber tolerance edge."""
    ind = next(i for i in INDICATORS if i.id == indicator)
    target = float(settings.targets.get(indicator, ind.target))
    tol = abs(target) * settings.status.amber_tolerance_pct / 100
    return value in (target, target - tol, target + tol)


class Data:
    """The stored rows, with each ticket's carried columns resolved."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
        self.settings = settings
        teams = rows(con, "teams")
        self.department = {t["team"]: t["department"] for t in teams}
        self.headcount = {t["team"]: t["headcount"] for t in teams}
        carried = {load["load_id"]: load["carried"] for load in rows(con, "loads")}
        self.tickets = rows(con, "tickets")
        for t in self.tickets:
            # A ticket with no load (or a load from before columns were recorded) carried all.
            have = carried.get(t["load_id"])
            t["_carried"] = None if have is None else set(have)
        self.surveys = rows(con, "survey_responses")
        self.polls = rows(con, "poll_responses")
        stamps = [
            ts
            for t in self.tickets
            for ts in (t["created_at"], t["first_response_at"], t["resolved_at"])
            if ts is not None
        ]
        self.as_of = max(stamps) if stamps else None
        self.opened: dict[Any, list[datetime]] = defaultdict(list)
        for t in self.tickets:
            if t["customer_hash"] is not None:
                self.opened[t["customer_hash"]].append(t["created_at"])
        for times in self.opened.values():
            times.sort()
        self.pulses = sorted({period_start(p["submitted_at"], "month") for p in self.polls})

    def carried(self, ticket: dict[str, Any], column: str) -> bool:
        return ticket["_carried"] is None or column in ticket["_carried"]

    def scopes(self, team: str) -> list[tuple[str, str]]:
        """The scopes a team's items count in: the organisation, its department, itself."""
        dept = self.department.get(team)
        return [("org", ""), *([("department", dept)] if dept else []), ("team", team)]


def ticket_values(data: Data, tickets: list[dict[str, Any]]) -> dict[str, tuple[float, int]]:
    """The ticket indicators of one group (spec table, with "columns an export never had")."""
    org = data.settings.organisation
    sla = data.settings.sla_first_response_minutes.model_dump()
    start, end = org.start(), org.end()

    def target(t: dict[str, Any]) -> float:
        priority = str(t["priority"]).lower()
        return sla[priority if priority in ("urgent", "high", "low") else "normal"]

    answered = [t for t in tickets if t["first_response_at"] is not None]
    resolved = [t for t in tickets if t["resolved_at"] is not None]
    sla_known = [t for t in tickets if data.carried(t, "first_response_at")]
    met = [
        t
        for t in sla_known
        if t["first_response_at"] is not None
        and minutes(t["created_at"], t["first_response_at"]) <= target(t)
    ]
    reopens = [t["reopens"] for t in resolved if t["reopens"] is not None]
    due = [
        t
        for t in tickets
        if data.carried(t, "resolved_at")
        and t["due_at"] is not None
        and data.as_of is not None
        and t["due_at"] <= data.as_of
    ]
    kept = [t for t in due if t["resolved_at"] is not None and t["resolved_at"] <= t["due_at"]]

    def after_hours(ts: datetime) -> bool:
        return ts.weekday() >= 5 or ts.time() < start or ts.time() >= end

    ah = [
        minutes(t["created_at"], t["first_response_at"])
        for t in answered
        if after_hours(t["created_at"])
    ]
    agent = [t["agent_replies"] for t in resolved if t["agent_replies"] is not None]
    customer = [t["customer_replies"] for t in resolved if t["customer_replies"] is not None]
    handle = [t["handle_minutes"] for t in resolved if t["handle_minutes"] is not None]
    with_customer = [t for t in resolved if t["customer_hash"] is not None]

    def repeat(t: dict[str, Any]) -> bool:
        times = data.opened[t["customer_hash"]]
        first = bisect.bisect_right(times, t["resolved_at"])
        return first < len(times) and times[first] <= t["resolved_at"] + timedelta(days=7)

    repeats = sum(repeat(t) for t in with_customer)
    return {
        "speed.first_response_median_min": (
            median([minutes(t["created_at"], t["first_response_at"]) for t in answered]),
            len(answered),
        ),
        "speed.first_response_sla_pct": (share(len(met), len(sla_known)), len(sla_known)),
        "speed.resolution_median_hours": (
            median([hours(t["created_at"], t["resolved_at"]) for t in resolved]),
            len(resolved),
        ),
        "accuracy.reopen_rate_pct": (
            share(sum(r > 0 for r in reopens), len(reopens)),
            len(reopens),
        ),
        "accuracy.one_touch_pct": (share(sum(a <= 1 for a in agent), len(agent)), len(agent)),
        "clarity.clarification_loop_pct": (
            share(sum(c > 2 for c in customer), len(customer)),
            len(customer),
        ),
        "transparency.promise_kept_pct": (share(len(kept), len(due)), len(due)),
        "accessibility.after_hours_first_response_median_min": (median(ah), len(ah)),
        "efficiency.handle_median_min": (median(handle), len(handle)),
        "efficiency.agent_replies_mean": (mean(agent), len(agent)),
        "efficiency.repeat_contact_pct": (share(repeats, len(with_customer)), len(with_customer)),
    }


def survey_values(surveys: list[dict[str, Any]]) -> dict[str, tuple[float, int]]:
    def known(column: str) -> list[int]:
        return [s[column] for s in surveys if s[column] is not None]

    out = {}
    for area in RATED:
        answers = known(f"rating_{area}")
        out[f"{area}.perceived_pct"] = (
            share(sum(a >= 4 for a in answers), len(answers)),
            len(answers),
        )
    ces, csat, nps = known("ces"), known("csat"), known("nps")
    out["accessibility.easy_effort_pct"] = (share(sum(a >= 5 for a in ces), len(ces)), len(ces))
    out["loyalty.csat_pct"] = (share(sum(a >= 4 for a in csat), len(csat)), len(csat))
    out["loyalty.nps"] = (net(nps), len(nps))
    return out


def poll_values(
    data: Data, polls: list[dict[str, Any]], headcount: int
) -> dict[str, tuple[float, int, int]]:
    """(value, n, respondents) of each wellbeing indicator of one group in one pulse."""
    enps = [p["enps"] for p in polls if p["enps"] is not None]
    burnout = [p["burnout"] for p in polls if p["burnout"] is not None]
    answers = [p[i] for p in polls for i in FAVOURABLE if p[i] is not None]
    fav_people = sum(any(p[i] is not None for i in FAVOURABLE) for p in polls)
    who5 = [
        4 * sum(p[f"who5_{i}"] for i in range(1, 6))
        for p in polls
        if all(p[f"who5_{i}"] is not None for i in range(1, 6))
    ]
    counted = sum(data.headcount.get(p["team"]) is not None for p in polls)
    return {
        "wellbeing.enps": (net(enps), len(enps), len(enps)),
        "wellbeing.favourable_pct": (
            share(sum(a >= 4 for a in answers), len(answers)),
            len(answers),
            fav_people,
        ),
        "wellbeing.burnout_risk_pct": (
            share(sum(b >= 4 for b in burnout), len(burnout)),
            len(burnout),
            len(burnout),
        ),
        "wellbeing.who5_index": (mean(who5), len(who5), len(who5)),
        "wellbeing.participation_pct": (share(counted, headcount), headcount, counted),
    }


def hidden_scopes(respondents: dict[tuple[str, str], int], data: Data, k: int) -> set:
    """Scopes suppressed for one indicator in one pulse (primary, complements, and a
    department hidden as a complement hides its smallest visible team)."""
    hidden = {s for s, r in respondents.items() if 0 < r < k}

    def complete(siblings: list[tuple[str, str]]) -> None:
        order = sorted(
            (s for s in siblings if respondents.get(s, 0) > 0), key=lambda s: (respondents[s], s[1])
        )
        for scope in order:
            held = sum(respondents[s] for s in order if s in hidden)
            if not 0 < held < k:
                return
            hidden.add(scope)

    teams = [s for s in respondents if s[0] == "team"]
    depts = [s for s in respondents if s[0] == "department"]
    complete(depts + [t for t in teams if not data.department.get(t[1])])
    children = {d: [t for t in teams if data.department.get(t[1]) == d[1]] for d in depts}
    for family in children.values():
        complete(family)
    for dept, family in children.items():
        live = [t for t in family if respondents.get(t, 0) > 0]
        if dept in hidden and live and not any(t in hidden for t in live):
            hidden.add(min(live, key=lambda s: (respondents[s], s[1])))
    return hidden


def pulse_grid(data: Data, private: bool = True) -> dict[tuple[date, str, str, str], Figure]:
    """Every wellbeing figure per pulse and scope, privacy applied (unless private=False:
    the truth an attacker is after)."""
    k = data.settings.privacy.k
    by_month: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for p in data.polls:
        by_month[period_start(p["submitted_at"], "month")].append(p)
    teams = set(data.department) | {p["team"] for p in data.polls}
    scopes = {s for team in teams for s in data.scopes(team)}
    out: dict[tuple[date, str, str, str], Figure] = {}
    for month in data.pulses:
        values = {}
        for scope in scopes:
            members = [t for t in teams if scope in data.scopes(t)]
            polls = [p for p in by_month[month] if p["team"] in members]
            heads = sum(data.headcount.get(t) or 0 for t in members)
            values[scope] = poll_values(data, polls, heads)
        for indicator in WELLBEING:
            respondents = {s: v[indicator][2] for s, v in values.items()}
            hidden = hidden_scopes(respondents, data, k) if private else set()
            for scope, v in values.items():
                value, n, _ = v[indicator]
                figure: Figure = (
                    (NAN, None, "suppressed")
                    if scope in hidden
                    else (value, n, status(indicator, value, data.settings))
                )
                out[(month, *scope, indicator)] = figure
    return out


def shown_pulse(data: Data, unit: str, start: date) -> date | None:
    if unit == "quarter":
        inside = [m for m in data.pulses if period_start(m, "quarter") == start]
        return max(inside) if inside else None
    month = start.replace(day=1)
    return month if month in data.pulses else None


def reference_export(
    con: duckdb.DuckDBPyConnection, unit: str, settings: Settings, private: bool = True
) -> dict:
    """{(period_start, scope, scope_id, indicator): (value, n, status)} for every export row
    (private=False: wellbeing without suppression, the truth behind hidden rows)."""
    data = Data(con, settings)
    items: dict[tuple[date, str, str], dict[str, list]] = defaultdict(
        lambda: {"tickets": [], "surveys": [], "polls": []}
    )
    for kind, table, column in (
        ("tickets", data.tickets, "created_at"),
        ("surveys", data.surveys, "submitted_at"),
        ("polls", data.polls, "submitted_at"),
    ):
        for row in table:
            start = period_start(row[column], unit)
            for scope in data.scopes(row["team"]):
                items[(start, *scope)][kind].append(row)
    pulses = pulse_grid(data, private)
    out = {}
    for (start, scope, scope_id), group in items.items():
        values: dict[str, tuple[float, int | None, str]] = {}
        for indicator, (value, n) in {
            **ticket_values(data, group["tickets"]),
            **survey_values(group["surveys"]),
        }.items():
            values[indicator] = (value, n, status(indicator, value, settings))
        month = shown_pulse(data, unit, start)
        for indicator in WELLBEING:
            missing: Figure = (NAN, 0, "grey")
            values[indicator] = (
                missing
                if month is None
                else pulses.get((month, scope, scope_id, indicator), missing)
            )
        for indicator, figure in values.items():
            out[(start, scope, scope_id, indicator)] = figure
    return out
