"""From a mapping and a file's header to SQL: raw, typed and rule expressions per column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.mapping import MAPPINGS_DIR, Mapping, load_mapping, parse_mapping
from ingest.reader import Layout
from ingest.sources import PRIORITIES, Source

# Poll columns that identify a person are dropped on sight, never read, and named in the
# report, even when a mapping declares them as items. Read by words, so that `EmpID`,
# `emp_id`, `Employee_Name`, `E-mail Address` and `RecipientLastName` are all caught.
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PERSON = {
    "employee",
    "emp",
    "staff",
    "person",
    "user",
    "worker",
    "respondent",
    "participant",
    "member",
    "recipient",
    "associate",
    "personnel",
    "badge",
}
_NUMBER = {"id", "ids", "number", "no", "num", "nr", "code", "key", "ref", "reference"}
_IDENTITY_WORDS = {
    "name",
    "names",
    "email",
    "mail",
    "login",
    "username",
    "phone",
    "mobile",
    "telephone",
    "tel",
    "ip",
    "address",
    "ssn",
    "passport",
    "birth",
    "dob",
    "latitude",
    "longitude",
    "upn",
    "initials",
}
_IDENTITY_JOINED = (
    "email",
    "empid",
    "empno",
    "eid",
    "userid",
    "username",
    "staffid",
    "employeeid",
    "externalreference",
    "externaldatareference",
    "ipaddress",
)
ITEM_PREFIX = "item_"


def is_identity(column: str) -> bool:
    """True for a column name that looks like it identifies a person."""
    words = [w.lower() for w in _WORDS.findall(column)]
    joined = "".join(words)
    return bool(
        _IDENTITY_WORDS.intersection(words)
        or (_PERSON.intersection(words) and _NUMBER.intersection(words))
        or any(j == joined or (j == "email" and j in joined) for j in _IDENTITY_JOINED)
    )


class PlanError(ValueError):
    """A file whose columns cannot feed the source; the message says what to do."""


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


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
    skip_where: str | None = None


def _find(header: list[str], wanted: str) -> int | None:
    if wanted in header:
        return header.index(wanted)
    folded = [h.strip().casefold() for h in header]
    key = wanted.strip().casefold()
    return folded.index(key) if key in folded else None


def suggest_mapping(source: str, header: list[str]) -> str | None:
    """The shipped mapping whose source columns best match a header, if one fits well."""
    best, best_score = None, 0.0
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        mapping = parse_mapping(path.read_text(encoding="utf-8"), path.name)
        if mapping.source != source:
            continue
        wanted = list(mapping.columns.values()) + [d.column for d in mapping.durations.values()]
        if not wanted:
            continue
        score = sum(_find(header, w) is not None for w in wanted) / len(wanted)
        if score > best_score:
            best, best_score = path.stem, score
    return best if best_score >= 0.6 else None


def _cleaned(col_sql: str, text: bool = False) -> str:
    # The CSV reader already turned the missing tokens into NULL (stage._read_sql). Text is
    # trimmed (blank text is missing); numbers and timestamps parse with spaces anyway.
    return f"nullif(trim({col_sql}), '')" if text else col_sql


def _value_map(expr: str, values: dict[str, str | int | float]) -> str:
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


def build_plan(source: Source, mapping: Mapping, layout: Layout, tz: str) -> Plan:
    """Resolve the mapping against the header and build every SQL expression."""
    plan = Plan(source, mapping, layout)
    header = layout.header
    used: set[int] = set()
    dropped = {
        i for i, h in enumerate(header) for d in mapping.drop if h.casefold() == d.casefold()
    }
    mapped = {_find(header, mapping.source_for(c.name)) for c in source.columns}
    if source.name == "polls":
        # A mapped canonical column is read as that column (a response_id that is an employee
        # number is stored only as its keyed hash); every other identity column is dropped.
        dropped |= {i for i, h in enumerate(header) if i not in mapped and is_identity(h)}

    absent_required = []
    for col in source.columns:
        name = col.name
        if name in mapping.constants:
            plan.raw[name] = sql_str(str(mapping.constants[name]))
            plan.carried.append(name)
            continue
        if name in mapping.durations:
            continue
        default = mapping.defaults.get(name)
        idx = _find(header, mapping.source_for(name))
        if idx is None or idx in dropped:
            if default is not None:
                plan.raw[name] = sql_str(str(default))
                plan.carried.append(name)
                continue
            if col.required and not (source.name == "surveys" and name == "team"):
                absent_required.append((name, mapping.source_for(name)))
            plan.raw[name] = "NULL::VARCHAR"
            continue
        used.add(idx)
        plan.carried.append(name)
        expr = _cleaned(f'"c{idx}"', col.kind == "text")
        if name in mapping.values:
            expr = _value_map(expr, mapping.values[name])
        if default is not None:
            expr = f"coalesce({expr}, {sql_str(str(default))})"
        plan.raw[name] = expr
    if absent_required:
        wanted = ", ".join(
            f"{n!r}" if n == s else f"{n!r} (mapped from {s!r})" for n, s in absent_required
        )
        hint = ""
        suggestion = suggest_mapping(source.name, header)
        if suggestion and suggestion != mapping.name:
            hint = f" The shipped mapping {suggestion!r} fits: try --mapping {suggestion}."
        elif mapping.name == "canonical":
            hint = " If this is another tool's export, pass a mapping (see docs/mappings.md)."
        raise PlanError(
            f"the {source.name} file has no required column {wanted}. "
            f"Columns found: {', '.join(header)}.{hint}"
        )

    for name, duration in mapping.durations.items():
        idx = _find(header, duration.column)
        if idx is None or idx in dropped:
            # Exports of one tool vary: a duration column this file lacks is not carried.
            plan.raw[name] = "NULL::VARCHAR"
            continue
        used.add(idx)
        plan.carried.append(name)
        plan.raw[name] = _cleaned(f'"c{idx}"')
    if source.name == "polls":
        _plan_items(plan, dropped, used)

    _type_columns(plan, tz)
    _add_rules(plan)

    if mapping.skip_rows_where:
        tests = []
        for column, values in mapping.skip_rows_where.items():
            idx = _find(header, column)
            if idx is None:
                raise PlanError(f"skip_rows_where: column {column!r} is not in the file")
            used.add(idx)
            tests.append(f'trim("c{idx}") IN ({", ".join(sql_str(v) for v in values)})')
        plan.skip_where = " OR ".join(tests)

    for i, h in enumerate(header):
        if i in dropped:
            plan.dropped.append(h)
        elif i in used or i in layout.empty_names:
            continue
        else:
            plan.ignored.append(h)
    plan.carried = [c.name for c in source.columns if c.name in plan.carried]
    return plan


def _plan_items(plan: Plan, dropped: set[int], used: set[int]) -> None:
    """Extra poll items, by allow-list: `item_<name>` columns and the mapping's [items]."""
    header = plan.layout.header
    wanted = {h[len(ITEM_PREFIX) :]: h for h in header if h.casefold().startswith(ITEM_PREFIX)}
    wanted.update(plan.mapping.items)
    for name, column in wanted.items():
        idx = _find(header, column)
        if idx is None or idx in dropped or idx in used:
            continue
        if is_identity(column):
            dropped.add(idx)  # dropped on sight even when declared
            continue
        used.add(idx)
        plan.items[name] = (header[idx], _cleaned(f'"c{idx}"'))


def _type_columns(plan: Plan, tz: str) -> None:
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
        elif col.kind == "text":
            plan.typed[col.name] = f"lower({raw})" if col.lower else raw
        elif col.kind in ("int", "number"):
            plan.typed[col.name] = f"try_cast({raw} AS DOUBLE)"
        else:
            plan.typed[col.name] = _timestamp(raw, mapping.formats_for(col.name), tz)
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


def _add_rules(plan: Plan) -> None:
    rules = plan.rules
    mapping = plan.mapping
    for col in plan.source.columns:
        raw, typed = f'"{col.name}"', f'"{col.name}__t"'
        if col.required and not (plan.source.name == "surveys" and col.name == "team"):
            rules.append(Rule(col.name, f"{raw} IS NULL", f"{col.name} is missing", "NULL"))
        if col.kind == "timestamp":
            fmts = mapping.formats_for(col.name)
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


__all__ = ["Plan", "PlanError", "Rule", "build_plan", "load_mapping", "sql_str", "suggest_mapping"]
