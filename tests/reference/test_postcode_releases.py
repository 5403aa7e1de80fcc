"""Postcodes of two releases: the newest gives the live postcodes and current ward codes; those
terminated since an older release are kept, flagged, so that old addresses still geocode."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.exports import attribution
from layers.reference import postcodes
from layers.register import profiles
from layers.register.businesses import importing
from tests.support import IMPORTER


def _postcode(conn: Connection, code: str) -> dict[str, object]:
    return dict(
        conn.execute(
            text(
                "SELECT postcode, terminated, released, ward_code_source, source, "
                "ST_X(geom) AS lon, ST_Y(geom) AS lat FROM postcode WHERE postcode = :p"
            ),
            {"p": code},
        )
        .mappings()
        .one()
    )


def test_the_pack_gives_the_2025_postcodes_and_keeps_the_terminated_ones(
    conn: Connection,
) -> None:
    both = _postcode(conn, "LE1 1AA")
    assert both["terminated"] is False and both["released"] == dt.date(2025, 4, 17)
    assert both["ward_code_source"] == "E05010463"  # Castle, a current ward (2014: E05001789)
    assert both["source"] == "postcodes_2025/le.csv"
    gone = _postcode(conn, "LE1 1LD")  # in 2014, not in 2025
    assert gone["terminated"] is True and gone["released"] == dt.date(2014, 7, 18)
    new = _postcode(conn, "LE1 1AJ")  # only in 2025
    assert new["terminated"] is False
    counts = conn.execute(
        text("SELECT count(*) FILTER (WHERE terminated), count(*) FROM postcode")
    ).one()
    # Counted from the two files: 961 of 2014's 21,621 are not among 2025's 23,176.
    assert tuple(counts) == (961, 24_137)


def test_loading_the_older_release_again_changes_nothing(conn: Connection, opendata: Path) -> None:
    before = pd.read_sql(text("SELECT * FROM postcode ORDER BY postcode"), conn)
    result = postcodes.import_postcodes(conn, IMPORTER, opendata / "postcodes" / "le.csv")
    assert result.release == dt.date(2014, 7, 18) and result.terminated == 961
    after = pd.read_sql(text("SELECT * FROM postcode ORDER BY postcode"), conn)
    pd.testing.assert_frame_equal(before, after)


def _codepoint(folder: Path, rows: list[str], release: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "metadata.txt").write_text(
        f"ORDNANCE SURVEY\nPRODUCT: OS CODE-POINT_OPEN\nRM UPDATE DATE: {release}\n",
        encoding="latin-1",
    )
    path = folder / "zz.csv"
    path.write_text("".join(f'"{row}",10,459327,304196,"E92000001","","","","E06000016",""\n'
                            for row in rows))  # fmt: skip
    return path


def test_a_newer_release_terminates_what_it_no_longer_lists_and_an_older_never_wins(
    conn: Connection, tmp_path: Path
) -> None:
    old = _codepoint(tmp_path / "old", ["ZZ1 1AA", "ZZ1 1AB"], "20200101")
    new = _codepoint(tmp_path / "new", ["ZZ1 1AA", "ZZ1 1AD"], "20240101")
    postcodes.import_postcodes(conn, IMPORTER, old)
    result = postcodes.import_postcodes(conn, IMPORTER, new)
    assert (result.release, result.terminated) == (dt.date(2024, 1, 1), 1)
    assert _postcode(conn, "ZZ1 1AB")["terminated"] is True
    assert _postcode(conn, "ZZ1 1AA")["source"] == "new/zz.csv"
    again = postcodes.import_postcodes(conn, IMPORTER, old)  # the older one, loaded last
    assert again.terminated == 1
    assert _postcode(conn, "ZZ1 1AA")["released"] == dt.date(2024, 1, 1)
    assert _postcode(conn, "ZZ1 1AB")["terminated"] is True
    revived = postcodes.import_postcodes(
        conn, IMPORTER, old, release=dt.date(2025, 6, 1)
    )  # said to be newer: its postcodes are live again, the others terminated
    assert revived.terminated == 1 and _postcode(conn, "ZZ1 1AD")["terminated"] is True


def test_the_ons_directory_flags_its_own_terminated_postcodes(
    conn: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "onspd.csv"
    path.write_text(
        "pcds,doterm,oslaua,osward,lat,long\n"
        "ZZ2 1AA,,E06000016,E05010463,52.63,-1.12\n"
        "ZZ2 1AB,202001,E06000016,E05010463,52.64,-1.13\n"
    )
    postcodes.import_postcodes(conn, IMPORTER, path, release=dt.date(2025, 2, 1))
    assert _postcode(conn, "ZZ2 1AA")["terminated"] is False
    assert _postcode(conn, "ZZ2 1AB")["terminated"] is True


def test_a_terminated_postcode_still_geocodes_and_the_profile_says_so(
    conn: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "name,postcode,sic\nT old address,LE1 1LD,14190\nT unknown unit,LE1 1ZZ,14190\n"
    )
    result = importing.import_businesses(
        conn, IMPORTER, path, format="csv", mapping={"name": "name", "postcode": "postcode",
                                                  "sic_codes": "sic"},
    )  # fmt: skip
    assert result.inserted == 2
    placed = {
        row.name: row
        for row in conn.execute(
            text(
                "SELECT name, id, location_precision, ST_X(geom) AS lon, ST_Y(geom) AS lat "
                "FROM business WHERE name LIKE 'T %'"
            )
        )
    }
    gone = _postcode(conn, "LE1 1LD")
    old = placed["T old address"]
    assert old.location_precision == "postcode"
    assert (old.lon, old.lat) == pytest.approx((gone["lon"], gone["lat"]))
    assert profiles.business_profile(conn, old.id).details["postcode_terminated"] is True
    # The sector's centroid is that of its live postcodes only.
    live = conn.execute(
        text(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c FROM postcode "
            "WHERE postcode LIKE 'LE1 1%' AND NOT terminated) s"
        )
    ).one()
    sector = placed["T unknown unit"]
    assert sector.location_precision == "postcode_sector"
    assert (sector.lon, sector.lat) == pytest.approx(tuple(live))
    assert profiles.business_profile(conn, sector.id).details["postcode_terminated"] is False


def test_both_postcode_releases_are_attributed(conn: Connection) -> None:
    lines = attribution.for_database(conn)
    assert attribution.POSTCODES in lines and attribution.POSTCODES_2025 in lines
    assert "database right 2025" in attribution.POSTCODES_2025
