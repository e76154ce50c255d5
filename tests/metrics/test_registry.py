"""The registry is complete, consistent and validated as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.settings import Settings
from metrics.registry import (
    AREAS,
    INDICATORS,
    UNITS,
    Computation,
    Indicator,
    RegistryError,
    by_id,
    check_registry,
    indicators_of,
    registry_problems,
    targets_in_force,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"

# The contract: every id of the spec's table, in its order.
SPEC_IDS = [
    "speed.first_response_median_min",
    "speed.first_response_sla_pct",
    "speed.resolution_median_hours",
    "speed.perceived_pct",
    "accuracy.reopen_rate_pct",
    "accuracy.one_touch_pct",
    "accuracy.perceived_pct",
    "clarity.clarification_loop_pct",
    "clarity.perceived_pct",
    "transparency.promise_kept_pct",
    "transparency.perceived_pct",
    "accessibility.after_hours_first_response_median_min",
    "accessibility.easy_effort_pct",
    "accessibility.perceived_pct",
    "friendliness.perceived_pct",
    "efficiency.handle_median_min",
    "efficiency.agent_replies_mean",
    "efficiency.repeat_contact_pct",
    "efficiency.perceived_pct",
    "loyalty.csat_pct",
    "loyalty.nps",
    "wellbeing.enps",
    "wellbeing.favourable_pct",
    "wellbeing.burnout_risk_pct",
    "wellbeing.who5_index",
    "wellbeing.participation_pct",
]
LOWER_BETTER = {
    "speed.first_response_median_min",
    "speed.resolution_median_hours",
    "accuracy.reopen_rate_pct",
    "clarity.clarification_loop_pct",
    "accessibility.after_hours_first_response_median_min",
    "efficiency.handle_median_min",
    "efficiency.agent_replies_mean",
    "efficiency.repeat_contact_pct",
    "wellbeing.burnout_risk_pct",
}
DELIVERED = {
    "speed.first_response_median_min",
    "speed.first_response_sla_pct",
    "speed.resolution_median_hours",
    "accuracy.reopen_rate_pct",
    "accuracy.one_touch_pct",
    "clarity.clarification_loop_pct",
    "transparency.promise_kept_pct",
    "accessibility.after_hours_first_response_median_min",
    "efficiency.handle_median_min",
    "efficiency.agent_replies_mean",
    "efficiency.repeat_contact_pct",
}


def test_ids_are_exactly_the_spec_in_order() -> None:
    assert [i.id for i in INDICATORS] == SPEC_IDS


def test_areas_in_order() -> None:
    assert AREAS == (
        "speed",
        "accuracy",
        "clarity",
        "transparency",
        "accessibility",
        "friendliness",
        "efficiency",
        "loyalty",
        "wellbeing",
    )
    assert sum(len(indicators_of(a)) for a in AREAS) == 26


def test_shipped_registry_and_targets_have_no_problems(settings: Settings) -> None:
    assert registry_problems(INDICATORS, settings.targets) == []
    check_registry(settings.targets)


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.id)
def test_every_indicator_is_documented_and_has_a_target(
    indicator: Indicator, settings: Settings
) -> None:
    assert indicator.label.strip() and indicator.description.strip() and indicator.formula.strip()
    assert indicator.unit in UNITS
    assert indicator.target > 0
    assert indicator.better == ("lower" if indicator.id in LOWER_BETTER else "higher")
    assert indicator.kind == ("delivered" if indicator.id in DELIVERED else "perceived")
    assert indicator.privacy == (indicator.area == "wellbeing")


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.id)
def test_every_indicator_is_in_the_metrics_doc(indicator: Indicator) -> None:
    assert f"`{indicator.id}`" in DOC.read_text(encoding="utf-8")


def test_by_id() -> None:
    assert by_id("loyalty.nps").unit == "score"
    with pytest.raises(KeyError, match="no.such"):
        by_id("no.such")


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="extra"):
        Computation.model_validate({"source": "tickets", "value": "1", "n": "1", "oops": 1})


def test_a_computation_is_a_median_or_parts() -> None:
    with pytest.raises(ValueError, match="either median, or parts"):
        Computation(source="tickets", value="1", n="1")
    with pytest.raises(ValueError, match="a median computation has no parts"):
        Computation(source="tickets", median="x", value="1")


def test_every_problem_is_reported_at_once() -> None:
    good = by_id("loyalty.nps")
    typo = good.computation.model_copy(update={"n": "{knwon}"})
    bad = [
        good,
        good,  # duplicate id
        good.model_copy(update={"id": "mood.x", "area": "mood"}),  # unknown area
        good.model_copy(update={"id": "loyalty.y", "unit": "furlongs", "description": " "}),
        good.model_copy(update={"id": "loyalty.z", "computation": typo}),
    ]
    problems = registry_problems(bad, {"loyalty.nps": 30, "loyalty.y": 0, "typo.z": 1})
    areas = ", ".join(AREAS)
    assert problems == [
        "indicator 'loyalty.nps': id is declared more than once",
        f"indicator 'mood.x': unknown area 'mood' (known: {areas})",
        "indicator 'loyalty.y': unknown unit 'furlongs' (known: minutes, hours, pct, score, "
        "index, count)",
        "indicator 'loyalty.y': description is empty",
        "indicator 'loyalty.y': target 0 must be above 0 (attainment divides)",
        "indicator 'loyalty.z': {knwon} is not one of its parts",
        *(f"area {a!r}: has no indicator" for a in AREAS if a != "loyalty"),
        "target 'typo.z': no indicator with this id (typo?)",
    ]


def test_check_registry_raises_with_every_problem() -> None:
    with pytest.raises(RegistryError) as err:
        check_registry({"loyalty.nps": -5, "wellbeing.enpss": 10})
    assert str(err.value) == (
        "indicator registry: indicator 'loyalty.nps': target -5 must be above 0 (attainment "
        "divides); target 'wellbeing.enpss': no indicator with this id (typo?)"
    )


def test_an_override_replaces_the_default_target_only_for_its_indicator() -> None:
    in_force = targets_in_force({"loyalty.nps": 45})
    assert in_force["loyalty.nps"] == 45
    assert in_force["loyalty.csat_pct"] == by_id("loyalty.csat_pct").target == 80
