"""The four canonical sources: their columns, types, keys and scales, declared once."""

from __future__ import annotations

from dataclasses import dataclass

from database.schema import POLL_ITEMS_1_5, RATING_COLUMNS, WHO5_ITEMS


@dataclass(frozen=True)
class Column:
    """One canonical column: name, type and the rule its values must keep."""

    name: str
    kind: str  # text | timestamp | int | number
    required: bool = False
    low: float | None = None
    high: float | None = None
    lower: bool = False  # normalise text to lower case


@dataclass(frozen=True)
class Source:
    """A canonical source: its table, key and columns."""

    name: str
    table: str
    key: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        """The column of that name."""
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical column names in order."""
        return tuple(c.name for c in self.columns)


def _score(name: str, low: int, high: int) -> Column:
    return Column(name, "int", low=low, high=high)


TEAMS = Source(
    "teams",
    "teams",
    "team",
    (
        Column("team", "text", required=True),
        Column("department", "text"),
        Column("lead_email", "text"),
        Column("headcount", "int", low=0),
    ),
)

TICKETS = Source(
    "tickets",
    "tickets",
    "ticket_id",
    (
        Column("ticket_id", "text", required=True),
        Column("team", "text", required=True),
        Column("created_at", "timestamp", required=True),
        Column("channel", "text", lower=True),
        Column("priority", "text", lower=True),
        Column("agent", "text"),
        Column("category", "text"),
        Column("status", "text", lower=True),
        Column("first_response_at", "timestamp"),
        Column("resolved_at", "timestamp"),
        Column("due_at", "timestamp"),
        Column("reopens", "int", low=0),
        Column("agent_replies", "int", low=0),
        Column("customer_replies", "int", low=0),
        Column("handle_minutes", "number", low=0),
        Column("customer_id", "text"),
        _score("csat", 1, 5),
    ),
)

SURVEYS = Source(
    "surveys",
    "survey_responses",
    "response_id",
    (
        Column("response_id", "text", required=True),
        Column("submitted_at", "timestamp", required=True),
        Column("team", "text"),
        Column("ticket_id", "text"),
        Column("channel", "text", lower=True),
        _score("csat", 1, 5),
        _score("nps", 0, 10),
        _score("ces", 1, 7),
        *(_score(c, 1, 5) for c in RATING_COLUMNS),
        Column("comment", "text"),
    ),
)

POLLS = Source(
    "polls",
    "poll_responses",
    "response_id",
    (
        Column("response_id", "text", required=True),
        Column("submitted_at", "timestamp", required=True),
        Column("team", "text", required=True),
        _score("enps", 0, 10),
        *(_score(c, 1, 5) for c in POLL_ITEMS_1_5),
        *(_score(c, 0, 5) for c in WHO5_ITEMS),
    ),
)

SOURCES: dict[str, Source] = {s.name: s for s in (TEAMS, TICKETS, SURVEYS, POLLS)}
PRIORITIES = ("low", "normal", "high", "urgent")
# The documented values of the two ticket columns with a fixed list (data contract).
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "channel": ("email", "chat", "phone", "web", "social", "other"),
    "status": ("open", "pending", "solved", "closed"),
}
DEFAULT_MISSING = ("", "NA", "N/A", "null", "?", "-")
