"""OpenStreetMap extracts as published (.osm.pbf, .osm.bz2, .osm): buildings with storeys, names
and addresses, the street network, clipping to the region, and what a site takes from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.reference import osm, osm_reader
from layers.register import multi_occupancy as mo
from tests import osm_file
from tests.support import IMPORTER, make_user

#: A workshop near Telford: far outside Leicester and Leicestershire.
OUTSIDE = [(52.6800, -2.4500), (52.6800, -2.4494), (52.6803, -2.4494), (52.6803, -2.4500)]
TAGS = {
    9001: {"building:levels": "5", "addr:housenumber": "1", "addr:street": "East Park Road",
           "addr:postcode": "le5 4qd"},
    9002: {"building:levels": "2;3"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "storeys"),
    [("5", 5), ("2.5", 3), ("3;4", 3), ("G+2", 2), ("", None), ("many", None), ("0", None),
     ("250", None), (None, None)],
)  # fmt: skip
def test_storeys_come_from_the_first_number_of_building_levels(
    value: str | None, storeys: int | None
) -> None:
    assert osm_reader.levels(value) == storeys


def test_one_way_streets_follow_the_tags() -> None:
    assert osm_reader.one_way({"oneway": "yes"}) == 1
    assert osm_reader.one_way({"oneway": "-1"}) == -1
    assert osm_reader.one_way({"junction": "roundabout"}) == 1
    assert osm_reader.one_way({"highway": "motorway", "oneway": "no"}) == 0
    assert osm_reader.one_way({"highway": "residential"}) == 0


def test_an_address_line_comes_from_the_addr_tags() -> None:
    tags = {"addr:unit": "4", "addr:housenumber": "1", "addr:street": "High St",
            "addr:city": "Leicester"}  # fmt: skip
    assert osm_reader.address(tags) == "Unit 4, 1 High St, Leicester"
    assert osm_reader.address({"building": "yes"}) is None


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm.bz2", ".osm"])
def test_each_published_format_loads_buildings_with_storeys_and_the_streets(
    conn: Connection, tmp_path: Path, suffix: str
) -> None:
    path = osm_file.write(tmp_path / f"leicestershire-latest{suffix}", tags=TAGS)
    found = osm.import_osm(conn, IMPORTER, path)
    assert (found.buildings, found.street_nodes) == (2, 25)
    # Ten streets of four blocks each, both ways: 80 directed edges.
    assert found.street_edges == 80
    rows = conn.execute(
        text(
            "SELECT source_id, name, levels, address, postcode FROM building "
            "WHERE source_id IN ('way/9001', 'way/9002') ORDER BY source_id"
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("way/9001", "Imperial Typewriter Building", 5, "1 East Park Road", "LE5 4QD"),
        ("way/9002", None, 2, None, None),
    ]
    streets = conn.execute(
        text("SELECT count(*), min(length_m), max(length_m) FROM street_edge WHERE source = :s"),
        {"s": path.name},
    ).one()
    assert streets[0] == 80 and float(streets[1]) > 130 and float(streets[2]) < 230


def test_an_extract_is_clipped_to_the_region(conn: Connection, tmp_path: Path) -> None:
    path = osm_file.write(
        tmp_path / "west-midlands-latest.osm.pbf",
        buildings=[(9101, "Telford Works", OUTSIDE), (9102, "", osm_file.WORKSHOP_OUTLINE)],
        grid=(52.670, -2.460),
        first_node=700_000,
    )
    found = osm.import_osm(conn, IMPORTER, path)
    assert (found.buildings, found.street_edges) == (1, 0)
    loaded = conn.execute(text("SELECT source_id FROM building WHERE source_id LIKE 'way/91%'"))
    assert [r[0] for r in loaded] == ["way/9102"]


def test_a_one_way_street_is_one_directed_edge(conn: Connection, tmp_path: Path) -> None:
    plain = osm_file.write(tmp_path / "oneway.osm", buildings=[], streets=2, first_node=800_000)
    text_ = plain.read_text().replace(
        '<tag k="highway" v="residential"/>', '<tag k="highway" v="residential"/>'
        '<tag k="oneway" v="yes"/>', 1
    )  # fmt: skip
    plain.write_text(text_)
    found = osm.import_osm(conn, IMPORTER, plain)
    # Four streets of one block: one of them one-way.
    assert found.street_edges == 3 * 2 + 1


def test_a_site_made_from_a_building_takes_its_storeys_and_name(
    conn: Connection, tmp_path: Path
) -> None:
    user = make_user(conn, "t_osm_officer", "officer")
    osm.import_osm(conn, IMPORTER, osm_file.write(tmp_path / "east.osm.pbf", tags=TAGS))
    for i, (lat, lon) in enumerate([(52.63610, -1.09950), (52.63620, -1.09900),
                                    (52.63630, -1.09920)]):  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom) VALUES (:n, '14', 'cmt', "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            ),
            {"n": f"T typewriter tenant {i}", "lat": lat, "lon": lon},
        )
    mo.detect(conn, user, threshold=3)
    proposals = mo.open_proposals(conn)
    mine = proposals[proposals["reason"].str.contains("Imperial Typewriter Building")]
    site_id = mo.accept(conn, user, int(mine.iloc[0]["id"]))
    site = conn.execute(
        text("SELECT name, floors, address, postcode FROM site WHERE id = :s"), {"s": site_id}
    ).one()
    assert tuple(site) == ("Imperial Typewriter Building", 5, "1 East Park Road", "LE5 4QD")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("city.osm.pbf", b"not a protocol buffer at all" * 10, "is not a readable OSM extract"),
        ("city.osm.bz2", b"BZh91AY&SY" + bytes(100), "is not a readable OSM extract"),
        ("city.txt", b"<osm version='0.6'></osm>", "is not named as an OpenStreetMap extract"),
    ],
)
def test_a_file_that_is_not_an_extract_is_refused_by_name(
    conn: Connection, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message) as caught:
        osm.import_osm(conn, IMPORTER, path)
    assert str(caught.value).startswith(f"file {name}")
