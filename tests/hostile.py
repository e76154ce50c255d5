"""The sample data with names an attacker would choose: Markdown and HTML that fetch a URL,
and text a spreadsheet would run as a formula.

Names are set with SQL after a real load, so that a value ingest would trim (a leading tab)
reaches the pages too; every table that holds the name is updated alike.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def hostile_names(host: str) -> dict[str, str]:
    """Sample name -> hostile name; `host` (e.g. http://127.0.0.1:9) is where images point."""
    return {
        # teams
        "Billing": f"![x]({host}/leak.png)",
        "Escalations": "**bold**",  # a small team: its wellbeing is hidden, and says so by name
        "Orders & Delivery": f"<img src={host}/html.png onerror=alert(1)>",
        "Enterprise Support": "=1+2",
        "Tech Support L1": "+x",
        "Onboarding": "-Ops",
        "Integrations": "@sum",
        "Tech Support L2": "\tTabbed",
        "Returns": f'=HYPERLINK("{host}/x","click")',
        # departments
        "Consumer": f"![d]({host}/dept.png)",
        "Business": "@Business",
        "Technical": "-Technical",
    }


def hostile_lead(host: str) -> str:
    """The lead of the Billing team, as a Markdown link with an image."""
    return f"[![l]({host}/lead.png)]({host}/lead)"


def make_hostile(db: Path, host: str) -> dict[str, str]:
    """Rename teams, departments, a lead, agents and categories in a loaded sample database."""
    names = hostile_names(host)
    con = duckdb.connect(str(db))
    try:
        for old, new in names.items():
            for table in ("teams", "tickets", "survey_responses", "poll_responses"):
                con.execute(f"UPDATE {table} SET team = ? WHERE team = ?", [new, old])
            con.execute("UPDATE teams SET department = ? WHERE department = ?", [new, old])
        con.execute(
            "UPDATE teams SET lead_email = ? WHERE team = ?", [hostile_lead(host), names["Billing"]]
        )
        con.execute(
            "UPDATE tickets SET agent = '=agent', category = '-category' WHERE team = ?",
            [names["Enterprise Support"]],
        )
        # Rows changed outside ingest: the stored scorecard is rebuilt whole by the next write
        # (the dashboard makes one when it opens the database).
        con.execute("INSERT INTO changed_rows VALUES ('teams', NULL, NULL)")
    finally:
        con.close()
    return names
