"""Every indicator against a plain-Python reference written from the spec, on random data.

The reference reads the rows back from the database and computes each definition of
spec/metrics.md literally, one group at a time (the opposite of the production SQL's single
set-based pass), for every period unit. Values and n must agree for every period and scope.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd
import pytest

from database.settings import Settings
from metrics.compute import raw_values
from metrics.registry import INDICATORS
from tests.metrics.helpers import add_polls, add_surveys, add_teams, add_tickets

TEAMS = (("A", "D", 6), ("B", "D", None), ("C", "E", 9), ("S", None, 4))
START = datetime(2026, 1, 1)


def _maybe(rng: random.Random, value: Any, p: float = 0.15) -> Any:
    return None if rng.random() < p else value


def _fill(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    rng = random.Random(seed)
    add_teams(con, *TEAMS)
    teams = ["A", "B", "C", "S", "X"]  # X is in no teams row
    tickets = []
    for _ in range(300):
        created = START + timedelta(seconds=rng.randrange(0, 100 * 86400))
        answered = _maybe(rng, created + timedelta(seconds=rng.randrange(0, 40 * 3600)), 0.1)
        resolved = _maybe(rng, created + timedelta(seconds=rng.randrange(0, 12 * 86400)), 0.2)
        tickets.append(
            {
                "team": rng.choice(teams),
                "created_at": created,
                "priority": rng.choice(["low", "normal", "high", "urgent"]),
                "first_response_at": answered,
                "resolved_at": resolved,
                "due_at": _maybe(
                    rng, created + timedelta(hours=rng.choice([8, 24, 72, 2000])), 0.2
                ),
                "reopens": rng.choice([0, 0, 0, 1, 2]),
                "agent_replies": _maybe(rng, rng.randrange(0, 5)),
                "customer_replies": _maybe(rng, rng.randrange(0, 5)),
                "handle_minutes": _maybe(rng, round(rng.uniform(1, 40), 1)),
                "customer_hash": _maybe(rng, rng.randrange(1, 41)),
            }
        )
    add_tickets(con, *tickets)
    surveys = []
    for _ in range(200):
        row: dict[str, Any] = {
            "team": rng.choice(teams),
            "submitted_at": START + timedelta(seconds=rng.randrange(0, 100 * 86400)),
            "csat": _maybe(rng, rng.randint(1, 5)),
            "nps": _maybe(rng, rng.randint(0, 10)),
            "ces": _maybe(rng, rng.randint(1, 7)),
        }
        for area in ("speed", "accuracy", "clarity", "transparency", "accessibility"):
            row[f"rating_{area}"] = _maybe(rng, rng.randint(1, 5))
        for area in ("friendliness", "efficiency"):
            row[f"rating_{area}"] = _maybe(rng, rng.randint(1, 5))
        surveys.append(row)
    add_surveys(con, *surveys)
    polls = []
    for _ in range(200):
        row = {
            "team": rng.choice(teams),
            # polls only in two of the three months, so pulses differ from months
            "submitted_at": START + timedelta(seconds=rng.randrange(0, 59 * 86400)),
            "enps": _maybe(rng, rng.randint(0, 10)),
        }
        for item in ("wellbeing", "workload", "burnout", "recognition", "manager_support"):
            row[item] = _maybe(rng, rng.randint(1, 5), 0.3)
        row["enablement"] = _maybe(rng, rng.randint(1, 5), 0.3)
        for i in range(1, 6):
            row[f"who5_{i}"] = _maybe(rng, rng.randint(0, 5), 0.1)
        polls.append(row)
    add_polls(con, *polls)


# --- the reference: spec definitions, literally ----------------------------------------------


def period_start(ts: datetime, unit: str) -> date:
    d = ts.date()
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def share(hits: int, total: int) -> float:
    return 100 * hits / total if total else math.nan


def net(values: list[int]) -> float:
    hi = sum(v >= 9 for v in values)
    lo = sum(v <= 6 for v in values)
    return 100 * (hi - lo) / len(values) if values else math.nan


def known(rows: list[dict[str, Any]], col: str) -> list[Any]:
    return [r[col] for r in rows if r[col] is not None]


def minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


def ticket_values(rows: list[dict[str, Any]], all_tickets, settings: Settings) -> dict:
    sla = settings.sla_first_response_minutes.model_dump()
    org = settings.organisation
    as_of = max(
        t
        for r in all_tickets
        for t in (r["created_at"], r["first_response_at"], r["resolved_at"])
        if t
    )
    answered = [r for r in rows if r["first_response_at"]]
    resolved = [r for r in rows if r["resolved_at"]]

    def after_hours(ts: datetime) -> bool:
        return ts.weekday() >= 5 or ts.time() < org.start() or ts.time() >= org.end()

    opened: dict[str, list[datetime]] = {}
    for o in all_tickets:
        if o["customer_hash"]:
            opened.setdefault(o["customer_hash"], []).append(o["created_at"])

    def repeat(r: dict[str, Any]) -> bool:
        end = r["resolved_at"] + timedelta(days=7)
        return any(r["resolved_at"] < c <= end for c in opened[r["customer_hash"]])

    due = [r for r in rows if r["due_at"] and r["due_at"] <= as_of]
    with_customer = [r for r in resolved if r["customer_hash"]]
    ah = [
        minutes(r["created_at"], r["first_response_at"])
        for r in answered
        if after_hours(r["created_at"])
    ]
    met = sum(
        1
        for r in answered
        if minutes(r["created_at"], r["first_response_at"]) <= sla[r["priority"]]
    )
    return {
        "speed.first_response_median_min": (
            median([minutes(r["created_at"], r["first_response_at"]) for r in answered]),
            len(answered),
        ),
        "speed.first_response_sla_pct": (share(met, len(rows)), len(rows)),
        "speed.resolution_median_hours": (
            median([minutes(r["created_at"], r["resolved_at"]) / 60 for r in resolved]),
            len(resolved),
        ),
        "accuracy.reopen_rate_pct": (
            share(sum(r["reopens"] > 0 for r in resolved), len(resolved)),
            len(resolved),
        ),
        "accuracy.one_touch_pct": (
            share(
                sum(v <= 1 for v in known(resolved, "agent_replies")),
                len(known(resolved, "agent_replies")),
            ),
            len(known(resolved, "agent_replies")),
        ),
        "clarity.clarification_loop_pct": (
            share(
                sum(v > 2 for v in known(resolved, "customer_replies")),
                len(known(resolved, "customer_replies")),
            ),
            len(known(resolved, "customer_replies")),
        ),
        "transparency.promise_kept_pct": (
            share(
                sum(bool(r["resolved_at"] and r["resolved_at"] <= r["due_at"]) for r in due),
                len(due),
            ),
            len(due),
        ),
        "accessibility.after_hours_first_response_median_min": (median(ah), len(ah)),
        "efficiency.handle_median_min": (
            median(known(resolved, "handle_minutes")),
            len(known(resolved, "handle_minutes")),
        ),
        "efficiency.agent_replies_mean": (
            statistics.fmean(known(resolved, "agent_replies"))
            if known(resolved, "agent_replies")
            else math.nan,
            len(known(resolved, "agent_replies")),
        ),
        "efficiency.repeat_contact_pct": (
            share(sum(repeat(r) for r in with_customer), len(with_customer)),
            len(with_customer),
        ),
    }


def survey_values(rows: list[dict[str, Any]]) -> dict:
    out = {}
    for area in (
        "speed",
        "accuracy",
        "clarity",
        "transparency",
        "accessibility",
        "friendliness",
        "efficiency",
    ):
        answers = known(rows, f"rating_{area}")
        out[f"{area}.perceived_pct"] = (
            share(sum(a >= 4 for a in answers), len(answers)),
            len(answers),
        )
    ces, csat, nps = known(rows, "ces"), known(rows, "csat"), known(rows, "nps")
    out["accessibility.easy_effort_pct"] = (share(sum(a >= 5 for a in ces), len(ces)), len(ces))
    out["loyalty.csat_pct"] = (share(sum(a >= 4 for a in csat), len(csat)), len(csat))
    out["loyalty.nps"] = (net(nps), len(nps))
    return out


def poll_values(rows, pulse: date | None, headcount: int | None) -> dict:
    """Wellbeing of one group in the pulse (month) a period shows; rows: its polls that month."""
    items = ("wellbeing", "workload", "recognition", "manager_support", "enablement")
    answers = [r[i] for r in rows for i in items if r[i] is not None]
    enps, burnout = known(rows, "enps"), known(rows, "burnout")
    who5 = [
        4 * sum(r[f"who5_{i}"] for i in range(1, 6))
        for r in rows
        if all(r[f"who5_{i}"] is not None for i in range(1, 6))
    ]
    counted = [r for r in rows if TEAM_HEADCOUNT.get(r["team"]) is not None]
    possible = (headcount or 0) if pulse is not None else 0
    return {
        "wellbeing.enps": (net(enps), len(enps)),
        "wellbeing.favourable_pct": (
            share(sum(a >= 4 for a in answers), len(answers)),
            len(answers),
        ),
        "wellbeing.burnout_risk_pct": (
            share(sum(a >= 4 for a in burnout), len(burnout)),
            len(burnout),
        ),
        "wellbeing.who5_index": (statistics.fmean(who5) if who5 else math.nan, len(who5)),
        "wellbeing.participation_pct": (share(len(counted), possible), possible),
    }


def shown_pulse(unit: str, start: date, polls: list[dict[str, Any]]) -> date | None:
    """The month whose polls a period shows (metrics.md, "Pulses")."""
    months = {period_start(p["submitted_at"], "month") for p in polls}
    if unit == "quarter":
        inside = [m for m in months if period_start(datetime(m.year, m.month, 1), unit) == start]
        return max(inside) if inside else None
    month = start.replace(day=1)
    return month if month in months else None


TEAM_HEADCOUNT = {t: h for t, _, h in TEAMS}
TEAM_DEPT = {t: d for t, d, _ in TEAMS}


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    frame = con.execute(f"SELECT * FROM {table}").df()
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for r in records:
        for key, value in r.items():
            if isinstance(value, pd.Timestamp):
                r[key] = value.to_pydatetime()
    return records


def reference(con: duckdb.DuckDBPyConnection, unit: str, settings: Settings) -> dict:
    tickets, surveys, polls = (
        _rows(con, t) for t in ("tickets", "survey_responses", "poll_responses")
    )
    members: dict[tuple[str, str], Callable[[str], bool]] = {("org", ""): lambda team: True}
    for dept in {d for d in TEAM_DEPT.values() if d}:
        members[("department", dept)] = lambda team, d=dept: TEAM_DEPT.get(team) == d
    for team in {r["team"] for r in tickets + surveys + polls}:
        members[("team", team)] = lambda t, team=team: t == team
    starts = {
        period_start(r[c], unit)
        for rows, c in ((tickets, "created_at"), (surveys, "submitted_at"), (polls, "submitted_at"))
        for r in rows
    }
    out = {}
    for start in starts:
        for (scope, scope_id), member in members.items():
            t = [
                r
                for r in tickets
                if member(r["team"]) and period_start(r["created_at"], unit) == start
            ]
            s = [
                r
                for r in surveys
                if member(r["team"]) and period_start(r["submitted_at"], unit) == start
            ]
            active = [
                r
                for r in polls
                if member(r["team"]) and period_start(r["submitted_at"], unit) == start
            ]
            if not (t or s or active):
                continue
            pulse = shown_pulse(unit, start, polls)
            p = [
                r
                for r in polls
                if member(r["team"]) and period_start(r["submitted_at"], "month") == pulse
            ]
            heads = [h for team, h in TEAM_HEADCOUNT.items() if member(team) and h is not None]
            values = {
                **ticket_values(t, tickets, settings),
                **survey_values(s),
                **poll_values(p, pulse, sum(heads) if heads else None),
            }
            for indicator, pair in values.items():
                out[(start, scope, scope_id, indicator)] = pair
    return out


@pytest.mark.parametrize("unit", ["week", "month", "quarter"])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_value_and_n_match_the_reference(con, settings, unit: str, seed: int) -> None:
    _fill(con, seed)
    expected = reference(con, unit, settings)
    raw = raw_values(con, unit, settings)
    got = {
        (p, s, i, ind): (v, n)
        for p, s, i, ind, v, n in zip(
            raw["period_start"],
            raw["scope"],
            raw["scope_id"],
            raw["indicator"],
            raw["value"],
            raw["n"],
            strict=True,
        )
    }
    assert set(got) == set(expected)
    assert len({k[3] for k in got}) == len(INDICATORS)
    for key, (value, n) in expected.items():
        got_value, got_n = got[key]
        assert got_n == n, key
        if math.isnan(value):
            assert math.isnan(got_value), key
        else:
            assert got_value == pytest.approx(value, rel=1e-12, abs=1e-9), key
