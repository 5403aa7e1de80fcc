"""The rules of single values: dates as people and spreadsheets write them, counts, and text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from layers.core import fields

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2019, 3, 4, 0, 0), dt.date(2019, 3, 4)),  # a real date cell
        (pd.Timestamp("2021-01-12"), dt.date(2021, 1, 12)),
        (dt.date(2019, 3, 4), dt.date(2019, 3, 4)),
        (43528, dt.date(2019, 3, 4)),  # Excel serial
        (43528.0, dt.date(2019, 3, 4)),
        ("43528", dt.date(2019, 3, 4)),
        ("04/03/2019", dt.date(2019, 3, 4)),  # UK day first
        ("4/3/2019", dt.date(2019, 3, 4)),
        ("04-03-2019", dt.date(2019, 3, 4)),
        ("04.03.19", dt.date(2019, 3, 4)),
        ("4 March 2019", dt.date(2019, 3, 4)),
        ("4 Mar 2019", dt.date(2019, 3, 4)),
        ("2019-03-04", dt.date(2019, 3, 4)),  # ISO
        ("2019-03-04 00:00:00", dt.date(2019, 3, 4)),
        ("2021-01-12", dt.date(2021, 1, 12)),
        (None, None),
        ("", None),
        ("   ", None),
        (np.nan, None),
        (pd.NA, None),
        (pd.NaT, None),
    ],
)
def test_dates_are_read_as_what_they_are(value: object, expected: dt.date | None) -> None:
    assert fields.read_date(value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not a date", "not a date: use DD/MM/YYYY or YYYY-MM-DD"),
        ("31/02/2019", "no such date (31/02/2019)"),
        ("2019-13-01", "no such date"),
        ("03/04/2030", "is in the future"),
        (99999999, "not an Excel date serial"),
        (43528.5, "not an Excel date serial"),
        ("01/01/1700", "before 1850"),
        ("March 2019", "not a date"),
        (True, "not a date"),
    ],
)
def test_anything_else_is_an_error_never_an_empty_date(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        fields.read_date(value, today=TODAY)


def test_future_dates_where_they_are_possible() -> None:
    assert fields.read_date("03/04/2030", today=TODAY, future=True) == dt.date(2030, 4, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (12.0, 12), ("12", 12), (" 1,200 ", 1200), ("0", 0), (None, None), ("", None)],
)
def test_counts(value: object, expected: int | None) -> None:
    assert fields.read_count(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (-1, "cannot be negative"),
        ("12.5", "not a whole number"),
        ("twelve", "not a whole number"),
        (99_999_999_999, "more than 100,000"),
        (float("inf"), "not a whole number"),
        (True, "not a number"),
    ],
)
def test_bad_counts(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        fields.read_count(value)


def test_text() -> None:
    assert fields.check_text("  Fictional Ltd ", longest=20) == "Fictional Ltd"
    assert fields.check_text(" ", longest=20) is None
    with pytest.raises(ValueError, match=r"control character \(U\+0000\)"):
        fields.check_text("Evil\x00Ltd", longest=20)
    with pytest.raises(ValueError, match="3,000 characters; at most 300"):
        fields.check_text("x" * 3000, longest=300)
    assert fields.check_text("Tab\tand new\nline are text", longest=40)
