"""Bad values in business imports against PostGIS: each rejects its own row with the row, the
column, the value and the reason, never the whole file; dates are read as what they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.register.businesses.importing import import_businesses
from tests.support import IMPORTER

HEADER = "name,postcode,sector,employees_estimate,employees_low,employees_high,first_seen\n"
GOOD = "Fictional Good Ltd,LE5 4GD,14,10,5,20,04/03/2019\n"

#: A bad row (after a good one), the column its reject names and words of the reason.
CASES = {
    "negative employees": ("Fictional A,LE5 4GD,14,-3,,,\n", "employees_estimate", "negative"),
    "huge employees": (
        "Fictional B,LE5 4GD,14,99999999999,,,\n",
        "employees_estimate",
        "plausible",
    ),
    "employees not a number": ("Fictional C,LE5 4GD,14,lots,,,\n", "employees_estimate", "whole"),
    "low above high": ("Fictional D,LE5 4GD,14,10,30,20,\n", "employees_low", "out of order"),
    "estimate above high": ("Fictional E,LE5 4GD,14,50,5,20,\n", "employees_low", "out of order"),
    "future date": ("Fictional F,LE5 4GD,14,,,,03/04/2099\n", "first_seen", "in the future"),
    "not a date": ("Fictional G,LE5 4GD,14,,,,not a date\n", "first_seen", "not a date"),
    "no such date": ("Fictional H,LE5 4GD,14,,,,31/02/2019\n", "first_seen", "no such date"),
    "3,000-character name": ("x" * 3000 + ",LE5 4GD,14,,,,\n", "name", "at most 300"),
    "control character": ("Fictional\x07Bell,LE5 4GD,14,,,,\n", "name", "control character"),
}


def _business_rows(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM business")).scalar_one())


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_value_rejects_its_row_not_the_file(
    conn: Connection, tmp_path: Path, case: str
) -> None:
    bad, column, reason = CASES[case]
    path = tmp_path / "list.csv"
    path.write_text(HEADER + GOOD + bad, encoding="utf-8")
    before = _business_rows(conn)
    result = import_businesses(conn, IMPORTER, path)
    assert (result.inserted, len(result.rejects)) == (1, 1)
    (reject,) = result.rejects.to_dict("records")
    assert (reject["row"], reject["column"]) == (3, column)
    assert reason in reject["reason"]
    assert _business_rows(conn) == before + 1


def test_dates_in_one_column_are_read_in_every_form(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "name,postcode,sector,first_seen\n"
        "Fictional Day First,LE5 4GD,14,04/03/2019\n"
        "Fictional Iso,LE5 4GD,13,2019-03-04\n"
        "Fictional Serial,LE5 4GD,15,43528\n",
        encoding="utf-8",
    )
    assert import_businesses(conn, IMPORTER, path).inserted == 3
    dates = (
        conn.execute(text("SELECT DISTINCT first_seen FROM business WHERE name LIKE 'Fictional %'"))
        .scalars()
        .all()
    )
    assert dates == [dt.date(2019, 3, 4)]


def test_real_date_cells_in_a_workbook_keep_day_and_month(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "rates.xlsx"
    pd.DataFrame(
        {
            "name": ["Fictional March", "Fictional January", "Fictional Serial"],
            "postcode": ["LE5 4GD", "LE1 1AA", "LE5 4GD"],
            "sector": ["14", "13", "15"],
            "company_number": [1234567, 2345678, None],  # typed as numbers
            "first_seen": [dt.datetime(2019, 3, 4), dt.datetime(2021, 1, 12), 43528],
        }
    ).to_excel(path, index=False)
    result = import_businesses(conn, IMPORTER, path)
    assert (result.inserted, len(result.rejects)) == (3, 0)
    stored = dict(
        conn.execute(
            text("SELECT name, first_seen FROM business WHERE name LIKE 'Fictional %'")
        ).all()
    )
    assert stored == {
        "Fictional March": dt.date(2019, 3, 4),
        "Fictional January": dt.date(2021, 1, 12),
        "Fictional Serial": dt.date(2019, 3, 4),
    }
    numbers = conn.execute(
        text("SELECT company_number FROM business WHERE name = 'Fictional March'")
    ).scalar_one()
    assert numbers == "01234567"


def test_a_repeated_row_without_a_company_number_is_reported_not_inserted_again(
    conn: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "repeats.csv"
    path.write_text(
        "name,postcode,sector\n"
        "Fictional Repeat Ltd,LE5 4GD,14\n"
        "FICTIONAL REPEAT LIMITED,le5 4gd,14\n"
        "Fictional Other Ltd,LE5 4GD,14\n",
        encoding="utf-8",
    )
    result = import_businesses(conn, IMPORTER, path)
    assert (result.inserted, result.rejected) == (2, 1)
    (reject,) = result.rejects.to_dict("records")
    assert reject["row"] == 3 and "a repeat of row 2" in reject["reason"]
