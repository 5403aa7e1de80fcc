"""Hostile and malformed files, as a table, against every importer on PostGIS: businesses (CSV,
Excel, GeoJSON, GeoPackage, Companies House), boundaries, postcodes, OpenStreetMap, building
footprints and focus areas.

Each case is refused with the exception class expected and a message that names what and
where, and nothing is written; or its good rows are imported and each bad row is rejected with
its row, column and reason, and the rejects are exactly the rows counted as rejected. The tests
write every file themselves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.areas import focus_areas, shapes
from layers.core.errors import SectormapError, ValidationError
from layers.reference import boundaries, osm, postcodes
from layers.register.businesses.importing import import_businesses
from tests.support import IMPORTER, make_user

#: The tables any importer writes; a refused file leaves every one as it was.
WATCHED = ("business", "business_source", "boundary", "postcode", "building", "street_edge",
           "focus_area")
HEADER = "name,postcode,sector,company_number,employees_estimate,employees_low,employees_high,"
HEADER += "first_seen,lat,lon,activity\n"
GOOD_ROW = "Fictional Good Ltd,LE5 4GD,14,,10,5,20,04/03/2019,,,cmt\n"
SQUARE = [[-1.105, 52.630], [-1.100, 52.630], [-1.100, 52.634], [-1.105, 52.634], [-1.105, 52.630]]


@dataclass(frozen=True)
class Refused:
    """The whole file is refused: this class, these words, nothing written."""

    error: type[Exception]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Rejected:
    """The good rows go in; row ``row`` is rejected in ``column`` for a reason with ``words``."""

    row: int
    column: str
    words: str
    inserted: int = 1


def _write(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def _geojson(name: str, features: list[dict] | dict, *, crs: str | None = None) -> Callable[[Path], Path]:  # type: ignore[type-arg]
    body: dict = (  # type: ignore[type-arg]
        features if isinstance(features, dict) and features.get("type") != "FeatureCollection"
        else {"type": "FeatureCollection", "features": features}
    )
    if crs:
        body["crs"] = {"type": "name", "properties": {"name": crs}}
    return _write(name, json.dumps(body).replace("Infinity", "NaN"))


def _feature(geometry: dict, **properties: object) -> dict:  # type: ignore[type-arg]
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _polygon(ring: list[list[float]]) -> dict:  # type: ignore[type-arg]
    return {"type": "Polygon", "coordinates": [ring]}


def _gpkg(name: str, frame: gpd.GeoDataFrame | None) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        if frame is None:  # a GeoPackage with its required tables and no layer at all
            with sqlite3.connect(path) as db:
                db.execute("PRAGMA application_id = 1196444487")
                db.execute("PRAGMA user_version = 10300")
                db.execute(
                    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER "
                    "PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER "
                    "NOT NULL, definition TEXT NOT NULL, description TEXT)"
                )
                db.execute(
                    "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT "
                    "NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change "
                    "DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, "
                    "srs_id INTEGER)"
                )
        else:
            frame.to_file(path, driver="GPKG")
        return path

    return write


def _xlsx(name: str, frame: pd.DataFrame) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        frame.to_excel(path, index=False)
        return path

    return write


def _csv_row(**values: str) -> Callable[[Path], Path]:
    """A business CSV: the good row, then one row with ``values`` over the good ones."""
    base = dict(zip(HEADER.strip().split(","), GOOD_ROW.strip().split(","), strict=True))
    bad = {**base, "name": "Fictional Bad Ltd", **values}
    line = ",".join(f'"{v}"' if "," in v else v for v in bad.values())
    return _write("list.csv", HEADER + GOOD_ROW + line + "\n")


def _importer(kind: str) -> Callable[[Connection, Path], object]:
    planner = None

    def run(conn: Connection, path: Path) -> object:
        nonlocal planner
        if kind == "businesses":
            return import_businesses(conn, IMPORTER, path)
        if kind == "boundaries":
            return boundaries.import_boundaries(conn, IMPORTER, path, kind="ward")
        if kind == "postcodes":
            return postcodes.import_postcodes(conn, IMPORTER, path)
        if kind == "osm":
            return osm.import_osm(conn, IMPORTER, path)
        if kind == "buildings":
            return osm.import_polygons(conn, IMPORTER, path, name_column="name")
        assert kind == "area"
        planner = planner or make_user(conn, "t_hostile_planner", "planner")
        return focus_areas.create(
            conn, planner, focus_areas.AreaDetails(name="Hostile area"), shapes.from_file(path)
        )

    return run


BNG_POINT = {"type": "Point", "coordinates": [459000, 304000]}
NAN_POINT = {"type": "Point", "coordinates": [-1.1, float("inf")]}
CODEPOINT = '"LE5 4GD",10,461000,304000,"E92000001","E19000004","E18000004","E99999999","E06000016","E05010458"\n'

CASES: dict[str, tuple[str, Callable[[Path], Path], Refused | Rejected]] = {
    # Business lists: one bad value rejects its own row (row 3), never the file.
    **{
        f"employees {column} {value!r}": (
            "businesses",
            _csv_row(**{"employees_estimate": "", "employees_low": "", "employees_high": "",
                        column: value}),
            Rejected(3, column, words),
        )
        for column in ("employees_estimate", "employees_low", "employees_high")
        for value, words in (("-1", "negative"), ("lots", "whole number"),
                             ("99999999999", "plausible"), ("12.5", "whole number"))
    },
    **{
        f"first_seen {value!r}": ("businesses", _csv_row(first_seen=value),
                                  Rejected(3, "first_seen", words))
        for value, words in (
            ("not a date", "not a date"), ("31/02/2019", "no such date"),
            ("2099-01-01", "in the future"), ("43528.5", "not a date"),
            ("00/00/0000", "no such date"), ("01/01/1700", "before 1850"),
        )
    },
    "employees out of order": (
        "businesses", _csv_row(employees_estimate="50", employees_low="5", employees_high="20"),
        Rejected(3, "employees_low", "out of order"),
    ),
    "empty name": ("businesses", _csv_row(name=""), Rejected(3, "name", "empty")),
    "3,000-character name": ("businesses", _csv_row(name="x" * 3000), Rejected(3, "name", "at most 300")),
    "bell in name": ("businesses", _csv_row(name="Bell\x07Ltd"), Rejected(3, "name", "control character")),
    "not a postcode": ("businesses", _csv_row(postcode="not a postcode"), Rejected(3, "postcode", "well-formed")),
    "no postcode, no point": ("businesses", _csv_row(postcode=""), Rejected(3, "postcode", "missing")),
    "short company number": ("businesses", _csv_row(company_number="123456789"), Rejected(3, "company_number", "8 digits")),
    "company number with symbols": ("businesses", _csv_row(company_number="12-34/56"), Rejected(3, "company_number", "8 digits")),
    "unknown sector": ("businesses", _csv_row(sector="99"), Rejected(3, "sector", "unknown sector")),
    "sector as words": ("businesses", _csv_row(sector="apparel"), Rejected(3, "sector", "unknown sector")),
    "1,000-character address": ("businesses", _write("addr.csv", "name,postcode,sector,address\nFictional Good Ltd,LE5 4GD,14,1 Mill Lane\nFictional Bad Ltd,LE5 4GD,14," + "y" * 1000 + "\n"), Rejected(3, "address", "at most 500")),
    "NUL in a CSV": ("businesses", _write("nul.csv", "name,postcode,sector\nFictional Good Ltd,LE5 4GD,14\nFictional\u0000Bad,LE5 4GD,14\n"), Refused(ValidationError, ("nul.csv", "not a text"))),
    "unknown activity": ("businesses", _csv_row(activity="juggling"), Rejected(3, "activity", "unknown activity")),
    "latitude not a number": ("businesses", _csv_row(lat="abc", lon="-1.1"), Rejected(3, "lat", "not a number")),
    "latitude infinite": ("businesses", _csv_row(lat="inf", lon="-1.1"), Rejected(3, "lat", "not a number")),
    "grid metres as lon/lat": ("businesses", _csv_row(postcode="", lat="304000", lon="459000"), Rejected(3, "lon", "coordinate reference system")),
    "point outside the region": ("businesses", _csv_row(postcode="", lat="51.5", lon="-0.12"), Rejected(3, "lon", "outside the region")),
    "repeated row": ("businesses", _write("repeat.csv", HEADER + GOOD_ROW + GOOD_ROW), Rejected(3, "name", "a repeat of row 2")),
    "repeated company number": (
        "businesses",
        _write("numbers.csv", HEADER + GOOD_ROW.replace(",,10", ",90000001,10")
               + GOOD_ROW.replace("Good", "Other").replace(",,10", ",90000001,10")),
        Rejected(3, "company_number", "already in row 2"),
    ),
    "ragged row": ("businesses", _write("ragged.csv", HEADER + GOOD_ROW + "A,B\n"), Rejected(3, "(whole row)", "fields")),
    # Business files that cannot be read at all: refused whole, saying why.
    "empty file": ("businesses", _write("empty.csv", ""), Refused(ValidationError, ("empty.csv",))),
    "binary garbage": ("businesses", _write("garbage.csv", bytes(range(256)) * 20), Refused(ValidationError, ("garbage.csv",))),
    "no name column": ("businesses", _write("noname.csv", "trader,postcode\nX,LE5 4GD\n"), Refused(ValidationError, ("noname.csv", "no column for the business name", "trader"))),
    "corrupt workbook": ("businesses", _write("broken.xlsx", b"PK\x03\x04 not really a zip"), Refused(ValidationError, ("broken.xlsx", "Excel"))),
    "workbook with a bad date": (
        "businesses",
        _xlsx("dates.xlsx", pd.DataFrame({"name": ["Fictional A", "Fictional B"], "postcode": ["LE5 4GD"] * 2,
                                          "sector": ["14"] * 2, "first_seen": ["04/03/2019", "soon"]})),
        Rejected(3, "first_seen", "not a date"),
    ),
    "geojson not json": ("businesses", _write("bad.geojson", "{not json"), Refused(ValidationError, ("bad.geojson",))),
    "geojson empty collection": ("businesses", _geojson("empty.geojson", []), Refused(ValidationError, ("empty.geojson", "no features"))),
    "geojson bare polygon": ("businesses", _geojson("bare.geojson", _polygon(SQUARE)), Refused(ValidationError, ("bare.geojson", "no properties"))),
    "geojson NaN coordinates": (
        "businesses",
        _geojson("nan.geojson", [_feature({"type": "Point", "coordinates": [-1.1, 52.63]}, name="Fictional A", sector="14", postcode="LE5 4GD"),
                                 _feature(NAN_POINT, name="Fictional B", sector="14")]),
        Rejected(3, "lat", "not a number"),
    ),
    "geopackage with no layers": ("businesses", _gpkg("none.gpkg", None), Refused(ValidationError, ("none.gpkg", "no layers"))),
    "companies house without SIC": (
        "businesses", _write("BasicCompanyData-x.csv", "CompanyName, CompanyNumber,RegAddress.PostCode\nA,90000001,LE5 4GD\n"),
        Refused(ValidationError, ("BasicCompanyData-x.csv", "Companies House", "SICCode.SicText_1")),
    ),
    # Boundaries: refused whole, with the row.
    "boundary in grid metres without crs": (
        "boundaries",
        _geojson("wards.geojson", [_feature(_polygon([[459000, 304000], [459100, 304000], [459100, 304100], [459000, 304000]]), code="E05000001", name="W")]),
        Refused(ValidationError, ("wards.geojson", "longitude and latitude", "27700")),
    ),
    "boundary code too long": (
        "boundaries", _geojson("long.geojson", [_feature(_polygon(SQUARE), code="E0" * 10, name="W")]),
        Refused(ValidationError, ("long.geojson", "row 1", "16")),
    ),
    "boundary code empty": ("boundaries", _geojson("blank.geojson", [_feature(_polygon(SQUARE), code="", name="W")]), Refused(ValidationError, ("row 1", "empty"))),
    "boundary code twice": (
        "boundaries", _geojson("twice.geojson", [_feature(_polygon(SQUARE), code="E05000001", name="A"), _feature(_polygon(SQUARE), code="E05000001", name="B")]),
        Refused(ValidationError, ("row 2", "more than once")),
    ),
    "boundary is a point": ("boundaries", _geojson("point.geojson", [_feature({"type": "Point", "coordinates": [-1.1, 52.6]}, code="E05000001", name="A")]), Refused(ValidationError, ("row 1", "not a polygon"))),
    "boundary name with a control character": ("boundaries", _geojson("bell.geojson", [_feature(_polygon(SQUARE), code="E05000001", name="A\u0007B")]), Refused(ValidationError, ("row 1", "control character"))),
    "boundary NaN coordinates": ("boundaries", _geojson("nanb.geojson", [_feature(_polygon([[-1.1, 52.6], [-1.0, float("inf")], [-1.0, 52.7], [-1.1, 52.6]]), code="E05000001", name="A")]), Refused(ValidationError, ("feature 1", "not numbers"))),
    "boundary file is a CSV": ("boundaries", _write("wards.csv", "code,name\nE05000001,A\n"), Refused(ValidationError, ("wards.csv",))),
    "boundary file empty": ("boundaries", _write("nothing.geojson", ""), Refused(ValidationError, ("nothing.geojson",))),
    # Postcodes: refused whole, with the line.
    "postcode line with a field too many": ("postcodes", _write("le.csv", CODEPOINT + CODEPOINT.strip() + ',"extra"\n'), Refused(ValidationError, ("le.csv", "row 2", "fields"))),
    "postcode quality 999999": ("postcodes", _write("le.csv", CODEPOINT.replace(",10,", ",999999,")), Refused(ValidationError, ("row 1", "positional quality"))),
    "postcode district code too long": ("postcodes", _write("le.csv", CODEPOINT.replace("E06000016", "E060000160000")), Refused(ValidationError, ("row 1", "district code"))),
    "postcode file empty": ("postcodes", _write("le.csv", ""), Refused(ValidationError, ("le.csv", "empty"))),
    "postcode directory without lat": ("postcodes", _write("ONSPD.csv", "pcd,long\nLE5 4GD,-1.1\n"), Refused(ValidationError, ("ONSPD.csv", "lat"))),
    "postcode file binary": ("postcodes", _write("le.csv", b"\x00\x01\x02" * 100), Refused(ValidationError, ("le.csv",))),
    # OpenStreetMap: never "0 footprints" for a file that is not OSM.
    "osm is an HTML page": ("osm", _write("city.osm", "<!DOCTYPE html><html><body>Sign in</body></html>"), Refused(ValidationError, ("city.osm", "<html>", "not <osm>"))),
    "osm is binary": ("osm", _write("city.osm", b"\x1f\x8b\x08\x00" + bytes(200)), Refused(ValidationError, ("city.osm", "not OSM XML"))),
    "osm is empty": ("osm", _write("city.osm", ""), Refused(ValidationError, ("city.osm", "empty"))),
    "osm is truncated": ("osm", _write("city.osm", "<osm><node id='1' lat='52.6'"), Refused(ValidationError, ("city.osm", "not OSM XML"))),
    "osm has words for coordinates": (
        "osm", _write("city.osm", "<osm version='0.6'><node id='1' lat='north' lon='west'/><way id='2'><nd ref='1'/><tag k='building' v='yes'/></way></osm>"),
        Refused(ValidationError, ("city.osm",)),
    ),
    # Building footprints.
    "buildings from a CSV": ("buildings", _write("b.csv", "name\nMill\n"), Refused(ValidationError, ("b.csv",))),
    "buildings with no name column": ("buildings", _geojson("b.geojson", [_feature(_polygon(SQUARE), title="Mill")]), Refused(ValidationError, ("b.geojson", "no column 'name'"))),
    "buildings empty layer": ("buildings", _geojson("b.geojson", []), Refused(ValidationError, ("b.geojson", "no features"))),
    "buildings are points": ("buildings", _geojson("b.geojson", [_feature({"type": "Point", "coordinates": [-1.1, 52.6]}, name="Mill")]), Refused(ValidationError, ("b.geojson", "row 2", "not a polygon"))),
    "buildings in grid metres": ("buildings", _geojson("b.geojson", [_feature(_polygon([[459000, 304000], [459100, 304000], [459100, 304100], [459000, 304000]]), name="Mill")]), Refused(ValidationError, ("b.geojson", "27700"))),
    # Focus areas from files.
    "area from a CSV": ("area", _write("area.csv", "name\nx\n"), Refused(ValidationError, ("area.csv",))),
    "area 20 by 20 degrees": ("area", _geojson("huge.geojson", [_feature(_polygon([[-11, 45], [9, 45], [9, 65], [-11, 65], [-11, 45]]))]), Refused(ValidationError, ("larger than Leicester",))),
    "area in grid metres": ("area", _geojson("grid.geojson", [_feature(_polygon([[459000, 304000], [459100, 304000], [459100, 304100], [459000, 304000]]))]), Refused(ValidationError, ("grid.geojson", "27700"))),
    "area is a line": ("area", _geojson("line.geojson", [_feature({"type": "LineString", "coordinates": [[-1.1, 52.6], [-1.0, 52.7]]})]), Refused(ValidationError, ("no area",))),
    "area with NaN": ("area", _geojson("nan.geojson", [_feature(_polygon([[-1.1, 52.6], [-1.0, float("inf")], [-1.0, 52.7], [-1.1, 52.6]]))]), Refused(ValidationError, ("nan.geojson", "not numbers"))),
    "area file empty": ("area", _geojson("none.geojson", []), Refused(ValidationError, ("none.geojson", "no features"))),
    "area of a sliver": ("area", _geojson("sliver.geojson", [_feature(_polygon([[-1.1, 52.6], [-1.1000001, 52.6], [-1.1, 52.6000001], [-1.1, 52.6]]))]), Refused(ValidationError, ("m²",))),
}


def _counts(conn: Connection) -> dict[str, int]:
    return {
        table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - constant names
        for table in WATCHED
    }


def test_there_are_at_least_80_hostile_files() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_file(conn: Connection, tmp_path: Path, case: str) -> None:
    importer, write, expected = CASES[case]
    path = write(tmp_path)
    before = _counts(conn)
    run = _importer(importer)
    if isinstance(expected, Refused):
        with pytest.raises(SectormapError) as refused, conn.begin_nested():
            run(conn, path)
        assert isinstance(refused.value, expected.error), refused.value
        message = str(refused.value)
        assert "Traceback" not in message
        for words in expected.words:
            assert words in message, message
        assert _counts(conn) == before, "a refused file wrote something"
        return
    result = run(conn, path)
    rejects = result.rejects  # type: ignore[attr-defined]
    assert result.rejected == len(rejects) >= 1  # type: ignore[attr-defined]
    assert result.inserted == expected.inserted, rejects.to_dict("records")  # type: ignore[attr-defined]
    row = rejects[rejects["row"] == expected.row]
    assert len(row) == 1, rejects.to_dict("records")
    assert row.iloc[0]["column"] == expected.column, row.to_dict("records")
    assert expected.words in row.iloc[0]["reason"], row.to_dict("records")
    assert _counts(conn)["business"] == before["business"] + expected.inserted

