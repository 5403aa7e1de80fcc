"""Table headings and date formats of the pages: pure functions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("visit_date", "Visit date"),
        ("id", "ID"),
        ("gva_gbp", "GVA gbp"),
        ("msoa_code", "MSOA code"),
        ("outcome", "Outcome"),
        ("Fact", "Fact"),
        ("per km²", "per km²"),
        ("Unit 3", "Unit 3"),
    ],
)
def test_table_headings_read_as_words(column: str, expected: str) -> None:
    from app.parts.ui import heading

    assert heading(column) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series([dt.date(2026, 1, 2), None], dtype=object), "DD/MM/YYYY"),
        (pd.to_datetime(pd.Series(["2026-01-02", "2026-03-04"])), "DD/MM/YYYY"),
        (pd.to_datetime(pd.Series(["2026-01-02 09:30", None]), utc=True), "DD/MM/YYYY HH:mm"),
        (pd.Series(["2026-01-02", "text"], dtype=object), None),
        (pd.Series([None, None], dtype=object), None),
        (pd.Series([1, 2]), None),
    ],
)
def test_table_dates_are_shown_day_first(values: pd.Series, expected: str | None) -> None:
    from app.parts.ui import date_format

    assert date_format(values) == expected
