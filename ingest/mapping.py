"""Mappings: declarative TOML files that turn an export's layout into a canonical source.

The format is documented in docs/mappings.md. Shipped mappings live in ingest/mappings/;
an analyst passes the path of their own file with --mapping.
"""

from __future__ import annotations

import codecs
import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.sources import DEFAULT_MISSING, SOURCES

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

    @field_validator("formats")
    @classmethod
    def _formats_as_lists(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for column, fmt in value.items():
            fmts = [fmt] if isinstance(fmt, str) else fmt
            if not fmts or any("%" not in f for f in fmts):
                raise ValueError(
                    f"formats.{column}: {fmt!r} is not a strptime format like %d/%m/%Y"
                )
        return value

    @model_validator(mode="after")
    def _known_canonical_columns(self) -> Mapping:
        known = set(SOURCES[self.source].names)
        problems = []
        for section in ("columns", "constants", "defaults", "formats", "values", "durations"):
            for key in getattr(self, section):
                if key not in known:
                    problems.append(
                        f"{section}.{key}: not a column of {self.source} "
                        f"(known: {', '.join(sorted(known))})"
                    )
        for key, duration in self.durations.items():
            if duration.after is not None and duration.after not in known:
                problems.append(f"durations.{key}.after: {duration.after!r} is not a column")
            if key in self.columns:
                problems.append(f"durations.{key}: also given in [columns]; keep one")
        for key in self.constants:
            if key in self.columns:
                problems.append(f"constants.{key}: also given in [columns]; keep one")
        if self.items and self.source != "polls":
            problems.append(f"items: only employee polls have extra items, not {self.source}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def formats_for(self, column: str) -> list[str]:
        """strptime formats declared for a canonical column (may be empty)."""
        fmt = self.formats.get(column)
        if fmt is None:
            return []
        return [fmt] if isinstance(fmt, str) else list(fmt)

    def source_for(self, column: str) -> str:
        """The source column that feeds a canonical column (identity when not renamed)."""
        return self.columns.get(column, column)


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
    mapping = parse_mapping(path.read_text(encoding="utf-8"), str(path))
    if mapping.source != source:
        raise MappingError(
            f"mapping {path.name} is for {mapping.source}, not {source}: "
            f"run `scorecard ingest {mapping.source} ...` or pick another mapping"
        )
    return mapping
