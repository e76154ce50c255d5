"""The metrics registry as the pages need it: labels, units, directions, areas, in order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

AREA_LABELS = {
    "speed": "Speed",
    "accuracy": "Accuracy",
    "clarity": "Clarity",
    "transparency": "Transparency",
    "accessibility": "Accessibility",
    "friendliness": "Friendliness",
    "efficiency": "Efficiency",
    "loyalty": "Customer loyalty",
    "wellbeing": "Employee wellbeing",
}
PRINCIPLES = (
    "speed",
    "accuracy",
    "clarity",
    "transparency",
    "accessibility",
    "friendliness",
    "efficiency",
)


@dataclass(frozen=True)
class IndicatorInfo:
    """What a page shows about an indicator, read from the registry."""

    id: str
    label: str
    area: str
    kind: str
    unit: str
    direction: str
    description: str
    formula: str
    default_target: float | None

    @property
    def better(self) -> str:
        """'higher' or 'lower'."""
        return "lower" if str(self.direction).lower().startswith("low") else "higher"


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is None and isinstance(obj, dict):
            value = obj.get(name)
        if value is not None:
            return value
    return default


def _unit_label(unit: str) -> str:
    try:
        from metrics.registry import UNITS
    except ImportError:
        return unit
    found = UNITS.get(unit) if isinstance(UNITS, dict) else None
    return str(found.label) if found is not None else unit


def _default_targets() -> dict[str, float]:
    from database.settings import default_settings_data

    return {k: float(v) for k, v in default_settings_data().get("targets", {}).items()}


def _info(ind: Any, defaults: dict[str, float]) -> IndicatorInfo:
    ind_id = str(_attr(ind, "id"))
    direction = _attr(ind, "better", "direction", default="higher")
    direction = getattr(direction, "value", direction)
    kind = _attr(ind, "kind", default="")
    kind = getattr(kind, "value", kind)
    target = _attr(ind, "target", "default_target", default=defaults.get(ind_id))
    return IndicatorInfo(
        id=ind_id,
        label=str(_attr(ind, "label", "name", default=ind_id)),
        area=str(_attr(ind, "area", default=ind_id.split(".")[0])),
        kind=str(kind),
        unit=_unit_label(str(_attr(ind, "unit", default=""))),
        direction=str(direction),
        description=str(_attr(ind, "description", "definition", default="")).strip(),
        formula=str(_attr(ind, "formula", "sql", default="")).strip(),
        default_target=float(target) if target is not None else None,
    )


@lru_cache(maxsize=1)
def indicators() -> tuple[IndicatorInfo, ...]:
    """Every indicator of the registry, in registry order."""
    from metrics.registry import INDICATORS

    items = INDICATORS.values() if isinstance(INDICATORS, dict) else INDICATORS
    defaults = _default_targets()
    return tuple(_info(i, defaults) for i in items)


def by_id() -> dict[str, IndicatorInfo]:
    """Indicators keyed by id."""
    return {i.id: i for i in indicators()}


def info(indicator_id: str) -> IndicatorInfo:
    """One indicator; an unknown id gets a plain description rather than an error."""
    found = by_id().get(indicator_id)
    if found is not None:
        return found
    area = indicator_id.split(".")[0]
    return IndicatorInfo(indicator_id, indicator_id, area, "", "", "higher", "", "", None)


@lru_cache(maxsize=1)
def areas() -> tuple[str, ...]:
    """Area ids in the registry's order (the seven principles, loyalty, wellbeing)."""
    try:
        from metrics.registry import AREAS
    except ImportError:
        AREAS = None  # noqa: N806
    if AREAS:
        items = AREAS.values() if isinstance(AREAS, dict) else AREAS
        ids = [str(_attr(a, "id", default=a)) if not isinstance(a, str) else a for a in items]
        if ids:
            return tuple(ids)
    seen: list[str] = []
    for ind in indicators():
        if ind.area not in seen:
            seen.append(ind.area)
    return tuple(seen)


def area_description(area: str) -> str:
    """What an area is about (from the registry)."""
    try:
        from metrics.registry import AREA_INFO
    except ImportError:
        return ""
    found = AREA_INFO.get(area)
    return str(found.description) if found is not None else ""


def area_label(area: str) -> str:
    """Display name of an area."""
    try:
        from metrics.registry import AREA_INFO
    except ImportError:
        AREA_INFO = {}  # noqa: N806
    if area in AREA_INFO:
        return str(AREA_INFO[area].label)
    return AREA_LABELS.get(area, area.replace("_", " ").capitalize())
