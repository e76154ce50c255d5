"""The three source relations the indicator SQL aggregates over, one row per item.

Each is a SELECT over the stored tables giving `team`, `department` (from the teams table;
NULL when the team has none), `ts` (the timestamp that places the row in a period) and the
columns the registry's SQL may use. Parameters are bound by name ($bh_start, ...).
"""

from __future__ import annotations

from datetime import date

from database.schema import POLL_ITEMS_1_5, RATING_COLUMNS, WHO5_ITEMS
from database.settings import Settings

# tickets: the raw columns plus
#   resolved            resolved_at is set
#   first_response_min  exact minutes created -> first response (NULL when unanswered)
#   resolution_hours    exact hours created -> resolved (NULL when unresolved)
#   after_hours         created Sat/Sun, or before business start, or at/after business end
#   sla_known           its load carried first_response_at (else unknown: in neither part)
#   sla_met             sla_known and answered within the target of its priority (<=)
#   promise_due         due_at <= as_of (as_of: latest created/first response/resolved
#                       anywhere), and its load carried resolved_at
#   promise_kept        promise_due and resolved at or before due_at
# A column a ticket's load did not carry is unknown (metrics.md, "Columns an export never
# had"): loads.carried lists what each load carried; a ticket with no load (or a load from
# before columns were recorded) carried every column. reopens is NULL where not carried.
# First-response target of a ticket's priority, in minutes (settings, bound by name).
_SLA_TARGET = """CASE lower(t.priority)
        WHEN 'urgent' THEN $sla_urgent
        WHEN 'high' THEN $sla_high
        WHEN 'low' THEN $sla_low
        ELSE $sla_normal END"""
AS_OF_SQL = """
SELECT greatest(max(created_at),
                coalesce(max(first_response_at), max(created_at)),
                coalesce(max(resolved_at), max(created_at))) AS as_of
FROM tickets"""
TICKETS_SQL = f"""
WITH as_of AS ({AS_OF_SQL}
)
SELECT
    t.ticket_id,
    t.team,
    m.department,
    t.created_at AS ts,
    t.created_at,
    t.priority,
    t.channel,
    t.category,
    t.agent,
    t.status,
    t.first_response_at,
    t.resolved_at,
    t.due_at,
    t.reopens,
    t.agent_replies,
    t.customer_replies,
    t.handle_minutes,
    t.customer_hash,
    t.resolved_at IS NOT NULL AS resolved,
    (epoch(t.first_response_at) - epoch(t.created_at)) / 60 AS first_response_min,
    (epoch(t.resolved_at) - epoch(t.created_at)) / 3600 AS resolution_hours,
    (t.created_at >= date_trunc('week', t.created_at) + INTERVAL 5 DAY
        OR hour(t.created_at) * 60 + minute(t.created_at) < $bh_start
        OR hour(t.created_at) * 60 + minute(t.created_at) >= $bh_end) AS after_hours,
    {_SLA_TARGET} AS sla_target_min,
    coalesce(l.first_response_known, true) AS sla_known,
    coalesce(l.first_response_known, true) AND coalesce(
        epoch(t.first_response_at) - epoch(t.created_at) <= 60 * {_SLA_TARGET}, false) AS sla_met,
    coalesce(l.resolved_known, true) AND coalesce(t.due_at <= a.as_of, false) AS promise_due,
    coalesce(l.resolved_known, true)
        AND coalesce(t.due_at <= a.as_of AND t.resolved_at <= t.due_at, false) AS promise_kept,
    1 AS is_item
FROM tickets AS t
CROSS JOIN as_of AS a
LEFT JOIN teams AS m ON m.team = t.team
LEFT JOIN (
    SELECT load_id,
           coalesce(list_contains(carried, 'first_response_at'), true) AS first_response_known,
           coalesce(list_contains(carried, 'resolved_at'), true) AS resolved_known
    FROM loads
) AS l ON l.load_id = t.load_id
"""

# resolutions: one row per resolved ticket with a known customer (placed in the period of its
# created_at), with repeat_contact: the same customer opened a ticket, in any team, with
# created_at in (resolved_at, resolved_at + 7 days].
#
# The first ticket a customer opened after a resolution is usually the customer's next ticket,
# or the one after it (a follow-up opened while the first was still open): one window over
# the tickets (sorted per customer by created_at) finds both. Customers where that is not
# enough ("tangled", usually few: a ticket still open when the next two were opened, two
# tickets opened at the same time, or one resolved before it was created, which ingest
# rejects but the metrics must not depend on) take the exact walk over their openings and
# resolutions instead. Both are one sort whatever the number of tickets per customer (a
# self-join grows with its square).
RESOLUTIONS_SQL = """
WITH nexted AS (
    -- created_at of the customer's next ticket and of the one after it.
    SELECT ticket_id, customer_hash, team, created_at, resolved_at,
           min(created_at) OVER (
               PARTITION BY customer_hash ORDER BY created_at
               ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) AS next_created_at,
           min(created_at) OVER (
               PARTITION BY customer_hash ORDER BY created_at
               ROWS BETWEEN 2 FOLLOWING AND 2 FOLLOWING) AS after_next_created_at
    FROM tickets AS t
    WHERE customer_hash IS NOT NULL/*since*/
),
tangled AS (
    -- With two tickets opened at the same time tangled, the order of those (arbitrary) never
    -- changes the split, however often an engine evaluates `nexted`.
    SELECT DISTINCT customer_hash
    FROM nexted
    WHERE next_created_at = created_at
       OR after_next_created_at <= resolved_at
       OR resolved_at < created_at
),
untangled AS (
    -- Earlier tickets were opened at or before created_at, so not after resolved_at; later
    -- ones at or after after_next_created_at, which is after resolved_at (or there is none).
    SELECT n.ticket_id, n.team, n.created_at, n.resolved_at,
           coalesce(CASE WHEN n.next_created_at > n.resolved_at THEN n.next_created_at
                         ELSE n.after_next_created_at END
                    <= n.resolved_at + INTERVAL 7 DAY, false) AS repeat_contact
    FROM nexted AS n
    LEFT JOIN tangled AS g ON g.customer_hash = n.customer_hash
    WHERE n.resolved_at IS NOT NULL AND g.customer_hash IS NULL
),
events AS (
    -- Tangled customers only. kind 1: a resolution; kind 0: the customer opened a ticket.
    SELECT 1 AS kind, t.resolved_at AS event_at, t.customer_hash, t.team, t.created_at,
           t.ticket_id
    FROM tickets AS t
    JOIN tangled AS g ON g.customer_hash = t.customer_hash
    WHERE t.resolved_at IS NOT NULL/*since*/
    UNION ALL
    SELECT 0 AS kind, t.created_at AS event_at, t.customer_hash, CAST(NULL AS VARCHAR),
           CAST(NULL AS TIMESTAMP), CAST(NULL AS VARCHAR)
    FROM tickets AS t
    JOIN tangled AS g ON g.customer_hash = t.customer_hash
    WHERE true/*since*/
),
walked AS (
    -- next_created_at: the first ticket the customer opened strictly after this resolution.
    -- Walking each customer's events backwards in time, a running min sees only later events;
    -- at equal times an opening sorts after the resolution, so it is excluded.
    SELECT kind, event_at, team, created_at, ticket_id,
           min(CASE WHEN kind = 0 THEN event_at END) OVER (
               PARTITION BY customer_hash ORDER BY event_at DESC, kind DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_created_at
    FROM events
),
resolved AS (
    SELECT ticket_id, team, created_at, resolved_at, repeat_contact
    FROM untangled
    UNION ALL
    SELECT ticket_id, team, created_at, event_at AS resolved_at,
           coalesce(next_created_at <= event_at + INTERVAL 7 DAY, false) AS repeat_contact
    FROM walked
    WHERE kind = 1
)
SELECT
    r.ticket_id,
    r.team,
    m.department,
    r.created_at AS ts,
    r.created_at,
    r.resolved_at,
    r.repeat_contact,
    1 AS is_item
FROM resolved AS r
LEFT JOIN teams AS m ON m.team = r.team
"""

SURVEYS_SQL = f"""
SELECT
    s.team,
    m.department,
    s.submitted_at AS ts,
    s.channel,
    s.csat,
    s.nps,
    s.ces,
    {", ".join(f"s.{c}" for c in RATING_COLUMNS)},
    1 AS is_item
FROM survey_responses AS s
LEFT JOIN teams AS m ON m.team = s.team
"""

_POLL_ITEMS = ("enps", *POLL_ITEMS_1_5, *WHO5_ITEMS)

# polls: one row per poll response (is_response = 1; counted_team when its team has a
# headcount) plus, for participation, one 'headcount row' per team with a headcount and pulse
# (is_response = 0, all answers NULL, headcount set, ts = the pulse's first day): sum(headcount)
# is then the headcount of whatever group is aggregated. A pulse is a calendar month with any
# poll response in the organisation; wellbeing is only ever computed per month
# (metrics/pulses.py): at other periods this source only tells which groups are active.
# Only teams with data (a ticket, survey or poll response) get headcount rows of their own; the
# others have no row in the scorecard anyway, so their headcounts come as one row per
# department and pulse (team NULL, no items, so no group of its own): the cost follows the
# teams with data, not the size of teams.csv, and department and organisation keep every
# headcount.
POLLS_SQL = f"""
WITH pulses AS (
    SELECT DISTINCT date_trunc('month', submitted_at) AS month FROM poll_responses
), active AS (
    SELECT team FROM tickets UNION SELECT team FROM survey_responses
    UNION SELECT team FROM poll_responses
)
SELECT p.team, m.department, p.submitted_at AS ts, 1 AS is_response,
       m.headcount IS NOT NULL AS counted_team, 0 AS headcount,
       {", ".join(f"p.{c}" for c in _POLL_ITEMS)}, 1 AS is_item
FROM poll_responses AS p
LEFT JOIN teams AS m ON m.team = p.team
UNION ALL
SELECT m.team, m.department, u.month AS ts, 0 AS is_response,
       false AS counted_team, m.headcount,
       {", ".join(f"CAST(NULL AS INTEGER) AS {c}" for c in _POLL_ITEMS)}, 0 AS is_item
FROM teams AS m
CROSS JOIN pulses AS u
WHERE m.headcount IS NOT NULL AND m.team IN (SELECT team FROM active)
UNION ALL
SELECT NULL AS team, q.department, u.month AS ts, 0 AS is_response,
       false AS counted_team, q.headcount,
       {", ".join(f"CAST(NULL AS INTEGER) AS {c}" for c in _POLL_ITEMS)}, 0 AS is_item
FROM (
    SELECT department, sum(headcount) AS headcount FROM teams
    WHERE headcount IS NOT NULL AND team NOT IN (SELECT team FROM active)
    GROUP BY department
) AS q
CROSS JOIN pulses AS u
"""


def source_sql(source: str, since: date | None = None) -> str:
    """The SELECT giving the rows of one source (the same for every period).

    since: only the rows placed on or after that day are needed (the stored scorecard
    refreshing some periods). Repeat contact then orders only the tickets opened since: a
    ticket's outcome depends on the customer's later tickets only, so it stays exact.
    """
    if source == "tickets":
        return TICKETS_SQL
    if source == "resolutions":
        bound = "" if since is None else f" AND t.created_at >= TIMESTAMP '{since.isoformat()}'"
        return RESOLUTIONS_SQL.replace("/*since*/", bound)
    if source == "surveys":
        return SURVEYS_SQL
    if source == "polls":
        return POLLS_SQL
    raise ValueError(f"unknown source {source!r}")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def source_parameters(source: str, settings: Settings) -> dict[str, object]:
    """The named parameters a source's SQL binds."""
    if source != "tickets":
        return {}  # only tickets bind settings
    sla = settings.sla_first_response_minutes
    org = settings.organisation
    return {
        "bh_start": _minutes(org.business_hours_start),
        "bh_end": _minutes(org.business_hours_end),
        "sla_urgent": sla.urgent,
        "sla_high": sla.high,
        "sla_normal": sla.normal,
        "sla_low": sla.low,
    }
