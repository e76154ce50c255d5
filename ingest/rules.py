"""A file's plan, the SQL that types each raw column and the rules that reject a row."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.mapping import Mapping
from ingest.reader import Layout
from ingest.sources import KNOWN_VALUES, PRIORITIES, Source


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: tuple[str, ...] | list[str]) -> str:
    """A parenthesised list of SQL string literals, for IN."""
    return "(" + ", ".join(sql_str(v) for v in values) + ")"


@dataclass(frozen=True)
class Rule:
    """One reason a row is rejected: the column it concerns, its SQL test and its text."""

    column: str
    test: str  # true when the row breaks the rule
    reason: str
    value: str  # SQL for the offending value shown to the analyst


@dataclass
class Plan:
    """Everything needed to stage a file: source column per canonical column and the SQL."""

    source: Source
    mapping: Mapping
    layout: Layout
    raw: dict[str, str] = field(default_factory=dict)  # canonical -> raw varchar SQL
    typed: dict[str, str] = field(default_factory=dict)  # canonical -> typed SQL over raw
    rules: list[Rule] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # item -> (column, raw SQL)
    carried: list[str] = field(default_factory=list)  # canonical columns the file feeds
    absent: list[str] = field(default_factory=list)  # "'Source col' (canonical)" not in file
    unknown: dict[str, str] = field(default_factory=dict)  # channel/status -> policy
    extra: dict[str, str] = field(default_factory=dict)  # staging column -> SQL (not stored)
    skip_where: str | None = None


def cleaned(col_sql: str, text: bool = False) -> str:
    """A raw cell: text trimmed (blank text is missing), anything else as read."""
    # The CSV reader already turned the missing tokens into NULL (stage._read_sql); numbers
    # and timestamps parse with spaces anyway.
    return f"nullif(trim({col_sql}), '')" if text else col_sql


def value_map(expr: str, values: dict[str, str | int | float]) -> str:
    whens = " ".join(
        f"WHEN {sql_str(str(k).strip().casefold())} THEN "
        + ("NULL" if str(v) == "" else sql_str(str(v)))
        for k, v in values.items()
    )
    return f"(CASE lower({expr}) {whens} ELSE {expr} END)"


def _timestamp(raw: str, formats: list[str], tz: str) -> str:
    if formats:
        parts = []
        for fmt in formats:
            parsed = f"try_strptime({raw}, {sql_str(fmt)})"
            # A format with %z yields a zoned value: convert it to the organisation's zone.
            parts.append(f"timezone({sql_str(tz)}, {parsed})" if "%z" in fmt else parsed)
        return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
    # Casting to TIMESTAMP silently drops an offset, so a value that may carry one goes
    # through TIMESTAMPTZ: with the session time zone set to the organisation's it is converted
    # to local time. The test only picks the cast (the zoned one reads naive values as local
    # too) and must be cheap: anything longer than `YYYY-MM-DD HH:MM:SS`, ending in Z or with a
    # '+'. The one form it misses is a negative hours-only offset on a time without seconds
    # (`2025-03-01 14:05-05`), which no export we know writes. It costs a third of the time of
    # testing each position an offset can start at.
    zoned = f"(length({raw}) > 19 OR ends_with({raw}, 'Z') OR contains({raw}, '+'))"
    return (
        # Some exports write a space before the offset ("14:05:00 +0100"): DuckDB wants none.
        f"CASE WHEN {zoned} THEN timezone({sql_str(tz)}, try_cast("
        f"replace(replace({raw}, ' +', '+'), ' -', '-') AS TIMESTAMPTZ)) "
        f"ELSE try_cast({raw} AS TIMESTAMP) END"
    )


_UNIT_MINUTES = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0, "days": 1440.0}


def _duration_minutes(raw: str, unit: str) -> str:
    if unit in _UNIT_MINUTES:
        return f"(try_cast({raw} AS DOUBLE) * {_UNIT_MINUTES[unit]})"
    # hh:mm or hh:mm:ss (Freshdesk's "Time tracked")
    parts = f"string_split({raw}, ':')"
    secs = f" + coalesce(try_cast({parts}[3] AS DOUBLE), 0) / 60" if unit == "hh:mm:ss" else ""
    shape = r"^\d+:\d{1,2}(:\d{1,2})?$"
    return (
        f"(CASE WHEN regexp_matches({raw}, {sql_str(shape)}) THEN "
        f"try_cast({parts}[1] AS DOUBLE) * 60 + try_cast({parts}[2] AS DOUBLE){secs} END)"
    )


def type_columns(plan: Plan, tz: str) -> None:
    """The typed SQL of every canonical column, over the raw (text) columns."""
    mapping = plan.mapping
    for col in plan.source.columns:
        raw = f'"{col.name}"'
        if col.name in mapping.durations:
            duration = mapping.durations[col.name]
            minutes = _duration_minutes(raw, duration.unit)
            if col.kind == "timestamp":
                base = f'"{duration.after}__t"' if duration.after else "NULL"
                plan.typed[col.name] = (
                    f"({base} + to_microseconds(CAST(round({minutes} * 60000000) AS BIGINT)))"
                )
            else:
                plan.typed[col.name] = minutes
        elif col.name in KNOWN_VALUES:
            plan.typed[col.name] = _known_value(col.name, plan.unknown[col.name])
        elif col.kind == "text":
            plan.typed[col.name] = f"lower({raw})" if col.lower else raw
        elif col.kind in ("int", "number"):
            plan.typed[col.name] = f"try_cast({raw} AS DOUBLE)"
        else:
            plan.typed[col.name] = _timestamp(raw, mapping.combined_formats(col.name), tz)
    if plan.source.name == "surveys":
        # No team: take the team of the linked ticket already in the database.
        plan.typed["team"] = (
            'coalesce("team", (SELECT any_value(tk.team) FROM tickets tk '
            'WHERE tk.ticket_id = raw."ticket_id"))'
        )
    if plan.source.name == "tickets":
        plan.typed["priority"] = f"coalesce({plan.typed['priority']}, 'normal')"
        if "reopens" in plan.carried:
            # Missing -> 0 only in a file that has the column: not carried is unknown.
            plan.typed["reopens"] = f"coalesce({plan.typed['reopens']}, 0)"


def _known_value(name: str, policy: str) -> str:
    """A channel or status lower-cased; outside its list: kept (rejected), other or missing."""
    lowered = f'lower("{name}")'
    if policy == "reject":
        return lowered  # the rule in add_rules rejects the row
    instead = "'other'" if policy == "other" else "NULL"
    return (
        f"CASE WHEN {lowered} IS NULL OR {lowered} IN {sql_list(KNOWN_VALUES[name])} "
        f"THEN {lowered} ELSE {instead} END"
    )


def unknown_value_sql(name: str) -> str:
    """The raw value of a channel or status outside its list (NULL otherwise), for counting."""
    lowered = f'lower("{name}")'
    return f"CASE WHEN {lowered} NOT IN {sql_list(KNOWN_VALUES[name])} THEN {lowered} END"


def add_rules(plan: Plan) -> None:
    """The rules a row must keep, in the order they are tested."""
    rules = plan.rules
    mapping = plan.mapping
    for col in plan.source.columns:
        raw, typed = f'"{col.name}"', f'"{col.name}__t"'
        if col.required and not (plan.source.name == "surveys" and col.name == "team"):
            rules.append(Rule(col.name, f"{raw} IS NULL", f"{col.name} is missing", "NULL"))
        if col.name in mapping.combine and col.name in plan.carried:
            time = mapping.combine[col.name].time
            rules.append(
                Rule(
                    col.name,
                    f'{raw} IS NOT NULL AND "{col.name}__time" IS NULL',
                    f"{col.name} has a date but no time (the column {time!r} is empty)",
                    raw,
                )
            )
        if col.name in plan.unknown and plan.unknown[col.name] == "reject":
            known = KNOWN_VALUES[col.name]
            hint = ' or unknown_values.channel = "other"' if "other" in known else ""
            rules.append(
                Rule(
                    col.name,
                    f"{typed} NOT IN {sql_list(known)}",
                    f"{col.name} must be one of {', '.join(known)} (translate other values "
                    f"under values.{col.name} in the mapping{hint})",
                    raw,
                )
            )
        if col.kind == "timestamp":
            fmts = mapping.combined_formats(col.name)
            expected = (
                f"the mapping's format {' or '.join(fmts)}"
                if fmts
                else "ISO 8601 like 2025-03-01 14:05, or declare a format in the mapping"
            )
            if col.name in mapping.durations:
                expected = f"a duration in {mapping.durations[col.name].unit}"
            what = "duration" if col.name in mapping.durations else "timestamp"
            rules.append(
                Rule(
                    col.name,
                    f"{raw} IS NOT NULL AND {typed} IS NULL",
                    f"{col.name} is not a valid {what} (expected {expected})",
                    raw,
                )
            )
        elif col.kind in ("int", "number"):
            what = "whole number" if col.kind == "int" else "number"
            test = f"{raw} IS NOT NULL AND ({typed} IS NULL OR NOT isfinite({typed})"
            if col.kind == "int":
                test += f" OR {typed} <> floor({typed}) OR abs({typed}) > 2147483647"
            rules.append(Rule(col.name, test + ")", f"{col.name} is not a {what}", raw))
            if col.low is not None and col.high is not None:
                rules.append(
                    Rule(
                        col.name,
                        f"{typed} < {col.low} OR {typed} > {col.high}",
                        f"{col.name} must be between {col.low:g} and {col.high:g}",
                        raw,
                    )
                )
            elif col.low is not None:
                rules.append(
                    Rule(col.name, f"{typed} < {col.low}", f"{col.name} must not be negative", raw)
                )
    for i, (item, (column, _)) in enumerate(plan.items.items()):
        raw = f'"x{i}"'
        rules.append(
            Rule(
                column,
                f"{raw} IS NOT NULL AND coalesce(try_cast({raw} AS DOUBLE) NOT IN (1, 2, 3, 4, 5), "
                "true)",
                f"{item} (an extra poll item) must be a whole number between 1 and 5",
                raw,
            )
        )
    name = plan.source.name
    if name == "tickets":
        rules.append(
            Rule(
                "priority",
                f'"priority__t" NOT IN ({", ".join(sql_str(p) for p in PRIORITIES)})',
                "priority must be low, normal, high or urgent (a mapping's value map can "
                "translate other schemes such as P1..P4)",
                '"priority"',
            )
        )
        for column, what in (
            ("first_response_at", "first response"),
            ("resolved_at", "resolution"),
        ):
            rules.append(
                Rule(
                    column,
                    f'"{column}__t" < "created_at__t"',
                    f"{what} time is before the ticket was created",
                    f'"{column}"',
                )
            )
    if name == "surveys":
        rules.append(
            Rule(
                "team",
                '"team" IS NULL AND "ticket_id" IS NULL',
                "team is missing and there is no ticket_id to take it from",
                "NULL",
            )
        )
        rules.append(
            Rule(
                "team",
                '"team__t" IS NULL',
                "team is missing and the linked ticket is not loaded "
                "(load the tickets first, or give a team)",
                '"ticket_id"',
            )
        )
