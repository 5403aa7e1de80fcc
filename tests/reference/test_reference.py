"""Reference data from ../shared/opendata: boundaries and postcodes, loaded into PostGIS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.reference import boundaries, pack, postcodes
from tests.support import IMPORTER


def _scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar_one()


def test_boundary_counts_match_the_pack(conn: Connection) -> None:
    counts = boundaries.boundary_counts(conn)
    assert counts == {"district": 8, "ward": 21, "msoa": 37, "lsoa": 192}


def test_boundaries_are_wgs84_and_valid(conn: Connection) -> None:
    assert _scalar(conn, "SELECT count(DISTINCT ST_SRID(geom)) FROM boundary") == 1
    assert _scalar(conn, "SELECT min(ST_SRID(geom)) FROM boundary") == 4326
    assert _scalar(conn, "SELECT count(*) FROM boundary WHERE NOT ST_IsValid(geom)") == 0


def test_district_areas_match_the_published_figures(conn: Connection) -> None:
    # The pack's README: Leicester 73.4 km², Harborough 592.7 km², all eight 2,157 km².
    def area(code: str | None) -> float:
        return float(
            _scalar(
                conn,
                "SELECT sum(ST_Area(ST_Transform(geom, 27700))) / 1e6 "
                "FROM boundary WHERE kind = 'district' "
                "AND (CAST(:code AS text) IS NULL OR code = :code)",
                code=code,
            )
        )

    assert area("E06000016") == pytest.approx(73.4, abs=0.1)
    assert area("E07000131") == pytest.approx(592.7, abs=0.1)
    assert area(None) == pytest.approx(2157, abs=1)


def test_postcodes_are_loaded_and_transformed_to_wgs84(conn: Connection) -> None:
    # 2025's 23,176 live postcodes and the 961 of 2014's terminated since.
    assert postcodes.postcode_count(conn) == 24_137
    lon, lat = conn.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM postcode WHERE postcode = 'LE1 1AA'")
    ).one()
    # Easting 459318, northing 304176 in British National Grid (the 2025 release).
    assert lon == pytest.approx(-1.1250, abs=0.0005)
    assert lat == pytest.approx(52.6321, abs=0.0005)


def test_a_known_postcode_lies_inside_leicester_and_its_current_ward(conn: Connection) -> None:
    row = (
        conn.execute(
            text(
                "SELECT p.district_code, p.ward_code, p.ward_code_source, "
                "ST_Contains(d.geom, p.geom) AS inside FROM postcode p "
                "JOIN boundary d ON d.kind = 'district' AND d.code = 'E06000016' "
                "WHERE p.postcode = 'LE1 1AA'"
            )
        )
        .mappings()
        .one()
    )
    assert row["inside"] is True
    assert row["district_code"] == "E06000016"
    assert row["ward_code"] == "E05010463"  # Castle, a 2019 ward
    assert row["ward_code_source"] == "E05010463"  # the 2025 release gives current wards


def test_every_leicester_postcode_gets_a_current_ward(conn: Connection) -> None:
    # Leicester's postcodes of 2025 and those terminated since 2014.
    assert _scalar(conn, "SELECT count(*) FROM postcode WHERE ward_code IS NOT NULL") == 6_425
    assert (
        _scalar(
            conn,
            "SELECT count(*) FROM postcode WHERE district_code = 'E06000016' AND ward_code IS NULL",
        )
        == 0
    )


def test_loading_twice_changes_nothing(conn: Connection) -> None:
    before = conn.execute(
        text("SELECT (SELECT count(*) FROM boundary), (SELECT count(*) FROM postcode)")
    ).one()
    loaded = pack.load_reference_data(conn, IMPORTER)
    after = conn.execute(
        text("SELECT (SELECT count(*) FROM boundary), (SELECT count(*) FROM postcode)")
    ).one()
    assert before == after == (258, 24_137)
    assert loaded["postcodes (July 2014)"] == 21_621
    assert loaded["postcodes (April 2025)"] == 23_176


def _write(path: Path, features: list[dict], crs: str | None = "OGC:1.3:CRS84") -> Path:
    collection: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs}"}}
    path.write_text(json.dumps(collection))
    return path


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-1.1, 52.6], [-1.09, 52.6], [-1.09, 52.61], [-1.1, 52.61], [-1.1, 52.6]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[-1.1, 52.6], [-1.09, 52.61], [-1.09, 52.6], [-1.1, 52.61], [-1.1, 52.6]]],
}


def test_a_boundary_file_without_code_column_is_refused(tmp_path: Path, conn: Connection) -> None:
    path = _write(
        tmp_path / "areas.geojson",
        [{"type": "Feature", "properties": {"label": "A"}, "geometry": SQUARE}],
    )
    with pytest.raises(ValidationError, match=r"file areas\.geojson: .*--code-column"):
        boundaries.import_boundaries(conn, IMPORTER, path, kind="msoa")


def test_a_point_layer_is_refused_with_its_row(tmp_path: Path, conn: Connection) -> None:
    path = _write(
        tmp_path / "points.geojson",
        [
            {"type": "Feature", "properties": {"code": "X1", "name": "A"}, "geometry": SQUARE},
            {
                "type": "Feature",
                "properties": {"code": "X2", "name": "B"},
                "geometry": {"type": "Point", "coordinates": [-1.1, 52.6]},
            },
        ],
    )
    with pytest.raises(ValidationError, match=r"row 2: the geometry is a Point"):
        boundaries.import_boundaries(conn, IMPORTER, path, kind="msoa")
    assert _scalar(conn, "SELECT count(*) FROM boundary WHERE code IN ('X1', 'X2')") == 0


def test_duplicate_codes_are_refused(tmp_path: Path, conn: Connection) -> None:
    path = _write(
        tmp_path / "dupes.geojson",
        [
            {"type": "Feature", "properties": {"code": "X1", "name": "A"}, "geometry": SQUARE},
            {"type": "Feature", "properties": {"code": "X1", "name": "B"}, "geometry": SQUARE},
        ],
    )
    with pytest.raises(ValidationError, match=r"row 2, column 'code': area code 'X1'"):
        boundaries.import_boundaries(conn, IMPORTER, path, kind="msoa")


def test_a_self_intersecting_area_is_repaired(tmp_path: Path, conn: Connection) -> None:
    path = _write(
        tmp_path / "bowtie.geojson",
        [{"type": "Feature", "properties": {"code": "X9", "name": "Bow"}, "geometry": BOWTIE}],
    )
    result = boundaries.import_boundaries(conn, IMPORTER, path, kind="msoa")
    assert (result.loaded, result.repaired) == (1, 1)
    assert _scalar(conn, "SELECT ST_IsValid(geom) FROM boundary WHERE code = 'X9'") is True
    # The load is audited in its own transaction, with who loaded what.
    entry = conn.execute(
        text(
            "SELECT username, detail FROM audit_log WHERE action = 'import' "
            "AND object_type = 'boundary' AND object_id = 'bowtie.geojson'"
        )
    ).one()
    assert entry.username == IMPORTER.username
    assert entry.detail == {"kind": "msoa", "boundaries": 1, "repaired": 1}


def test_a_british_national_grid_file_is_transformed(tmp_path: Path, conn: Connection) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [459000, 304000],
                [459500, 304000],
                [459500, 304500],
                [459000, 304500],
                [459000, 304000],
            ]
        ],
    }
    path = _write(
        tmp_path / "bng.geojson",
        [
            {
                "type": "Feature",
                "properties": {"LAD99CD": "X7", "LAD99NM": "Grid"},
                "geometry": square,
            }
        ],
        crs="EPSG::27700",
    )
    result = boundaries.import_boundaries(conn, IMPORTER, path, kind="district")
    assert (result.code_column, result.name_column) == ("LAD99CD", "LAD99NM")
    area = _scalar(
        conn, "SELECT ST_Area(ST_Transform(geom, 27700)) FROM boundary WHERE code = 'X7'"
    )
    assert area == pytest.approx(250_000, rel=0.001)


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "is empty"), ("a;b;c\n1;2;3\n", "neither OS Code-Point Open")],
    ids=["empty", "wrong-format"],
)
def test_unreadable_postcode_files_are_refused(
    tmp_path: Path, conn: Connection, content: str, message: str
) -> None:
    path = tmp_path / "postcodes.csv"
    path.write_text(content)
    with pytest.raises(ValidationError, match=message):
        postcodes.import_postcodes(conn, IMPORTER, path)


def test_onspd_postcodes_are_read(tmp_path: Path, conn: Connection) -> None:
    path = tmp_path / "onspd.csv"
    path.write_text(
        "\ufeffpcd,pcds,lat,long,oslaua,osward,doterm\n"
        "LE1  1AA,LE1 1AA,52.632283,-1.124859,E06000016,E05010463,\n"
        "ZZ9 9ZZ,ZZ9 9ZZ,99.999999,0.000000,,,\n"
        "LE9 9XX,LE9 9XX,52.6,-1.2,E07000129,,202001\n",
        encoding="utf-8",
    )
    result = postcodes.import_postcodes(conn, IMPORTER, path)
    # The directory's terminated postcode (doterm) is kept, flagged; the bad point is not.
    assert (result.format, result.loaded) == ("onspd", 2)
    assert conn.execute(
        text("SELECT terminated FROM postcode WHERE postcode = 'LE9 9XX'")
    ).scalar_one()


def test_a_geopackage_is_read_like_geojson(tmp_path: Path, conn: Connection) -> None:
    import geopandas as gpd
    from shapely.geometry import shape

    path = tmp_path / "areas.gpkg"
    gpd.GeoDataFrame(
        {"MSOA21CD": ["X5"], "MSOA21NM": ["Packaged"]}, geometry=[shape(SQUARE)], crs=4326
    ).to_file(path, driver="GPKG")
    result = boundaries.import_boundaries(conn, IMPORTER, path, kind="msoa")
    assert (result.loaded, result.code_column) == (1, "MSOA21CD")
    assert _scalar(conn, "SELECT name FROM boundary WHERE code = 'X5'") == "Packaged"
