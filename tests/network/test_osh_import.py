"""Open Supply Hub downloads as published (both layouts): facilities matched by name, postcode
and distance, near matches proposed and decided once, brands with the dates they were seen,
closed facilities."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.exports import attribution, map_layers
from layers.network import osh, supply
from tests import network_files as nf
from tests.network.helpers import LAT, LON, business
from tests.support import IMPORTER, make_user

BRANDS = "Noval Apparel|A Brand / Retailer|Fictional Threads|Other"


def _rows() -> list[dict[str, str]]:
    return [
        # Certain: the same normalised name and postcode.
        nf.facility(
            "GB2026001AAA",
            "ZARVEN KNITS LIMITED",
            "1 East Park Road, Leicester, LE5 4QD",
            LAT,
            LON,
            BRANDS,
        ),
        # Near: a similar name 60 m away, another postcode.
        nf.facility(
            "GB2026002BBB",
            "Quillow Garment Works",
            "East Park Rd, Leicester LE5 5AA",
            LAT + 0.0005,
            LON,
            "Noval Apparel",
        ),
        # Unmatched: nothing like it nearby; closed.
        nf.facility(
            "GB2026003CCC",
            "Brindle Stitchers",
            "9 Gipsy Lane, Leicester LE4 9BX",
            52.6550,
            -1.1050,
            "Fictional Threads",
            closed=True,
        ),
        # Outside the region.
        nf.facility(
            "BD2026004DDD",
            "Dhaka Knit Ltd",
            "Gazipur, Bangladesh",
            23.99,
            90.42,
            "Noval Apparel",
            country="BD",
        ),
    ]


@pytest.fixture
def register(conn: Connection) -> dict[str, int]:
    return {
        "zarven": business(conn, "Zarven Knits Ltd", "91100001"),
        "quillow": business(
            conn, "Quillow Garments Ltd", "91100002", postcode="LE5 9ZZ", address="3 Other Street"
        ),
    }


@pytest.mark.parametrize("layout", [nf.OSH_OLD, nf.OSH_NEW], ids=["17 columns", "59 columns"])
def test_both_layouts_match_propose_and_leave_unmatched(
    conn: Connection, tmp_path: Path, register: dict[str, int], layout: list[str]
) -> None:
    path = nf.write_download(tmp_path / "facilities.csv", _rows(), layout=layout)
    result = osh.import_osh(conn, IMPORTER, path)
    assert result.as_dict() == {
        "read": 4,
        "matched": 1,
        "proposed": 1,
        "unmatched": 1,
        "outside_region": 1,
        "closed": 1,
    }
    proposed = osh.proposals(conn, IMPORTER)
    assert proposed[["os_id", "business_id"]].values.tolist() == [
        ["GB2026002BBB", register["quillow"]]
    ]
    assert 0.4 < proposed["score"].iloc[0] < 1
    brands = supply.business_brands(conn, register["zarven"])
    assert brands["brand"].tolist() == ["Fictional Threads", "Noval Apparel"]
    assert brands["current"].all()


def test_decisions_are_remembered_by_a_later_download(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    path = nf.write_download(tmp_path / "facilities.csv", _rows())
    osh.import_osh(conn, IMPORTER, path, seen=dt.date(2026, 10, 1))
    officer = make_user(conn, "t_osh_officer")
    osh.accept(conn, officer, "GB2026002BBB", register["quillow"])
    later = osh.import_osh(conn, IMPORTER, path, seen=dt.date(2026, 11, 1))
    assert (later.matched, later.proposed) == (2, 0)
    osh.reject(conn, officer, "GB2026002BBB")
    again = osh.import_osh(conn, IMPORTER, path, seen=dt.date(2026, 12, 1))
    assert (again.matched, again.proposed, again.unmatched) == (1, 0, 2)
    seen = conn.execute(
        text(
            "SELECT first_seen, last_seen FROM facility_brand WHERE os_id = 'GB2026001AAA' LIMIT 1"
        )
    ).one()
    assert seen == (dt.date(2026, 10, 1), dt.date(2026, 12, 1))


def test_a_brand_no_longer_listed_or_a_closed_facility_is_not_current(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    rows = _rows()
    osh.import_osh(
        conn, IMPORTER, nf.write_download(tmp_path / "a.csv", rows), seen=dt.date(2026, 10, 1)
    )
    rows[0] = {**rows[0], "contributor (list)": "Noval Apparel"}
    osh.import_osh(
        conn, IMPORTER, nf.write_download(tmp_path / "b.csv", rows), seen=dt.date(2026, 11, 1)
    )
    brands = supply.business_brands(conn, register["zarven"]).set_index("brand")["current"]
    assert brands.to_dict() == {"Noval Apparel": True, "Fictional Threads": False}
    rows[0] = {**rows[0], "is_closed": "True"}
    osh.import_osh(
        conn, IMPORTER, nf.write_download(tmp_path / "c.csv", rows), seen=dt.date(2026, 12, 1)
    )
    assert not supply.business_brands(conn, register["zarven"])["current"].any()


def test_an_unmatched_facility_can_be_added_to_the_register(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    osh.import_osh(conn, IMPORTER, nf.write_download(tmp_path / "f.csv", _rows()))
    added = osh.add_to_register(conn, make_user(conn, "t_osh_adder"), "GB2026003CCC")
    row = conn.execute(
        text(
            "SELECT b.name, b.postcode, s.source FROM business b JOIN business_source s "
            "ON s.business_id = b.id WHERE b.id = :b"
        ),
        {"b": added},
    ).one()
    assert tuple(row) == ("Brindle Stitchers", "LE4 9BX", "open_supply_hub")
    assert osh.unmatched(conn, IMPORTER).empty


def test_a_missing_column_or_a_bad_value_is_named(conn: Connection, tmp_path: Path) -> None:
    no_lat = nf.write_download(
        tmp_path / "no_lat.csv", _rows(), layout=[c for c in nf.OSH_OLD if c != "lat"]
    )
    with pytest.raises(ValidationError, match=r"no_lat\.csv.*no column 'lat'"):
        osh.import_osh(conn, IMPORTER, no_lat)
    rows = _rows()
    rows[2] = {**rows[2], "lng": "west-ish"}
    bad = nf.write_download(tmp_path / "bad.csv", rows)
    with pytest.raises(ValidationError, match=r"bad\.csv, row 4, column 'lng'.*not a number"):
        osh.import_osh(conn, IMPORTER, bad)
    assert conn.execute(text("SELECT count(*) FROM osh_facility")).scalar_one() == 0


def test_supply_chains_export_as_a_layer_with_the_licence(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    osh.import_osh(conn, IMPORTER, nf.write_download(tmp_path / "f.csv", _rows()))
    data, _ = map_layers.export(
        conn,
        IMPORTER,
        map_layers.ExportRequest(("supply_chains",), "gpkg"),
        attribution=attribution.for_database(conn),
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert "CC BY-SA 4.0" in archive.read("METADATA.txt").decode()
    path = tmp_path / "out.gpkg"
    path.write_bytes(archive.read(next(n for n in archive.namelist() if n.endswith(".gpkg"))))
    layer = pyogrio.read_dataframe(path)
    # Three brands on facilities in the region (the Bangladeshi one is left out).
    assert sorted(layer["brand"]) == [
        "Fictional Threads",
        "Fictional Threads",
        "Noval Apparel",
        "Noval Apparel",
    ]
    assert layer.crs.to_epsg() == 4326


def test_brands_in_an_area_count_facilities_and_employees(
    conn: Connection, tmp_path: Path, register: dict[str, int]
) -> None:
    conn.execute(
        text("UPDATE business SET employees_estimate = 12 WHERE id = :b"), {"b": register["zarven"]}
    )
    osh.import_osh(conn, IMPORTER, nf.write_download(tmp_path / "f.csv", _rows()))
    osh.accept(conn, IMPORTER, "GB2026002BBB", register["quillow"])
    district = conn.execute(
        text(
            "SELECT code FROM boundary WHERE kind = 'district' AND ST_Intersects(geom, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
        ),
        {"lon": LON, "lat": LAT},
    ).scalar_one()
    found = supply.brands_in_area(conn, IMPORTER, "district", district)
    rows = found.set_index("brand")[["facilities", "businesses", "employees"]].to_dict("index")
    assert rows == {
        "Noval Apparel": {"facilities": 2, "businesses": 2, "employees": 12},
        "Fictional Threads": {"facilities": 1, "businesses": 1, "employees": 12},
    }
    with pytest.raises(ValidationError, match="an area is one of"):
        supply.brands_in_area(conn, IMPORTER, "county", "X")
