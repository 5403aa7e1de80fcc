"""Layer exports against PostGIS, read back in every format: rows, columns and CRS; what each
role may take away; formula-injection payloads inert; clipping; the audit entry."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box
from sqlalchemy import Connection, text

from layers.areas import focus_areas
from layers.core.errors import AccessDeniedError, ValidationError
from layers.exports import map_layers
from layers.exports.map_layers import ExportRequest
from layers.people import audit
from tests.support import make_user

PAYLOAD = '=HYPERLINK("http://evil.example","click")'
LAYERS = ("businesses", "visits", "reports", "focus_areas")


@pytest.fixture
def world(conn: Connection) -> dict[str, object]:
    """Two businesses (one with a formula for a name), a visit with findings, and three reports:
    P, C owned by the council, C owned by HMRC."""
    ids = [
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, notes) VALUES (:n, '14', "
                "'cmt', ST_SetSRID(ST_MakePoint(:lon, 52.636), 4326), 'private note') RETURNING id"
            ),
            {"n": name, "lon": lon},
        ).scalar_one()
        for name, lon in ((PAYLOAD, -1.099), ("@SUM(1+1) Knitwear", -1.150))
    ]
    conn.execute(
        text(
            "INSERT INTO visit (visit_date, business_id, outcome, visit_type, agencies, findings) "
            "VALUES ('2025-02-01', :b, 'advice', 'joint_inspection', ARRAY['COUNCIL'], "
            "'Fire door locked')"
        ),
        {"b": ids[0]},
    )
    for code, agency, narrative in (
        ("P", "GLAA", "shared widely"),
        ("C", "COUNCIL", "council only"),
        ("C", "HMRC", "hmrc secret"),
    ):
        conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, business_id, "
                "owning_agency, handling_code, handling_conditions) VALUES ('2025-01-05', "
                "'public', 'minimum_wage', :n, :b, :a, :c, :cond)"
            ),
            {
                "n": narrative,
                "b": ids[0],
                "a": agency,
                "c": code,
                "cond": "owner" if code == "C" else "",
            },
        )
    planner = make_user(conn, "t_export_planner", "planner")
    area = focus_areas.create(
        conn,
        planner,
        focus_areas.AreaDetails(name="T export area"),
        box(-1.11, 52.63, -1.09, 52.64),
    )
    return {"ids": ids, "area": area.id}


def _export(conn: Connection, user, fmt: str, layers=LAYERS, **options) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    data, name = map_layers.export(
        conn,
        user,
        ExportRequest(
            layers=layers, fmt=fmt, justification=audit.Justification("test export"), **options
        ),
        attribution=["© test"],
    )
    assert name.endswith(".zip")
    return zipfile.ZipFile(io.BytesIO(data))


def _counts(conn: Connection) -> dict[str, int]:
    return {
        "businesses": conn.execute(
            text("SELECT count(*) FROM business WHERE status <> 'archived'")
        ).scalar_one(),
        "visits": conn.execute(text("SELECT count(*) FROM visit")).scalar_one(),
        "focus_areas": conn.execute(text("SELECT count(*) FROM focus_area")).scalar_one(),
    }


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "kml"])
def test_geographic_formats_read_back_with_their_rows_columns_and_crs(
    conn: Connection, world: dict[str, object], tmp_path: Path, fmt: str
) -> None:
    analyst = make_user(conn, "t_export_analyst", "analyst", "COUNCIL")
    archive = _export(conn, analyst, fmt)
    archive.extractall(tmp_path)
    assert "© test" in archive.read("METADATA.txt").decode()
    expected = _counts(conn)
    for layer in LAYERS:
        path = {
            "gpkg": tmp_path / "sectormap.gpkg",
            "geojson": tmp_path / f"{layer}.geojson",
            "shp": tmp_path / layer / f"{layer}.shp",
            "kml": tmp_path / f"{layer}.kml",
        }[fmt]
        frame = pyogrio.read_dataframe(path, layer=layer if fmt == "gpkg" else None)
        assert frame.crs.to_epsg() == 4326
        if layer == "reports":
            narratives = set(frame.get("narrative", frame.get("Description", pd.Series())).dropna())
            if fmt != "kml":  # KML keeps only name and description
                assert {"shared widely", "council only"} <= narratives
                assert "hmrc secret" not in narratives
        else:
            assert len(frame) == expected[layer]
        if fmt != "kml":
            assert "name" in frame.columns or layer in ("visits", "reports")


def test_csv_has_wkt_and_coordinates_and_inert_formulas(
    conn: Connection, world: dict[str, object]
) -> None:
    analyst = make_user(conn, "t_export_analyst2", "analyst")
    archive = _export(conn, analyst, "csv", layers=("businesses",))
    table = pd.read_csv(io.BytesIO(archive.read("businesses.csv")))
    assert {"wkt", "lat", "lon"} <= set(table.columns)
    names = set(table["name"])
    assert "'" + PAYLOAD in names and PAYLOAD not in names
    assert "'@SUM(1+1) Knitwear" in names
    assert table["wkt"].str.startswith("POINT").all()


def test_excel_has_a_sheet_per_layer_and_no_live_formulas(
    conn: Connection, world: dict[str, object]
) -> None:
    analyst = make_user(conn, "t_export_analyst3", "analyst")
    archive = _export(conn, analyst, "xlsx", layers=("businesses", "focus_areas"))
    book = openpyxl.load_workbook(io.BytesIO(archive.read("sectormap.xlsx")))
    assert book.sheetnames == ["businesses", "focus_areas"]
    sheet = book["businesses"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("name") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + PAYLOAD in {cell.value for cell in cells}
    assert sheet.max_row - 1 == _counts(conn)["businesses"]


def test_a_viewer_takes_away_no_notes_findings_or_reports(
    conn: Connection, world: dict[str, object]
) -> None:
    viewer = make_user(conn, "t_export_viewer", "viewer")
    archive = _export(conn, viewer, "csv", layers=("businesses", "visits"))
    businesses = pd.read_csv(io.BytesIO(archive.read("businesses.csv")))
    visits = pd.read_csv(io.BytesIO(archive.read("visits.csv")))
    assert "notes" not in businesses.columns and "findings" not in visits.columns
    assert "Fire door locked" not in archive.read("visits.csv").decode()
    assert "not included for this role" in archive.read("METADATA.txt").decode()
    with pytest.raises(AccessDeniedError, match="viewer"):
        _export(conn, viewer, "csv", layers=("reports",))


def test_a_clip_keeps_what_is_inside_and_the_export_is_audited(
    conn: Connection, world: dict[str, object]
) -> None:
    analyst = make_user(conn, "t_export_analyst4", "analyst")
    archive = _export(conn, analyst, "geojson", layers=("businesses",), clip_area=world["area"])
    frame = pyogrio.read_dataframe(io.BytesIO(archive.read("businesses.geojson")))
    assert list(frame["name"]) == [PAYLOAD]
    assert "clipped to T export area" in archive.read("METADATA.txt").decode()
    detail = conn.execute(
        text(
            "SELECT detail FROM audit_log WHERE action = 'export' AND username = :u "
            "AND object_type = 'layers' ORDER BY id DESC LIMIT 1"
        ),
        {"u": analyst.username},
    ).scalar_one()
    assert detail["format"] == "geojson" and detail["rows"] == {"businesses": 1}


def test_unknown_layers_and_formats_are_refused(conn: Connection) -> None:
    analyst = make_user(conn, "t_export_analyst5", "analyst")
    with pytest.raises(ValidationError, match="unknown layer parcels"):
        _export(conn, analyst, "csv", layers=("parcels",))
    with pytest.raises(ValidationError, match="unknown format 'dwg'"):
        _export(conn, analyst, "dwg", layers=("businesses",))
