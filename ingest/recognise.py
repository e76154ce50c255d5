"""Recognising an export by its header: the shipped mapping that reads it, or the closest ones.

A mapping's signature is the source columns it reads: those feeding required canonical
columns must all be in the header for the mapping to match; the others only rank matches.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from ingest.mapping import MAPPINGS_DIR, Mapping, canonical_mapping, load_mapping, parse_mapping
from ingest.plan import PlanError, find_column, key_hint
from ingest.reader import ReadError, inspect
from ingest.sources import SOURCES, Source


@dataclass(frozen=True)
class Candidate:
    """How well one mapping fits a header."""

    name: str
    description: str
    lacks: tuple[str, ...]  # source columns for required canonical columns, not in the header
    found: int  # signature columns in the header
    total: int  # signature columns

    @property
    def matches(self) -> bool:
        """True when the mapping can read the file (every required column is there)."""
        return not self.lacks


@dataclass(frozen=True)
class Recognition:
    """The candidates for one file and source, best first."""

    source: str
    header: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    @property
    def mapping(self) -> str | None:
        """The recognised mapping's name, if one matches."""
        best = self.candidates[0] if self.candidates else None
        return best.name if best is not None and best.matches else None


@functools.cache
def _shipped(source: str) -> tuple[Mapping, ...]:
    mappings = [canonical_mapping(source)]
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        mapping = parse_mapping(path.read_text(encoding="utf-8"), path.name)
        if mapping.source == source:
            mappings.append(mapping)
    return tuple(mappings)


def signature(mapping: Mapping, source: Source) -> tuple[list[str], list[str]]:
    """(required, optional) source columns a mapping reads."""
    required: list[str] = []
    optional: list[str] = []
    for col in source.columns:
        name = col.name
        if name in mapping.constants or name in mapping.defaults:
            continue
        if mapping.generated_id is not None and name == source.key:
            continue
        if name in mapping.combine:
            columns = [mapping.combine[name].date, mapping.combine[name].time]
        elif name in mapping.durations:
            columns = [mapping.durations[name].column]
        else:
            columns = [mapping.source_for(name)]
        needed = col.required and not (source.name == "surveys" and name == "team")
        (required if needed else optional).extend(columns)
    optional += list(mapping.items.values())
    return required, optional


def _candidate(mapping: Mapping, source: Source, header: list[str]) -> Candidate:
    required, optional = signature(mapping, source)
    lacks = tuple(c for c in required if find_column(header, c) is None)
    found = sum(find_column(header, c) is not None for c in required + optional)
    return Candidate(mapping.name, mapping.description, lacks, found, len(required) + len(optional))


def recognise(source: str, path: str | os.PathLike[str]) -> Recognition:
    """Rank the shipped mappings of a source (canonical first) by how well they fit a file.

    Each mapping reads the header with its own read options (preamble, header rows); a file
    the canonical options cannot read at all raises ReadError.
    """
    src = SOURCES[source]
    headers: dict[str, list[str] | None] = {}
    candidates: list[tuple[int, Candidate]] = []
    canonical_header: list[str] = []
    for order, mapping in enumerate(_shipped(source)):
        # Missing-value tokens and later header rows do not change the names of the first.
        options = mapping.read.model_dump_json(exclude={"missing_values", "header_rows"})
        if options not in headers:
            try:
                headers[options] = inspect(Path(path), mapping.read).header
            except ReadError:
                if order == 0:
                    raise  # the file itself cannot be read
                headers[options] = None
        header = headers[options]
        if header is None:
            continue
        if order == 0:
            canonical_header = header
        candidates.append((order, _candidate(mapping, src, header)))
    candidates.sort(key=lambda oc: (len(oc[1].lacks), -oc[1].found / max(oc[1].total, 1), oc[0]))
    return Recognition(source, tuple(canonical_header), tuple(c for _, c in candidates))


def recognise_any(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """(source, mapping) of the shipped mapping that reads a file, any source; None if none.

    A tie between sources goes to the one whose mapping reads more of the header.
    """
    best: tuple[float, str, str] | None = None
    for source in SOURCES:
        try:
            rec = recognise(source, path)
        except ReadError:
            return None
        if rec.mapping is None:
            continue
        top = rec.candidates[0]
        share = top.found / max(len(rec.header), 1)
        if best is None or share > best[0]:
            best = (share, source, rec.mapping)
    return None if best is None else (best[1], best[2])


def unrecognised(rec: Recognition, path: str | os.PathLike[str]) -> PlanError:
    """The refusal of a file no mapping reads: the closest mappings and what each lacks."""
    closest = "; ".join(
        f"{c.name} lacks {', '.join(repr(x) for x in c.lacks)}" for c in rec.candidates[:3]
    )
    src = SOURCES[rec.source]
    header = list(rec.header)
    message = (
        f"no mapping reads this {rec.source} file. Columns found: {', '.join(header)}. "
        f"Closest: {closest}."
    )
    if find_column(header, src.key) is None:
        message += key_hint(src, header)
    other = recognise_any(path)
    if other is not None and other[0] != rec.source:
        message += f" It looks like {other[0]}: the mapping {other[1]!r} reads it as {other[0]}."
    error = PlanError(message)
    error.needs_mapping = True
    return error


def resolve(
    mapping: str | os.PathLike[str] | None, source: str, path: str | os.PathLike[str]
) -> tuple[Mapping, bool]:
    """The mapping to read a file with, and whether it was recognised from the header.

    None means: recognise it. A file no shipped mapping reads raises PlanError.
    """
    if mapping is not None:
        return load_mapping(mapping, source), False
    rec = recognise(source, path)
    if rec.mapping is None:
        raise unrecognised(rec, path)
    return load_mapping(rec.mapping, source), True


def suggest(error: PlanError, mapping: Mapping, source: str, path: str | os.PathLike[str]) -> None:
    """Add to a refusal the shipped mapping that would read the file, if another one does."""
    if error.suggestion is not None:
        return
    try:
        found = recognise(source, path).mapping
    except ReadError:
        return
    if found is not None and found != mapping.name:
        error.suggestion = found
        error.args = (f"{error} The shipped mapping {found!r} reads this layout.",)
