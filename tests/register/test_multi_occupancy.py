"""OSM extracts and multi-occupancy proposals against PostGIS (OSM files written by the tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.people import identity
from layers.reference import osm
from layers.register import multi_occupancy as mo
from layers.register import profiles
from tests import osm_file
from tests.support import IMPORTER, make_user

# Inside the workshop outline of tests.osm_file (no site covers it).
WORKSHOP_POINTS = [(52.63310, -1.10590), (52.63315, -1.10570), (52.63320, -1.10550)]


@pytest.fixture
def user(conn: Connection) -> identity.User:
    return make_user(conn, "t_mo")


def _business(
    conn: Connection,
    name: str,
    lat: float,
    lon: float,
    address: str = "",
    postcode: str = "LE5 4GD",
) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, address, postcode) VALUES "
                "(:n, '14', 'cmt', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :a, :p) RETURNING id"
            ),
            {"n": name, "lat": lat, "lon": lon, "a": address, "p": postcode},
        ).scalar_one()
    )


def test_an_osm_extract_loads_buildings_and_streets_once(conn: Connection, tmp_path: Path) -> None:
    path = osm_file.write(tmp_path / "leicester-east.osm")
    first = osm.import_osm(conn, IMPORTER, path)
    # A 5 by 5 grid: every crossing and every street's end is a junction.
    assert (first.buildings, first.street_nodes) == (2, 25)
    assert first.street_edges > 0
    again = osm.import_osm(conn, IMPORTER, path)
    assert again == first
    # Other tests may have loaded other extracts into this database: count this file's rows.
    counts = conn.execute(
        text(
            "SELECT (SELECT count(*) FROM building WHERE source_id IN ('way/9001', 'way/9002')),"
            " (SELECT count(*) FROM street_edge WHERE source = 'leicester-east.osm')"
        )
    ).one()
    assert counts == (2, first.street_edges)
    name = conn.execute(text("SELECT name FROM building WHERE source_id = 'way/9001'")).scalar()
    assert name == "Imperial Typewriter Building"
    length = conn.execute(text("SELECT min(length_m) FROM street_edge")).scalar_one()
    assert 100 < float(length) < 250  # 0.002 degrees of latitude or longitude here


def test_a_broken_osm_file_is_refused(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text("<osm><node id='1' lat='52.6'")
    with pytest.raises(ValidationError, match="is not OSM XML"):
        osm.import_osm(conn, IMPORTER, path)


def test_businesses_in_one_building_become_a_proposal(
    conn: Connection, tmp_path: Path, user: identity.User
) -> None:
    osm.import_osm(conn, IMPORTER, osm_file.write(tmp_path / "x.osm"))
    ids = [
        _business(conn, f"Workshop {i}", lat, lon) for i, (lat, lon) in enumerate(WORKSHOP_POINTS)
    ]
    assert mo.detect(conn, user) >= 1
    proposals = mo.open_proposals(conn)
    mine = proposals[[sorted(found) == sorted(ids) for found in proposals["business_ids"]]]
    assert len(mine) == 1 and mine.iloc[0]["kind"] == "new_site"
    assert "3 businesses inside one building footprint" in mine.iloc[0]["reason"]
    assert mo.detect(conn, user) == 0  # not proposed twice
    site_id = mo.accept(conn, user, int(mine.iloc[0]["id"]), name="Workshop Yard")
    tenants = conn.execute(
        text("SELECT count(*) FROM business WHERE site_id = :s"), {"s": site_id}
    ).scalar_one()
    assert tenants == 3
    assert (
        conn.execute(text("SELECT name FROM site WHERE id = :s"), {"s": site_id}).scalar_one()
        == "Workshop Yard"
    )
    # Each business is now the current tenant of a unit of the new site, as its profile shows.
    units = profiles.site_profile(conn, site_id).units
    assert sorted(units["tenant"]) == [f"Workshop {i}" for i in range(3)]
    assert sorted(units["label"]) == [f"Unit of Workshop {i}" for i in range(3)]
    with pytest.raises(ValidationError, match="already accepted"):
        mo.dismiss(conn, user, int(mine.iloc[0]["id"]))


def test_a_shared_address_line_and_postcode(conn: Connection, user: identity.User) -> None:
    ids = [
        _business(
            conn,
            f"Tenant {i}",
            52.64 + i * 0.0001,
            -1.12,
            address=f"Unit {i}, 14 Canal Street, Leicester",
            postcode="LE1 1AA",
        )
        for i in range(3)
    ]
    mo.detect(conn, user)
    proposals = mo.open_proposals(conn)
    mine = proposals[[sorted(found) == sorted(ids) for found in proposals["business_ids"]]]
    assert "share the address '14 canal street', LE1 1AA" in mine.iloc[0]["reason"]
    mo.dismiss(conn, user, int(mine.iloc[0]["id"]))
    assert mo.detect(conn, user) == 0  # a dismissed set is not proposed again


def test_new_tenants_of_a_known_site_can_be_merged(conn: Connection, user: identity.User) -> None:
    square = "SRID=4326;MULTIPOLYGON(((-1.2 52.7,-1.199 52.7,-1.199 52.701,-1.2 52.701,-1.2 52.7)))"
    site = conn.execute(
        text(
            "INSERT INTO site (name, geom) VALUES ('Known Mill', ST_GeomFromEWKT(:g)) RETURNING id"
        ),
        {"g": square},
    ).scalar_one()
    newcomer = _business(conn, "Newcomer Knitwear", 52.7005, -1.1995)
    mo.detect(conn, user)
    proposals = mo.open_proposals(conn)
    mine = proposals[[list(found) == [newcomer] for found in proposals["business_ids"]]]
    assert mine.iloc[0]["kind"] == "new_tenants" and mine.iloc[0]["site"] == "Known Mill"
    assert mine.iloc[0]["reason"] == (
        "1 business inside the footprint of Known Mill is not recorded as its tenant"
    )
    conn.execute(
        text("INSERT INTO unit (site_id, label) VALUES (:s, 'Unit of Newcomer Knitwear')"),
        {"s": site},
    )
    mo.merge(conn, user, int(mine.iloc[0]["id"]), site)
    assert (
        conn.execute(
            text("SELECT site_id FROM business WHERE id = :b"), {"b": newcomer}
        ).scalar_one()
        == site
    )
    label, start, end = conn.execute(
        text(
            "SELECT u.label, t.start_date, t.end_date FROM tenancy t "
            "JOIN unit u ON u.id = t.unit_id "
            "JOIN business b ON b.unit_id = u.id AND b.id = t.business_id WHERE b.id = :b"
        ),
        {"b": newcomer},
    ).one()
    assert (label, start, end) == ("Unit of Newcomer Knitwear (2)", dt.date.today(), None)
    detail = conn.execute(
        text(
            "SELECT detail FROM audit_log WHERE object_type = 'site_proposal' "
            "AND object_id = :p ORDER BY id DESC LIMIT 1"
        ),
        {"p": str(mine.iloc[0]["id"])},
    ).scalar_one()
    assert detail["units_added"] == 1


@pytest.mark.parametrize(
    ("address", "name", "taken", "expected"),
    [
        ("Unit 4, 14 Canal Street", "A Ltd", set(), "Unit 4"),
        ("suite 2b, Mill House", "A Ltd", set(), "Suite 2B"),
        ("Unit 4, 14 Canal Street", "A Ltd", {"unit 4"}, "Unit 4 (2)"),
        ("Unit 4", "A Ltd", {"Unit 4", "Unit 4 (2)"}, "Unit 4 (3)"),
        ("14 Canal Street", "Zelvar Knitwear Ltd", set(), "Unit of Zelvar Knitwear Ltd"),
        (None, "A very long business name that goes on", set(), "Unit of A very long business nam"),
        (
            None,
            "A very long business name that goes on",
            {"Unit of A very long business nam"},
            "Unit of A very long business (2)",
        ),
    ],
)
def test_a_unit_label_from_the_address(
    address: str | None, name: str, taken: set[str], expected: str
) -> None:
    label = mo.unit_label(address, name, taken)
    assert label == expected and len(label) <= 32
