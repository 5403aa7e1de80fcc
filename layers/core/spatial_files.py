"""Reading spatial files (GeoJSON, GeoPackage, Shapefile) into WGS84, and repairing polygons."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import MultiPolygon, Polygon

from layers.core.errors import ValidationError

#: What every importer of geometry says when coordinates cannot be longitude and latitude.
CRS_HINT = (
    "is the file in British National Grid (EPSG:27700) or another projection without saying so? "
    "Save it with its coordinate reference system (GeoJSON assumes WGS84 longitude/latitude)"
)


def _layers(path: Path) -> None:
    """Refuse a GeoPackage that holds no layer at all, with words that say so."""
    if path.suffix.lower() != ".gpkg":
        return
    try:
        found = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, ValueError) as exc:
        with path.open("rb") as handle:
            header = handle.read(72)
        # GDAL will not open a GeoPackage that has no layer; its header still says what it is.
        if header.startswith(b"SQLite format 3\x00") and header[68:72] == b"GPKG":
            raise ValidationError("is a GeoPackage with no layers", file=path.name) from exc
        raise ValidationError(f"not a readable GeoPackage ({exc})", file=path.name) from exc
    if len(found) == 0:
        raise ValidationError("is a GeoPackage with no layers", file=path.name)


def read_wgs84(path: Path, *, whole_file: bool = True) -> gpd.GeoDataFrame:
    """A spatial file's features in EPSG:4326; a clear ``ValidationError`` when the file cannot
    be read, holds no features or no geometry, has no coordinate reference system, has
    coordinates that are not numbers, or claims longitude/latitude for numbers that cannot be.
    With ``whole_file`` False, the last two are left to the caller, which rejects such features
    one by one (a business list does, by row)."""
    if not path.is_file():
        raise ValidationError("does not exist", file=str(path))
    _layers(path)
    try:
        with warnings.catch_warnings():
            # Coordinates that are not numbers warn while read; they are refused just below.
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise ValidationError(
            f"not a readable GeoJSON or GeoPackage ({exc})", file=path.name
        ) from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise ValidationError(
            "has no geometry: give a GeoJSON, GeoPackage or Shapefile", file=path.name
        )
    if frame.empty:
        raise ValidationError("has no features", file=path.name)
    if frame.crs is None:
        raise ValidationError(
            "has no coordinate reference system; give it one (e.g. EPSG:27700)", file=path.name
        )
    if not whole_file:
        return frame.to_crs(4326)
    coordinates, owners = shapely.get_coordinates(frame.geometry.values, return_index=True)
    finite = np.isfinite(coordinates).all(axis=1)
    if not finite.all():
        raise ValidationError(
            f"feature {int(owners[~finite][0]) + 1} has coordinates that are not numbers "
            "(NaN or infinite)",
            file=path.name,
        )
    if frame.crs.is_geographic and len(coordinates):
        outside = (np.abs(coordinates[:, 0]) > 180) | (np.abs(coordinates[:, 1]) > 90)
        if outside.any():
            x, y = coordinates[outside][0]
            raise ValidationError(
                f"coordinates such as ({x:,.0f}, {y:,.0f}) in feature "
                f"{int(owners[outside][0]) + 1} cannot be longitude and latitude: {CRS_HINT}",
                file=path.name,
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
