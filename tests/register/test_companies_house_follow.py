"""The register follows Companies House: a known company whose registered office moved out of
the area is updated and marked as moved away (out of the area's counts); a full monthly snapshot
marks the register's Companies House companies absent from it as gone, and a part never does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.register.businesses.importing import import_businesses
from tests import companies_house_file as ch
from tests.support import IMPORTER

APPAREL = ch.SIC_TEXTS["14190"]
CAFE = ch.SIC_TEXTS["56101"]


def _status(conn: Connection, number: str) -> tuple[str, str, dt.date | None]:
    row = conn.execute(
        text("SELECT status, postcode, left_register_on FROM business WHERE company_number = :n"),
        {"n": number},
    ).one()
    return row.status, row.postcode, row.left_register_on


def _first(tmp_path: Path, conn: Connection) -> None:
    path = ch.write(
        tmp_path / "BasicCompanyData-2026-10-01.csv",
        [
            ch.company("FICTIONAL STAYS LTD", "90000101", "LE5 4GD", APPAREL),
            ch.company("FICTIONAL MOVES LTD", "90000102", "LE1 1AA", APPAREL),
            ch.company("FICTIONAL GOES LTD", "90000103", "LE5 4GD", APPAREL),
        ],
    )
    assert import_businesses(conn, IMPORTER, path).inserted == 3


def test_a_company_that_moved_away_is_updated_and_marked(conn: Connection, tmp_path: Path) -> None:
    _first(tmp_path, conn)
    path = ch.write(
        tmp_path / "BasicCompanyData-2026-11-01.csv",
        [
            ch.company("FICTIONAL MOVES LTD", "90000102", "M1 1AE", APPAREL, line1="9 New Road"),
            ch.company("FICTIONAL NEVER HERE LTD", "90000199", "M1 1AE", APPAREL),
        ],
    )
    result = import_businesses(conn, IMPORTER, path)
    assert (result.moved_away, result.updated, result.skipped, result.rejected) == (1, 1, 1, 0)
    assert _status(conn, "90000102")[:2] == ("moved_away", "M1 1AE")
    assert (
        conn.execute(
            text("SELECT count(*) FROM business WHERE company_number = '90000199'")
        ).scalar_one()
        == 0
    )
    again = import_businesses(conn, IMPORTER, path)  # nothing more to do the second time
    assert (again.moved_away, again.updated, again.unchanged) == (0, 0, 1)


def test_a_full_snapshot_marks_the_absent_as_gone(conn: Connection, tmp_path: Path) -> None:
    _first(tmp_path, conn)
    whole = ch.write(
        tmp_path / "BasicCompanyData-2026-12-01.csv",
        [
            ch.company("FICTIONAL STAYS LTD", "90000101", "LE5 4GD", APPAREL),
            # Still registered, though its SIC code left the sector: present, not gone.
            ch.company("FICTIONAL MOVES LTD", "90000102", "LE1 1AA", CAFE),
            ch.company("SOMEONE ELSE LTD", "90000500", "LS10 2RU", CAFE),
        ],
    )
    partial = import_businesses(conn, IMPORTER, whole)  # without the option, nothing is gone
    assert partial.gone == 0 and _status(conn, "90000103")[0] == "active"
    result = import_businesses(conn, IMPORTER, whole, full_snapshot=True)
    assert result.gone == 1
    assert _status(conn, "90000103") == ("dissolved", "LE5 4GD", dt.date(2026, 12, 1))
    assert _status(conn, "90000101")[0] == "active" and _status(conn, "90000102")[0] == "active"


def test_a_part_of_the_product_or_another_list_is_never_a_full_snapshot(
    conn: Connection, tmp_path: Path
) -> None:
    part = ch.write(tmp_path / "BasicCompanyData-2026-12-01-part1_7.csv", [])
    with pytest.raises(ValidationError, match="part 1 of 7"):
        import_businesses(conn, IMPORTER, part, full_snapshot=True)
    other = tmp_path / "rates.csv"
    other.write_text("name,postcode,sector\nFictional A,LE5 4GD,14\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Companies House company data product only"):
        import_businesses(conn, IMPORTER, other, full_snapshot=True)
