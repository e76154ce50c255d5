"""Every public read of dashboard/data.py takes the viewer and gives a team lead nothing of
another team: iterated over the module, so a read added later is checked too."""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard import data
from dashboard.access import Viewer, local_admin
from database.db import Database, read_connection
from database.roles import Role
from metrics.registry import INDICATORS

# The sample's teams.csv, read by hand: Billing is in Consumer with Orders & Delivery, Returns.
SAMPLE_TEAMS = (
    "Billing", "Orders & Delivery", "Returns", "Enterprise Support", "Onboarding",
    "Escalations", "Tech Support L1", "Tech Support L2", "Integrations", "Social Care",
)  # fmt: skip
OTHERS = [t for t in SAMPLE_TEAMS if t != "Billing"]
LEAD = Viewer(
    who="lead.billing@example.com",
    role=Role.TEAM_LEAD,
    teams=frozenset({"Billing"}),
    departments=frozenset({"Consumer"}),
)
# update_scorecard is a write (the Settings page's recompute), not a read.
NOT_READS = {"use", "database", "reading", "exclusive_read", "all_teams", "update_scorecard"}
# What a page may ask for, including a hand-edited link to another team or department.
SCOPES = [("team", "Billing"), ("team", "Returns"), ("department", "Consumer"),
          ("department", "Business"), ("org", None)]  # fmt: skip
ALLOWED_SCOPES = {("org", ""), ("org", None), ("department", "Consumer"), ("team", "Billing")}


def public_reads() -> list[Callable[..., Any]]:
    """The module's own public functions that are reads."""
    return [
        fn
        for name, fn in inspect.getmembers(data, inspect.isfunction)
        if fn.__module__ == data.__name__ and not name.startswith("_") and name not in NOT_READS
    ]


@pytest.fixture
def shown_db(app_db: Path) -> Iterator[Path]:
    """The sample database as the dashboard's database (as the entry script sets it)."""
    before = list(data._DATABASE)
    data.use(Database(app_db))
    yield app_db
    data._DATABASE[:] = before


def calls(fn: Callable[..., Any], viewer: Viewer) -> Iterator[tuple[str, Any]]:
    """The read called with each scope a page could ask for (once when it takes none)."""
    params = list(inspect.signature(fn).parameters)
    scopes = SCOPES if "scope" in params else [(None, None)]
    for scope, scope_id in scopes:
        values = {
            "viewer": viewer,
            "period": "month",
            "at": pd.Timestamp("2026-10-01"),
            "start": date(2026, 10, 1),
            "end": date(2026, 10, 31),
            "scope": scope,
            "scope_id": scope_id,
            "indicator": next(i.id for i in INDICATORS if i.drilldown is not None),
            "measure": "first_response",
            "limit": 100_000,
            "load_id": None,
        }
        yield f"{fn.__name__}({scope}, {scope_id})", fn(*(values[p] for p in params))


def as_text(result: Any) -> str:
    """Everything a read returned, as text (frames in full)."""
    if isinstance(result, pd.DataFrame):
        return result.to_csv(index=False)
    return repr(result)


def scopes_in(result: Any) -> set[tuple[str, Any]]:
    """The (scope, scope_id) pairs a frame or an export CSV holds."""
    if isinstance(result, pd.DataFrame) and {"scope", "scope_id"} <= set(result.columns):
        return set(zip(result["scope"], result["scope_id"], strict=True))
    if isinstance(result, str) and result.startswith("period_start,scope,scope_id"):
        return {(r["scope"], r["scope_id"]) for r in csv.DictReader(io.StringIO(result))}
    return set()


def test_every_public_read_takes_the_viewer_first() -> None:
    reads = public_reads()
    assert len(reads) >= 20, [f.__name__ for f in reads]
    for fn in reads:
        first = next(iter(inspect.signature(fn).parameters.values()))
        assert (first.name, first.annotation) == ("viewer", "Viewer"), fn.__name__


def test_a_team_lead_gets_no_other_teams_row_from_any_read(shown_db: Path) -> None:
    for fn in public_reads():
        for call, result in calls(fn, LEAD):
            text = as_text(result)
            leaked = [t for t in OTHERS if t in text]
            assert not leaked, f"{call} shows {leaked}"
            assert scopes_in(result) <= ALLOWED_SCOPES, call


def test_the_same_reads_show_other_teams_to_an_administrator(shown_db: Path) -> None:
    # The check above can fail: unfiltered, these reads do name other teams.
    admin = local_admin("me")
    naming = set()
    for fn in public_reads():
        for _call, result in calls(fn, admin):
            if any(t in as_text(result) for t in OTHERS):
                naming.add(fn.__name__)
    assert {
        "indicator_values", "area_scores", "culture_index", "chain_by_team", "export_csv",
        "tickets_behind", "teams",
    } <= naming  # fmt: skip


def test_a_team_lead_sees_their_own_team_and_the_aggregates(shown_db: Path) -> None:
    values = data.indicator_values(LEAD, "month")
    assert set(zip(values["scope"], values["scope_id"], strict=True)) == {
        ("org", ""),
        ("department", "Consumer"),
        ("team", "Billing"),
    }
    assert data.teams(LEAD)["team"].tolist() == ["Billing"]
    tickets = data.tickets_behind(LEAD, INDICATORS[0].id, "month", date(2026, 10, 1), "team",
                                  "Billing", 100_000)  # fmt: skip
    assert set(tickets["team"]) <= {"Billing"}


def test_a_rank_is_a_place_and_a_count(shown_db: Path, app_db: Path) -> None:
    # By hand from the stored culture index: Billing's place among the ten teams in October.
    index = data._culture_index(*data._scored(), "month")
    october = index[(index["period_start"] == pd.Timestamp("2026-10-01"))
                    & (index["scope"] == "team")].dropna(subset=["index"])  # fmt: skip
    ordered = october.sort_values(["index", "scope_id"], ascending=[False, True])
    place = ordered["scope_id"].tolist().index("Billing") + 1
    assert data.rank(LEAD, "month", pd.Timestamp("2026-10-01"), "team", "Billing") == (
        place,
        len(ordered),
    )
    assert data.rank(LEAD, "month", pd.Timestamp("2026-10-01"), "team", "Returns") is None


def test_a_refused_read_is_in_the_audit_log(shown_db: Path) -> None:
    data.duration_distribution(
        LEAD, "first_response", "team", "Escalations", date(2026, 10, 1), date(2026, 10, 31)
    )
    with read_connection(shown_db) as con:
        rows = con.execute("SELECT who, action, detail FROM audit WHERE action = 'refused'")
        logged = rows.fetchall()
    assert logged == [("lead.billing@example.com", "refused", "figures of team Escalations")]
