"""Reading spatial files (GeoJSON, GeoPackage, Shapefile) into WGS84, and repairing polygons."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon

from layers.core.errors import ValidationError


def read_wgs84(path: Path) -> gpd.GeoDataFrame:
    """A spatial file's features in EPSG:4326; a clear ``ValidationError`` when the file cannot
    be read, is empty of a coordinate reference system, or is not spatial."""
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ValidationError(
            f"not a readable GeoJSON or GeoPackage ({exc})", file=path.name
        ) from exc
    if frame.crs is None:
        raise ValidationError(
            "has no coordinate reference system; give it one (e.g. EPSG:27700)", file=path.name
        )
    return frame.to_crs(4326)


def polygonal(geometry: shapely.Geometry) -> tuple[MultiPolygon | None, bool]:
    """The polygonal part of ``geometry`` as a MultiPolygon (None when it has none), and whether
    it had to be repaired (``make_valid``) first."""
    repaired = not geometry.is_valid
    if repaired:
        geometry = shapely.make_valid(geometry)
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, Polygon) and not g.is_empty]
    return (MultiPolygon(parts) if parts else None), repaired
