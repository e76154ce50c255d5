"""Mappings: declarative TOML files that turn an export's layout into a canonical source.

The format is documented in docs/mappings.md. Shipped mappings live in ingest/mappings/;
an analyst passes the path of their own file with --mapping.
"""

from __future__ import annotations

import codecs
import difflib
import os
import tomllib
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.sources import DEFAULT_MISSING, KNOWN_VALUES, SOURCES

MAPPINGS_DIR = Path(__file__).with_name("mappings")
Scalar = str | int | float


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the bad key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- How the bytes are read: codec, quoting, a file without a header (docs/mappings.md,
# "Reading the bytes"). Kept apart from the column mapping: the reader alone uses these keys.


class ReadBytes(_Strict):
    """Codec, quote and escape characters, and the column names of a header-less file."""

    encoding: str = Field("auto", description="auto, or any codec Python knows (cp850, ...)")
    quote: str = Field('"', min_length=1, max_length=1, description="the quote character")
    escape: str | None = Field(
        None,
        min_length=1,
        max_length=1,
        description="escapes a quote inside quotes (default: the quote doubled)",
    )
    column_names: list[str] = Field(
        default_factory=list, description="the file has no header row: these are its columns"
    )

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str) -> str:
        if value == "auto":
            return value
        try:
            info = codecs.lookup(value)
        except LookupError:
            raise ValueError(
                f"{value!r} is not an encoding Python knows (for example utf-8, cp1252, cp850, "
                "latin-1, utf-16, or auto)"
            ) from None
        if not getattr(info, "_is_text_encoding", True):
            raise ValueError(f"{value!r} is not a text encoding (for example utf-8 or cp850)")
        return value

    @field_validator("column_names")
    @classmethod
    def _names_unique(cls, value: list[str]) -> list[str]:
        seen = [n.strip() for n in value]
        if any(not n for n in seen):
            raise ValueError("a column name is empty")
        twice = sorted({n for n in seen if seen.count(n) > 1})
        if twice:
            raise ValueError(f"names given twice: {', '.join(twice)}")
        return seen

    @model_validator(mode="after")
    def _escape_defaults_to_quote(self) -> ReadBytes:
        if self.escape is None:
            self.escape = self.quote
        return self


class ReadOptions(ReadBytes):
    """How to read the file before mapping columns."""

    delimiter: Literal["auto", ",", ";", "\t", "|"] = "auto"
    skip_lines: int = Field(0, ge=0, description="preamble lines before the header")
    header_rows: int = Field(1, ge=1, description="header lines; names come from the first")
    missing_values: list[str] = Field(default_factory=lambda: list(DEFAULT_MISSING))


class Duration(_Strict):
    """A value computed from a duration column: minutes, or a timestamp after another column."""

    column: str
    unit: Literal["seconds", "minutes", "hours", "days", "hh:mm", "hh:mm:ss"] = "minutes"
    after: str | None = Field(None, description="canonical timestamp the duration is added to")


class Combine(_Strict):
    """A timestamp from a date column and a time column, joined with a space."""

    date: str
    time: str
    formats: list[str] = Field(
        default_factory=list, description="strptime formats of '<date> <time>'"
    )

    @field_validator("formats", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class GeneratedId(_Strict):
    """A stable id from a row's content, for files whose rows have no id of their own."""

    columns: list[str] = Field(
        default_factory=list, description="source columns hashed (default: every column read)"
    )


class Condition(_Strict):
    """A canonical column's value applies only where a source column holds (or not) a value."""

    column: str
    in_: list[str] = Field(default_factory=list, alias="in")
    not_in: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_list(self) -> Condition:
        if bool(self.in_) == bool(self.not_in):
            raise ValueError('give exactly one of in = ["Closed", ...] or not_in = [...]')
        return self


Unknown = Literal["reject", "other", "missing"]


class Mapping(_Strict):
    """A whole mapping file."""

    name: str
    source: Literal["teams", "tickets", "surveys", "polls"]
    description: str = ""
    read: ReadOptions = ReadOptions()
    columns: dict[str, str] = Field(default_factory=dict, description="canonical = source column")
    constants: dict[str, Scalar] = Field(default_factory=dict, description="value for every row")
    defaults: dict[str, Scalar] = Field(
        default_factory=dict, description="value where the column is absent or empty"
    )
    formats: dict[str, str | list[str]] = Field(default_factory=dict)
    values: dict[str, dict[str, Scalar]] = Field(default_factory=dict)
    durations: dict[str, Duration] = Field(default_factory=dict)
    items: dict[str, str] = Field(
        default_factory=dict, description="polls: extra item name = source column (1..5)"
    )
    drop: list[str] = Field(default_factory=list, description="source columns never stored")
    skip_rows_where: dict[str, list[str]] = Field(default_factory=dict)
    combine: dict[str, Combine] = Field(default_factory=dict)
    generated_id: GeneratedId | None = None
    when: dict[str, Condition] = Field(default_factory=dict)
    unknown_values: dict[str, Unknown] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_canonical_columns(self) -> Mapping:
        problems = _section_problems(self) + _kind_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def formats_for(self, column: str) -> list[str]:
        """strptime formats declared for a canonical column (may be empty)."""
        fmt = self.formats.get(column)
        if fmt is None:
            return []
        return [fmt] if isinstance(fmt, str) else list(fmt)

    def combined_formats(self, column: str) -> list[str]:
        """Formats of a timestamp: those of [combine.<column>], else [formats]."""
        if column in self.combine:
            return list(self.combine[column].formats)
        return self.formats_for(column)

    def source_for(self, column: str) -> str:
        """The source column that feeds a canonical column (identity when not renamed)."""
        return self.columns.get(column, column)


def format_problem(fmt: str) -> str | None:
    """Why a strptime format cannot be used (None when it can), in words."""
    if "%" not in fmt:
        return f"{fmt!r} is not a strptime format: write one like %d/%m/%Y %H:%M"
    try:
        # DuckDB parses the timestamps: its own parser is the judge of a format.
        with duckdb.connect(":memory:") as con:
            con.execute("SELECT try_strptime('', ?)", [fmt])
    except duckdb.Error:
        return (
            f"{fmt!r} is not a strptime format DuckDB reads: use %Y %m %d %H %M %S %p %z "
            "and friends, e.g. %d/%m/%Y %H:%M"
        )
    return None


def _unknown(name: str, known: set[str], section: str, source: str) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(known))}"
    return f"{section}.{name}: not a column of {source} ({hint})"


def _section_problems(m: Mapping) -> list[str]:
    """Keys that name no canonical column, or name one twice."""
    known = set(SOURCES[m.source].names)
    problems = []
    sections = ("columns", "constants", "defaults", "formats", "values", "durations", "combine")
    for section in (*sections, "when"):
        for key in getattr(m, section):
            if key not in known:
                problems.append(_unknown(key, known, section, m.source))
    owners = ("columns", "constants", "durations", "combine")
    for i, first in enumerate(owners):
        for second in owners[i + 1 :]:
            for key in sorted(set(getattr(m, first)) & set(getattr(m, second))):
                problems.append(f"{second}.{key}: also given in [{first}]; keep one")
    if m.items and m.source != "polls":
        problems.append(f"items: only employee polls have extra items, not {m.source}")
    key = SOURCES[m.source].key
    if m.generated_id is not None:
        for section in ("columns", "constants", "combine", "durations"):
            if key in getattr(m, section):
                problems.append(
                    f"generated_id: {m.source} ids are generated, so {section}.{key} "
                    "must go (or drop [generated_id])"
                )
    if key in m.when:
        problems.append(f"when.{key}: the key {key} applies to every row; remove it")
    for column, policy in m.unknown_values.items():
        if column not in KNOWN_VALUES or column not in known:
            problems.append(
                f"unknown_values.{column}: only {' and '.join(KNOWN_VALUES)} take this key "
                "(a priority outside low, normal, high, urgent is always rejected)"
            )
        elif policy == "other" and "other" not in KNOWN_VALUES[column]:
            problems.append(
                f'unknown_values.{column}: {column} has no "other"; write "reject" or "missing"'
            )
    return problems


def _kind_problems(m: Mapping) -> list[str]:
    """Sections used on a canonical column of the wrong kind (a duration on text...)."""
    src = SOURCES[m.source]
    kinds = {c.name: c.kind for c in src.columns}
    timestamps = sorted(n for n, k in kinds.items() if k == "timestamp")
    problems = []
    declared = [(f"formats.{k}", m.formats_for(k)) for k in m.formats]
    declared += [(f"combine.{k}.formats", c.formats) for k, c in m.combine.items()]
    for where, fmts in declared:
        if not fmts and where.startswith("formats."):
            problems.append(f"{where}: give a strptime format like %d/%m/%Y %H:%M")
        problems += [f"{where}: {p}" for f in fmts if (p := format_problem(f))]
    for key in m.formats:
        if kinds.get(key, "timestamp") != "timestamp":
            problems.append(
                f"formats.{key}: {key} is a {kinds[key]}, not a timestamp; formats are for "
                f"{', '.join(timestamps)}"
            )
        elif key in m.durations:
            problems.append(f"formats.{key}: {key} comes from a duration; remove the format")
    for key in m.combine:
        if kinds.get(key, "timestamp") != "timestamp":
            problems.append(
                f"combine.{key}: {key} is a {kinds[key]}; a date and a time make a timestamp "
                f"({', '.join(timestamps)})"
            )
        elif key in m.formats:
            problems.append(f"formats.{key}: give the formats under [combine.{key}] instead")
    for key, duration in m.durations.items():
        kind = kinds.get(key)
        if kind is None:
            continue
        if kind == "timestamp":
            if duration.after is None:
                problems.append(
                    f"durations.{key}.after: a timestamp needs the one it follows, e.g. after = "
                    f'"created_at"'
                )
            elif duration.after == key or kinds.get(duration.after) != "timestamp":
                problems.append(
                    f"durations.{key}.after: {duration.after!r} is not another timestamp "
                    f"(one of {', '.join(t for t in timestamps if t != key)})"
                )
            elif duration.after in m.durations:
                problems.append(
                    f"durations.{key}.after: {duration.after} is itself a duration; "
                    "add both to the same timestamp"
                )
        elif kind != "number":
            numbers = [n for n, k in kinds.items() if k == "number"]
            what = f"{', '.join(timestamps + numbers)}"
            problems.append(f"durations.{key}: {key} is {kind}; durations feed {what}")
        elif duration.after is not None:
            problems.append(f"durations.{key}.after: {key} is a number of minutes; remove after")
    return problems


def canonical_mapping(source: str) -> Mapping:
    """The identity mapping for a source."""
    return Mapping(name="canonical", source=source)  # type: ignore[arg-type]


def _format_errors(exc: ValidationError) -> str:
    parts: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        msg = err["msg"].removeprefix("Value error, ")
        if loc and loc[-1] in ("str", "int", "float", "list[str]"):
            # One error per branch of a union: say it once, in words.
            loc, msg = loc[:-1], "must be text or a number (or a list of texts for formats)"
        key = ".".join(loc)
        parts.setdefault(key, f"{key}: {msg}" if key else msg)
    return "; ".join(parts.values())


def parse_mapping(text: str, origin: str) -> Mapping:
    """Parse and validate mapping TOML; errors name the file and every bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping {origin}: not valid TOML ({exc})") from exc
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        raise MappingError(f"mapping {origin}: {_format_errors(exc)}") from exc


def available_mappings(source: str | None = None) -> list[str]:
    """Names of the shipped mappings (for a source, if given), canonical first."""
    names = []
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        mapping = parse_mapping(path.read_text(encoding="utf-8"), path.name)
        if source is None or mapping.source == source:
            names.append(path.stem)
    return ["canonical", *names]


def load_mapping(name_or_path: str | os.PathLike[str] | None, source: str) -> Mapping:
    """A shipped mapping by name, a mapping file by path, or the canonical one."""
    if name_or_path is None or str(name_or_path) == "canonical":
        return canonical_mapping(source)
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.toml"
    if not path.exists():
        shipped = ", ".join(available_mappings(source))
        raise MappingError(
            f"mapping {name_or_path!r} not found: give a shipped name ({shipped}) or a .toml path"
        )
    mapping = parse_mapping(path.read_text(encoding="utf-8"), path.name)  # never a server path
    if mapping.source != source:
        raise MappingError(
            f"mapping {path.name} is for {mapping.source}, not {source}: "
            f"load the file as {mapping.source}, or pick another mapping"
        )
    return mapping
