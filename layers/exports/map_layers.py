"""Exports of map layers for analysts: businesses, sites, units, visits, reports, focus areas,
boundaries and sizing results, with the map's filters, clipped to a focus area or a boundary,
as GeoPackage, GeoJSON, Shapefile, CSV, KML or Excel.

Every export is a zip of the data and a METADATA.txt (sources, licences, filters, who exported
it and when), and is written to the audit log. What leaves depends on the user: reports only as
far as they may read them (``layers.people.access``; a viewer exports none), visit findings and
business notes only for those who may edit. Text cells that a spreadsheet would run as a
formula are neutralised in CSV and Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry.base import BaseGeometry

from layers.core import vocab
from layers.core.bulk import read_copy
from layers.core.cells import neutralise_frame
from layers.core.db import Bind
from layers.core.errors import ValidationError
from layers.core.fragments import BUSINESS_SITE, PLACE, REPORT_PLACE, REPORT_SUBJECT, VISIT_SUBJECT
from layers.core.progress import Progress, no_progress
from layers.people import access, audit, rights
from layers.people.identity import User
from layers.register.businesses.filters import MapFilters, filtered_points
from layers.sizing import by_area

LAYERS = {
    "businesses": "Businesses",
    "sites": "Multi-occupancy sites",
    "units": "Units",
    "visits": "Visits",
    "reports": "Intelligence reports",
    "focus_areas": "Focus areas",
    "boundaries": "Boundaries",
    "sizing": "Sizing results",
    "supply_chains": "Supply chains (brands and the businesses they source from)",
}
FORMATS = {
    "gpkg": "GeoPackage (several layers in one file)",
    "geojson": "GeoJSON (a file per layer)",
    "shp": "Shapefile (a set of files per layer, with .prj)",
    "csv": "CSV (WKT geometry and lat/lon columns)",
    "kml": "KML (a file per layer)",
    "xlsx": "Excel (a sheet per layer)",
}


@dataclass(frozen=True)
class ExportRequest:
    """What to export: layers, format, the map's filters (for businesses), and a clip."""

    layers: tuple[str, ...]
    fmt: str
    filters: MapFilters = field(default_factory=MapFilters)
    clip_area: int | None = None
    clip_boundary: tuple[str, str] | None = None  # (kind, code)
    sizing_by: str = "district"
    #: Why report content leaves the system, and to whom (needed with the reports layer).
    justification: audit.Justification | None = None

    def checked(self) -> ExportRequest:
        """The request, or a clear refusal of an unknown layer or format."""
        unknown = [layer for layer in self.layers if layer not in LAYERS]
        if not self.layers or unknown:
            raise ValidationError(
                f"unknown layer {', '.join(unknown) or '(none chosen)'}: choose from "
                f"{', '.join(LAYERS)}"
            )
        if self.fmt not in FORMATS:
            raise ValidationError(f"unknown format {self.fmt!r}: choose from {', '.join(FORMATS)}")
        return self


QUERIES = {
    "businesses": (
        "SELECT b.id, b.name, b.trading_name, b.company_number, b.sector, b.activity, b.address, "  # noqa: S608 - constant fragments, values bound
        "b.postcode, b.employees_estimate, b.employees_low, b.employees_high, b.status, "
        "b.first_seen, b.last_seen, b.location_precision, s.name AS site, b.notes, b.geom "
        f"FROM business b {BUSINESS_SITE} "
        "WHERE b.status <> 'archived' AND (CAST(:ids AS int[]) IS NULL OR b.id = ANY(:ids)) "
        "ORDER BY b.id"
    ),
    "sites": (
        "SELECT s.id, s.name, s.address, s.postcode, s.floors, s.landlord, "
        "(SELECT count(*) FROM unit u WHERE u.site_id = s.id) AS units, "
        "(SELECT count(*) FROM tenancy t JOIN unit u ON u.id = t.unit_id "
        " WHERE u.site_id = s.id AND t.end_date IS NULL) AS tenants, s.geom "
        "FROM site s WHERE NOT s.archived ORDER BY s.id"
    ),
    "units": (
        "SELECT u.id, s.name AS site, u.label, u.floor, u.floor_area_m2::float AS floor_area_m2, "
        "(SELECT b.name FROM tenancy t JOIN business b ON b.id = t.business_id "
        " WHERE t.unit_id = u.id AND t.end_date IS NULL LIMIT 1) AS tenant, "
        "ST_PointOnSurface(s.geom) AS geom FROM unit u JOIN site s ON s.id = u.site_id "
        "WHERE NOT s.archived ORDER BY u.id"
    ),
    "visits": (
        "SELECT v.id, v.visit_date, v.visit_type, array_to_string(v.agencies, ', ') AS agencies, "  # noqa: S608 - constant fragments, values bound
        "v.operation_name, v.workers_present, v.outcome, v.rating, v.follow_up_date, "
        "coalesce(b.name, s.name) AS subject, v.findings, "
        f"{PLACE} AS geom FROM visit v "
        f"{VISIT_SUBJECT} "
        "ORDER BY v.visit_date, v.id"
    ),
    "focus_areas": (
        "SELECT f.id, f.name, f.purpose, f.priority, u.username AS owner, f.period_start, "
        "f.period_end, f.notes, f.geom FROM focus_area f "
        "LEFT JOIN app_user u ON u.id = f.owner_id ORDER BY f.id"
    ),
    "boundaries": "SELECT kind, code, name, geom FROM boundary ORDER BY kind, code",
    "supply_chains": (
        "SELECT br.name AS brand, f.os_id, f.name AS facility, b.id AS business_id, "
        "b.company_number, b.name AS business, fb.first_seen, fb.last_seen, "
        "(NOT f.is_closed AND fb.last_seen = f.last_seen) AS current, f.is_closed, "
        "coalesce(b.geom, f.geom) AS geom FROM facility_brand fb "
        "JOIN brand br ON br.id = fb.brand_id JOIN osh_facility f ON f.os_id = fb.os_id "
        "LEFT JOIN business b ON b.id = f.business_id WHERE f.in_region "
        "ORDER BY br.name, f.os_id"
    ),
}

_REPORTS = (
    "SELECT r.id, r.received_date, r.source_type, r.category, r.status, r.source_evaluation, "  # noqa: S608 - constant fragments, values bound
    "r.intelligence_assessment, r.handling_code, r.handling_conditions, r.owning_agency, "
    "coalesce(b.name, s.name, 'a place on the map') AS subject, r.narrative, "
    f"{REPORT_PLACE} AS geom FROM report r "
    f"{REPORT_SUBJECT} "
    "WHERE {readable} ORDER BY r.id"
)


def _read(bind: Bind, sql: str, params: dict[str, object]) -> gpd.GeoDataFrame:
    """Rows streamed out with COPY (dates as ISO text, nullable integers), in WGS84."""
    return read_copy(bind, sql, params)


def _business_ids(bind: Bind, filters: MapFilters) -> list[int] | None:
    """The businesses the map's filters keep (None: no filter set, all of them)."""
    if filters == MapFilters():
        return None
    return [int(i) for i in filtered_points(bind, filters)["id"]]


def layer_frame(bind: Bind, user: User, layer: str, request: ExportRequest) -> gpd.GeoDataFrame:
    """One layer as ``user`` may export it (WGS84), before clipping."""
    if layer == "reports":
        if user.role == "viewer":
            audit.refuse(
                bind,
                user,
                "a viewer exports no intelligence reports (counts only)",
                object_type="report",
            )
        condition, params = access.readable_reports_sql(user)
        frame = _read(bind, _REPORTS.format(readable=condition), params)
        return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES)
    if layer == "sizing":
        found = by_area.size(bind, request.sizing_by)
        return found.areas.assign(gva_source=found.gva.caption())
    params = {"ids": _business_ids(bind, request.filters)} if layer == "businesses" else {}
    frame = _read(bind, QUERIES[layer], params)
    if layer == "businesses":
        frame = vocab.labelled(frame, sector=vocab.SECTORS, activity=vocab.ACTIVITIES)
        if not access.can_edit(user.role):
            frame = frame.drop(columns="notes")
    if layer == "visits":
        frame = vocab.labelled(frame, outcome=vocab.VISIT_OUTCOMES)
        if not access.can_edit(user.role):
            frame = frame.drop(columns="findings")
    return frame


def _clip_shape(bind: Bind, request: ExportRequest) -> tuple[BaseGeometry | None, str]:
    if request.clip_area is not None:
        sql, params = "SELECT name, geom FROM focus_area WHERE id = :id", {"id": request.clip_area}
    elif request.clip_boundary is not None:
        kind, code = request.clip_boundary
        sql = "SELECT name, geom FROM boundary WHERE kind = :kind AND code = :code"
        params = {"kind": kind, "code": code}
    else:
        return None, "none"
    found = _read(bind, sql, params)
    if found.empty:
        raise ValidationError("the area to clip to does not exist")
    return found.geometry.iloc[0], f"clipped to {found['name'].iloc[0]}"


def _with_coordinates(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """A plain table: the geometry as WKT, and a representative point's lat and lon."""
    spots = frame.geometry.representative_point()
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)).assign(
        lat=spots.y.round(6), lon=spots.x.round(6), wkt=frame.geometry.to_wkt()
    )


def _short_names(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Shapefile field names are at most 10 characters: shorten them, uniquely, and say how."""
    renamed: dict[str, str] = {}
    for column in frame.columns:
        if column == frame.geometry.name or len(column) <= 10:
            continue
        short = column[:10]
        number = 1
        while short in frame.columns or short in renamed.values():
            short = f"{column[:8]}{number:02d}"
            number += 1
        renamed[column] = short
    return frame.rename(columns=renamed), renamed


def _write(frames: dict[str, gpd.GeoDataFrame], fmt: str, folder: Path) -> list[str]:
    """Write ``frames`` in ``fmt`` under ``folder``; returns notes for the metadata file."""
    notes: list[str] = []
    if fmt == "gpkg":
        for name, frame in frames.items():
            pyogrio.write_dataframe(frame, folder / "sectormap.gpkg", layer=name, driver="GPKG",
                                    append=(folder / "sectormap.gpkg").exists(),
                                    use_arrow=True)  # fmt: skip
    elif fmt in ("geojson", "kml"):
        driver = {"geojson": "GeoJSON", "kml": "KML"}[fmt]
        for name, frame in frames.items():
            pyogrio.write_dataframe(frame, folder / f"{name}.{fmt}", driver=driver, use_arrow=True)
    elif fmt == "shp":
        for name, frame in frames.items():
            short, renamed = _short_names(frame)
            (folder / name).mkdir()
            pyogrio.write_dataframe(
                short,
                folder / name / f"{name}.shp",
                driver="ESRI Shapefile",
                encoding="UTF-8",
                use_arrow=True,
            )
            if renamed:
                notes.append(
                    f"{name}: field names shortened to 10 characters: "
                    + ", ".join(f"{short} = {long}" for long, short in renamed.items())
                )
        notes.append("Shapefile text fields hold at most 254 characters; longer text is cut.")
    elif fmt == "csv":
        for name, frame in frames.items():
            neutralise_frame(_with_coordinates(frame)).to_csv(folder / f"{name}.csv", index=False)
    else:
        with pd.ExcelWriter(folder / "sectormap.xlsx", engine="openpyxl") as workbook:
            for name, frame in frames.items():
                neutralise_frame(_with_coordinates(frame)).to_excel(
                    workbook, sheet_name=name[:31], index=False
                )
    return notes


def export(
    bind: Bind,
    user: User,
    request: ExportRequest,
    *,
    attribution: list[str],
    progress: Progress = no_progress,
) -> tuple[bytes, str]:
    """The chosen layers as ``user`` may export them, in one zip with METADATA.txt; audited.
    Returns the zip and its file name. A partner is refused (audited)."""
    rights.require_staff(bind, user, "export map layers", object_type="export")
    request = request.checked()
    justification = (
        audit.justified(request.justification, "exporting intelligence reports")
        if "reports" in request.layers and access.can_read_any_report(user.role)
        else None
    )
    clip, clip_note = _clip_shape(bind, request)
    total = len(request.layers) + 1
    frames: dict[str, gpd.GeoDataFrame] = {}
    for step, layer in enumerate(request.layers, start=1):
        progress(step - 1, total, f"reading {LAYERS[layer].lower()}")
        frame = layer_frame(bind, user, layer, request).to_crs(4326)
        if clip is not None:
            frame = gpd.clip(frame, clip).sort_index()
        frames[layer] = frame.reset_index(drop=True)
    progress(total - 1, total, f"writing {FORMATS[request.fmt].split(' (')[0]}")
    stamp = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        notes = _write(frames, request.fmt, folder)
        metadata = _metadata(user, request, frames, clip_note, notes, attribution, stamp)
        buffer = io.BytesIO()
        # The fastest deflate: most of a layer's bulk compresses at once, and time matters more.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
            archive.writestr("METADATA.txt", metadata)
    audit.export(
        bind,
        user,
        object_type="layers",
        detail={
            "format": request.fmt,
            "rows": {name: len(frame) for name, frame in frames.items()},
            "filters": {k: str(v) for k, v in _chosen_filters(request.filters).items()},
            "clip": clip_note,
            **(
                {
                    **justification.as_detail(),
                    "reports": [int(i) for i in frames["reports"]["id"]],
                }
                if justification and "reports" in frames
                else {}
            ),
        },
    )
    progress(total, total, "done")
    return buffer.getvalue(), f"sectormap-{request.fmt}-{stamp:%Y%m%d-%H%M%S}.zip"


def _chosen_filters(filters: MapFilters) -> dict[str, object]:
    """The filters that differ from showing everything."""
    everything = asdict(MapFilters())
    return {k: v for k, v in asdict(filters).items() if v != everything[k]}


def _metadata(
    user: User,
    request: ExportRequest,
    frames: dict[str, gpd.GeoDataFrame],
    clip_note: str,
    notes: list[str],
    attribution: list[str],
    stamp: dt.datetime,
) -> str:
    filters = _chosen_filters(request.filters)
    lines = [
        f"Sectormap export: {FORMATS[request.fmt]}",
        f"Exported by {user.username} ({vocab.ROLES.get(user.role, user.role)}, "
        f"{user.agency_code or 'no agency'}) at {stamp:%Y-%m-%d %H:%M} UTC",
        "Coordinates: WGS84 (EPSG:4326)",
        f"Filters (businesses): {filters or 'none'}",
        f"Clip: {clip_note}",
        "Layers:",
        *(f"  {name}: {len(frame):,} rows" for name, frame in frames.items()),
    ]
    if "reports" in frames:
        lines.append(
            "Intelligence reports: only those this user may read. Handle each according to its "
            "handling code and conditions."
        )
        if request.justification:
            lines += [
                f"Justification: {request.justification.reason}",
                f"Recipient: {request.justification.recipient or 'not given'}",
            ]
    if not access.can_edit(user.role):
        lines.append("Visit findings and business notes are not included for this role.")
    return "\n".join([*lines, *notes, "", "Sources and licences:", *attribution, ""])
