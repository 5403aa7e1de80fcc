"""OpenStreetMap extracts (OSM XML, read with osmnx): building footprints and the street network.

Loading the same extract twice changes nothing: buildings are keyed by their OSM id, and the
streets of an extract replace those loaded from the same file before.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

import geopandas as gpd
import osmnx as ox
import pandas as pd
import shapely
from sqlalchemy import text

from layers.core.bulk import analyze, copy_frame
from layers.core.db import Bind, transaction
from layers.core.errors import ValidationError
from layers.core.spatial_files import polygonal, read_wgs84
from layers.people import audit, rights
from layers.people.identity import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OsmImport:
    """What one OSM import loaded."""

    buildings: int
    street_edges: int
    street_nodes: int


def _buildings(path: Path) -> gpd.GeoDataFrame:
    try:
        features = ox.features_from_xml(path, tags={"building": True})
    except ox._errors.InsufficientResponseError:
        return gpd.GeoDataFrame({"source_id": [], "name": []}, geometry=[], crs=4326)
    features = features.reset_index()
    shapes = features.geometry.map(lambda g: polygonal(g)[0])
    keep = shapes.notna()
    return gpd.GeoDataFrame(
        {
            "source_id": (features["element"] + "/" + features["id"].astype(str))[keep],
            "name": features.get("name", pd.Series(None, index=features.index))[keep],
        },
        geometry=list(shapes[keep]),
        crs=4326,
    )


def _streets(path: Path) -> tuple[pd.DataFrame, int]:
    try:
        graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
    except (ValueError, ox._errors.GraphSimplificationError):
        return pd.DataFrame(), 0
    if graph.number_of_edges() == 0:
        return pd.DataFrame(), 0
    _, edges = ox.graph_to_gdfs(graph)
    edges = edges.reset_index()

    def flat(value: object) -> object:
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    frame = pd.DataFrame(
        {
            "u": edges["u"],
            "v": edges["v"],
            "key": edges["key"],
            "osmid": edges["osmid"].map(flat).astype(str),
            "name": edges.get("name", pd.Series(None, index=edges.index)).map(flat),
            "highway": edges.get("highway", pd.Series(None, index=edges.index)).map(flat),
            "length_m": edges["length"].round(2),
            "geom": shapely.to_wkb(
                shapely.set_srid(edges.geometry.values, 4326), hex=True, include_srid=True
            ),
            "source": path.name,
        }
    )
    return frame, graph.number_of_nodes()


_FIRST_ELEMENT = re.compile(rb"<\s*([A-Za-z_][\w:.\-]*)")


def _check_osm_xml(path: Path) -> None:
    """Refuse a file whose first element is not <osm> (an HTML page saved by mistake, a binary
    .pbf, anything else), instead of importing nothing without a word. Only the file's start is
    read, as bytes: nothing is parsed as XML here."""
    with path.open("rb") as handle:
        start = handle.read(4096)
    if not start.strip():
        raise ValidationError("is empty", file=path.name)
    # Skip the declaration, comments and a doctype; the first real element must be <osm>.
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", start, flags=re.DOTALL)
    found = _FIRST_ELEMENT.search(body)
    if found is None or b"\x00" in start:
        raise ValidationError("is not OSM XML (no XML element at its start)", file=path.name)
    if found.group(1) != b"osm":
        first = found.group(1)[:40].decode(errors="replace")
        raise ValidationError(
            f"is not OSM XML: its first element is <{first}>, not <osm> (an .osm extract is "
            "needed)",
            file=path.name,
        )


def _lon_lat(shapes: gpd.GeoSeries) -> bool:
    west, south, east, north = shapes.total_bounds
    return bool(-180 <= west <= east <= 180 and -90 <= south <= north <= 90)


def import_osm(bind: Bind, user: User, path: Path) -> OsmImport:
    """Load the buildings and streets of an OSM XML extract (all or nothing)."""
    rights.require_importer(bind, user, "import OpenStreetMap", object_type="building")
    if not path.exists():
        raise ValidationError("does not exist", file=str(path))
    _check_osm_xml(path)
    try:
        buildings = _buildings(path)
        streets, nodes = _streets(path)
    except (ParseError, ValueError, KeyError, TypeError) as exc:
        raise ValidationError(f"is not OSM XML ({exc})", file=path.name) from exc
    for shapes in (buildings.geometry, gpd.GeoSeries.from_wkb(streets.get("geom", []))):
        if len(shapes) and not _lon_lat(shapes):
            raise ValidationError(
                "has coordinates outside longitude -180..180 and latitude -90..90", file=path.name
            )
    with transaction(bind) as conn:
        if len(buildings):
            conn.execute(
                text(
                    "INSERT INTO building (source, source_id, name, geom) "
                    "VALUES ('osm', :source_id, :name, ST_SetSRID(ST_GeomFromWKB(decode(:wkb, "
                    "'hex')), 4326)) ON CONFLICT (source, source_id) DO UPDATE SET "
                    "name = EXCLUDED.name, geom = EXCLUDED.geom, loaded_at = now()"
                ),
                [
                    {
                        "source_id": sid,
                        "name": None if pd.isna(name) else str(name),
                        "wkb": shapely.to_wkb(geom, hex=True),
                    }
                    for sid, name, geom in zip(
                        buildings["source_id"], buildings["name"], buildings.geometry, strict=True
                    )
                ],
            )
        conn.execute(text("DELETE FROM street_edge WHERE source = :s"), {"s": path.name})
        copy_frame(conn, "street_edge", streets)
        audit.imported(
            conn, user, object_type="building", file=path.name,
            detail={"buildings": len(buildings), "streets": len(streets)},
        )  # fmt: skip
        analyze(conn, "building", "street_edge")
    log.info(
        "%s: %s buildings, %s street edges between %s junctions",
        path.name,
        f"{len(buildings):,}",
        f"{len(streets):,}",
        f"{nodes:,}",
    )
    return OsmImport(len(buildings), len(streets), nodes)


def import_polygons(bind: Bind, user: User, path: Path, *, name_column: str | None = None) -> int:
    """Load building footprints from any polygon layer (GeoJSON/GeoPackage, e.g. OS OpenMap Local
    buildings); a footprint is keyed by its file and row, so loading the file again replaces it."""
    rights.require_importer(bind, user, "import building footprints", object_type="building")
    frame = read_wgs84(path)
    if name_column is not None and name_column not in frame.columns:
        raise ValidationError(
            f"has no column {name_column!r} (--name-column); its columns are "
            f"{[c for c in frame.columns if c != frame.geometry.name]}",
            file=path.name,
        )
    rows = []
    for row, geometry in enumerate(frame.geometry, start=2):
        shape = polygonal(geometry)[0] if geometry is not None else None
        if shape is None:
            raise ValidationError("the feature is not a polygon", file=path.name, row=row)
        name = frame[name_column].iloc[row - 2] if name_column else None
        rows.append(
            {
                "source_id": f"{path.name}#{row}",
                "name": name,
                "wkb": shapely.to_wkb(shape, hex=True),
            }
        )
    with transaction(bind) as conn:
        conn.execute(
            text(
                "INSERT INTO building (source, source_id, name, geom) VALUES ('file', :source_id, "
                ":name, ST_SetSRID(ST_GeomFromWKB(decode(:wkb, 'hex')), 4326)) "
                "ON CONFLICT (source, source_id) DO UPDATE SET geom = EXCLUDED.geom, "
                "name = EXCLUDED.name, loaded_at = now()"
            ),
            rows,
        )
        audit.imported(
            conn, user, object_type="building", file=path.name, detail={"buildings": len(rows)}
        )
        analyze(conn, "building")
    return len(rows)
