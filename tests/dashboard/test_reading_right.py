"""The pages read right: status without emoji, no list-like cells, the areas behind the index,
notices for links that cannot be followed, partial periods flagged, readable downloads."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cli.main import DEMO_FILES, SAMPLE_DIR
from database.db import read_connection
from database.settings import load_settings
from ingest.load import load_file
from metrics.drilldown import tickets_behind
from metrics.scorecard import indicator_values
from tests.dashboard.dashboard_helpers import (
    chart_data,
    downloads,
    metric,
    no_errors,
    shown,
    texts,
)

PAGES = [None, "views/team.py", "views/wellbeing.py"]
# Pictographs, dingbats and the variation selector that asks for colour-emoji presentation.
EMOJI = re.compile("[\U0001f000-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")
# '0,-29.1666', '64,61.6,61.1', ',,,,', '[1.0, 2.0]': a list written out as text.
LIST_LIKE = re.compile(r"^\[.*\]$|^(-?[\d.]*,){2,}-?[\d.]*$")


def page_strings(at: AppTest) -> list[str]:
    """Every text a reader sees: bodies, metric labels, values and icons, table cells."""
    out = [texts(at)]
    for m in at.metric:
        out += [m.label, str(m.value), str(m.proto.icon)]
    for frame in at.dataframe:
        table = frame.value
        out += [str(c) for c in table.columns]
        out += [str(v) for v in table.astype(str).to_numpy().ravel()]
    return out


@pytest.mark.parametrize("page", PAGES)
def test_status_is_a_material_icon_and_a_word_never_an_emoji(
    app_db: Path, open_page, page
) -> None:
    at = open_page(page)
    no_errors(at)
    strings = page_strings(at)
    assert [s for s in strings if EMOJI.search(s)] == []
    everything = "\n".join(strings)
    if page != "views/team.py":  # the team page says its status in a table: words, tinted
        assert re.search(r":material/(check_circle|error|cancel|lock):", everything)
    assert re.search(r"On target|Close to target|Off target", everything)


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_no_table_cell_reads_like_a_list_or_none(app_db: Path, open_page, period) -> None:
    at = open_page("views/team.py", team="Escalations", period=period)
    no_errors(at)
    for frame in at.dataframe:
        for value in frame.value.to_numpy().ravel():
            assert not isinstance(value, list | tuple), value
            text = "" if pd.isna(value) else str(value)  # an empty cell
            assert not LIST_LIKE.match(text), text
            assert text not in ("None", "nan", "NaN"), frame.value.columns


def test_trend_cells_are_drawn_sparklines_with_gaps_and_a_direction(
    app_db: Path, open_page
) -> None:
    at = open_page("views/team.py", team="Billing")
    no_errors(at)
    table = at.dataframe[0].value.set_index("Indicator")
    trends = table["Trend"].dropna()
    assert len(trends) > 0
    assert all(t.startswith("data:image/svg+xml;base64,") for t in trends)
    change = table.loc["Customer satisfaction (CSAT)", "Change"]
    assert change.endswith(("better", "worse", "no change")), change


def test_change_word_follows_the_indicator_direction() -> None:
    from dashboard.tables import change_word

    assert change_word(-12.0, "lower") == "better"  # median minutes fell
    assert change_word(-12.0, "higher") == "worse"  # CSAT fell
    assert change_word(3.0, "higher") == "better"
    assert change_word(0.0, "higher") is None


def test_overall_trend_reads_the_whole_line_not_the_last_step() -> None:
    from dashboard.charts import overall_trend

    fell_then_ticked_up = [97.0, 93.0, 90.0, 86.0, 82.0, 84.0]
    assert overall_trend(fell_then_ticked_up, "higher") == "worse"
    # Burnout risk falling is good.
    assert overall_trend([30.0, None, 25.0, 20.0], "lower") == "better"
    assert overall_trend([50.0, 50.2, 49.9, 50.1], "higher") == "flat"
    assert overall_trend([None, 5.0, None], "higher") == "flat"


def test_long_durations_are_written_in_hours_and_days() -> None:
    from dashboard.ui import fmt_change, fmt_count, fmt_value

    assert fmt_value(45, "min") == "45 min"
    assert fmt_value(641, "min") == "10.7 h"  # 641 / 60
    assert fmt_value(3000, "min") == "2.1 d"  # 3000 / 1440
    assert fmt_value(30, "h") == "30.0 h"
    assert fmt_value(60, "h") == "2.5 d"
    assert fmt_change(-129, "min") == "-2.1 h"
    assert fmt_count(1234567) == "1,234,567"


def test_ticket_download_has_human_headers_and_rounded_values(
    app_db: Path, open_page, media
) -> None:
    at = open_page("views/team.py", team="Billing", list="speed.resolution_median_hours")
    no_errors(at)
    rows = list(csv.reader(io.StringIO(downloads(at, media)["download_tickets"])))
    header, body = rows[0], rows[1:]
    assert "Ticket" in header and "Resolution (h)" in header and "Created" in header
    assert not [h for h in header if "_" in h]
    with read_connection(app_db) as con:
        expected = tickets_behind(
            con,
            "speed.resolution_median_hours",
            "month",
            date(2026, 10, 1),
            "team",
            "Billing",
            load_settings(app_db),
            limit=1000,
        )
    assert len(body) == len(expected) > 0
    column = header.index("Resolution (h)")
    for row, hours in zip(body, expected["resolution_hours"], strict=True):
        assert row[column] == ("" if pd.isna(hours) else str(round(hours, 1)))
        assert "None" not in row
    numbers = [cell for row in body for cell in row if re.fullmatch(r"-?\d+\.\d+", cell)]
    assert numbers and all(len(n.split(".")[1]) == 1 for n in numbers)


@pytest.fixture(scope="session")
def no_polls_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data without the employee polls: wellbeing has no value anywhere."""
    path = tmp_path_factory.mktemp("nopolls") / "scorecard.duckdb"
    for source, name in DEMO_FILES:
        if source != "polls":
            load_file(path, source, SAMPLE_DIR / name)
    return path


@pytest.fixture
def no_polls_db(no_polls_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "scorecard.duckdb"
    shutil.copyfile(no_polls_sample, path)
    monkeypatch.setenv("SCORECARD_DB", str(path))
    return path


@pytest.mark.parametrize("page", [None, "views/team.py"])
def test_index_says_8_of_9_areas_without_wellbeing(no_polls_db: Path, open_page, page) -> None:
    at = open_page(page, team="Billing")
    no_errors(at)
    everything = "\n".join(page_strings(at)) + "".join(str(m.proto.delta) for m in at.metric)
    assert "8 of 9 areas" in everything
    assert "9 of 9 areas" not in everything


def test_index_says_9_of_9_areas_with_every_area(app_db: Path, open_page) -> None:
    at = open_page()
    no_errors(at)
    assert "9 of 9 areas" in texts(at)


def test_an_unknown_team_in_the_link_is_said_not_swapped_silently(
    app_db: Path, open_page
) -> None:
    at = open_page("views/team.py", team="Nowhere Team")
    no_errors(at)
    notices = [shown(w.value) for w in at.warning]
    assert any("Nowhere Team" in n and "not in the data" in n for n in notices), notices
    chosen = at.selectbox(key="w_team").value
    assert any(f"showing {chosen} instead" in n for n in notices)


def test_a_link_to_a_year_without_data_gives_a_notice_and_the_default_range(
    app_db: Path, open_page
) -> None:
    at = open_page(**{"from": "2024-01-01", "to": "2024-12-31"})
    no_errors(at)
    notices = "\n".join(shown(w.value) for w in at.warning)
    assert "01 Jan 2024 to 31 Dec 2024" in notices
    assert "the data runs from 01 Nov 2025 to 31 Oct 2026" in notices
    # The last twelve months of data, not one day at the edge of it.
    assert at.query_params["from"] == "2025-11-01"
    assert at.query_params["to"] == "2026-10-31"


def test_an_unknown_pulse_or_period_in_the_link_gives_a_notice(app_db: Path, open_page) -> None:
    at = open_page("views/wellbeing.py", pulse="2019-05-01")
    no_errors(at)
    assert any("2019-05-01" in shown(w.value) for w in at.warning)
    at = open_page(period="decade")
    no_errors(at)
    assert any("decade" in w.value and "showing Month instead" in w.value for w in at.warning)


def test_a_partial_quarter_is_flagged_and_not_compared(app_db: Path, open_page) -> None:
    # The sample data runs 1 Nov 2025 - 31 Oct 2026: Q4 2026 holds one month of three.
    at = open_page("views/team.py", team="Billing", period="quarter")
    no_errors(at)
    picker = at.selectbox(key="w_at")
    assert picker.value == "2026-10-01"
    assert "Q4 2026 (partial)" in picker.options
    assert "Q3 2026" in picker.options  # a full quarter carries no flag
    assert "only partly covered by the data" in texts(at)
    changes = set(at.dataframe[0].value["Change"])
    assert changes == {"— partial period"}
    overview = open_page(period="quarter")
    assert "Q4 2026 (partial)" in texts(overview)
    assert "No comparison: a partial quarter" in texts(overview)
    assert metric(overview, "Service-culture index").proto.delta == ""


def test_a_full_month_is_compared(app_db: Path, open_page) -> None:
    at = open_page("views/team.py", team="Billing")
    no_errors(at)
    assert "(partial)" not in at.selectbox(key="w_at").value
    assert "partly covered" not in texts(at)
    assert "— partial period" not in set(at.dataframe[0].value["Change"])


def test_the_data_page_undoes_the_last_load_back_to_the_same_export(
    app_db: Path, open_page
) -> None:
    from metrics.export import export_csv

    def exported() -> str:
        with read_connection(app_db) as con:
            return export_csv(con, "month", load_settings(app_db))

    before = exported()
    mistake = (
        b"ticket_id,team,created_at,priority,first_response_at,resolved_at,reopens\n"
        b"100001,Billing,2026-10-30 10:00,high,2026-10-30 18:00,2026-11-02 10:00,3\n"
    )
    at = open_page("views/load_data.py")
    at.file_uploader(key="upload").set_value(("mistake.csv", mistake, "text/csv")).run()
    at.button(key="confirm_load").click().run()
    no_errors(at)
    assert exported() != before
    assert "mistake.csv" in shown(texts(at))
    assert at.button(key="undo_last_load").disabled  # not before it is confirmed
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_last_load").click().run()
    no_errors(at)
    assert "was taken back" in texts(at)
    assert exported() == before


def test_comments_of_a_team_and_period_by_rating_and_search(app_db: Path, open_page) -> None:
    with read_connection(app_db) as con:
        expected = con.execute(
            "SELECT comment, csat FROM survey_responses WHERE team = 'Billing' "
            "AND submitted_at >= DATE '2026-10-01' AND submitted_at < DATE '2026-11-01' "
            "AND comment IS NOT NULL AND trim(comment) <> ''"
        ).df()
    at = open_page("views/team.py", team="Billing")
    no_errors(at)
    comments = at.dataframe[-1].value
    assert sorted(comments["Comment"]) == sorted(expected["comment"])
    at.selectbox(key="w_rating").select("low").run()
    low = at.dataframe[-1].value
    assert len(low) == int((expected["csat"] <= 2).sum()) > 0
    assert (low["CSAT"] <= 2).all()
    word = str(low["Comment"].iloc[0]).split()[0].strip(".,!").lower()  # any word shown
    at.text_input(key="comment_search").input(word.upper()).run()
    found = at.dataframe[-1].value
    mentions = expected["comment"].str.lower().str.contains(word, regex=False)
    wanted = expected[(expected["csat"] <= 2) & mentions]
    assert sorted(found["Comment"]) == sorted(wanted["comment"])
    assert len(wanted) > 0


def test_a_comment_is_shown_as_the_text_it_is(app_db: Path, open_page, tmp_path: Path) -> None:
    raw = "**Great** [click](http://127.0.0.1:9/x) <b>bold</b> :red[alarm]"
    survey = tmp_path / "surveys.csv"
    survey.write_text(
        "response_id,submitted_at,team,csat,comment\n"
        f'MD-1,2026-10-20 10:00,Billing,1,"{raw}"\n'
    )
    load_file(app_db, "surveys", survey)
    at = open_page("views/team.py", team="Billing")
    no_errors(at)
    assert raw in set(at.dataframe[-1].value["Comment"])
    assert "Great" not in texts(at)  # never passed to Markdown


def test_one_teams_wellbeing_over_time(app_db: Path, open_page) -> None:
    at = open_page("views/wellbeing.py", wteam="Billing")
    no_errors(at)
    with read_connection(app_db) as con:
        frame = indicator_values(con, "month", load_settings(app_db))
    billing = frame[
        (frame["scope"] == "team")
        & (frame["scope_id"] == "Billing")
        & (frame["indicator"] == "wellbeing.enps")
        & (pd.to_datetime(frame["period_start"]) >= pd.Timestamp("2025-11-01"))
    ].dropna(subset=["value"])
    specs = [c for c in at.get("vega_lite_chart") if "Wellbeing of Billing" in c.proto.spec]
    assert len(specs) == 1
    drawn = chart_data(at, list(at.get("vega_lite_chart")).index(specs[0]))[0].to_pandas()
    enps = drawn[drawn["indicator"] == "wellbeing.enps"].sort_values("period_start")
    expected = billing.sort_values("period_start")["value"].round(6)
    assert list(enps["value"].round(6)) == list(expected)


def test_extra_poll_questions_shown_for_the_organisation_from_k_up(
    app_db: Path, open_page, tmp_path: Path
) -> None:
    polls = tmp_path / "polls.csv"
    lines = ["response_id,submitted_at,team,item_focus"]
    answers = [5, 4, 4, 2, 3, 5]  # six people in October: 4 of 6 favourable, mean 23/6
    lines += [f"X{i},2026-10-1{i} 10:00,Billing,{a}" for i, a in enumerate(answers)]
    lines += ["Y1,2026-09-10 10:00,Billing,5", "Y2,2026-09-11 10:00,Billing,1"]  # two: hidden
    polls.write_text("\n".join(lines) + "\n")
    load_file(app_db, "polls", polls)
    at = open_page("views/wellbeing.py")
    no_errors(at)
    items = next(d.value for d in at.dataframe if "Question" in d.value.columns)
    october = items[(items["Question"] == "focus") & (items["Pulse"] == "October 2026")].iloc[0]
    assert october["Favourable"] == "66.7 %"
    assert october["Mean answer (1-5)"] == "3.83"
    assert october["Respondents"] == "6"
    september = items[(items["Question"] == "focus") & (items["Pulse"] == "September 2026")]
    assert september.iloc[0]["Favourable"] == "fewer than 5 responses"
    assert september.iloc[0]["Respondents"] == "—"


def test_service_gap_names_attainment_and_reads_below_zero_as_worse(
    app_db: Path, open_page
) -> None:
    at = open_page()
    no_errors(at)
    gap = at.dataframe[0].value.set_index("Principle")
    assert list(gap.columns) == [
        "Delivered attainment",
        "Perceived attainment",
        "Perceived − delivered",
    ]
    both = gap[gap["Delivered attainment"] != "—"]
    assert len(both) == 6
    for _, row in both.iterrows():
        difference = float(row["Perceived attainment"]) - float(row["Delivered attainment"])
        assert abs(float(row["Perceived − delivered"]) - difference) <= 1  # each shown rounded
    assert gap.loc["Friendliness", "Delivered attainment"] == "—"
    assert "Friendliness: no delivered value, because no ticket field measures it" in texts(at)
    assert "below zero: customers feel the service is worse" in texts(at)


def test_freshness_of_a_source_never_loaded_reads_a_dash(no_polls_db: Path, open_page) -> None:
    at = open_page("views/load_data.py")
    no_errors(at)
    fresh = next(d.value for d in at.dataframe if "Last file" in d.value.columns)
    polls = fresh[fresh["Rows stored"] == 0].iloc[0]
    assert polls["Last file"] == "—"
    assert polls["Latest record was"] == "—"
    assert "None" not in set(fresh.astype(str).to_numpy().ravel())


def test_a_change_that_rounds_to_zero_reads_as_no_change() -> None:
    from dashboard.tables import change_text
    from dashboard.ui import fmt_change
    from metrics.registry import by_id

    assert fmt_change(-0.04, "%") == "0.0 pp"  # never "-0.0"
    assert fmt_change(0.2, "min") == "0 min"  # never "+0 min"
    replies = by_id("efficiency.agent_replies_mean")  # lower is better
    assert change_text(-0.04, replies, partial=False) == "0.0 · no change"
    assert change_text(-0.4, replies, partial=False) == "-0.4 · better"
    handling = by_id("efficiency.handle_median_min")
    assert change_text(0.2, handling, partial=False) == "0 min · no change"
