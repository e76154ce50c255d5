"""Real public exports (../shared/datasets/public): each loads with its shipped mapping, with
counts checked against an independent reading of the raw file in Python, or is refused with a
message that says why. None of them crashes the loader, whatever it is loaded as.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from database.db import read_connection
from database.keys import read_key
from database.schema import customer_hash
from ingest.load import IngestError, load_file
from ingest.sources import SOURCES
from tests.ingest.helpers import PUBLIC_DATA, query, scalar

KAGGLE = "tickets_kaggle/customer_support_tickets.csv"
ITSM = "itsm_excerpt/ITSM_data.csv"
QUALTRICS = "qualtrics/sample.csv"
QUALTRICS_LEGACY = "qualtrics/sample_legacy.csv"
NPS = "nps_retail_fr/nps.csv"

PUBLIC_CSVS = sorted(p.relative_to(PUBLIC_DATA).as_posix() for p in PUBLIC_DATA.rglob("*.csv"))


def records(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (physical start line, fields) of every record, read with Python's csv."""
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out = []
        previous = reader.line_num
        for rec in reader:
            out.append((previous + 1, rec))
            previous = reader.line_num
    return header, out


def varchar_values(db_path: Path) -> list[str]:
    """Every non-NULL value of every VARCHAR column of every table."""
    values: list[str] = []
    with read_connection(db_path) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in columns:
            rows = con.execute(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            ).fetchall()
            values += [r[0] for r in rows]
    assert len(columns) > 20  # tickets, surveys, loads, rejected_rows... all scanned
    return values


def assert_nowhere(db_path: Path, secrets: set[str]) -> None:
    """None of these strings is stored, as a value or as a field of a stored raw line."""
    secrets = {s for s in secrets if s}
    assert secrets
    for value in varchar_values(db_path):
        fields = {f.strip().strip('"') for f in re.split(r'[,;\t\r\n"]', value)} | {value}
        leaked = fields & secrets
        assert not leaked, f"personal data stored: {sorted(leaked)[:3]} in {value[:200]!r}"


# --- one check per public file ----------------------------------------------------------------


def check_kaggle(db_path: Path, path: Path) -> None:
    header, recs = records(path)
    col = {name: i for i, name in enumerate(header)}
    first, resolved = col["First Response Time"], col["Time to Resolution"]

    def ts(value: str) -> datetime:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")

    no_created = [line for line, r in recs if not r[first]]
    resolved_before = [
        line for line, r in recs if r[first] and r[resolved] and ts(r[resolved]) < ts(r[first])
    ]
    good = [r for line, r in recs if r[first] and line not in set(resolved_before)]
    assert len({r[col["Ticket ID"]] for _, r in recs}) == len(recs)  # ids are unique

    report = load_file(db_path, "tickets", path, "kaggle_support_tickets")

    assert report.rows_read == len(recs) == 8469
    assert report.rows_loaded == len(good) == 8469 - 2819 - 1365
    assert report.rows_rejected == len(no_created) + len(resolved_before)
    assert dict(report.top_reasons) == {
        "created_at is missing": len(no_created),
        "resolution time is before the ticket was created": len(resolved_before),
    }
    assert set(report.dropped_columns) == {"Customer Name", "Customer Age", "Customer Gender"}

    # The quarantine points at the physical line where each record starts (the descriptions
    # hold quoted newlines, so record number and line number differ a lot).
    lines = query(
        db_path,
        "SELECT line FROM rejected_rows WHERE reason = "
        "'resolution time is before the ticket was created' ORDER BY line",
    )
    assert [r[0] for r in lines] == resolved_before
    assert resolved_before[0] == 19  # ticket 6 starts on line 19 of the raw file
    assert query(db_path, "SELECT line, column_name, value FROM rejected_rows WHERE line = 19") == [
        (19, "resolved_at", "2023-06-01 01:57:40")
    ]
    assert [r[0] for r in query(db_path, "SELECT line FROM rejected_rows WHERE column_name = "
                                "'created_at' ORDER BY line")] == no_created  # fmt: skip

    # Value maps, the constant team and the ticket csat as survey responses.
    priority_map = {"Critical": "urgent", "High": "high", "Medium": "normal", "Low": "low"}
    assert dict(query(db_path, "SELECT priority, count(*) FROM tickets GROUP BY 1")) == Counter(
        priority_map[r[col["Ticket Priority"]]] for r in good
    )
    channel_map = {"Email": "email", "Phone": "phone", "Chat": "chat", "Social media": "social"}
    assert dict(query(db_path, "SELECT channel, count(*) FROM tickets GROUP BY 1")) == Counter(
        channel_map[r[col["Ticket Channel"]]] for r in good
    )
    assert query(db_path, "SELECT DISTINCT team FROM tickets") == [("Customer Support",)]
    csat = Counter(int(float(r[col["Customer Satisfaction Rating"]])) for r in good
                   if r[col["Customer Satisfaction Rating"]])  # fmt: skip
    assert dict(query(db_path, "SELECT csat, count(*) FROM survey_responses GROUP BY 1")) == csat

    # Customer e-mail only as the salted hash; names and e-mails nowhere in the database.
    salt = read_key(db_path)
    assert recs[0][1][col["Customer Email"]] == "carrollallison@example.com"
    assert scalar(db_path, "SELECT customer_hash FROM tickets WHERE ticket_id = '1'") == (
        customer_hash(salt, "carrollallison@example.com")
    )
    names = {r[col["Customer Name"]] for _, r in recs}
    emails = {r[col["Customer Email"]] for _, r in recs}
    assert_nowhere(db_path, names | emails)
    assert not [v for v in varchar_values(db_path) if "@example." in v]


def check_itsm(db_path: Path, path: Path) -> None:
    header, recs = records(path)
    col = {name: i for i, name in enumerate(header)}
    priority_map = {"1": "urgent", "2": "high", "3": "normal", "4": "low", "5": "low"}

    def ts(value: str) -> datetime | None:
        return datetime.strptime(value, "%d/%m/%Y %H:%M") if value else None

    expected = sorted(
        (
            r[col["Incident_ID"]],
            r[col["CI_Cat"]],
            ts(r[col["Open_Time"]]),
            ts(r[col["Resolved_Time"]]),
            priority_map.get(r[col["Priority"]], "normal"),  # NA and NS are missing -> normal
            r[col["Category"]],
            r[col["Status"]].lower(),
        )
        for _, r in recs
    )

    report = load_file(db_path, "tickets", path, "itsm_incidents")

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (len(recs), 40, 0)
    assert (
        query(
            db_path,
            "SELECT ticket_id, team, created_at, resolved_at, priority, category, status "
            "FROM tickets ORDER BY ticket_id",
        )
        == expected
    )
    # Day before month: 29/03/2012 is the 29th of March; a missing priority is normal.
    assert query(db_path, "SELECT created_at, priority FROM tickets WHERE ticket_id = 'IM0000006'"
                 ) == [(datetime(2012, 3, 29, 12, 36), "normal")]  # fmt: skip
    assert "Handle_Time_hrs" in report.ignored_columns  # the "3,87,16,91,111" garbage


def check_qualtrics(db_path: Path, path: Path) -> None:
    report = load_file(db_path, "surveys", path, "qualtrics_responses")

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (1, 1, 0)
    assert query(
        db_path, "SELECT response_id, submitted_at, team, ticket_id, csat, nps, comment "
        "FROM survey_responses"
    ) == [("R_2YPOQ602ER1jkf1", datetime(2017, 7, 18, 8, 28, 48), "Customer Service", None, 2,
           None, "Hello World!")]  # fmt: skip
    assert {"IPAddress", "RecipientLastName", "RecipientEmail"} <= set(report.ignored_columns)
    assert_nowhere(db_path, {"130.92.34.66", "47.115097045898"})


def check_qualtrics_legacy(db_path: Path, path: Path) -> None:
    report = load_file(db_path, "surveys", path, "qualtrics_legacy")

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (1, 1, 0)
    assert query(
        db_path, "SELECT response_id, submitted_at, team, csat, comment FROM survey_responses"
    ) == [("R_2YPOQ602ER1jkf1", datetime(2017, 7, 18, 8, 28, 48), "Customer Service", 2,
           "Hello World!")]  # fmt: skip
    assert_nowhere(db_path, {"130.92.34.66", "47.115097045898"})


def check_nps_refused(db_path: Path, path: Path) -> None:
    with pytest.raises(IngestError) as refused:
        load_file(db_path, "surveys", path)

    message = str(refused.value)
    # No shipped mapping reads it: the closest ones and what each lacks (ties by share read).
    assert message == (
        "nps.csv: no mapping reads this surveys file. Columns found: column_1, id, nps, "
        "satisfaction, intention, explication, NbPassageKS, CaTicket, t. Closest: "
        "qualtrics_legacy lacks 'V1', 'V9'; qualtrics_responses lacks 'ResponseId', "
        "'RecordedDate'; canonical lacks 'response_id', 'submitted_at'."
    )
    assert refused.value.needs_mapping and refused.value.suggestion is None
    assert query(db_path, "SELECT count(*) FROM survey_responses") == [(0,)]
    assert query(db_path, "SELECT outcome, message FROM loads") == [("refused", message)]


CHECKS: dict[str, Callable[[Path, Path], None]] = {
    KAGGLE: check_kaggle,
    ITSM: check_itsm,
    QUALTRICS: check_qualtrics,
    QUALTRICS_LEGACY: check_qualtrics_legacy,
    NPS: check_nps_refused,
}


def test_every_public_csv_has_a_check() -> None:
    assert PUBLIC_CSVS == sorted(CHECKS)


@pytest.mark.parametrize("rel", PUBLIC_CSVS)
def test_public_csv_loads_with_its_mapping_or_is_refused_clearly(db_path: Path, rel: str) -> None:
    CHECKS[rel](db_path, PUBLIC_DATA / rel)


def test_kaggle_rows_of_the_wrong_width_keep_no_personal_data(
    tmp_path: Path, db_path: Path
) -> None:
    # A derived variant: the real file plus one record cut short and one with a field too many.
    raw = (PUBLIC_DATA / KAGGLE).read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw
    _, recs = records(PUBLIC_DATA / KAGGLE)
    last_line = raw.count(b"\n")  # the physical line of the last record's end
    short = b"99998,Jane Roe,jane.roe@example.org,33,Female,Dell XPS,2021-01-01,Refund request\n"
    long = (
        b"99999,John Doe,john.doe@example.org,41,Male,GoPro Hero,2021-01-02,Technical issue,"
        b"Subject,Description,Closed,Fixed,Low,Email,2023-06-01 10:00:00,2023-06-01 12:00:00,"
        b"4.0,surplus\n"
    )
    path = tmp_path / "kaggle_plus.csv"
    path.write_bytes(raw + short + long)

    report = load_file(db_path, "tickets", path, "kaggle_support_tickets")

    assert report.rows_read == len(recs) + 2
    assert query(
        db_path, "SELECT line, column_name, reason FROM rejected_rows WHERE column_name IS NULL "
        "ORDER BY line"
    ) == [
        (last_line + 1, None, "row has 8 fields where the header has 17 (check the delimiter "
         "and the quotes on this line)"),
        (last_line + 2, None, "row has 18 fields where the header has 17 (check the delimiter "
         "and the quotes on this line)"),
    ]  # fmt: skip
    header, _ = records(PUBLIC_DATA / KAGGLE)
    names = {r[header.index("Customer Name")] for _, r in recs} | {"Jane Roe", "John Doe"}
    emails = {r[header.index("Customer Email")] for _, r in recs}
    assert_nowhere(db_path, names | emails | {"jane.roe@example.org", "john.doe@example.org"})
    assert not [v for v in varchar_values(db_path) if "@example." in v]


# --- the legacy-encoded French NPS file with a mapping written here --------------------------

NPS_MAPPING = """
name = "retail_nps"
source = "surveys"

[columns]
response_id = "id"
nps = "nps"
comment = "explication"

[constants]
submitted_at = "2020-01-01 00:00"
team = "Retail"
"""


def test_nps_file_decodes_and_na_becomes_null(tmp_path: Path, db_path: Path) -> None:
    path = PUBLIC_DATA / NPS
    (tmp_path / "retail_nps.toml").write_text(NPS_MAPPING)
    # Latin-1 maps every byte to one character: fine for counting records and NA tokens.
    header, recs = records(path, encoding="latin-1")
    col = {name: i for i, name in enumerate(header)}
    assert header[0] == ""  # the R row-name column has no name

    report = load_file(db_path, "surveys", path, tmp_path / "retail_nps.toml")

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (len(recs), 13954, 0)
    assert query(
        db_path, "SELECT response_id, submitted_at, team, nps, comment FROM survey_responses "
        "WHERE response_id IN ('2368', '2482') ORDER BY 1"
    ) == [
        ("2368", datetime(2020, 1, 1), "Retail", 10, None),
        ("2482", datetime(2020, 1, 1), "Retail", 7, "Il y a très peu de caisse ouverte et le "
         "délai d'attente est particulièrement long!!!!"),
    ]  # fmt: skip
    na_comments = sum(r[col["explication"]] == "NA" for _, r in recs)
    na_scores = sum(r[col["nps"]] == "NA" for _, r in recs)
    assert (na_comments, na_scores) == (10115, 342)
    assert query(db_path, "SELECT count(*) - count(comment), count(*) - count(nps) "
                 "FROM survey_responses") == [(na_comments, na_scores)]  # fmt: skip
    assert scalar(db_path, "SELECT count(*) FROM survey_responses WHERE comment LIKE '%très%'") > 0


# --- no public file crashes the loader, whatever source it is loaded as ----------------------


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("rel", PUBLIC_CSVS)
def test_canonical_mapping_never_crashes(db_path: Path, rel: str, source: str) -> None:
    try:
        report = load_file(db_path, source, PUBLIC_DATA / rel)
    except IngestError as exc:
        assert str(exc).startswith(f"{Path(rel).name}: ")
        outcome = "refused"
    else:  # any other exception fails the test: that is the crash this test is about
        outcome = report.outcome
    assert query(db_path, "SELECT outcome FROM loads") == [(outcome,)]


# --- what a file did not carry feeds no figure: empty with n 0 in the export ------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Each ticket export, its mapping, and the indicators it cannot feed, read by hand from the
# columns it has (metrics.md: columns an export never had are unknown, not empty).
TICKET_EXPORTS = {
    KAGGLE: (
        PUBLIC_DATA / KAGGLE,
        "kaggle_support_tickets",
        {
            # First Response Time stands in for creation: no first responses; no reopens,
            # replies, promises or handling time in the file.
            "speed.first_response_median_min", "speed.first_response_sla_pct",
            "accessibility.after_hours_first_response_median_min", "accuracy.reopen_rate_pct",
            "accuracy.one_touch_pct", "clarity.clarification_loop_pct",
            "transparency.promise_kept_pct", "efficiency.handle_median_min",
            "efficiency.agent_replies_mean",
        },
    ),
    ITSM: (
        PUBLIC_DATA / ITSM,
        "itsm_incidents",
        {
            "speed.first_response_median_min", "speed.first_response_sla_pct",
            "accessibility.after_hours_first_response_median_min", "accuracy.reopen_rate_pct",
            "accuracy.one_touch_pct", "clarity.clarification_loop_pct",
            "transparency.promise_kept_pct", "efficiency.handle_median_min",
            "efficiency.agent_replies_mean", "efficiency.repeat_contact_pct",
        },
    ),
    "zendesk_no_first_reply": (
        FIXTURES / "zendesk_no_first_reply.csv",
        None,  # recognised from its header
        {
            "speed.first_response_median_min", "speed.first_response_sla_pct",
            "accessibility.after_hours_first_response_median_min",
            "clarity.clarification_loop_pct", "efficiency.handle_median_min",
        },
    ),
    "days_open": (
        FIXTURES / "days_open.csv",
        FIXTURES / "days_open.toml",
        {
            "speed.first_response_median_min", "speed.first_response_sla_pct",
            "accessibility.after_hours_first_response_median_min", "accuracy.reopen_rate_pct",
            "accuracy.one_touch_pct", "clarity.clarification_loop_pct",
            "transparency.promise_kept_pct", "efficiency.handle_median_min",
            "efficiency.agent_replies_mean", "efficiency.repeat_contact_pct",
        },
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TICKET_EXPORTS))
def test_an_indicator_the_file_cannot_feed_is_empty_with_n_0(db_path: Path, name: str) -> None:
    from database.db import Database
    from metrics.export import export_csv

    path, mapping, unfed = TICKET_EXPORTS[name]
    report = load_file(db_path, "tickets", path, mapping)
    assert report.rows_loaded > 0
    database = Database(db_path)
    with database.read() as con:
        text = export_csv(con, "month", database.settings())
    rows = list(csv.DictReader(io.StringIO(text)))
    seen = {r["indicator"] for r in rows}
    assert unfed <= seen
    for row in rows:
        if row["indicator"] in unfed:
            assert (row["value"], row["n"], row["status"]) == ("", "0", "grey"), row
    # Every other ticket indicator has a figure somewhere: the file feeds it.
    from metrics.registry import FILE_SOURCE, INDICATORS

    tickets = {i.id for i in INDICATORS if FILE_SOURCE[i.computation.source] == "tickets"}
    fed = {r["indicator"] for r in rows if r["n"] not in ("", "0")}
    # The fixture's one promise (due 2025-03-04 18:00) is after its latest timestamp: not due.
    not_due = {"transparency.promise_kept_pct"} if name == "zendesk_no_first_reply" else set()
    assert fed & tickets == tickets - unfed - not_due
