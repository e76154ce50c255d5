"""The committed sample data: deterministic, canonical, counted right, and telling its story."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"

FILES = ("teams.csv", "tickets.csv", "surveys.csv", "employee_polls.csv")
COLUMNS = {
    "teams.csv": ["team", "department", "lead_email", "headcount"],
    "tickets.csv": [
        "ticket_id", "team", "created_at", "channel", "priority", "agent", "category", "status",
        "first_response_at", "resolved_at", "due_at", "reopens", "agent_replies",
        "customer_replies", "handle_minutes", "customer_id", "csat",
    ],
    "surveys.csv": [
        "response_id", "submitted_at", "team", "ticket_id", "channel", "csat", "nps", "ces",
        "rating_speed", "rating_accuracy", "rating_clarity", "rating_transparency",
        "rating_accessibility", "rating_friendliness", "rating_efficiency", "comment",
    ],
    "employee_polls.csv": [
        "response_id", "submitted_at", "team", "enps", "wellbeing", "workload", "burnout",
        "recognition", "manager_support", "enablement",
        "who5_1", "who5_2", "who5_3", "who5_4", "who5_5", "psych_safety",
    ],
}  # fmt: skip
TS = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _generator():
    """sample_data/generate.py as a module (sample_data is not a package)."""
    name = "sample_data_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SAMPLE_DATA / "generate.py")
        assert spec and spec.loader
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DATA / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SAMPLE_DATA / "manifest.json").read_text())


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "a", seed=11, n_tickets=2000)
    gen.generate(tmp_path / "b", seed=11, n_tickets=2000)
    gen.generate(tmp_path / "c", seed=12, n_tickets=2000)
    for name in (*FILES, "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "tickets.csv").read_bytes() != (
        tmp_path / "c" / "tickets.csv"
    ).read_bytes()


def test_committed_files_equal_a_fresh_generation(tmp_path: Path, manifest: dict) -> None:
    gen = _generator()
    gen.generate(tmp_path, seed=manifest["seed"], n_tickets=manifest["tickets_requested"])
    for name in (*FILES, "manifest.json"):
        fresh, committed = (tmp_path / name).read_bytes(), (SAMPLE_DATA / name).read_bytes()
        assert fresh == committed, f"{name} differs: run sample_data/generate.py, do not hand-edit"


def test_bench_tickets_are_formatted_like_the_sample(tmp_path: Path) -> None:
    """The benchmark's fast DuckDB writer gives the same bytes as the sample's pandas writer."""
    gen = _generator()
    rng_t, rng_c = (gen.np.random.default_rng(s) for s in gen.np.random.SeedSequence(9).spawn(2))
    t = gen.simulate_tickets(rng_t, 3000)
    csat = gen.ticket_csat(rng_c, t)
    gen.ticket_frame(t, csat).to_csv(tmp_path / "a.csv", index=False, lineterminator="\n")
    gen.write_bench_tickets(tmp_path / "b.csv", 3000, seed=9)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_command_line_writes_into_out(tmp_path: Path) -> None:
    assert _generator().main(["--out", str(tmp_path), "--seed", "3", "--tickets", "500"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted((*FILES, "manifest.json"))


# --- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_header_is_the_canonical_layout(name: str) -> None:
    raw = (SAMPLE_DATA / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    raw.decode("utf-8")
    assert list(_read(name).columns) == COLUMNS[name]


@pytest.mark.parametrize(
    "name, columns",
    [
        ("tickets.csv", ["created_at", "first_response_at", "resolved_at", "due_at"]),
        ("surveys.csv", ["submitted_at"]),
        ("employee_polls.csv", ["submitted_at"]),
    ],
)
def test_timestamps_are_iso_except_the_broken_ones(name: str, columns: list[str]) -> None:
    df = _read(name)
    odd = {v for c in columns for v in df[c] if v and not TS.match(v)}
    assert odd == {"not a date"}


def test_teams() -> None:
    teams = _read("teams.csv")
    assert len(teams) >= 8 and teams["team"].is_unique
    assert teams["department"].replace("", pd.NA).dropna().nunique() >= 3
    assert (teams["department"] == "").sum() == 1
    assert (teams["headcount"].astype(int) < 5).sum() == 1
    assert all(re.fullmatch(r"lead\.[a-z0-9-]+@example\.com", e) for e in teams["lead_email"])
    for name in ("tickets.csv", "surveys.csv", "employee_polls.csv"):
        assert set(_read(name)["team"]) - {""} <= set(teams["team"])


def test_ticket_values() -> None:
    t = _read("tickets.csv")
    assert set(t["channel"]) == {"email", "chat", "phone", "web", "social"}
    assert set(t["priority"]) == {"low", "normal", "high", "urgent", "critical"}  # one broken
    assert set(t["status"]) == {"open", "pending", "solved", "closed"}
    assert 0.03 < (t["csat"] != "").mean() < 0.07
    assert (t["first_response_at"] == "").sum() > 50 and (t["resolved_at"] == "").sum() > 200
    assert (t["customer_id"].replace("", pd.NA).dropna().value_counts() > 1).sum() > 1000
    ids = _read("employee_polls.csv")["response_id"]
    assert ids.str.fullmatch(r"[0-9a-f]{16}").sum() == len(ids) - 1  # one broken: empty


# --- counts --------------------------------------------------------------------------------


def _invalid_lines(name: str, tickets: set[str]) -> dict[int, str]:
    """Independent check of the contract's rejection rules: physical line -> a reason."""
    path = SAMPLE_DATA / name
    bad: dict[int, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        last = reader.line_num
        for row in reader:
            line, last = last + 1, reader.line_num
            reason = _row_problem(name, row, tickets)
            if reason:
                bad[line] = reason
    return bad


def _ts(value: str) -> pd.Timestamp | None:
    return pd.to_datetime(value, format="%Y-%m-%d %H:%M:%S", errors="coerce") if value else None


def _row_problem(name: str, row: dict[str, str], tickets: set[str]) -> str | None:
    def scale(col: str, lo: int, hi: int) -> bool:
        v = row[col]
        return v == "" or (re.fullmatch(r"-?\d+", v) is not None and lo <= int(v) <= hi)

    def count(col: str) -> bool:
        return row[col] == "" or (row[col].isdigit())

    if name == "tickets.csv":
        created = _ts(row["created_at"])
        if not row["ticket_id"] or not row["team"] or created is None or pd.isna(created):
            return "required"
        for col in ("first_response_at", "resolved_at", "due_at"):
            v = _ts(row[col])
            if v is not None and (pd.isna(v) or (col != "due_at" and v < created)):
                return col
        if row["priority"].lower() not in {"", "low", "normal", "high", "urgent"}:
            return "priority"
        if not all(count(c) for c in ("reopens", "agent_replies", "customer_replies")):
            return "count"
        if row["handle_minutes"] and float(row["handle_minutes"]) < 0:
            return "handle"
        return None if scale("csat", 1, 5) else "csat"
    if name == "teams.csv":
        return None if row["team"] and count("headcount") else "team"
    if not row["response_id"] or _ts(row["submitted_at"]) is None:
        return "required"
    if pd.isna(_ts(row["submitted_at"])):
        return "submitted_at"
    if name == "surveys.csv":
        if not row["team"] and row["ticket_id"] not in tickets:
            return "team"
        scales = [("csat", 1, 5), ("nps", 0, 10), ("ces", 1, 7)]
        scales += [(c, 1, 5) for c in COLUMNS[name] if c.startswith("rating_")]
    else:
        if not row["team"]:
            return "team"
        scales = [("enps", 0, 10)] + [(c, 0, 5) for c in COLUMNS[name] if c.startswith("who5")]
        scales += [(c, 1, 5) for c in COLUMNS[name][4:10] + ["psych_safety"]]
    bad = [c for c, lo, hi in scales if not scale(c, lo, hi)]
    return bad[0] if bad else None


def test_manifest_counts_match_the_files(manifest: dict) -> None:
    ticket_lines = _invalid_lines("tickets.csv", set())
    t = _read("tickets.csv")
    valid_tickets = {
        tid for i, tid in enumerate(t["ticket_id"]) if (i + 2) not in ticket_lines
    }  # no ticket row spans lines
    for name in FILES:
        entry = manifest["files"][name]
        bad = ticket_lines if name == "tickets.csv" else _invalid_lines(name, valid_tickets)
        assert entry["rows"] == len(_read(name)), name
        assert entry["valid_rows"] == entry["rows"] - len(bad), name
        assert sorted(bad) == [b["line"] for b in entry["invalid"]], name
    assert 5 <= len(ticket_lines) <= 20
    valid_csat = sum(1 for i, c in enumerate(t["csat"]) if c and (i + 2) not in ticket_lines)
    assert manifest["files"]["tickets.csv"]["ticket_csat_responses"] == valid_csat
    assert manifest["survey_responses_expected"] == (
        manifest["files"]["surveys.csv"]["valid_rows"] + valid_csat
    )


def test_sizes(manifest: dict) -> None:
    f = manifest["files"]
    assert f["tickets.csv"]["rows"] == 25_000
    assert 7_000 <= f["surveys.csv"]["rows"] <= 9_000
    assert 1_300 <= f["employee_polls.csv"]["rows"] <= 1_700
    assert sum((SAMPLE_DATA / n).stat().st_size for n in FILES) < 8_000_000


# --- the story -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tickets() -> pd.DataFrame:
    t = _read("tickets.csv")
    t = t[t["ticket_id"] != ""].copy()  # one broken row has no id
    for c in ("created_at", "first_response_at", "resolved_at", "due_at"):
        t[c] = pd.to_datetime(t[c], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    for c in ("reopens", "customer_replies", "agent_replies"):
        t[c] = pd.to_numeric(t[c], errors="coerce")
    t["month"] = t["created_at"].dt.to_period("M").astype(str)
    return t


@pytest.fixture(scope="module")
def surveys(tickets: pd.DataFrame) -> pd.DataFrame:
    s = _read("surveys.csv")
    s = s.merge(tickets.add_prefix("t_"), left_on="ticket_id", right_on="t_ticket_id", how="left")
    s["team"] = s["team"].where(s["team"] != "", s["t_team"])
    s["month"] = s["submitted_at"].str[:7]
    for c in COLUMNS["surveys.csv"][5:-1]:
        s[c] = pd.to_numeric(s[c], errors="coerce")
    return s


@pytest.fixture(scope="module")
def polls() -> pd.DataFrame:
    p = _read("employee_polls.csv")
    p["month"] = p["submitted_at"].str[:7]
    for c in COLUMNS["employee_polls.csv"][3:]:
        p[c] = pd.to_numeric(p[c], errors="coerce")
    return p


FIRST_Q, LAST_Q = ("2025-11", "2025-12", "2026-01"), ("2026-08", "2026-09", "2026-10")
FIRST_HALF = ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04")


def _top2(s: pd.Series) -> float:
    s = s.dropna()
    return 100 * (s >= 4).mean()


def test_improving_team_gets_faster_and_better(tickets: pd.DataFrame, surveys) -> None:
    b = tickets[tickets["team"] == "Billing"]
    fr = (b["first_response_at"] - b["created_at"]).dt.total_seconds() / 60
    first, last = b["month"].isin(FIRST_Q), b["month"].isin(LAST_Q)
    assert fr[last].median() < 0.5 * fr[first].median()
    done = b["resolved_at"].notna()
    assert (b[last & done]["reopens"] > 0).mean() < 0.5 * (b[first & done]["reopens"] > 0).mean()
    s = surveys[surveys["team"] == "Billing"]
    assert (
        _top2(s[s["month"].isin(LAST_Q)]["csat"]) > _top2(s[s["month"].isin(FIRST_Q)]["csat"]) + 10
    )


def test_burnout_team_burns_out_then_its_customers_notice(polls, surveys) -> None:
    p = polls[polls["team"] == "Tech Support L1"]
    s = surveys[surveys["team"] == "Tech Support L1"]
    burnout = p.groupby("month")["burnout"].apply(_top2)
    wellbeing = p.groupby("month")["wellbeing"].apply(_top2)
    csat = s.groupby("month")["csat"].apply(_top2)
    base_b, base_w = burnout[list(FIRST_HALF)].mean(), wellbeing[list(FIRST_HALF)].mean()
    base_c = csat[list(FIRST_HALF)].mean()
    assert burnout[list(LAST_Q)].mean() > base_b + 30
    assert wellbeing[list(LAST_Q)].mean() < base_w - 20
    assert csat[list(LAST_Q)].mean() < base_c - 15
    # Burnout rises first and stays up; CSAT falls and stays down one to two months later.
    months = list(burnout.index)
    burnt = next(i for i in range(12) if (burnout.iloc[i:] > base_b + 15).all())
    unhappy = next(i for i in range(12) if (csat[months].iloc[i:] < base_c - 8).all())
    assert months[burnt] >= "2026-05" and 1 <= unhappy - burnt <= 2
    others = surveys[~surveys["team"].isin(["Tech Support L1", "Billing"])]
    assert abs(_top2(others[others["month"].isin(LAST_Q)]["csat"])
               - _top2(others[others["month"].isin(FIRST_HALF)]["csat"])) < 5  # fmt: skip


def test_small_team_always_has_fewer_than_five_poll_responses(polls: pd.DataFrame) -> None:
    per_month = polls[polls["team"] == "Escalations"].groupby("month").size()
    assert len(per_month) == 12 and per_month.between(1, 4).all()
    headcount = _read("teams.csv").set_index("team")["headcount"].astype(int)
    rate = polls[polls["team"] != ""].groupby("team").size() / (headcount * 12)
    assert (rate < 1).all() and (rate > 0.6).all()


def test_ratings_respond_to_the_ticket(surveys: pd.DataFrame) -> None:
    s = surveys[surveys["t_ticket_id"].notna()]
    fr = (s["t_first_response_at"] - s["t_created_at"]).dt.total_seconds() / 3600
    slow = fr > fr.quantile(0.8)
    assert _top2(s[slow]["rating_speed"]) < _top2(s[~slow]["rating_speed"]) - 10
    assert _top2(s[slow]["csat"]) < _top2(s[~slow]["csat"])
    reopened = s["t_reopens"] > 0
    assert _top2(s[reopened]["rating_accuracy"]) < _top2(s[~reopened]["rating_accuracy"]) - 15
    loops = s["t_customer_replies"] > 2
    assert _top2(s[loops]["rating_clarity"]) < _top2(s[~loops]["rating_clarity"]) - 10
    late = s["t_resolved_at"] > s["t_due_at"]
    assert _top2(s[late]["rating_transparency"]) < _top2(s[~late]["rating_transparency"]) - 15
    many = s["t_agent_replies"] > 3
    assert _top2(s[many]["rating_efficiency"]) < _top2(s[~many]["rating_efficiency"]) - 5


def test_surveys_link_and_leave_some_teams_to_the_loader(surveys: pd.DataFrame) -> None:
    raw = _read("surveys.csv")
    linked = raw["ticket_id"] != ""
    assert 0.8 < linked.mean() < 0.97
    assert ((raw["team"] == "") & linked).sum() > 200
    assert ((raw["team"] != "") & ~linked).sum() > 200
    submitted = pd.to_datetime(surveys["submitted_at"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    linked = submitted.notna() & surveys["t_resolved_at"].notna()
    assert (submitted[linked] > surveys["t_resolved_at"][linked]).all()
