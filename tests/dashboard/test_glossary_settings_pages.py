"""Glossary (generated from the registry) and Settings (validated, persisted targets and rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.ui import fmt_value
from database.db import Database, read_connection
from database.settings import load_settings, settings_path_for
from metrics.registry import AREA_INFO, INDICATORS
from metrics.store import is_current
from tests.dashboard.dashboard_helpers import no_errors, texts

GLOSSARY = "views/glossary.py"
SETTINGS = "views/settings.py"


def test_glossary_has_every_indicator_from_the_registry(app_db: Path, open_page) -> None:
    at = open_page(GLOSSARY)
    no_errors(at)
    page = texts(at)
    codes = [c.value for c in at.code]
    for ind in INDICATORS:
        assert f"**{ind.label}** · `{ind.id}`" in page
        assert ind.description in page
        assert ind.formula in codes
        arrow = "lower is better ↓" if ind.better == "lower" else "higher is better ↑"
        block = page[page.index(f"`{ind.id}`") :].split("\n**")[0]
        assert arrow in block
        assert f"*{ind.kind.capitalize()}*" in block
        sign = "≤" if ind.better == "lower" else "≥"
        assert f"target: **{sign} {fmt_value(ind.target, ind.unit_label)}**" in block
    assert [s.value for s in at.subheader] == [a.label for a in AREA_INFO.values()]


def test_glossary_search_narrows_the_list(app_db: Path, open_page) -> None:
    at = open_page(GLOSSARY)
    at.text_input(key="glossary_search").input("reopen").run()
    no_errors(at)
    page = texts(at)
    assert "`accuracy.reopen_rate_pct`" in page
    assert "`loyalty.nps`" not in page


@pytest.mark.parametrize(
    ("value", "saved"),
    [(92.5, True), (0.0, False), (-4.0, False), (120.0, False)],
    ids=["ok", "zero", "negative", "above-100-percent"],
)
def test_settings_target_edit_is_validated_and_persisted(
    app_db: Path, open_page, value: float, saved: bool
) -> None:
    at = open_page(SETTINGS)
    no_errors(at)
    at.selectbox(key="target_indicator").select("loyalty.csat_pct")
    at.number_input(key="target_value").set_value(value)
    at.button(key="FormSubmitter:target_form-Save target").click().run()
    assert not at.exception
    if saved:
        no_errors(at)
        assert "Target of Customer satisfaction (CSAT) (92.5) saved" in texts(at)
        assert load_settings(app_db).targets["loyalty.csat_pct"] == 92.5
        table = at.dataframe[0].value.set_index("id")
        assert table.loc["loyalty.csat_pct", "Target"] == 92.5
        assert table.loc["loyalty.csat_pct", "Changed"] == "✏️ yes"
    else:
        reason = "above 100" if value > 100 else "the target must be above 0"
        assert reason in at.error[0].value
        assert not settings_path_for(app_db).exists()


def test_new_target_changes_status_on_the_team_page(app_db: Path, open_page) -> None:
    at = open_page("views/team.py", team="Billing")
    row = at.dataframe[0].value.set_index("Indicator").loc["Customer satisfaction (CSAT)"]
    assert float(row["Value"].split(" ")[0]) < 0.9 * 99.5  # so the new target turns it red
    at.switch_page(SETTINGS)
    at.run()
    at.selectbox(key="target_indicator").select("loyalty.csat_pct")
    at.number_input(key="target_value").set_value(99.5)
    at.button(key="FormSubmitter:target_form-Save target").click().run()
    no_errors(at)
    at.switch_page("views/team.py")
    at.run()
    row = at.dataframe[0].value.set_index("Indicator").loc["Customer satisfaction (CSAT)"]
    assert row["Status"] == "❌ Off target"
    assert row["Target"] == "≥ 99.5 %"


def test_reset_target_to_default(app_db: Path, open_page) -> None:
    at = open_page(SETTINGS)
    at.selectbox(key="target_indicator").select("loyalty.nps")
    at.number_input(key="target_value").set_value(45.0)
    at.button(key="FormSubmitter:target_form-Save target").click().run()
    assert load_settings(app_db).targets["loyalty.nps"] == 45.0
    at.selectbox(key="target_indicator").select("loyalty.nps")
    at.button(key="FormSubmitter:target_form-Reset to default").click().run()
    no_errors(at)
    assert "loyalty.nps" not in load_settings(app_db).targets  # back to the registry's 30
    assert "targets" not in settings_path_for(app_db).read_text()


def test_rules_are_validated_and_only_changes_are_written(app_db: Path, open_page) -> None:
    at = open_page(SETTINGS)
    at.text_input(key="bh_start").input("25:00")
    at.button(key="FormSubmitter:rules_form-Save rules").click().run()
    assert not at.exception
    assert "not a time of day" in at.error[0].value
    assert load_settings(app_db).organisation.business_hours_start == "09:00"

    at = open_page(SETTINGS)
    at.number_input(key="k").set_value(7)
    at.number_input(key="sla_urgent").set_value(30.0)
    at.button(key="FormSubmitter:rules_form-Save rules").click().run()
    no_errors(at)
    settings = load_settings(app_db)
    assert settings.privacy.k == 7
    assert settings.sla_first_response_minutes.urgent == 30
    written = settings_path_for(app_db).read_text()
    assert "business_hours_start" not in written  # unchanged values stay with the defaults
    assert "Rules saved" in texts(at)


def test_saving_a_rule_that_changes_values_recomputes_the_stored_scorecard(
    app_db: Path, open_page
) -> None:
    version = Database(app_db).version()
    at = open_page(SETTINGS)
    no_errors(at)
    at.number_input(key="k").set_value(3)
    at.button(key="FormSubmitter:rules_form-Save rules").click().run()
    no_errors(at)
    assert "Rules saved. Every figure was recomputed with them." in texts(at)
    assert load_settings(app_db).privacy.k == 3
    assert Database(app_db).version() != version  # the recompute was a write
    with read_connection(app_db) as con:
        assert is_current(con, load_settings(app_db))


def test_saving_a_target_changes_no_stored_value(app_db: Path, open_page) -> None:
    at = open_page(SETTINGS)
    at.selectbox(key="target_indicator").select("loyalty.csat_pct")
    at.number_input(key="target_value").set_value(92.5)
    at.button(key="FormSubmitter:target_form-Save target").click().run()
    no_errors(at)
    assert "Target of Customer satisfaction (CSAT) (92.5) saved." in texts(at)
    assert "recomputed" not in texts(at)
    # Only the audit log's row was written: the stored scorecard is still current.
    with read_connection(app_db) as con:
        assert is_current(con, load_settings(app_db))
