"""OpenStreetMap extracts (read by ``layers.reference.osm_reader``): building footprints and the
street network.

Loading the same extract twice changes nothing: buildings are keyed by their OSM id, and the
streets of an extract replace those loaded from the same file before.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from layers.core.bulk import analyze, copy_frame
from layers.core.db import Bind, reading, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.core.settings import get_settings
from layers.core.spatial_files import polygonal, read_wgs84
from layers.people import audit, rights
from layers.people.identity import User
from layers.reference import osm_reader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OsmImport:
    """What one OSM import loaded."""

    buildings: int
    street_edges: int
    street_nodes: int


_FIRST_ELEMENT = re.compile(rb"<\s*([A-Za-z_][\w:.\-]*)")


def _check_format(path: Path) -> None:
    """Refuse a file not named as an OSM format, and an ``.osm`` whose first element is not
    <osm> (an HTML page saved by mistake, anything else), instead of importing nothing without
    a word. Only the file's start is read, as bytes."""
    name = path.name.lower()
    if not name.endswith(osm_reader.SUFFIXES):
        raise ValidationError(
            "is not named as an OpenStreetMap extract (.osm.pbf, .osm.bz2, .osm.gz or .osm)",
            file=path.name,
        )
    with path.open("rb") as handle:
        start = handle.read(4096)
    if not start.strip():
        raise ValidationError("is empty", file=path.name)
    if not name.endswith(".osm"):
        return
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


def _region(conn: Connection) -> BaseGeometry:
    """The region extracts are clipped to: the districts loaded, else the region's bounds."""
    outline = conn.execute(
        text("SELECT ST_AsBinary(ST_Union(geom)) FROM boundary WHERE kind = 'district'")
    ).scalar()
    return shapely.from_wkb(bytes(outline)) if outline else box(*get_settings().region_bounds)


def _ewkb(shapes: np.ndarray) -> np.ndarray:
    return shapely.to_wkb(shapely.set_srid(shapes, 4326), hex=True, include_srid=True)


_UPSERT_BUILDINGS = """
INSERT INTO building (source, source_id, name, levels, address, postcode, geom)
SELECT 'osm', source_id, name, levels, address, postcode, geom FROM osm_building_load
ON CONFLICT (source, source_id) DO UPDATE SET name = EXCLUDED.name, levels = EXCLUDED.levels,
    address = EXCLUDED.address, postcode = EXCLUDED.postcode, geom = EXCLUDED.geom,
    loaded_at = now()
"""


def import_osm(bind: Bind, user: User, path: Path, progress: Progress = no_progress) -> OsmImport:
    """Load the buildings (with storeys and address) and the street network of an
    OpenStreetMap extract — ``.osm.pbf``, ``.osm.bz2`` or ``.osm`` as published, streamed —
    within the region (all or nothing)."""
    rights.require_importer(bind, user, "import OpenStreetMap", object_type="building")
    if not path.exists():
        raise ValidationError("does not exist", file=str(path))
    _check_format(path)
    with reading(bind) as conn:
        region = _region(conn)
    try:
        extract = osm_reader.read_extract(path, region, progress)
    except ValueError as exc:
        what = "OSM XML" if path.name.lower().endswith(".osm") else "a readable OSM extract"
        raise ValidationError(f"is not {what} ({exc})", file=path.name) from exc
    buildings, streets = extract.buildings, extract.streets
    progress(1, 2, f"storing {len(buildings):,} buildings and {len(streets):,} street edges")
    with transaction(bind) as conn:
        conn.execute(
            text(
                "CREATE TEMPORARY TABLE osm_building_load (source_id text, name text, "
                "levels smallint, address text, postcode text, geom geometry(MultiPolygon, 4326))"
                " ON COMMIT DROP"
            )
        )
        copy_frame(
            conn,
            "osm_building_load",
            pd.DataFrame(buildings.drop(columns="geometry")).assign(
                geom=_ewkb(buildings.geometry.values)
            ),
        )
        conn.execute(text(_UPSERT_BUILDINGS))
        conn.execute(text("DROP TABLE osm_building_load"))  # the caller's transaction goes on
        conn.execute(text("DELETE FROM street_edge WHERE source = :s"), {"s": path.name})
        copy_frame(
            conn,
            "street_edge",
            pd.DataFrame(streets.drop(columns="geometry")).assign(
                geom=_ewkb(streets.geometry.values), source=path.name
            ),
        )
        audit.imported(
            conn, user, object_type="building", file=path.name,
            detail={"buildings": len(buildings), "streets": len(streets)},
        )  # fmt: skip
        analyze(conn, "building", "street_edge")
    progress(2, 2, "done")
    log.info(
        "%s: %s buildings, %s street edges between %s junctions",
        path.name,
        f"{len(buildings):,}",
        f"{len(streets):,}",
        f"{extract.junctions:,}",
    )
    return OsmImport(len(buildings), len(streets), extract.junctions)


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
