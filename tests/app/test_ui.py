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


def test_missing_values_are_blank_cells_never_none() -> None:
    from app.parts.ui import blank_missing

    frame = pd.DataFrame(
        {
            "trading_name": ["Zarven", None],
            "follow_up_date": [dt.date(2026, 1, 2), None],
            "last_login_at": pd.to_datetime(["2026-01-02 09:30", None]),
            "employees": [1200.0, float("nan")],
            "complete": [1, 2],
            "kept": [None, 3.5],
        }
    )
    shown = blank_missing(frame, keep=frozenset({"kept"}))
    assert shown["trading_name"].tolist() == ["Zarven", ""]
    assert shown["follow_up_date"].tolist() == ["02/01/2026", ""]
    assert shown["last_login_at"].tolist() == ["02/01/2026 09:30", ""]
    assert shown["employees"].tolist() == ["1,200", ""]
    assert shown["complete"].tolist() == [1, 2]  # nothing missing: left as numbers
    assert shown["kept"].isna().iloc[0]
    assert "None" not in shown.drop(columns="kept").astype(str).to_numpy().ravel().tolist()
