"""Data page: upload, preview, validation report, confirm; history, rejected rows, freshness."""

from __future__ import annotations

from pathlib import Path

from database.db import read_connection
from tests.dashboard.dashboard_helpers import no_errors, shown, texts

PAGE = "views/load_data.py"
NEW_TICKETS = (
    b"ticket_id,team,created_at,priority,first_response_at,resolved_at,reopens\n"
    b"NEW-1,Billing,2026-10-30 10:00,high,2026-10-30 10:05,2026-10-30 12:00,0\n"
    b"NEW-2,Billing,2026-10-30 11:00,bogus,,,0\n"
    b"NEW-3,Billing,2026-10-31 09:00,low,2026-10-31 09:30,2026-10-31 08:00,0\n"
    b"NEW-4,Billing,2026-10-31 09:10,normal,2026-10-31 09:20,,2\n"
)


def ticket_count(db: Path) -> int:
    with read_connection(db) as con:
        return int(con.execute("SELECT count(*) FROM tickets").fetchone()[0])


def freshness_rows(at) -> int:
    # The Freshness tab's table (the Audit log tab's comes after it).
    fresh = next(d.value for d in at.dataframe if "Source" in d.value.columns).set_index("Source")
    return int(fresh.loc["Tickets", "Rows stored"])


def test_upload_confirm_and_see_the_load(app_db: Path, open_page) -> None:
    at = open_page(PAGE)
    no_errors(at)
    before = ticket_count(app_db)
    assert freshness_rows(at) == before
    history_before = len(at.dataframe[0].value)

    at.file_uploader(key="upload").set_value(("new_tickets.csv", NEW_TICKETS, "text/csv")).run()
    no_errors(at)
    assert at.selectbox(key="source").value == "tickets"  # guessed from the file name
    assert at.selectbox(key="mapping").value == "canonical"
    at.button(key="confirm_load").click().run()
    no_errors(at)

    assert ticket_count(app_db) == before + 2
    success = shown(" ".join(s.value for s in at.success))
    assert "**new_tickets.csv**" in success
    assert "4 rows read, 2 loaded, 0 replaced, 2 rejected" in success
    tables = [d.value for d in at.dataframe]
    history = next(t for t in tables if "file_name" in t.columns and "outcome" in t.columns)
    assert len(history) == history_before + 1
    assert history.iloc[0]["file_name"] == "new_tickets.csv"
    assert history.iloc[0]["rows_rejected"] == 2
    rejected = next(t for t in tables if "reason" in t.columns and "file_name" in t.columns)
    mine = rejected[rejected["file_name"] == "new_tickets.csv"].sort_values("line")
    assert list(mine["line"]) == [3, 4]
    assert "priority" in mine.iloc[0]["reason"]
    assert "before the ticket was created" in mine.iloc[1]["reason"]
    # The numbers move without a restart: freshness counts the new tickets.
    assert freshness_rows(at) == before + 2


def test_a_refused_file_says_why(app_db: Path, open_page) -> None:
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(
        ("tickets_wrong.csv", b"id,when\n1,2026-01-01\n", "text/csv")
    ).run()
    assert not at.exception
    # A file without the required columns is refused at the preview, before any load is offered.
    message = " ".join(e.value for e in at.error).replace("\\", "")  # shown as escaped text
    assert "canonical lacks 'ticket_id', 'team', 'created_at'" in message
    assert "Traceback" not in message


def test_rejected_rows_of_one_load_can_be_chosen_and_downloaded(app_db: Path, open_page) -> None:
    at = open_page(PAGE)
    choices = at.selectbox(key="rejected_load").options
    tickets_load = next(c for c in choices if "tickets.csv" in c)
    at.selectbox(key="rejected_load").select(tickets_load.split(" ")[0].lstrip("#")).run()
    no_errors(at)
    rejected = next(
        d.value for d in at.dataframe if "reason" in d.value.columns and "line" in d.value.columns
    )
    assert set(rejected["file_name"]) == {"tickets.csv"}
    assert len(rejected) == 14
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download rejected rows (CSV)" in labels
    assert "Download the load history (CSV)" in labels


def test_preview_shows_mapped_rows_and_the_validation_report(app_db: Path, open_page) -> None:
    before = ticket_count(app_db)
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("new_tickets.csv", NEW_TICKETS, "text/csv")).run()
    no_errors(at)
    preview = at.dataframe[0].value
    assert list(preview["ticket_id"]) == ["NEW-1", "NEW-4"]
    assert list(preview["priority"]) == ["high", "normal"]
    assert "2 row(s) of the file break a rule and will be rejected" in texts(at)
    report = at.dataframe[1].value
    assert list(report["line"]) == [3, 4]
    assert "priority" in report.iloc[0]["reason"]
    assert ticket_count(app_db) == before  # a preview writes nothing


def test_a_shipped_mapping_reads_another_tools_export(app_db: Path, open_page) -> None:
    export = (Path(__file__).resolve().parents[1] / "fixtures" / "zendesk_tickets.csv").read_bytes()
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("zendesk export.csv", export, "text/csv")).run()
    assert not at.exception
    at.selectbox(key="source").select("tickets").run()
    at.selectbox(key="mapping").select("zendesk_tickets").run()
    no_errors(at)
    assert len(at.dataframe[0].value) > 0
    before = ticket_count(app_db)
    at.button(key="confirm_load").click().run()
    no_errors(at)
    assert ticket_count(app_db) > before
    history = next(d.value for d in at.dataframe if "mapping" in d.value.columns)
    assert history.iloc[0]["mapping"] == "zendesk_tickets"


def test_an_analysts_own_mapping_file(app_db: Path, open_page) -> None:
    mapping = (
        b'name = "our_helpdesk"\nsource = "tickets"\n\n'
        b'[columns]\nticket_id = "Nr"\nteam = "Queue"\ncreated_at = "Opened"\n'
    )
    export = b"Nr;Queue;Opened\nH-1;Billing;2026-10-29 08:00\nH-2;Returns;2026-10-29 09:00\n"
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("helpdesk.csv", export, "text/csv")).run()
    at.selectbox(key="source").select("tickets").run()
    at.file_uploader(key="mapping_file").set_value(
        ("our_helpdesk.toml", mapping, "application/toml")
    ).run()
    no_errors(at)
    assert list(at.dataframe[0].value["ticket_id"]) == ["H-1", "H-2"]
    at.button(key="confirm_load").click().run()
    no_errors(at)
    assert "2 rows read, 2 loaded" in " ".join(s.value for s in at.success)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_header_picks_the_mapping_and_the_report_says_what_is_missing(
    app_db: Path, open_page
) -> None:
    export = (FIXTURES / "zendesk_no_first_reply.csv").read_bytes()
    at = open_page(PAGE)
    # A neutral name: the header alone says what it is.
    at.file_uploader(key="upload").set_value(("export.csv", export, "text/csv")).run()
    no_errors(at)
    assert (at.selectbox(key="source").value, at.selectbox(key="mapping").value) == (
        "tickets",
        "zendesk_tickets",
    )
    captions = [shown(c.value) for c in at.caption]
    assert (
        "Recognised from the header: Zendesk Support ticket export (Explore or the classic CSV "
        "export) (mapping zendesk_tickets)." in captions
    )
    # Said before the load is confirmed, and again in its report.
    assert (
        "Not in this file, so not carried: 'First reply time in minutes' (first_response_at)."
        in captions
    )
    at.button(key="confirm_load").click().run()
    no_errors(at)
    captions = [shown(c.value) for c in at.caption]
    assert (
        "Not in this file, so not carried: 'First reply time in minutes' (first_response_at)."
        in captions
    )
    assert (
        "What this file cannot feed: no first_response_at: First response time (median), First "
        "response within target, After-hours first response (median) come from other loads only."
        in captions
    )


def test_an_unknown_layout_is_refused_with_what_to_do_here(app_db: Path, open_page) -> None:
    export = (FIXTURES / "unknown_layout.csv").read_bytes()
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("tickets export.csv", export, "text/csv")).run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [
        "This file cannot be loaded: no mapping reads this tickets file. Columns found: "
        "Conversation, Mailbox, Created, Assigned To, Customer. Closest: kaggle_support_tickets "
        "lacks 'Ticket ID', 'First Response Time'; canonical lacks 'ticket_id', 'team', "
        "'created_at'; freshdesk_tickets lacks 'Ticket ID', 'Group', 'Created time'. This "
        "layout needs a mapping file: add one under 'Or your own mapping file' (whoever looks "
        "after the scorecard can write it)."
    ]


def test_a_wrong_mapping_choice_is_answered_with_the_right_one(app_db: Path, open_page) -> None:
    export = (FIXTURES / "zendesk_tickets.csv").read_bytes()
    at = open_page(PAGE)
    at.file_uploader(key="upload").set_value(("export.csv", export, "text/csv")).run()
    at.selectbox(key="mapping").select("canonical").run()
    message = " ".join(shown(e.value) for e in at.error)
    assert message.endswith(
        "The shipped mapping 'zendesk_tickets' reads this layout. Choose the mapping "
        "zendesk_tickets under Mapping above."
    )
    assert "--" not in message and "docs/" not in message
