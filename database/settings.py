"""Settings: shipped defaults in TOML, overridden key by key by an analyst's file."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULTS_FILE = Path(__file__).with_name("default_settings.toml")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class SettingsError(ValueError):
    """A settings file that cannot be used; the message says which key and why.

    `problems` holds (key, reason) pairs without the file's path, for a page to show.
    """

    def __init__(self, origin: str, problems: list[tuple[str, str]]) -> None:
        text = "; ".join(f"{key}: {reason}" if key else reason for key, reason in problems)
        super().__init__(f"{origin}: {text}")
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Organisation(_Strict):
    timezone: str = "UTC"
    business_hours_start: str = "09:00"
    business_hours_end: str = "17:00"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Europe/Paris)"
            ) from exc
        return value

    @field_validator("business_hours_start", "business_hours_end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a time of day as HH:MM")
        return value

    def start(self) -> time:
        """Start of business hours."""
        return time.fromisoformat(self.business_hours_start)

    def end(self) -> time:
        """End of business hours."""
        return time.fromisoformat(self.business_hours_end)


class Privacy(_Strict):
    k: int = Field(5, ge=3, description="minimum respondents; the spec forbids k below 3")


class Sla(_Strict):
    urgent: float = Field(60, gt=0)
    high: float = Field(240, gt=0)
    normal: float = Field(480, gt=0)
    low: float = Field(1440, gt=0)


class Status(_Strict):
    amber_tolerance_pct: float = Field(10, ge=0, le=100)


class Settings(_Strict):
    organisation: Organisation = Organisation()
    privacy: Privacy = Privacy()
    sla_first_response_minutes: Sla = Sla()
    status: Status = Status()
    targets: dict[str, float] = {}


def settings_path_for(db_path: str | os.PathLike[str] | None) -> Path | None:
    """The analyst's settings file for a database: `<stem>.settings.toml` beside it."""
    if db_path is None:
        return None
    db = Path(db_path).resolve()
    return db.with_name(db.stem + ".settings.toml")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(str(path), [("", f"not valid TOML ({exc})")]) from exc


def validate_settings(data: dict[str, Any], origin: str = "settings") -> Settings:
    """Validate a settings mapping; errors name every bad key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = [
            (
                ".".join(str(p) for p in err["loc"]),
                # pydantic's "Value error, " prefix is for programmers; the reason is ours.
                str(err["msg"]).removeprefix("Value error, "),
            )
            for err in exc.errors()
        ]
        raise SettingsError(origin, problems) from exc


def default_settings_data() -> dict[str, Any]:
    """The shipped defaults as plain data."""
    return _read_toml(DEFAULTS_FILE)


def default_settings() -> Settings:
    """The shipped defaults alone (no database yet)."""
    return validate_settings(default_settings_data(), str(DEFAULTS_FILE))


def load_settings(db_path: str | os.PathLike[str] | None = None) -> Settings:
    """Defaults overridden by the analyst's file for this database, if there is one."""
    data = default_settings_data()
    origin = str(DEFAULTS_FILE)
    user = settings_path_for(db_path)
    if user is not None and user.exists():
        data = _merge(data, _read_toml(user))
        origin = str(user)
    return validate_settings(data, origin)


def save_settings(overrides: dict[str, Any], db_path: str | os.PathLike[str] | None) -> Path:
    """Validate defaults+overrides, then write the overrides atomically to the analyst's file."""
    import tomli_w  # only needed when writing

    validate_settings(_merge(default_settings_data(), overrides), "new settings")
    path = settings_path_for(db_path)
    if path is None:
        raise SettingsError("settings", [("", "no database path given, so no place to keep them")])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(tomli_w.dumps(overrides).encode())
    os.replace(tmp, path)
    return path
