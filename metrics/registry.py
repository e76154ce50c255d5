"""The indicator registry: every indicator of the scorecard declared once, as data.

The dashboard, the export, the glossary and the tests all read this list; adding an indicator
is one entry here, its default target included (settings keep only an analyst's overrides).

Each computation says how the indicator is computed from the rows of one source relation
(metrics/sources.py lists the columns each source offers): either the exact `median` of an
expression, or additive `parts` (counts and sums per team, rolled up to departments and the
organisation) combined by `value`, `n` (the denominator) and, for wellbeing indicators,
`respondents` (poll responses whose answers enter the value; privacy counts these).
The SQL keeps to the Spark-portable idioms of recipes.md (tests/metrics/test_portable_sql.py):
percentages are `100 * count / nullif(count, 0)` (integer 100, never `100.0`, which Spark makes
DECIMAL), durations are `epoch(ts) - epoch(ts)` in seconds.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from database.schema import WHO5_ITEMS

Kind = Literal["delivered", "perceived"]
Better = Literal["higher", "lower"]
SourceName = Literal["tickets", "resolutions", "surveys", "polls"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Area(_Strict):
    """One of the nine areas of the scorecard."""

    id: str
    label: str
    description: str


class Unit(_Strict):
    """How an indicator's value is expressed."""

    id: str
    label: str  # what the dashboard writes after a value
    description: str


class Part(_Strict):
    """An additive piece of an indicator, computed per team and period, then rolled up.

    count: count(expr) (non-NULL values); count_where: rows where the condition holds;
    sum: sum(expr). Counts and sums add up from teams to departments and the organisation, so
    every scope is exact from the team totals.
    """

    agg: Literal["count", "count_where", "sum"]
    expr: str

    def sql(self) -> str:
        """The aggregate over source rows."""
        if self.agg == "count_where":
            # Not count_if: DuckDB's count_if gives NULL (not 0) when the condition is NULL on
            # every row of a group; a FILTERed count gives 0.
            return f"count(*) FILTER (WHERE {self.expr})"
        return f"{self.agg}({self.expr})"

    def rollup(self, column: str) -> str:
        """The aggregate that combines per-team values of this part."""
        return f"sum({column})"


class Computation(_Strict):
    """How one indicator is computed from the rows of a source (metrics/sources.py).

    Either a holistic `median` (value = exact median of the expression, n = its count, at
    every scope straight from the rows), or additive `parts` combined by `value`, `n` and
    (wellbeing) `respondents`: SQL over the parts, each part written as {name}.
    """

    source: SourceName
    median: str | None = None
    parts: dict[str, Part] = {}
    value: str | None = None
    n: str | None = None
    respondents: str | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Computation:
        if self.median is not None:
            if self.parts or self.value or self.n or self.respondents:
                raise ValueError("a median computation has no parts, value, n or respondents")
        elif not (self.parts and self.value and self.n):
            raise ValueError("give either median, or parts with value and n")
        return self


class Drilldown(_Strict):
    """The items behind a delivered indicator's number: exactly the rows its n counts, from the
    same source relation, so a list can never disagree with its number (metrics/drilldown.py)."""

    label: str  # what the list shows, for people
    order: str  # SQL over the source relation's columns: the ones to look at first


class Indicator(_Strict):
    """One indicator: what it measures, how it is computed and which way is better."""

    id: str
    label: str
    area: str
    kind: Kind
    unit: str
    better: Better
    description: str
    formula: str
    computation: Computation
    target: float  # the default target, in its own unit; an analyst's setting overrides it
    privacy: bool = False
    # Canonical columns of its source the indicator needs (all of them, or any one with
    # needs_any): a load whose file did not carry them cannot feed it.
    needs: tuple[str, ...] = ()
    needs_any: bool = False
    drilldown: Drilldown | None = None

    @property
    def unit_label(self) -> str:
        """What the dashboard writes after a value ('%', 'min', 'h', '/100', '')."""
        return UNITS[self.unit].label


AREA_LIST: tuple[Area, ...] = (
    Area(id="speed", label="Speed", description="How quickly customers get an answer and a fix."),
    Area(id="accuracy", label="Accuracy", description="Getting it right the first time."),
    Area(id="clarity", label="Clarity", description="Being understood without back-and-forth."),
    Area(
        id="transparency",
        label="Transparency",
        description="Keeping the promises made to customers and telling them where things stand.",
    ),
    Area(
        id="accessibility",
        label="Accessibility",
        description="Being easy to reach and easy to deal with, also outside office hours.",
    ),
    Area(id="friendliness", label="Friendliness", description="How customers feel treated."),
    Area(
        id="efficiency",
        label="Efficiency",
        description="Solving issues with little effort for the customer and the team.",
    ),
    Area(
        id="loyalty",
        label="Customer loyalty",
        description="The outcome good service leads to: satisfied customers who recommend us.",
    ),
    Area(
        id="wellbeing",
        label="Employee wellbeing",
        description="Happy employees make happy customers. Shown only for groups of at least "
        "k respondents.",
    ),
)
AREAS: tuple[str, ...] = tuple(a.id for a in AREA_LIST)
PRINCIPLES: tuple[str, ...] = AREAS[:7]  # the seven service principles (delivered vs perceived)
AREA_INFO: dict[str, Area] = {a.id: a for a in AREA_LIST}

UNIT_LIST: tuple[Unit, ...] = (
    Unit(id="minutes", label="min", description="elapsed calendar minutes"),
    Unit(id="hours", label="h", description="elapsed calendar hours"),
    Unit(id="pct", label="%", description="percent, 0..100; changes are percentage points"),
    Unit(id="score", label="", description="net score, -100..100 (share promoters - detractors)"),
    Unit(id="index", label="/100", description="index on a 0..100 scale"),
    Unit(id="count", label="", description="a count per item (e.g. replies per ticket)"),
)
UNITS: dict[str, Unit] = {u.id: u for u in UNIT_LIST}


# --- small builders for the repeated shapes (they return plain data) ---------------------------


def _count(condition: str) -> Part:
    return Part(agg="count_where", expr=condition)


def _known(expression: str) -> Part:
    return Part(agg="count", expr=expression)


# Percentages: integer 100 first, so 100 * count is exact and there is one division (DOUBLE in
# DuckDB and Spark; a literal 100.0 would make Spark compute in DECIMAL).
_PCT = "100 * {hits} / nullif({of}, 0)"


def _share(source: SourceName, numerator: str, denominator: str) -> Computation:
    return Computation(
        source=source,
        parts={"hits": _count(f"({denominator}) AND ({numerator})"), "of": _count(denominator)},
        value=_PCT,
        n="{of}",
    )


def _top(source: SourceName, column: str, threshold: int, privacy: bool = False) -> Computation:
    """Share of known answers at or above a threshold."""
    return Computation(
        source=source,
        parts={"hits": _count(f"{column} >= {threshold}"), "of": _known(column)},
        value=_PCT,
        n="{of}",
        respondents="{of}" if privacy else None,
    )


def _net_score(source: SourceName, column: str, privacy: bool = False) -> Computation:
    return Computation(
        source=source,
        parts={
            "promoters": _count(f"{column} >= 9"),
            "detractors": _count(f"{column} <= 6"),
            "known": _known(column),
        },
        value="100 * ({promoters} - {detractors}) / nullif({known}, 0)",
        n="{known}",
        respondents="{known}" if privacy else None,
    )


def _mean(source: SourceName, expression: str, privacy: bool = False) -> Computation:
    # sum / count: the same number as avg(), but additive from teams up.
    return Computation(
        source=source,
        parts={"total": Part(agg="sum", expr=expression), "known": _known(expression)},
        value="{total} / nullif({known}, 0)",
        n="{known}",
        respondents="{known}" if privacy else None,
    )


def _median(source: SourceName, expression: str) -> Computation:
    # median() interpolates between the two middle values (exact median; DuckDB and Spark agree).
    return Computation(source=source, median=expression)


def _perceived(area: str, label: str, question: str, target: float) -> Indicator:
    column = f"rating_{area}"
    return Indicator(
        id=f"{area}.perceived_pct",
        label=label,
        area=area,
        kind="perceived",
        unit="pct",
        better="higher",
        description=f"Share of surveyed customers who agree (4 or 5 of 5) that {question}.",
        formula=f"top2({column}) = answers 4..5 / answers given x 100",
        computation=_top("surveys", column, 4),
        target=target,
        needs=(column,),
    )


_FAVOURABLE_ITEMS = ("wellbeing", "workload", "recognition", "manager_support", "enablement")
_WHO5 = " + ".join(f"who5_{i}" for i in range(1, 6))


INDICATORS: list[Indicator] = [
    # --- speed ---
    Indicator(
        id="speed.first_response_median_min",
        label="First response time (median)",
        area="speed",
        kind="delivered",
        unit="minutes",
        better="lower",
        description="How long a customer typically waits for the first reply from an agent. Half "
        "of the answered tickets got their first reply faster than this.",
        formula="median(first_response_at - created_at) in minutes, over tickets with a first "
        "response",
        computation=_median("tickets", "first_response_min"),
        target=180,
        needs=("first_response_at",),
        drilldown=Drilldown(
            label="Answered tickets, slowest first response first",
            order="first_response_min DESC",
        ),
    ),
    Indicator(
        id="speed.first_response_sla_pct",
        label="First response within target",
        area="speed",
        kind="delivered",
        unit="pct",
        better="higher",
        description="Share of tickets that got a first reply within the target time for their "
        "priority (urgent 1 h, high 4 h, normal 8 h, low 24 h by default). A ticket never "
        "answered counts as missed.",
        formula="tickets with first_response_at - created_at <= SLA(priority) / all tickets x 100",
        computation=_share("tickets", "sla_met", "sla_known"),
        target=85,
        needs=("first_response_at",),
        drilldown=Drilldown(
            label="Tickets, missed targets first (unanswered ones before late ones)",
            order="sla_met, first_response_min DESC NULLS FIRST",
        ),
    ),
    Indicator(
        id="speed.resolution_median_hours",
        label="Resolution time (median)",
        area="speed",
        kind="delivered",
        unit="hours",
        better="lower",
        description="How long it typically takes to solve a ticket, from opening to solved "
        "(calendar hours).",
        formula="median(resolved_at - created_at) in hours, over resolved tickets",
        computation=_median("tickets", "resolution_hours"),
        target=24,
        needs=("resolved_at",),
        drilldown=Drilldown(
            label="Resolved tickets, slowest resolution first", order="resolution_hours DESC"
        ),
    ),
    _perceived("speed", "Perceived speed", "their issue was handled quickly", 75),
    # --- accuracy ---
    Indicator(
        id="accuracy.reopen_rate_pct",
        label="Reopen rate",
        area="accuracy",
        kind="delivered",
        unit="pct",
        better="lower",
        description="Share of solved tickets that had to be reopened: the first fix did not hold.",
        formula="resolved tickets with reopens > 0 / resolved tickets x 100",
        computation=_share("tickets", "reopens > 0", "resolved AND reopens IS NOT NULL"),
        target=8,
        needs=("resolved_at", "reopens"),
        drilldown=Drilldown(label="Resolved tickets, most reopened first", order="reopens DESC"),
    ),
    Indicator(
        id="accuracy.one_touch_pct",
        label="One-touch resolution",
        area="accuracy",
        kind="delivered",
        unit="pct",
        better="higher",
        description="Share of solved tickets that needed at most one agent reply.",
        formula="resolved tickets with agent_replies <= 1 / resolved tickets with agent_replies "
        "known x 100",
        computation=_share(
            "tickets", "agent_replies <= 1", "resolved AND agent_replies IS NOT NULL"
        ),
        target=45,
        needs=("resolved_at", "agent_replies"),
        drilldown=Drilldown(
            label="Resolved tickets, most agent replies first", order="agent_replies DESC"
        ),
    ),
    _perceived("accuracy", "Perceived accuracy", "the answer they got was correct", 75),
    # --- clarity ---
    Indicator(
        id="clarity.clarification_loop_pct",
        label="Clarification loops",
        area="clarity",
        kind="delivered",
        unit="pct",
        better="lower",
        description="Share of solved tickets where the customer had to write more than twice "
        "after opening: a sign our answers were not clear.",
        formula="resolved tickets with customer_replies > 2 / resolved tickets with "
        "customer_replies known x 100",
        computation=_share(
            "tickets", "customer_replies > 2", "resolved AND customer_replies IS NOT NULL"
        ),
        target=10,
        needs=("resolved_at", "customer_replies"),
        drilldown=Drilldown(
            label="Resolved tickets, most customer follow-ups first",
            order="customer_replies DESC",
        ),
    ),
    _perceived("clarity", "Perceived clarity", "our answers were easy to understand", 75),
    # --- transparency ---
    Indicator(
        id="transparency.promise_kept_pct",
        label="Promises kept",
        area="transparency",
        kind="delivered",
        unit="pct",
        better="higher",
        description="Of the tickets whose promised resolution time has passed, the share solved "
        "on or before the promised time. Promises not yet due are left out.",
        formula="tickets with due_at <= as_of and resolved_at <= due_at / tickets with "
        "due_at <= as_of x 100 (as_of = latest timestamp in the ticket data)",
        computation=_share("tickets", "promise_kept", "promise_due"),
        target=85,
        needs=("due_at", "resolved_at"),
        drilldown=Drilldown(
            label="Tickets whose promised time has passed, broken promises first",
            order="promise_kept, due_at",
        ),
    ),
    _perceived("transparency", "Perceived transparency", "they were kept informed", 70),
    # --- accessibility ---
    Indicator(
        id="accessibility.after_hours_first_response_median_min",
        label="After-hours first response (median)",
        area="accessibility",
        kind="delivered",
        unit="minutes",
        better="lower",
        description="For tickets opened outside business hours (evenings, nights, weekends), how "
        "long the customer typically waits for the first reply.",
        formula="median(first_response_at - created_at) in minutes, over after-hours tickets with "
        "a first response (after hours: Sat/Sun, or before the start / at or after the end of "
        "business hours)",
        computation=_median("tickets", "CASE WHEN after_hours THEN first_response_min END"),
        target=480,
        needs=("first_response_at",),
        drilldown=Drilldown(
            label="Answered after-hours tickets, slowest first response first",
            order="first_response_min DESC",
        ),
    ),
    Indicator(
        id="accessibility.easy_effort_pct",
        label="Easy to get help (CES)",
        area="accessibility",
        kind="perceived",
        unit="pct",
        better="higher",
        description="Share of surveyed customers who agree it was easy to get their issue "
        "handled (5, 6 or 7 of 7 on the effort question).",
        formula="responses with ces >= 5 / responses with ces known x 100",
        computation=_top("surveys", "ces", 5),
        target=70,
        needs=("ces",),
    ),
    _perceived("accessibility", "Perceived accessibility", "we were easy to reach", 75),
    # --- friendliness ---
    _perceived("friendliness", "Perceived friendliness", "they were treated kindly", 80),
    # --- efficiency ---
    Indicator(
        id="efficiency.handle_median_min",
        label="Handling time (median)",
        area="efficiency",
        kind="delivered",
        unit="minutes",
        better="lower",
        description="Agent time typically spent on a solved ticket.",
        formula="median(handle_minutes) over resolved tickets with handle_minutes known",
        computation=_median("tickets", "CASE WHEN resolved THEN handle_minutes END"),
        target=15,
        needs=("resolved_at", "handle_minutes"),
        drilldown=Drilldown(
            label="Resolved tickets, longest handling first", order="handle_minutes DESC"
        ),
    ),
    Indicator(
        id="efficiency.agent_replies_mean",
        label="Agent replies per ticket",
        area="efficiency",
        kind="delivered",
        unit="count",
        better="lower",
        description="Average number of agent replies a solved ticket needed.",
        formula="mean(agent_replies) over resolved tickets with agent_replies known",
        computation=_mean("tickets", "CASE WHEN resolved THEN agent_replies END"),
        target=2,
        needs=("resolved_at", "agent_replies"),
        drilldown=Drilldown(
            label="Resolved tickets, most agent replies first", order="agent_replies DESC"
        ),
    ),
    Indicator(
        id="efficiency.repeat_contact_pct",
        label="Repeat contact within 7 days",
        area="efficiency",
        kind="delivered",
        unit="pct",
        better="lower",
        description="Share of solved tickets after which the same customer opened another ticket "
        "within 7 days (in any team): the issue was not really settled.",
        formula="resolved tickets whose customer opened another ticket with created_at in "
        "(resolved_at, resolved_at + 7 days] / resolved tickets with customer known x 100",
        # Its own source: one row per resolved ticket with a customer (metrics/sources.py).
        computation=_share("resolutions", "repeat_contact", "true"),
        target=10,
        needs=("resolved_at", "customer_id"),
        drilldown=Drilldown(
            label="Resolved tickets with a known customer, repeat contacts first",
            order="repeat_contact DESC, resolved_at",
        ),
    ),
    _perceived("efficiency", "Perceived efficiency", "little effort was needed on their side", 70),
    # --- loyalty ---
    Indicator(
        id="loyalty.csat_pct",
        label="Customer satisfaction (CSAT)",
        area="loyalty",
        kind="perceived",
        unit="pct",
        better="higher",
        description="Share of customers who were satisfied (4 or 5 of 5), from ticket ratings "
        "and surveys.",
        formula="responses with csat >= 4 / responses with csat known x 100",
        computation=_top("surveys", "csat", 4),
        target=80,
        needs=("csat",),
    ),
    Indicator(
        id="loyalty.nps",
        label="Net Promoter Score",
        area="loyalty",
        kind="perceived",
        unit="score",
        better="higher",
        description="Promoters (9-10) minus detractors (0-6), as a share of customers who "
        "answered how likely they are to recommend us; from -100 to 100.",
        formula="(responses with nps >= 9 - responses with nps <= 6) / responses with nps known "
        "x 100",
        computation=_net_score("surveys", "nps"),
        target=30,
        needs=("nps",),
    ),
    # --- wellbeing (privacy: k respondents) ---
    Indicator(
        id="wellbeing.enps",
        label="Employee NPS",
        area="wellbeing",
        kind="perceived",
        unit="score",
        better="higher",
        description="Employees who would recommend their team as a place to work (9-10) minus "
        "those who would not (0-6), from -100 to 100.",
        formula="(responses with enps >= 9 - responses with enps <= 6) / responses with enps "
        "known x 100",
        computation=_net_score("polls", "enps", privacy=True),
        target=10,
        privacy=True,
        needs=("enps",),
    ),
    Indicator(
        id="wellbeing.favourable_pct",
        label="Favourable answers",
        area="wellbeing",
        kind="perceived",
        unit="pct",
        better="higher",
        description="Share of favourable answers (4 or 5 of 5) on feeling well at work, "
        "manageable workload, recognition, manager support and having what is needed.",
        formula="answers >= 4 / answers known x 100, pooled over the items wellbeing, workload, "
        "recognition, manager_support, enablement",
        computation=Computation(
            source="polls",
            parts={
                "favourable": Part(
                    agg="sum",
                    expr=" + ".join(
                        f"CASE WHEN {c} >= 4 THEN 1 ELSE 0 END" for c in _FAVOURABLE_ITEMS
                    ),
                ),
                "answers": Part(
                    agg="sum",
                    expr=" + ".join(
                        f"CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END" for c in _FAVOURABLE_ITEMS
                    ),
                ),
                "respondents": _count(" OR ".join(f"{c} IS NOT NULL" for c in _FAVOURABLE_ITEMS)),
            },
            value="100 * {favourable} / nullif({answers}, 0)",
            n="{answers}",
            respondents="{respondents}",
        ),
        target=65,
        privacy=True,
        needs=_FAVOURABLE_ITEMS,
        needs_any=True,
    ),
    Indicator(
        id="wellbeing.burnout_risk_pct",
        label="Burnout risk",
        area="wellbeing",
        kind="perceived",
        unit="pct",
        better="lower",
        description="Share of employees who often feel exhausted by their work (4 or 5 of 5).",
        formula="responses with burnout >= 4 / responses with burnout known x 100",
        computation=_top("polls", "burnout", 4, privacy=True),
        target=20,
        privacy=True,
        needs=("burnout",),
    ),
    Indicator(
        id="wellbeing.who5_index",
        label="WHO-5 wellbeing index",
        area="wellbeing",
        kind="perceived",
        unit="index",
        better="higher",
        description="The WHO-5 wellbeing index (0 = worst, 100 = best); below 50 suggests poor "
        "wellbeing.",
        formula="mean of 4 x (who5_1 + ... + who5_5) over responses with all five answered",
        # The sum is NULL when any item is missing, so incomplete responses are skipped.
        computation=_mean("polls", f"4 * ({_WHO5})", privacy=True),
        target=60,
        privacy=True,
        needs=WHO5_ITEMS,
    ),
    Indicator(
        id="wellbeing.participation_pct",
        label="Poll participation",
        area="wellbeing",
        kind="perceived",
        unit="pct",
        better="higher",
        description="How many people answered the monthly poll compared with the team's "
        "headcount. A team that did not answer at all shows 0 %: a silent team is exactly what "
        "this figure exists to show.",
        formula="poll responses from teams with a headcount / their headcount x 100, in a month "
        "with any poll response in the organisation (a pulse); n = headcount",
        # Source rows include one 'headcount row' per team with a headcount and pulse (see
        # metrics/sources.py), so sum(headcount) is the group's headcount at every level.
        computation=Computation(
            source="polls",
            parts={
                "counted": _count("is_response = 1 AND counted_team"),
                "headcount": Part(agg="sum", expr="headcount"),
            },
            value="100 * {counted} / nullif({headcount}, 0)",
            n="coalesce({headcount}, 0)",
            # Respondents are the responses that enter the value: a team without a headcount
            # counts in neither part, so its responses neither decide a suppression nor make
            # it a complement (it would hide nothing and leave the small team recoverable).
            respondents="{counted}",
        ),
        target=70,
        privacy=True,
    ),
]

_BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}


def by_id(indicator_id: str) -> Indicator:
    """The indicator with this id (KeyError naming it if unknown)."""
    try:
        return _BY_ID[indicator_id]
    except KeyError:
        raise KeyError(f"unknown indicator {indicator_id!r}") from None


def indicators_of(area: str) -> list[Indicator]:
    """The indicators of one area, in registry order."""
    return [i for i in INDICATORS if i.area == area]


class RegistryError(ValueError):
    """The registry (or the targets for it) is inconsistent; the message lists every problem."""


def registry_problems(
    indicators: list[Indicator], targets: dict[str, float] | None = None
) -> list[str]:
    """Every problem with a registry (and its targets, if given), each naming the indicator."""
    problems: list[str] = []
    seen: set[str] = set()
    for ind in indicators:
        where = f"indicator {ind.id!r}"
        if ind.id in seen:
            problems.append(f"{where}: id is declared more than once")
        seen.add(ind.id)
        if ind.area not in AREA_INFO:
            problems.append(f"{where}: unknown area {ind.area!r} (known: {', '.join(AREAS)})")
        if not ind.id.startswith(f"{ind.area}."):
            problems.append(f"{where}: id must start with its area '{ind.area}.'")
        if ind.unit not in UNITS:
            problems.append(f"{where}: unknown unit {ind.unit!r} (known: {', '.join(UNITS)})")
        for field in ("label", "description", "formula"):
            if not getattr(ind, field).strip():
                problems.append(f"{where}: {field} is empty")
        if ind.privacy != (ind.area == "wellbeing"):
            problems.append(f"{where}: privacy must be set exactly for wellbeing indicators")
        comp = ind.computation
        for template in (comp.value, comp.n, comp.respondents):
            for name in re.findall(r"\{(\w+)\}", template or ""):
                if name not in comp.parts:
                    problems.append(f"{where}: {{{name}}} is not one of its parts")
        if ind.privacy and not ind.computation.respondents:
            problems.append(f"{where}: a privacy indicator needs a respondents count")
        if ind.privacy and ind.computation.source != "polls":
            problems.append(f"{where}: a privacy indicator must be computed from polls")
        if (ind.drilldown is not None) != (ind.kind == "delivered"):
            problems.append(f"{where}: a drill-down is declared exactly for delivered indicators")
        if not ind.target > 0:
            problems.append(f"{where}: default target {ind.target} must be above 0")
        override = (targets or {}).get(ind.id)
        if override is not None and not override > 0:
            problems.append(f"{where}: target {override} must be above 0 (attainment divides)")
    for area in AREAS:
        if not any(i.area == area for i in indicators):
            problems.append(f"area {area!r}: has no indicator")
    if targets is not None:
        for key in sorted(set(targets) - seen):
            problems.append(f"target {key!r}: no indicator with this id (typo?)")
    return problems


def targets_in_force(overrides: dict[str, float]) -> dict[str, float]:
    """Every indicator's target: the analyst's override, else its default."""
    return {i.id: float(overrides.get(i.id, i.target)) for i in INDICATORS}


def check_registry(targets: dict[str, float] | None = None) -> None:
    """Raise RegistryError listing every problem with INDICATORS (and target overrides)."""
    problems = registry_problems(INDICATORS, targets)
    if problems:
        raise RegistryError("indicator registry: " + "; ".join(problems))


# The file source (data contract) whose loads feed each computation source.
FILE_SOURCE: dict[str, str] = {
    "tickets": "tickets",
    "resolutions": "tickets",
    "surveys": "surveys",
    "polls": "polls",
}


def unfed(source: str, carried: list[str] | tuple[str, ...]) -> dict[tuple[str, ...], list[str]]:
    """What a load of `source` that carried these columns cannot feed.

    Keys: the missing columns (sorted), values: labels of the indicators needing them, in
    registry order. Empty when the file feeds every indicator of its source.
    """
    have = set(carried)
    out: dict[tuple[str, ...], list[str]] = {}
    for ind in INDICATORS:
        if FILE_SOURCE[ind.computation.source] != source or not ind.needs:
            continue
        missing = tuple(sorted(c for c in ind.needs if c not in have))
        if ind.needs_any and len(missing) < len(ind.needs):
            continue  # one of its columns is enough
        if missing:
            out.setdefault(missing, []).append(ind.label)
    return out


def unfed_text(source: str, carried: list[str] | tuple[str, ...]) -> list[str]:
    """One sentence per missing column set: 'no first_response_at: First response ... come
    from other loads only'."""
    return [
        f"no {' / '.join(columns)}: {', '.join(labels)} "
        f"{'comes' if len(labels) == 1 else 'come'} from other loads only"
        for columns, labels in unfed(source, carried).items()
    ]
