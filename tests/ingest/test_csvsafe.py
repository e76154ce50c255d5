"""Formula cells in every CSV the product writes: text neutralised, numbers left as numbers."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from database.csvsafe import FORMULA_STARTS, frame_csv, rows_csv, safe_cell

ATTACKS = ["=1+2", "+x", "-Ops", "@sum", "\tTab team", "\rCR team", '=HYPERLINK("http://x","y")']


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def opens_a_formula(cell: str) -> bool:
    """What a spreadsheet would run as a formula (OWASP's list of first characters)."""
    return cell.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("text", ATTACKS)
def test_text_that_starts_a_formula_gets_a_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Billing", "", "a=b", "x-1", "'=already quoted", " =spaced"])
def test_other_text_is_unchanged(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "value", [-29.5, -12, 0, 3.25, np.float64(-1.5), np.int64(-7), True, datetime(2026, 1, 5)]
)
def test_numbers_and_other_values_stay_as_they_are(value: object) -> None:
    assert safe_cell(value) is value


@pytest.mark.parametrize("missing", [None, float("nan"), np.float64("nan")])
def test_missing_is_empty(missing: object) -> None:
    assert safe_cell(missing) == ""


def test_text_that_looks_like_a_number_is_still_text() -> None:
    # A rejected row's raw value "-29.5" is text: a spreadsheet would still evaluate it.
    assert safe_cell("-29.5") == "'-29.5"


def test_rows_keep_the_callers_number_columns() -> None:
    text = rows_csv(
        ["scope_id", "value", "n"],
        [["-Ops", "-12.5", "3"], ["=1+2", "", ""]],
        numbers=("value", "n"),
    )
    assert cells(text) == [["scope_id", "value", "n"], ["'-Ops", "-12.5", "3"], ["'=1+2", "", ""]]


def test_rows_neutralise_every_text_cell_and_the_header() -> None:
    text = rows_csv(["-h", "b"], [[1, "@sum"], [-2.5, None]])
    assert cells(text) == [["'-h", "b"], ["1", "'@sum"], ["-2.5", ""]]


def test_a_frame_is_written_as_pandas_writes_it_except_formula_text() -> None:
    frame = pd.DataFrame(
        {
            "team": ATTACKS,
            "value": [-12.5, -1.0, 0.0, np.nan, 2.0, 3.0, 4.0],
            "n": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
            "when": pd.to_datetime(["2026-01-05"] * 7),
            "kind": pd.Categorical(["-a", "b", "=c", "d", "e", "f", "g"]),
            "mixed": [1, "-2", None, np.nan, "+3", 4.5, "ok"],
        }
    )
    safe = cells(frame_csv(frame))
    plain = cells(frame.to_csv(index=False, lineterminator="\r\n"))
    assert safe[0] == plain[0]
    for row, (got, was) in enumerate(zip(safe[1:], plain[1:], strict=True)):
        for col, (cell, original) in enumerate(zip(got, was, strict=True)):
            is_text = isinstance(frame.iloc[row, col], str)
            if is_text and opens_a_formula(original):
                assert cell == "'" + original
            else:
                assert cell == original  # numbers (negative ones too), dates, empty cells
    # Negative numbers are numbers: unquoted; the text "-2" in an object column is quoted.
    assert [row[1] for row in safe[1:3]] == ["-12.5", "-1.0"]
    assert safe[2][5] == "'-2"


def test_a_frame_with_formula_column_names() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["=a", "b"])
    assert cells(frame_csv(frame))[0] == ["'=a", "b"]


@pytest.mark.parametrize("write", ["rows", "frame"])
def test_a_carriage_return_inside_a_cell_cannot_start_a_record(write: str) -> None:
    # Written unquoted (csv's default with "\n" line ends), "x\r=1+2" would be read as a
    # record "x" and a record "=1+2" by a reader that breaks lines on a bare \r.
    values = ["x\r=1+2", "y\r\n@sum", "plain"]
    if write == "rows":
        text = rows_csv(["team"], [[v] for v in values])
    else:
        text = frame_csv(pd.DataFrame({"team": values}))
    assert cells(text) == [["team"], *([v] for v in values)]
    assert '"x\r=1+2"' in text and text.endswith("plain\n")
    assert "\r\n" not in text.replace("y\r\n@sum", "")  # records end with \n only
