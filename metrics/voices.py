"""People's own words and extra questions: customers' survey comments, extra poll items.

Pure reads taking `con`; values are bound, never formatted. Employee answers keep the spec's
privacy rules: an extra poll item is shown for the organisation only, per pulse (month), and
only from k respondents up (a group with fewer is hidden; the organisation has no siblings, so
nothing can be subtracted to recover it).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

_SCOPES = {
    "org": "TRUE",
    "department": "team IN (SELECT team FROM teams WHERE department = $scope_id)",
    "team": "team = $scope_id",
}


def survey_comments(
    con: duckdb.DuckDBPyConnection,
    scope: str,
    scope_id: str | None,
    start: date,
    end: date,
    limit: int = 1000,
) -> pd.DataFrame:
    """Survey responses with a comment, submitted in [start, end) in a scope, newest first."""
    where = _SCOPES[scope]  # one of three fixed fragments, never user text
    params: dict[str, object] = {"start": start, "end": end, "limit": int(limit)}
    if scope != "org":
        params["scope_id"] = scope_id
    return con.execute(
        f"""
        SELECT submitted_at, team, channel, csat, nps, comment
        FROM survey_responses
        WHERE {where} AND submitted_at >= $start AND submitted_at < $end
          AND comment IS NOT NULL AND trim(comment) <> ''
        ORDER BY submitted_at DESC, response_id
        LIMIT $limit
        """,
        params,
    ).df()


def extra_poll_items(con: duckdb.DuckDBPyConnection, k: int) -> pd.DataFrame:
    """Per extra poll item and pulse, for the organisation: favourable % (answers at 4 or 5),
    mean answer and respondents; all three empty when fewer than k answered."""
    frame = con.execute(
        """
        SELECT e.item,
               CAST(date_trunc('month', p.submitted_at) AS DATE) AS pulse,
               count(DISTINCT e.response_id) AS respondents,
               100 * count(*) FILTER (WHERE e.value >= 4) / count(*) AS favourable_pct,
               avg(e.value) AS mean_answer
        FROM poll_extra_answers e JOIN poll_responses p USING (response_id)
        GROUP BY ALL ORDER BY e.item, pulse
        """
    ).df()
    hidden = frame["respondents"] < k
    frame["respondents"] = frame["respondents"].astype("Int64")
    frame.loc[hidden, ["favourable_pct", "mean_answer", "respondents"]] = None
    frame["hidden"] = hidden
    return frame
