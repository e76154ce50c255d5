"""From a mapping and a file's header to SQL: raw, typed and rule expressions per column."""

from __future__ import annotations

import difflib

from ingest.identity import ITEM_PREFIX, is_identity
from ingest.mapping import Mapping
from ingest.reader import Layout
from ingest.rules import (
    Plan,
    Rule,
    add_rules,
    cleaned,
    sql_list,
    sql_str,
    type_columns,
    unknown_value_sql,
    value_map,
)
from ingest.sources import KNOWN_VALUES, Source


class PlanError(ValueError):
    """A file whose columns cannot feed the source, or a mapping that does not fit the file.

    The message is plain text for any reader; `problems` lists each one (naming the mapping
    key), `suggestion` a shipped mapping that reads the file.
    """

    def __init__(
        self, message: str, problems: list[str] | None = None, suggestion: str | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems or [message]
        self.suggestion = suggestion
        self.needs_mapping = False  # no shipped mapping reads the file: one must be written


def find_column(header: list[str], wanted: str) -> int | None:
    """Index of a column in the header: exact, else ignoring case and outer spaces."""
    if wanted in header:
        return header.index(wanted)
    folded = [h.strip().casefold() for h in header]
    key = wanted.strip().casefold()
    return folded.index(key) if key in folded else None


class _Resolver:
    """Source columns by name, skipping dropped ones and remembering the ones read."""

    def __init__(self, header: list[str], dropped: set[int]) -> None:
        self.header, self.dropped, self.used = header, dropped, set[int]()

    def __call__(self, wanted: str) -> int | None:
        idx = find_column(self.header, wanted)
        if idx is None or idx in self.dropped:
            return None
        self.used.add(idx)
        return idx


def _dropped(source: Source, mapping: Mapping, header: list[str]) -> set[int]:
    dropped = {
        i for i, h in enumerate(header) for d in mapping.drop if h.casefold() == d.casefold()
    }
    if source.name == "polls":
        # A mapped canonical column is read as that column (a response_id that is an employee
        # number is stored only as its keyed hash); every other identity column is dropped.
        mapped = {find_column(header, mapping.source_for(c.name)) for c in source.columns}
        dropped |= {i for i, h in enumerate(header) if i not in mapped and is_identity(h)}
    return dropped


def _quoted(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)


def key_hint(source: Source, header: list[str]) -> str:
    """Why a poll file without its key column may still load: a generated id from content."""
    identity = [h for h in header if is_identity(h)]
    if source.name != "polls" or not identity:
        return ""
    return (
        f" {_quoted(identity)} identifies a person and is never read; if the rows have no "
        f"other id, a mapping with [generated_id] numbers them by their content."
    )


def build_plan(source: Source, mapping: Mapping, layout: Layout, tz: str) -> Plan:
    """Resolve the mapping against the header and build every SQL expression.

    Raises PlanError naming every problem at once: required columns absent, and every
    mapping key that refers to a column the file does not have.
    """
    plan = Plan(source, mapping, layout)
    header = layout.header
    dropped = _dropped(source, mapping, header)
    find = _Resolver(header, dropped)
    absent_required: list[tuple[str, str]] = []
    problems: list[str] = []
    generated = mapping.generated_id is not None

    for col in source.columns:
        name = col.name
        if name in mapping.constants:
            plan.raw[name] = sql_str(str(mapping.constants[name]))
            plan.carried.append(name)
            continue
        if name in mapping.durations or (generated and name == source.key):
            continue
        default = mapping.defaults.get(name)
        if name in mapping.combine:
            spec = mapping.combine[name]
            date, time = find(spec.date), find(spec.time)
            if date is None or time is None:
                lacking = [c for c, i in ((spec.date, date), (spec.time, time)) if i is None]
                wanted = " and ".join(repr(c) for c in lacking)
                if col.required:
                    absent_required.append((name, wanted))
                else:
                    plan.absent.append(f"{wanted} ({name})")
                plan.raw[name] = "NULL::VARCHAR"
                continue
            d, t = cleaned(f'"c{date}"', True), cleaned(f'"c{time}"', True)
            plan.raw[name] = f"CASE WHEN {t} IS NULL THEN {d} ELSE {d} || ' ' || {t} END"
            plan.raw[f"{name}__time"] = t  # for the rule "a date but no time"
            plan.carried.append(name)
            continue
        idx = find(mapping.source_for(name))
        if idx is None:
            if default is not None:
                plan.raw[name] = sql_str(str(default))
                plan.carried.append(name)
                continue
            if col.required and not (source.name == "surveys" and name == "team"):
                absent_required.append((name, repr(mapping.source_for(name))))
            elif name in mapping.columns:
                plan.absent.append(f"{mapping.columns[name]!r} ({name})")
            plan.raw[name] = "NULL::VARCHAR"
            continue
        plan.carried.append(name)
        expr = cleaned(f'"c{idx}"', col.kind == "text")
        if name in mapping.values:
            expr = value_map(expr, mapping.values[name])
        if default is not None:
            expr = f"coalesce({expr}, {sql_str(str(default))})"
        plan.raw[name] = expr

    for name, duration in mapping.durations.items():
        idx = find(duration.column)
        if idx is None:
            # Exports of one tool vary: a duration column this file lacks is not carried.
            plan.raw[name] = "NULL::VARCHAR"
            plan.absent.append(f"{duration.column!r} ({name})")
            continue
        plan.carried.append(name)
        plan.raw[name] = cleaned(f'"c{idx}"')
    if source.name == "polls":
        _plan_items(plan, dropped, find.used)
    if generated:
        _plan_generated_id(plan, find, problems)
    _plan_conditions(plan, find, problems)
    if mapping.skip_rows_where:
        tests = []
        for column, values in mapping.skip_rows_where.items():
            idx = find(column)
            if idx is None:
                problems.append(f"skip_rows_where.{column}: {_not_in_file(column, header)}")
                continue
            tests.append(f'trim("c{idx}") IN {sql_list(values)}')
        plan.skip_where = " OR ".join(tests) or None
    if absent_required:
        problems.insert(0, _absent_required(source, header, absent_required))
    if problems:
        raise PlanError(" ".join(p if p.endswith(".") else p + "." for p in problems), problems)

    plan.carried = [c.name for c in source.columns if c.name in plan.carried]
    for name in KNOWN_VALUES:
        if name in source.names:
            plan.unknown[name] = mapping.unknown_values.get(name, "reject")
            plan.extra[f"{name}__unknown"] = unknown_value_sql(name)
    type_columns(plan, tz)
    add_rules(plan)
    for i, h in enumerate(header):
        if i in dropped:
            plan.dropped.append(h)
        elif i not in find.used and i not in layout.empty_names:
            plan.ignored.append(h)
    return plan


def _not_in_file(column: str, header: list[str]) -> str:
    close = difflib.get_close_matches(column, header, n=1, cutoff=0.6)
    instead = f"did you mean {close[0]!r}?" if close else f"columns found: {', '.join(header)}"
    return f"the file has no column {column!r} ({instead})"


def _close(quoted: str, header: list[str]) -> str:
    """'; did you mean 'X'?' for a mapped column name with a near twin in the header."""
    if " and " in quoted:
        return ""  # a date and a time: named one by one
    name = quoted[1:-1].casefold()
    folded = {h.casefold(): h for h in header}
    close = difflib.get_close_matches(name, list(folded), n=1, cutoff=0.8)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""


def _absent_required(
    source: Source,
    header: list[str],
    absent: list[tuple[str, str]],
) -> str:
    wanted = ", ".join(
        f"{n!r}" if w == repr(n) else f"{n!r} (mapped from {w}{_close(w, header)})"
        for n, w in absent
    )
    hint = ""
    if any(n == source.key for n, _ in absent):
        hint = key_hint(source, header)
    return (
        f"the {source.name} file has no required column {wanted}. "
        f"Columns found: {', '.join(header)}.{hint}"
    )


def _plan_generated_id(plan: Plan, find: _Resolver, problems: list[str]) -> None:
    """The key from a hash of the row's content, numbered among identical rows."""
    spec = plan.mapping.generated_id
    assert spec is not None
    header = plan.layout.header
    if spec.columns:
        idxs = set()
        for column in spec.columns:
            idx = find(column)
            if idx is not None:
                idxs.add(idx)
            elif find_column(header, column) is not None:
                problems.append(
                    f"generated_id.columns: {column!r} is dropped (it is listed in drop or "
                    "identifies a person) and is never read; leave it out"
                )
            else:
                problems.append(f"generated_id.columns: {_not_in_file(column, header)}")
    else:
        idxs = set(find.used)
    if not idxs:
        problems.append("generated_id: no column to build the id from; list them in columns")
        return
    # By name, not position, so a reordered export keeps its ids; JSON keeps NULL and ''
    # apart. Identical rows get -1, -2...: which one is which does not matter, they are alike.
    ordered = sorted(idxs, key=lambda i: header[i].casefold())
    content = ", ".join(cleaned(f'"c{i}"', True) for i in ordered)
    digest = f"md5(CAST(to_json([{content}]) AS VARCHAR))"
    key = plan.source.key
    plan.raw[key] = (
        f"('g' || substr({digest}, 1, 20) || '-' || "
        f"CAST(row_number() OVER (PARTITION BY {digest}) AS VARCHAR))"
    )
    plan.carried.append(key)


def _plan_conditions(plan: Plan, find: _Resolver, problems: list[str]) -> None:
    """[when.<column>]: the value applies where the condition holds, else it is missing."""
    for name, cond in plan.mapping.when.items():
        idx = find(cond.column)
        if idx is None:
            problems.append(f"when.{name}.column: {_not_in_file(cond.column, plan.layout.header)}")
            continue
        values = [v.strip().casefold() for v in cond.in_ or cond.not_in]
        test = f'lower(trim("c{idx}")) IN {sql_list(values)}'
        test = f"coalesce({test}, false)" if cond.in_ else f"coalesce(NOT ({test}), true)"
        if name in plan.raw:
            plan.raw[name] = f"CASE WHEN {test} THEN {plan.raw[name]} END"


def _plan_items(plan: Plan, dropped: set[int], used: set[int]) -> None:
    """Extra poll items, by allow-list: `item_<name>` columns and the mapping's [items]."""
    header = plan.layout.header
    wanted = {h[len(ITEM_PREFIX) :]: h for h in header if h.casefold().startswith(ITEM_PREFIX)}
    wanted.update(plan.mapping.items)
    for name, column in wanted.items():
        idx = find_column(header, column)
        if idx is None and name in plan.mapping.items:
            plan.absent.append(f"{column!r} (item {name})")  # declared, not in this export
        if idx is None or idx in dropped or idx in used:
            continue
        if is_identity(column):
            dropped.add(idx)  # dropped on sight even when declared
            continue
        used.add(idx)
        plan.items[name] = (header[idx], cleaned(f'"c{idx}"'))


__all__ = ["Plan", "PlanError", "Rule", "build_plan", "find_column", "sql_str"]
