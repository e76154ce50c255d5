"""Deterministic sample data: one year of canonical teams, tickets, surveys and employee polls.

Run `python sample_data/generate.py [--out DIR] [--seed N] [--tickets N]`. The same seed and
size give byte-identical files; the committed CSVs are the defaults. The story the data tells
(an improving team, a team burning out) is described in sample_data/README.md.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_SEED = 2026
DEFAULT_TICKETS = 25_000
START = np.datetime64("2025-11-01T00:00:00", "s")
END = np.datetime64("2026-11-01T00:00:00", "s")  # exclusive: the exports were taken at midnight
MONTHS = 12
DAY, HOUR = 86_400, 3_600
T0 = int(START.astype("int64"))
T_END = int(END.astype("int64"))
CUSTOMERS_PER_TICKET = 0.9
IMPROVING, BURNOUT, SMALL = "Billing", "Tech Support L1", "Escalations"

CHANNELS = ("email", "chat", "phone", "web", "social")
PRIORITIES = ("low", "normal", "high", "urgent")
SLA_MIN = np.array([1440, 480, 240, 60])  # metrics.md default first-response targets
PROMISE_H = np.array([120, 72, 24, 8])  # due_at = created_at + promised hours
FR_MEDIAN_MIN = np.array([700, 300, 150, 35])  # email first response, by priority
RES_MEDIAN_H = np.array([48, 24, 10, 3])  # first response -> resolved, by priority
CH_FR = np.array([1.0, 0.06, 0.01, 0.9, 0.35])
CH_RES = np.array([1.0, 0.4, 0.3, 1.0, 0.8])
CH_REPLIES = np.array([1.3, 0.6, 0.3, 1.2, 0.8])
CH_HANDLE_MIN = np.array([6.0, 7.0, 9.0, 6.0, 4.0])
CH_ACCESS = np.array([0.0, 0.2, 0.2, -0.1, -0.2])
CH_SURVEY_P = np.array([0.33, 0.38, 0.20, 0.29, 0.15])
# fmt: off
HOURS_WEEKDAY = np.array([.15, .1, .1, .1, .15, .2, .3, .6, 1, 1.6, 1.6, 1.6, 1.3, 1.5, 1.5, 1.5,
                          1.4, 1, .7, .5, .4, .4, .3, .2])
HOURS_WEEKEND = np.array([.2] * 8 + [1.0] * 12 + [.5] * 4)
# fmt: on
HOURS_WEEKDAY, HOURS_WEEKEND = (
    HOURS_WEEKDAY / HOURS_WEEKDAY.sum(),
    HOURS_WEEKEND / HOURS_WEEKEND.sum(),
)

# fmt: off
TICKET_COLUMNS = (
    "ticket_id", "team", "created_at", "channel", "priority", "agent", "category", "status",
    "first_response_at", "resolved_at", "due_at", "reopens", "agent_replies",
    "customer_replies", "handle_minutes", "customer_id", "csat",
)
RATINGS = ("speed", "accuracy", "clarity", "transparency", "accessibility", "friendliness",
           "efficiency")
SURVEY_COLUMNS = (
    "response_id", "submitted_at", "team", "ticket_id", "channel", "csat", "nps", "ces",
    *(f"rating_{r}" for r in RATINGS), "comment",
)
POLL_1_5 = ("wellbeing", "workload", "burnout", "recognition", "manager_support", "enablement")
WHO5 = tuple(f"who5_{i}" for i in range(1, 6))
POLL_COLUMNS = ("response_id", "submitted_at", "team", "enps", *POLL_1_5, *WHO5, "psych_safety")
# fmt: on


@dataclass(frozen=True)
class Team:
    name: str
    department: str  # "" = no department
    headcount: int
    volume: float  # share of tickets
    channels: tuple[float, ...]  # weights over CHANNELS
    priorities: tuple[float, ...]  # weights over PRIORITIES
    speed: float  # multiplier on response and resolution times
    categories: tuple[str, ...]
    coverage: float  # share of after-hours tickets picked up without waiting for opening
    reopen: float  # base reopen probability
    mood: float  # baseline employee mood (poll latent)


# fmt: off
_STD_CH, _STD_PR = (0.40, 0.25, 0.15, 0.17, 0.03), (0.20, 0.55, 0.18, 0.07)
TEAMS = (
    Team("Billing", "Consumer", 18, 0.12, _STD_CH, _STD_PR, 1.0,
         ("invoice question", "refund", "payment failed", "plan change"), 0.1, 0.08, 0.0),
    Team("Orders & Delivery", "Consumer", 28, 0.20, (0.35, 0.30, 0.20, 0.13, 0.02), _STD_PR, 1.1,
         ("where is my order", "damaged delivery", "change address", "cancel order"),
         0.2, 0.07, -0.1),
    Team("Returns", "Consumer", 14, 0.11, _STD_CH, _STD_PR, 1.2,
         ("return label", "refund status", "exchange", "warranty claim"), 0.1, 0.09, -0.15),
    Team("Enterprise Support", "Business", 16, 0.08, (0.55, 0.10, 0.25, 0.10, 0.0),
         (0.10, 0.45, 0.30, 0.15), 0.6, ("account admin", "outage", "contract", "how to"),
         0.5, 0.06, 0.2),
    Team("Onboarding", "Business", 10, 0.05, (0.50, 0.20, 0.20, 0.10, 0.0), _STD_PR, 0.9,
         ("setup help", "data import", "training"), 0.1, 0.07, 0.3),
    Team(SMALL, "Business", 4, 0.02, (0.60, 0.0, 0.35, 0.05, 0.0), (0.02, 0.28, 0.45, 0.25), 0.8,
         ("formal complaint", "legal", "executive complaint"), 0.3, 0.12, -0.2),
    Team(BURNOUT, "Technical", 30, 0.22, (0.30, 0.40, 0.15, 0.13, 0.02), _STD_PR, 0.8,
         ("login problem", "password reset", "app error", "how to"), 0.6, 0.07, 0.1),
    Team("Tech Support L2", "Technical", 15, 0.08, (0.60, 0.10, 0.10, 0.20, 0.0),
         (0.10, 0.45, 0.30, 0.15), 1.2, ("bug", "integration error", "performance", "data issue"),
         0.3, 0.10, 0.0),
    Team("Integrations", "Technical", 9, 0.05, (0.60, 0.05, 0.05, 0.30, 0.0), _STD_PR, 1.0,
         ("api question", "webhook failure", "sso setup"), 0.1, 0.08, 0.15),
    Team("Social Care", "", 8, 0.07, (0.05, 0.05, 0.0, 0.05, 0.85), _STD_PR, 0.5,
         ("public complaint", "general question", "praise"), 0.7, 0.05, 0.05),
)
TEAM_NAMES = np.array([t.name for t in TEAMS], dtype=object)
CATEGORY_COMPLEXITY = {"how to": 0.6, "password reset": 0.4, "praise": 0.3, "outage": 1.5,
                       "bug": 1.6, "legal": 1.8, "warranty claim": 1.4,
                       "data import": 1.4}

FIRST = ("Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kira",
         "Luca", "Maya", "Nils", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera",
         "Wim", "Yara", "Zoe")
LAST = ("Adams", "Berg", "Costa", "Dahl", "Evans", "Fischer", "Garcia", "Haas", "Ito",
        "Jansen", "Khan", "Lopez", "Meyer", "Novak", "Okafor", "Petrov", "Rossi",
        "Silva", "Tan", "Weber")
COMMENTS = (
    ("Had to explain my problem three times.", 'Still waiting for the "promised" callback',
     "Slow. Very slow.", "Issue came back the next day, had to reopen.",
     "Nobody told me what was happening", "First reply: too slow\nSecond reply: wrong answer",
     "Couldn't reach anyone by phone, and chat was closed"),
    ("OK.", "Took a while but got there.", "Fine, nothing special", "Answer was a bit generic",
     "Solved, but I had to chase once"),
    ("Quick and helpful, thanks!", "Sorted in one go.", "Great service — thank you",
     "Très bien, merci.", "Friendly agent, explained everything clearly.",
     "Fast reply, problem solved", "Super schnell & freundlich"),
)
# fmt: on


# --- the story -------------------------------------------------------------------------------


def _story() -> dict[str, np.ndarray]:
    """Per team x month multipliers and shifts: volume, speed, reopens, mood, perception."""
    n, k = len(TEAMS), np.arange(MONTHS, dtype=float)
    idx = {t.name: i for i, t in enumerate(TEAMS)}
    volume = np.tile(0.92 + 0.16 * k / (MONTHS - 1), (n, 1))  # slow growth
    volume[idx["Orders & Delivery"], :2] *= (1.5, 1.7)  # Black Friday, Christmas
    volume[idx["Returns"], 1:3] *= (1.2, 1.8)  # returns after Christmas
    volume[idx["Billing"], 2] *= 1.3  # annual renewals in January
    mood = np.tile(np.array([t.mood for t in TEAMS])[:, None], (1, MONTHS))
    b, i = idx[BURNOUT], idx[IMPROVING]
    mood[b] -= 0.25 * np.clip(k - 5, 0, None)  # from May 2026 the burnout team wears down
    mood[i] += 0.25 * k / (MONTHS - 1)
    # Customers feel an exhausted team about two months later.
    strain = np.pad(np.minimum(mood - mood[:, :1], 0), ((0, 0), (2, 0)))[:, :-2]
    speed = np.array([t.speed for t in TEAMS])[:, None] * volume**0.6 * np.exp(-0.35 * strain)
    res = speed.copy()
    reopen = np.array([t.reopen for t in TEAMS])[:, None] - 0.06 * strain
    follow = np.full((n, MONTHS), 0.05) - 0.03 * strain
    friendly = 0.8 * strain
    csat_shift = 0.4 * strain
    f = k / (MONTHS - 1)  # the improving team: coaching, a knowledge base, fewer handovers
    speed[i] *= np.exp(np.log(1.8) + f * np.log(0.55 / 1.8))
    res[i] *= 1.6 + f * (0.75 - 1.6)
    reopen[i] = 0.20 + f * (0.05 - 0.20)
    follow[i] = 0.10 + f * (0.035 - 0.10)
    friendly[i] = -0.3 + 0.5 * f
    return dict(
        volume=volume,
        mood=mood,
        speed=speed,
        res=res,
        reopen=reopen,
        follow=follow,
        friendly=friendly,
        csat_shift=csat_shift,
    )


STORY = _story()


# --- helpers ---------------------------------------------------------------------------------


def month_index(sec: np.ndarray) -> np.ndarray:
    """Month 0..11 of epoch seconds within the sample year."""
    months = sec.astype("int64").astype("datetime64[s]").astype("datetime64[M]")
    return np.clip((months - START.astype("datetime64[M]")).astype(int), 0, MONTHS - 1)


def _weekday_hour(sec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    days = np.floor_divide(sec, DAY)
    return (days + 3) % 7, (sec - days * DAY) / HOUR  # 1970-01-01 was a Thursday


def after_hours(sec: np.ndarray) -> np.ndarray:
    """metrics.md default: Saturday, Sunday, before 09:00 or from 17:00."""
    wd, h = _weekday_hour(sec)
    return (wd >= 5) | (h < 9) | (h >= 17)


def _wait_until_open(sec: np.ndarray) -> np.ndarray:
    """Seconds from each moment to the next business opening (0 inside business hours)."""
    wd, h = _weekday_hour(sec)
    day0 = np.floor_divide(sec, DAY) * DAY
    ahead = np.where(wd == 4, 3, np.where(wd == 5, 2, 1))
    nxt = np.where((wd < 5) & (h < 9), day0 + 9 * HOUR, day0 + ahead * DAY + 9 * HOUR)
    return np.where(after_hours(sec), nxt - sec, 0)


def _pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One index per row of a (rows x choices) weight matrix."""
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((cum < rng.random((len(weights), 1))).sum(axis=1), weights.shape[1] - 1)


def _timestamps(rng: np.random.Generator, n: int, day_weights: np.ndarray) -> np.ndarray:
    """n moments in the year: days by weight, hours busier on weekdays 8-18."""
    days = rng.choice(len(day_weights), size=n, p=day_weights / day_weights.sum())
    weekend = (days + (T0 // DAY) + 3) % 7 >= 5
    hours = np.where(
        weekend, rng.choice(24, n, p=HOURS_WEEKEND), rng.choice(24, n, p=HOURS_WEEKDAY)
    )
    return T0 + days * DAY + hours * HOUR + rng.integers(0, HOUR, n)


def _day_weights(team: int) -> np.ndarray:
    day = np.arange((T_END - T0) // DAY)
    wd = (day + (T0 // DAY) + 3) % 7
    w = np.where(wd == 5, 0.35, np.where(wd == 6, 0.3, 1.0))
    dates = START.astype("datetime64[D]") + day
    for holiday in ("2025-12-25", "2025-12-26", "2026-01-01"):
        w[dates == np.datetime64(holiday)] = 0.3
    return w * STORY["volume"][team, month_index(T0 + day * DAY)]


def _agents(rng: np.random.Generator) -> list[np.ndarray]:
    """Agent names per team (the lead answers no tickets)."""
    names = rng.permutation([f"{f} {s}" for f in FIRST for s in LAST])
    out, pos = [], 0
    for t in TEAMS:
        n = max(t.headcount - 1, 2)
        out.append(np.array(sorted(names[pos : pos + n]), dtype=object))
        pos += n
    return out


# --- tickets ---------------------------------------------------------------------------------


def _simulate(
    rng: np.random.Generator,
    team: np.ndarray,
    created: np.ndarray,
    customer: np.ndarray,
    followup: np.ndarray,
    agents: list[np.ndarray],
) -> pd.DataFrame:
    """Everything that happens to tickets once created (times in epoch seconds, NaN = none)."""
    created = np.asarray(created, dtype=float)
    n, k = len(team), month_index(created)
    ch = _pick(rng, np.array([t.channels for t in TEAMS])[team])
    pr = _pick(rng, np.array([t.priorities for t in TEAMS])[team])
    ncat = np.array([len(t.categories) for t in TEAMS])[team]
    cat_i = np.floor(rng.random(n) ** 1.3 * ncat).astype(int)  # first categories most common
    cats = np.array(
        [t.categories[j] if j < len(t.categories) else "" for t in TEAMS for j in range(4)],
        dtype=object,
    ).reshape(len(TEAMS), 4)
    category = cats[team, cat_i]
    cx = np.array([CATEGORY_COMPLEXITY.get(c, 1.0) for c in cats.ravel()]).reshape(cats.shape)
    cx = cx[team, cat_i]

    covered = rng.random(n) < np.array([t.coverage for t in TEAMS])[team]
    wait = np.where(covered, 0, _wait_until_open(created))
    fr_min = FR_MEDIAN_MIN[pr] * CH_FR[ch] * STORY["speed"][team, k] * rng.lognormal(0, 0.9, n)
    fr = created + wait + np.ceil(fr_min * 60)
    reopen_p = STORY["reopen"][team, k] * (0.6 + 0.4 * cx)
    u = rng.random((3, n))
    reopens = (u[0] < reopen_p) * (1 + (u[1] < 0.2) + (u[2] < 0.04))
    res_h = RES_MEDIAN_H[pr] * CH_RES[ch] * STORY["res"][team, k] * cx * rng.lognormal(0, 1.1, n)
    res_h += reopens * rng.lognormal(np.log(18), 0.8, n)
    resolved = fr + np.ceil(res_h * HOUR)
    fr[(rng.random(n) < 0.007) | (fr >= T_END)] = np.nan
    resolved[np.isnan(fr) | (rng.random(n) < 0.015) | (resolved >= T_END)] = np.nan
    answered, done = ~np.isnan(fr), ~np.isnan(resolved)
    reopens = np.where(answered, reopens, 0)

    agent_replies = np.where(answered, 1 + rng.poisson(CH_REPLIES[ch] * cx) + reopens, 0)
    cust_replies = rng.poisson(0.25 + 0.45 * np.maximum(agent_replies - 1, 0)) + reopens
    handle = np.round(
        rng.lognormal(np.log(CH_HANDLE_MIN[ch]) + 0.8 * np.log(np.maximum(agent_replies, 1)), 0.6),
        1,
    )
    handle = np.where(answered & (rng.random(n) >= 0.03), handle, np.nan)
    status = np.where(
        done,
        np.where(resolved < T_END - 4 * DAY, "closed", "solved"),
        np.where(answered & (rng.random(n) < 0.7), "pending", "open"),
    )
    sizes = np.array([len(a) for a in agents])
    roster = np.array([[a[j % len(a)] for j in range(sizes.max())] for a in agents], dtype=object)
    agent = roster[team, rng.integers(0, 10_000, n) % sizes[team]]
    agent[~answered & (rng.random(n) < 0.6)] = ""
    due = created + PROMISE_H[pr] * HOUR
    due[rng.random(n) < 0.03] = np.nan
    return pd.DataFrame(
        {
            "team_i": team,
            "created": created,
            "ch": ch,
            "pr": pr,
            "agent": agent,
            "category": category,
            "status": status,
            "fr": fr,
            "resolved": resolved,
            "due": due,
            "reopens": reopens,
            "agent_replies": np.where(rng.random(n) < 0.01, -1, agent_replies),
            "customer_replies": np.where(rng.random(n) < 0.01, -1, cust_replies),
            "handle": handle,
            "customer": customer,
            "followup": followup,
            "wait": wait,
        }
    )  # replies -1 = unknown: written as an empty cell


def simulate_tickets(rng: np.random.Generator, n_tickets: int) -> pd.DataFrame:
    """Exactly n_tickets tickets (with internal columns), sorted by creation, ids assigned."""
    agents = _agents(rng)
    n_base = int(round(n_tickets * 0.97))
    team = np.repeat(np.arange(len(TEAMS)), rng.multinomial(n_base, [t.volume for t in TEAMS]))
    created = np.concatenate(
        [_timestamps(rng, int((team == t).sum()), _day_weights(t)) for t in range(len(TEAMS))]
    )
    # Most customers write once or twice a year; a few frequent ones write every few weeks.
    pool = max(int(n_tickets * CUSTOMERS_PER_TICKET), 10)
    frequent = max(pool // 100, 1)
    customer = np.where(
        rng.random(n_base) < 0.1,
        rng.integers(0, frequent, n_base),
        rng.integers(frequent, pool, n_base),
    ).astype(float)
    customer[rng.random(n_base) < np.where(team == len(TEAMS) - 1, 0.3, 0.02)] = np.nan
    base = _simulate(rng, team, created, customer, np.zeros(n_base, bool), agents)

    # Follow-ups: the same customer comes back after a resolution, sometimes to another team.
    k = month_index(base["created"].to_numpy())
    p = STORY["follow"][base["team_i"], k] * (1 + 1.5 * (base["reopens"] > 0))
    par = base[base["resolved"].notna() & base["customer"].notna() & (rng.random(n_base) < p)]
    m = len(par)
    gap = np.where(rng.random(m) < 0.8, rng.uniform(600, 7 * DAY, m), rng.uniform(7, 14, m) * DAY)
    f_team = np.where(rng.random(m) < 0.7, par["team_i"], rng.integers(0, len(TEAMS), m))
    f_created = np.floor(par["resolved"].to_numpy() + gap)
    follow = _simulate(rng, f_team, f_created, par["customer"].to_numpy(), np.ones(m, bool), agents)
    follow = follow[follow["created"] < T_END]

    df = pd.concat([base, follow], ignore_index=True)
    if len(df) > n_tickets:
        df = df.iloc[np.sort(rng.choice(len(df), n_tickets, replace=False))]
    df = df.sort_values("created", kind="stable").reset_index(drop=True)
    df["ticket_id"] = np.arange(100_001, 100_001 + len(df)).astype(str)
    df["agent_effect"] = rng.normal(0, 0.25, len(df))  # per-contact friendliness noise
    return df


# --- customer perception ---------------------------------------------------------------------


def perception(rng: np.random.Generator, t: pd.DataFrame) -> dict[str, np.ndarray]:
    """Scores a customer gives after the ticket experience t (one row per response)."""
    n = len(t)
    k = month_index(t["created"].to_numpy())
    team, pr = t["team_i"].to_numpy(), t["pr"].to_numpy()
    fr_min = (t["fr"] - t["created"]).to_numpy() / 60
    lr = np.clip(np.log(np.maximum(fr_min, 0.5) / SLA_MIN[pr]), -2.5, 3)
    res_days = (t["resolved"] - t["created"]).to_numpy() / DAY
    late = (t["resolved"] > t["due"]).to_numpy()
    reop = np.minimum(t["reopens"].to_numpy(), 2)
    fol = t["followup"].to_numpy().astype(float)
    d = {
        "speed": -0.45 * lr - 0.25 * np.log1p(res_days),
        "accuracy": -1.0 * reop - 0.4 * fol,
        "clarity": -0.35 * np.clip(t["customer_replies"].to_numpy() - 1, 0, 5),
        "transparency": -1.1 * late,
        "accessibility": CH_ACCESS[t["ch"]] - 0.5 * (t["wait"].to_numpy() > 0),
        "friendliness": STORY["friendly"][team, k] + t["agent_effect"].to_numpy(),
        "efficiency": -0.18 * np.clip(t["agent_replies"].to_numpy() - 2, 0, 6) - 0.5 * fol,
    }
    halo = rng.normal(0, 0.45, n)
    weights = dict(
        speed=0.3,
        accuracy=0.35,
        clarity=0.2,
        transparency=0.25,
        accessibility=0.15,
        friendliness=0.4,
        efficiency=0.2,
    )
    lat = 4.25 + sum(w * d[r] for r, w in weights.items()) + STORY["csat_shift"][team, k] + halo
    out = {
        f"rating_{r}": np.clip(np.round(4.15 + d[r] + halo + rng.normal(0, 0.75, n)), 1, 5)
        for r in RATINGS
    }
    out["csat"] = np.clip(np.round(lat + rng.normal(0, 0.6, n)), 1, 5)
    out["nps"] = np.clip(np.round(2.3 * lat - 1.2 + rng.normal(0, 1.3, n)), 0, 10)
    ease = (
        0.5 * d["clarity"] + 0.6 * d["accuracy"] + 0.5 * d["efficiency"] + 0.3 * d["accessibility"]
    )
    out["ces"] = np.clip(np.round(5.6 + ease + halo + rng.normal(0, 0.9, n)), 1, 7)
    return out


# --- formatting and corruption ---------------------------------------------------------------


def fmt_ts(sec: np.ndarray) -> np.ndarray:
    """Epoch seconds (NaN = missing) -> 'YYYY-MM-DD HH:MM:SS' strings ('' = missing)."""
    sec = np.asarray(sec, dtype=float)
    out = np.full(len(sec), "", dtype=object)
    ok = ~np.isnan(sec)
    iso = np.datetime_as_string(sec[ok].astype("int64").astype("datetime64[s]"), unit="s")
    out[ok] = np.char.replace(iso, "T", " ")
    return out


def fmt_int(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Whole numbers as text, '' where missing (NaN, or where `missing` is true)."""
    v = np.asarray(values, dtype=float)
    gone = np.isnan(v) if missing is None else np.isnan(v) | missing
    out = np.full(len(v), "", dtype=object)
    out[~gone] = v[~gone].astype("int64").astype(str)
    return out


def ticket_frame(t: pd.DataFrame, csat: np.ndarray) -> pd.DataFrame:
    """Simulated tickets -> the canonical tickets.csv layout (all text)."""
    handle = t["handle"].to_numpy()
    hs = np.full(len(t), "", dtype=object)
    ok = ~np.isnan(handle)
    hs[ok] = np.char.mod("%.1f", handle[ok])
    cust = t["customer"].to_numpy()
    cs = np.full(len(t), "", dtype=object)
    cs[~np.isnan(cust)] = np.char.mod("C%06d", cust[~np.isnan(cust)].astype("int64"))
    return pd.DataFrame(
        {
            "ticket_id": t["ticket_id"].to_numpy(),
            "team": TEAM_NAMES[t["team_i"]],
            "created_at": fmt_ts(t["created"]),
            "channel": np.array(CHANNELS, dtype=object)[t["ch"]],
            "priority": np.array(PRIORITIES, dtype=object)[t["pr"]],
            "agent": t["agent"].to_numpy(),
            "category": t["category"].to_numpy(),
            "status": t["status"].to_numpy(),
            "first_response_at": fmt_ts(t["fr"]),
            "resolved_at": fmt_ts(t["resolved"]),
            "due_at": fmt_ts(t["due"]),
            "reopens": fmt_int(t["reopens"]),
            "agent_replies": fmt_int(t["agent_replies"], t["agent_replies"].to_numpy() < 0),
            "customer_replies": fmt_int(
                t["customer_replies"], t["customer_replies"].to_numpy() < 0
            ),
            "handle_minutes": hs,
            "customer_id": cs,
            "csat": fmt_int(csat),
        },
        columns=list(TICKET_COLUMNS),
    )


def corrupt(
    rng: np.random.Generator,
    df: pd.DataFrame,
    edits: list[tuple[str, str, str]],
    eligible: np.ndarray,
) -> list[dict[str, object]]:
    """Break one distinct eligible row per (column, value, reason); returns what was broken."""
    rows = np.sort(rng.choice(np.flatnonzero(eligible), len(edits), replace=False))
    rng.shuffle(rows)
    broken = []
    for row, (column, value, reason) in zip(rows, edits, strict=True):
        for col, val in zip(column.split("+"), value.split("+"), strict=True):
            if val.startswith("@"):  # a timestamp relative to another column of the row
                src, hours = val[1:].split(":")
                base = np.datetime64(df.at[row, src].replace(" ", "T"), "s")
                val = str(base + np.timedelta64(int(hours) * HOUR, "s")).replace("T", " ")
            df.at[row, col] = val
        broken.append({"row": int(row), "column": column.split("+")[0], "reason": reason})
    return sorted(broken, key=lambda b: b["row"])


def write_csv(df: pd.DataFrame, path: Path, broken: list[dict[str, object]]) -> dict[str, object]:
    """Write UTF-8 comma CSV with LF; return the manifest entry (rows, valid rows, bad lines)."""
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    # Physical line where each record starts (header = 1); quoted comments may hold newlines.
    extra = np.zeros(len(df), dtype=int)
    for col in df.columns:  # every column is text here
        extra += df[col].astype(str).str.count("\n").to_numpy(dtype=int)
    start = 2 + np.concatenate([[0], np.cumsum(1 + extra)[:-1]])
    bad = [
        {"line": int(start[b["row"]]), "column": b["column"], "reason": b["reason"]} for b in broken
    ]
    return {"rows": len(df), "valid_rows": len(df) - len(broken), "invalid": bad}


# --- the four files --------------------------------------------------------------------------

TICKET_EDITS = [
    ("resolved_at", "@created_at:-3", "resolved_at before created_at"),
    ("resolved_at", "@created_at:-30", "resolved_at before created_at"),
    ("first_response_at", "@created_at:-1", "first_response_at before created_at"),
    ("reopens", "-1", "negative reopens"),
    ("agent_replies", "-2", "negative agent_replies"),
    ("handle_minutes", "-5.0", "negative handle_minutes"),
    ("csat", "6", "csat outside 1..5"),
    ("csat", "0", "csat outside 1..5"),
    ("created_at", "not a date", "unparseable created_at"),
    ("created_at", "2026-02-30 10:15:00", "unparseable created_at"),
    ("team", "", "missing team"),
    ("team", "", "missing team"),
    ("priority", "critical", "unknown priority"),
    ("ticket_id", "", "missing ticket_id"),
]
SURVEY_EDITS = [
    ("csat", "6", "csat outside 1..5"),
    ("nps", "11", "nps outside 0..10"),
    ("ces", "8", "ces outside 1..7"),
    ("rating_speed", "0", "rating_speed outside 1..5"),
    ("rating_clarity", "9", "rating_clarity outside 1..5"),
    ("submitted_at", "not a date", "unparseable submitted_at"),
    ("submitted_at", "2026-02-30 11:20:00", "unparseable submitted_at"),
    ("response_id", "", "missing response_id"),
    ("team+ticket_id", "+", "no team and no ticket"),
    ("team+ticket_id", "+999999999", "no team and an unknown ticket"),
]
POLL_EDITS = [
    ("enps", "11", "enps outside 0..10"),
    ("wellbeing", "0", "wellbeing outside 1..5"),
    ("burnout", "6", "burnout outside 1..5"),
    ("who5_3", "6", "who5_3 outside 0..5"),
    ("workload", "often", "workload not a whole number"),
    ("submitted_at", "not a date", "unparseable submitted_at"),
    ("team", "", "missing team"),
    ("response_id", "", "missing response_id"),
]


def teams_frame() -> pd.DataFrame:
    """teams.csv: team, department, lead e-mail, headcount."""
    slug = [re.sub(r"[^a-z0-9]+", "-", t.name.lower()).strip("-") for t in TEAMS]
    return pd.DataFrame(
        {
            "team": TEAM_NAMES,
            "department": [t.department for t in TEAMS],
            "lead_email": [f"lead.{s}@example.com" for s in slug],
            "headcount": [str(t.headcount) for t in TEAMS],
        }
    )


def ticket_csat(rng: np.random.Generator, t: pd.DataFrame, share: float = 0.05) -> np.ndarray:
    """csat given on the ticket itself, for a small share of resolved tickets (NaN = none)."""
    csat = np.full(len(t), np.nan)
    pick = t["resolved"].notna().to_numpy() & (rng.random(len(t)) < share)
    csat[pick] = perception(rng, t[pick])["csat"]
    return csat


def survey_frame(rng: np.random.Generator, t: pd.DataFrame) -> pd.DataFrame:
    """surveys.csv: responses after resolved tickets (linked) and general feedback (unlinked)."""
    resolved = t["resolved"].notna().to_numpy()
    linked = t[resolved & (rng.random(len(t)) < CH_SURVEY_P[t["ch"]])]
    general = t.iloc[rng.choice(np.flatnonzero(resolved), int(len(t) * 0.03), replace=False)]
    r = pd.concat([linked, general], ignore_index=True)
    is_linked = np.arange(len(r)) < len(linked)
    delay = np.minimum(rng.lognormal(np.log(4 * HOUR), 1.3, len(r)), 14 * DAY)
    r["submitted"] = np.floor(r["resolved"].to_numpy() + 300 + delay)
    keep = (r["submitted"] < T_END).to_numpy()
    r, is_linked = r[keep].reset_index(drop=True), is_linked[keep]
    n = len(r)
    scores = perception(rng, r)
    short = rng.random(n) < 0.15  # the short form asks csat and sometimes nps only
    for col, p in [("csat", 0.03), ("nps", 0.10), ("ces", 0.12)] + [
        (f"rating_{x}", 0.08) for x in RATINGS
    ]:
        gone = rng.random(n) < p
        if col != "csat":
            gone |= short & ((rng.random(n) < 0.5) | (col != "nps"))
        scores[col] = np.where(gone & ~((col == "csat") & short), np.nan, scores[col])
    tone = np.digitize(np.nan_to_num(scores["csat"], nan=3), [2.5, 3.5])  # 0 bad, 1 meh, 2 good
    comment = np.full(n, "", dtype=object)
    wants = rng.random(n) < np.where(tone == 0, 0.4, 0.2)
    for m, texts in enumerate(COMMENTS):
        sel = wants & (tone == m)
        comment[sel] = np.array(texts, dtype=object)[rng.integers(0, len(texts), sel.sum())]
    team = TEAM_NAMES[r["team_i"]].copy()
    team[is_linked & (rng.random(n) < 0.08)] = ""  # the loader resolves it from the ticket
    channel = np.array(CHANNELS, dtype=object)[r["ch"]]
    channel[~is_linked] = np.where(rng.random((~is_linked).sum()) < 0.5, "web", "")
    order = np.argsort(r["submitted"].to_numpy(), kind="stable")
    out = pd.DataFrame(
        {
            "response_id": [f"S-{i:06d}" for i in range(1, n + 1)],
            "submitted_at": fmt_ts(r["submitted"].to_numpy()[order]),
            "team": team[order],
            "ticket_id": np.where(is_linked, r["ticket_id"], "")[order],
            "channel": channel[order],
            **{c: fmt_int(scores[c][order]) for c in SURVEY_COLUMNS[5:-1]},
            "comment": comment[order],
        }
    )
    return out


def poll_frame(rng: np.random.Generator) -> pd.DataFrame:
    """employee_polls.csv: a monthly pulse opening on the first Tuesday, anonymous responses."""
    team_i, month = [], []
    for i, t in enumerate(TEAMS):
        for k in range(MONTHS):
            c = rng.binomial(t.headcount, 0.82)
            team_i += [i] * c
            month += [k] * c
    team_i, month = np.array(team_i), np.array(month)
    n = len(team_i)
    first = (START.astype("datetime64[M]") + month).astype("datetime64[D]")
    wd = (first.astype("int64") + 3) % 7
    opens = (first + (1 - wd) % 7).astype("datetime64[s]").astype("int64") + 10 * HOUR
    submitted = opens + np.floor(np.minimum(rng.exponential(1.8 * DAY, n), 10 * DAY))
    mood = STORY["mood"][team_i, month] + rng.normal(0, 0.8, n)

    def item(mean: float, slope: float, lo: int, hi: int, sd: float = 0.6) -> np.ndarray:
        v = np.clip(np.round(mean + slope * mood + rng.normal(0, sd, n)), lo, hi)
        return np.where(rng.random(n) < 0.04, np.nan, v)

    cols = {
        "enps": item(7.4, 1.6, 0, 10, 1.5),
        "wellbeing": item(3.7, 0.9, 1, 5),
        "workload": item(3.4, 0.8, 1, 5),
        "burnout": item(2.4, -0.9, 1, 5, 0.7),
        "recognition": item(3.5, 0.6, 1, 5),
        "manager_support": item(3.9, 0.5, 1, 5),
        "enablement": item(3.7, 0.5, 1, 5),
        **{w: item(3.0, 0.8, 0, 5, 0.8) for w in WHO5},
        "psych_safety": item(3.8, 0.5, 1, 5),
    }
    skipped = rng.random(n) < 0.06  # who skips the WHO-5 block skips all of it
    for w in WHO5:
        cols[w][skipped] = np.nan
    ids = rng.integers(0, 2**62, n)
    assert len(np.unique(ids)) == n
    order = np.argsort(submitted, kind="stable")
    return pd.DataFrame(
        {
            "response_id": np.char.mod("%016x", ids[order]),
            "submitted_at": fmt_ts(submitted[order]),
            "team": TEAM_NAMES[team_i[order]],
            **{c: fmt_int(v[order]) for c, v in cols.items()},
        }
    ).astype(object)


def generate(out: Path, seed: int = DEFAULT_SEED, n_tickets: int = DEFAULT_TICKETS) -> dict:
    """Write the four CSVs and manifest.json into out; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    r_tickets, r_csat, r_surveys, r_polls, r_bad = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)
    )
    t = simulate_tickets(r_tickets, n_tickets)
    tickets = ticket_frame(t, ticket_csat(r_csat, t))
    surveys = survey_frame(r_surveys, t)
    polls = poll_frame(r_polls)
    # Break only tickets no survey refers to, and surveys that carry a team, so every other
    # row stays valid whatever the loader does with the broken ones.
    referenced = tickets["ticket_id"].isin(set(surveys["ticket_id"]))
    done = tickets["resolved_at"] != ""
    bad_t = corrupt(r_bad, tickets, TICKET_EDITS, (done & ~referenced).to_numpy())
    bad_s = corrupt(r_bad, surveys, SURVEY_EDITS, (surveys["team"] != "").to_numpy())
    bad_p = corrupt(r_bad, polls, POLL_EDITS, np.ones(len(polls), bool))
    bad_rows = {b["row"] for b in bad_t}
    valid_csat = sum(1 for i, c in enumerate(tickets["csat"]) if c and i not in bad_rows)
    files = {
        "teams.csv": write_csv(teams_frame(), out / "teams.csv", []),
        "tickets.csv": write_csv(tickets, out / "tickets.csv", bad_t),
        "surveys.csv": write_csv(surveys, out / "surveys.csv", bad_s),
        "employee_polls.csv": write_csv(polls, out / "employee_polls.csv", bad_p),
    }
    files["tickets.csv"]["ticket_csat_responses"] = valid_csat
    manifest = {
        "seed": seed,
        "tickets_requested": n_tickets,
        "period": {
            "first_day": str(START.astype("datetime64[D]")),
            "last_day": str(END.astype("datetime64[D]") - 1),
        },
        "story": {
            "improving_team": IMPROVING,
            "burnout_team": BURNOUT,
            "small_team": SMALL,
            "team_without_department": "Social Care",
        },
        "files": files,
        "survey_responses_expected": files["surveys.csv"]["valid_rows"] + valid_csat,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def write_tickets_fast(path: Path, t: pd.DataFrame, csat: np.ndarray) -> None:
    """The same bytes as ticket_frame(t, csat) written as CSV, but formatted by DuckDB."""
    import duckdb  # only here: the sample files need numpy and pandas alone

    cat = pd.Categorical.from_codes
    df = pd.DataFrame(
        {
            "ticket_id": t["ticket_id"].to_numpy(),
            "team": cat(t["team_i"], TEAM_NAMES),
            "created": t["created"].to_numpy(),
            "channel": cat(t["ch"], CHANNELS),
            "priority": cat(t["pr"], PRIORITIES),
            "agent": t["agent"].replace("", None),
            "category": t["category"].to_numpy(),
            "status": t["status"].to_numpy(),
            **{c: t[c].to_numpy() for c in ("fr", "resolved", "due", "reopens", "handle")},
            "agent_replies": t["agent_replies"].where(t["agent_replies"] >= 0),
            "customer_replies": t["customer_replies"].where(t["customer_replies"] >= 0),
            "customer": t["customer"].to_numpy(),
            "csat": csat,
        }
    )
    ts = "strftime(make_timestamp(CAST({} AS BIGINT) * 1000000), '%Y-%m-%d %H:%M:%S')"
    select = ", ".join(
        [
            "ticket_id, team, " + ts.format("created") + " AS created_at",
            "channel, priority, agent, category, status",
            ts.format("fr") + " AS first_response_at",
            ts.format("resolved") + " AS resolved_at",
            ts.format("due") + " AS due_at",
            "CAST(reopens AS BIGINT) AS reopens",
            "CAST(agent_replies AS BIGINT) AS agent_replies",
            "CAST(customer_replies AS BIGINT) AS customer_replies",
            "printf('%.1f', handle) AS handle_minutes",
            "printf('C%06d', CAST(customer AS BIGINT)) AS customer_id",
            "CAST(csat AS BIGINT) AS csat",
        ]
    )
    con = duckdb.connect()
    try:
        con.register("t", df)
        # NaN (not NULL) comes in from numpy floats: turn it into NULL first.
        nan_free = ", ".join(
            f"CASE WHEN isnan({c}) THEN NULL ELSE {c} END AS {c}"
            for c in ("created", "fr", "resolved", "due", "handle", "customer", "csat")
        )
        con.execute(f"CREATE TEMP VIEW v AS SELECT * REPLACE ({nan_free}) FROM t")
        target = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT {select} FROM v) TO '{target}' (HEADER, DELIMITER ',')")
    finally:
        con.close()


def write_bench_tickets(path: Path, n_tickets: int, seed: int = DEFAULT_SEED) -> None:
    """n_tickets clean canonical tickets (no broken rows) for benchmarks, as in tickets.csv."""
    r_tickets, r_csat = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    t = simulate_tickets(r_tickets, n_tickets)
    write_tickets_fast(path, t, ticket_csat(r_csat, t))


def main(argv: list[str] | None = None) -> int:
    """Command line: write the sample data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS, help="tickets to write")
    args = parser.parse_args(argv)
    m = generate(args.out, args.seed, args.tickets)
    for name, f in m["files"].items():
        print(f"{args.out / name}: {f['rows']} rows, {f['valid_rows']} valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
