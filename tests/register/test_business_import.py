"""Importing businesses against PostGIS: Companies House, mapped CSV/Excel, GeoJSON; malformed
files give a clear message and leave nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.core.errors import ValidationError
from layers.register.businesses import readers
from layers.register.businesses.importing import import_businesses
from tests import companies_house_file as ch
from tests.support import IMPORTER

APPAREL = ch.SIC_TEXTS["14190"]
KNITWEAR = ch.SIC_TEXTS["14390"]
CAFE = ch.SIC_TEXTS["56101"]


def _count(conn: Connection, where: str = "true", **params: object) -> int:
    return int(
        conn.execute(
            text(f"SELECT count(*) FROM business WHERE {where}"),  # noqa: S608
            params,
        ).scalar_one()
    )


@pytest.fixture
def register_file(tmp_path: Path) -> Path:
    return ch.write(
        tmp_path / "BasicCompanyData-2026-11-01.csv",
        [
            ch.company("ZORVEL FASHIONS LIMITED", "90000001", "LE5 4GD", APPAREL),
            ch.company("KELMOR KNITWEAR LTD", "90000002", "le1 1aa", KNITWEAR, CAFE),
            ch.company("FAR AWAY APPAREL LTD", "90000003", "LS10 2RU", APPAREL),  # outside area
            ch.company("LEICESTER CAFE LTD", "90000004", "LE1 1AA", CAFE),  # not the sector
            ch.company("NO POSTCODE CLOTHING LTD", "90000005", "", APPAREL),  # rejected
            ch.company("BAD POSTCODE CLOTHING LTD", "90000006", "LE1 ZZZ", APPAREL),  # rejected
            ch.company(
                "SECTOR ONLY LTD", "90000007", "LE1 9ZZ", APPAREL
            ),  # unknown unit, known sector
            ch.company("NOWHERE LTD", "90000008", "LE99 9ZZ", APPAREL),  # no postcode, no sector
            ch.company("TWICE LTD", "90000001", "LE5 4GD", APPAREL),  # duplicate number
            ch.company(
                "DISSOLVED DYERS LTD",
                "123456",
                "LE5 4GD",
                ch.SIC_TEXTS["13300"],
                status="Liquidation",
            ),
        ],
    )


def test_a_companies_house_file_as_published(conn: Connection, register_file: Path) -> None:
    result = import_businesses(conn, IMPORTER, register_file)
    assert result.format == "companies-house"
    assert result.summary() | {"file": None} == {
        "file": None,
        "format": "companies-house",
        "dry_run": False,
        "read": 10,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "skipped": 2,
        "rejected": 4,
        "moved_away": 0,
        "gone": 0,
    }
    reasons = result.rejects.set_index("row")["reason"].to_dict()
    assert reasons[6].startswith("the postcode is missing")
    assert reasons[7] == "not a well-formed UK postcode"
    assert "not in the postcode directory" in reasons[9]
    assert reasons[10] == "company number 90000001 is already in row 2"
    assert set(result.rejects["column"]) <= {"RegAddress.PostCode", "CompanyNumber"}

    row = (
        conn.execute(
            text(
                "SELECT b.sector, b.activity, b.sic_codes, b.postcode, b.location_precision, "
                "b.address, b.first_seen, s.reference FROM business b JOIN business_source s "
                "ON s.business_id = b.id AND s.source = 'companies_register' "
                "WHERE b.company_number = '90000002'"
            )
        )
        .mappings()
        .one()
    )
    assert (row["sector"], row["activity"], row["sic_codes"]) == ("14", "knitting", ["14390"])
    assert (row["postcode"], row["location_precision"]) == ("LE1 1AA", "postcode")
    assert row["address"] == "1 Mill Lane, LEICESTER" and str(row["first_seen"]) == "2011-06-29"
    assert row["reference"] == "90000002"
    assert (
        conn.execute(
            text("SELECT location_precision FROM business WHERE company_number = '90000007'")
        ).scalar_one()
        == "postcode_sector"
    )
    dyers = conn.execute(
        text("SELECT status, sector, activity FROM business WHERE company_number = '00123456'")
    ).one()
    assert tuple(dyers) == ("ceased", "13", "dyeing_finishing")


def test_importing_the_same_file_twice_inserts_nothing(
    conn: Connection, register_file: Path
) -> None:
    import_businesses(conn, IMPORTER, register_file)
    again = import_businesses(conn, IMPORTER, register_file)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert _count(conn) == 4


def test_a_changed_company_is_updated_not_duplicated(
    conn: Connection, tmp_path: Path, register_file: Path
) -> None:
    import_businesses(conn, IMPORTER, register_file)
    moved = ch.write(
        tmp_path / "next-month.csv",
        [
            ch.company(
                "ZORVEL FASHIONS LIMITED",
                "90000001",
                "LE1 1AA",
                APPAREL,
                line1="Unit 4, 2 Canal Street",
            )
        ],
    )
    result = import_businesses(conn, IMPORTER, moved)
    assert (result.inserted, result.updated) == (0, 1)
    assert conn.execute(
        text("SELECT postcode, version FROM business WHERE company_number = '90000001'")
    ).one() == ("LE1 1AA", 2)


def test_a_dry_run_changes_nothing_but_says_what_would_happen(
    conn: Connection, register_file: Path
) -> None:
    result = import_businesses(conn, IMPORTER, register_file, dry_run=True)
    assert (result.inserted, result.rejected, result.dry_run) == (4, 4, True)
    assert _count(conn) == 0
    assert (
        conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'import' "
                "AND object_type = 'business'"
            )
        ).scalar_one()
        == 0
    )


def test_match_by_name_and_postcode_when_there_is_no_number(
    conn: Connection, tmp_path: Path
) -> None:
    conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, postcode, geom) VALUES "
            "('Kelmor Knitwear', '14', 'knitting', 'LE1 1AA', "
            "ST_SetSRID(ST_MakePoint(-1.12, 52.63), 4326))"
        )
    )
    path = tmp_path / "support-list.csv"
    path.write_text(
        "Business name;Post code;Staff\nKELMOR KNITWEAR LTD;LE1 1AA;12\nNew Stitch Co;LE5 4GD;3\n",
        encoding="utf-8",
    )
    mapping = {"name": "Business name", "postcode": "Post code", "employees_estimate": "Staff"}
    result = import_businesses(conn, IMPORTER, path, mapping=mapping)
    assert result.format == "csv"
    # No SIC code and no sector column: the new business is rejected, the known one is matched.
    assert (result.updated, result.inserted, result.rejected) == (1, 0, 1)
    assert result.rejects.iloc[0]["column"] == "sector"
    assert (
        conn.execute(
            text("SELECT employees_estimate FROM business WHERE name = 'KELMOR KNITWEAR LTD'")
        ).scalar_one()
        == 12
    )


def test_an_excel_file_with_a_saved_mapping(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "rates.xlsx"
    pd.DataFrame(
        {
            "Trader": ["Velmor Prints", "Dranel Knitting"],
            "PC": ["LE5 4GD", "LE1 1AA"],
            "Sector": ["14", "13"],
            "Activity": ["printing", "knitting"],
        }
    ).to_excel(path, index=False)
    mapping_file = tmp_path / "rates-mapping.json"
    mapping_file.write_text(
        json.dumps({"name": "Trader", "postcode": "PC", "sector": "Sector", "activity": "Activity"})
    )

    result = import_businesses(conn, IMPORTER, path, mapping=readers.load_mapping(mapping_file))
    assert (result.format, result.inserted) == ("xlsx", 2)
    assert _count(conn, "activity = 'printing'") == 1


def test_geojson_points_keep_their_coordinates(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "survey.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [-1.0992, 52.6362]},
                        "properties": {
                            "name": "Orvane Garments",
                            "sector": "14",
                            "postcode": "LE5 4GD",
                        },
                    },
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [-1.2, 52.7]},
                        "properties": {"name": "No Postcode Garments", "sector": "14"},
                    },
                ],
            }
        )
    )
    result = import_businesses(conn, IMPORTER, path)
    assert (result.format, result.inserted, result.rejected) == ("geojson", 2, 0)
    lon, lat, precision = conn.execute(
        text(
            "SELECT ST_X(geom), ST_Y(geom), location_precision FROM business "
            "WHERE name = 'Orvane Garments'"
        )
    ).one()
    assert (round(lon, 4), round(lat, 4), precision) == (-1.0992, 52.6362, "address")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (ch.HEADER.replace(",", ";").encode() + b"\n", "separated by ';'"),
        (b'CompanyName, CompanyNumber\n"A","1"\n', "is missing the Companies House columns"),
        (ch.HEADER.encode() + b'\n"CAF\xc9 LTD","90000001"\n', "is not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "not a text"),
    ],
    ids=["empty", "wrong-delimiter", "missing-columns", "latin-1", "binary"],
)
def test_malformed_files_are_refused_whole(
    conn: Connection, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "BasicCompanyData.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        import_businesses(conn, IMPORTER, path, format="companies-house")
    assert _count(conn) == 0


def test_bom_and_crlf_are_read(conn: Connection, tmp_path: Path) -> None:
    path = ch.write(
        tmp_path / "windows.csv",
        [ch.company("BOMVEL FASHIONS LTD", "90000011", "LE5 4GD", APPAREL)],
        newline="\r\n",
        encoding="utf-8-sig",
    )
    result = import_businesses(conn, IMPORTER, path)
    assert (result.format, result.inserted) == ("companies-house", 1)
    assert conn.execute(text("SELECT name FROM business")).scalar_one() == "BOMVEL FASHIONS LTD"


def test_a_failure_midway_leaves_the_database_as_it_was(
    conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK_ROWS", 100)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 16_384)
    rows = [ch.company(f"CHUNKED {i} LTD", f"9{i:07d}", "LE5 4GD", APPAREL) for i in range(900)]
    path = ch.write(tmp_path / "broken.csv", rows)
    # A Latin-1 byte in a name far past the first 64 KB: several chunks are staged before the
    # reader fails.
    with path.open("ab") as handle:
        handle.write(b'"CAF\xc9 LTD",' + (ch.HEADER.count(",") - 1) * b'"",' + b'""\n')
    with pytest.raises(ValidationError, match="is not UTF-8"):
        import_businesses(conn, IMPORTER, path)
    assert _count(conn) == 0


def test_ragged_rows_in_a_mapped_csv_are_rejected_by_row(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "name,postcode,sector\nA,LE1 1AA,14\nB,LE1 1AA,14,extra,fields\nC,LE1 1AA\n"
        '"D, with a\nline break",LE1 1AA,14\nE,LE1 1AA,14\n'
    )
    result = import_businesses(conn, IMPORTER, path)
    assert (result.read, result.inserted, result.rejected) == (5, 3, 2)
    assert result.rejects["row"].tolist() == [3, 4]
    assert result.rejects["reason"].str.contains("has 5 fields where the header has 3").iloc[0]
    assert result.rejects["reason"].str.contains("has 2 fields").iloc[1]
    assert result.rejects["value"].tolist() == ["B,LE1 1AA,14,extra,fields", "C,LE1 1AA"]
    names = set(conn.execute(text("SELECT name FROM business")).scalars())
    assert names == {"A", "D, with a\nline break", "E"}


def test_a_ragged_companies_house_row_is_rejected_not_misread(
    conn: Connection, tmp_path: Path
) -> None:
    good = ch.company("WHOLE ROW LTD", "90000021", "LE5 4GD", APPAREL)
    split = ch.company("SPLIT ROW LTD", "90000022", "LE5 4GD", APPAREL)
    after = ch.company("AFTER ROW LTD", "90000023", "LE5 4GD", APPAREL)
    path = ch.write(tmp_path / "BasicCompanyData.csv", [good, split, after])
    lines = path.read_text().splitlines()
    # An address with an unquoted line break: the record falls apart into two short rows.
    lines[2] = lines[2].replace('"SPLIT ROW LTD","90000022",', '"SPLIT ROW LTD","90000022"\n', 1)
    path.write_text("\n".join(lines) + "\n")
    result = import_businesses(conn, IMPORTER, path)
    assert (result.read, result.inserted) == (4, 2)
    assert result.rejects["row"].tolist() == [3, 4]
    assert set(result.rejects["column"]) == {"(whole row)"}
    assert "SPLIT ROW LTD" in result.rejects["value"].iloc[0]
    assert not conn.execute(
        text("SELECT count(*) FROM business WHERE name LIKE 'SPLIT%'")
    ).scalar_one()


def test_a_spreadsheet_csv_with_blank_columns_is_read_and_a_repeated_column_refused(
    conn: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "from-excel.csv"
    path.write_text("name,postcode,sector,,\nA,LE1 1AA,14,,\nB,LE1 1AA,14,,\n")
    result = import_businesses(conn, IMPORTER, path)
    assert (result.inserted, result.rejected) == (2, 0)
    path.write_text("name,postcode,name\nA,LE1 1AA,B\n")
    with pytest.raises(ValidationError, match=r"names the column\(s\) \['name'\] more than once"):
        import_businesses(conn, IMPORTER, path)


def test_a_mapping_that_names_missing_columns_is_refused(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name,Postcode\nA,LE1 1AA\n")
    with pytest.raises(ValidationError, match=r"has no columns \['Post Code'\]"):
        import_businesses(conn, IMPORTER, path, mapping={"name": "Name", "postcode": "Post Code"})


def _features(path: Path, features: list[dict], crs: str | None = None) -> Path:
    collection: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def test_wrong_crs_coordinates_are_rejected_with_a_hint(conn: Connection, tmp_path: Path) -> None:
    path = _features(
        tmp_path / "bng-as-wgs84.geojson",
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [459000, 304000]},
                "properties": {"name": "Gridvel Garments", "sector": "14"},
            }
        ],
    )
    result = import_businesses(conn, IMPORTER, path)
    assert (result.inserted, result.rejected) == (0, 1)
    assert "coordinate reference system" in result.rejects.iloc[0]["reason"]
    assert _count(conn) == 0


def test_a_declared_grid_crs_is_transformed(conn: Connection, tmp_path: Path) -> None:
    path = _features(
        tmp_path / "bng.geojson",
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [459327, 304196]},
                "properties": {"name": "Gridvel Garments", "sector": "14"},
            }
        ],
        crs="urn:ogc:def:crs:EPSG::27700",
    )
    assert import_businesses(conn, IMPORTER, path).inserted == 1
    lon, lat = conn.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM business")).one()
    assert (round(lon, 3), round(lat, 3)) == (-1.125, 52.632)


def test_an_invalid_footprint_still_gives_a_point(conn: Connection, tmp_path: Path) -> None:
    bowtie = [[[-1.1, 52.63], [-1.099, 52.631], [-1.099, 52.63], [-1.1, 52.631], [-1.1, 52.63]]]
    path = _features(
        tmp_path / "bowtie.geojson",
        [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": bowtie},
                "properties": {"name": "Bowvel Knitwear", "sector": "13"},
            }
        ],
    )
    assert import_businesses(conn, IMPORTER, path).inserted == 1
    assert (
        conn.execute(
            text(
                "SELECT ST_Within(geom, ST_MakeEnvelope(-1.1, 52.63, -1.099, "
                "52.631, 4326)) FROM business"
            )
        ).scalar_one()
        is True
    )
