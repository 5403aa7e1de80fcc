"""Focus-area shapes: from map drawings and files to one valid multipolygon, measured in metres.

Distances and areas are computed in the British National Grid (EPSG:27700), where a metre is a
metre; shapes are stored and drawn in WGS84 (EPSG:4326).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from layers.core.errors import ValidationError
from layers.core.settings import get_settings
from layers.core.spatial_files import read_wgs84

#: The smallest area worth keeping, in square metres (a drawing slip, not a place).
MIN_AREA_M2 = 100.0
#: How much wider and taller (degrees, each side) than the region's bounds a focus area may be
#: before it is refused as larger than the region (one partly outside it is flagged, not refused).
REGION_MARGIN = 0.1
#: The largest buffer a focus area may be made from, in metres.
MAX_BUFFER_M = 20_000.0


@dataclass(frozen=True)
class CleanShape:
    """A focus area's shape ready to store, and what was done to make it so."""

    shape: MultiPolygon
    area_m2: float
    repaired: bool

    @property
    def note(self) -> str:
        """What a person should know about the shape ('' when nothing)."""
        if not self.repaired:
            return ""
        parts = len(self.shape.geoms)
        return (
            "The outline crossed itself; it was repaired into "
            f"{parts} part{'s' if parts != 1 else ''} that cover the same ground."
        )


def area_m2(geometry: BaseGeometry) -> float:
    """The area of a WGS84 geometry in square metres (British National Grid)."""
    return float(gpd.GeoSeries([geometry], crs=4326).to_crs(27700).area.iloc[0])


def buffered(geometry: BaseGeometry, metres: float) -> BaseGeometry:
    """``geometry`` (WGS84) grown by ``metres`` in the British National Grid, back in WGS84."""
    if not 0 < metres <= MAX_BUFFER_M:
        raise ValidationError(f"the distance must be more than 0 and at most {MAX_BUFFER_M:,.0f} m")
    grid = gpd.GeoSeries([geometry], crs=4326).to_crs(27700)
    return grid.buffer(metres, quad_segs=16).to_crs(4326).iloc[0]


def from_drawing(feature: dict[str, Any]) -> BaseGeometry:
    """The shape of one drawing made on the map: a polygon or rectangle as drawn, a circle (a
    point with a ``radius`` in metres) as a polygon of that radius."""
    geometry = feature.get("geometry") or {}
    kind = geometry.get("type")
    if kind == "Point":
        radius = (feature.get("properties") or {}).get("radius")
        if not radius:
            raise ValidationError("a marker is not an area: draw a polygon, rectangle or circle")
        return buffered(shape(geometry), float(radius))
    if kind not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            f"a {kind or 'shapeless drawing'} is not an area: draw a polygon, rectangle or circle"
        )
    try:
        return shape(geometry)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        raise ValidationError(f"the drawing could not be read ({exc})") from exc


def from_file(path: Path) -> BaseGeometry:
    """All the shapes of a spatial file (GeoJSON, GeoPackage) as one geometry in WGS84, for a
    focus area; the file's problems are refused by ``read_wgs84`` and the shape's by ``clean``."""
    frame = read_wgs84(path)
    found = [g for g in frame.geometry if g is not None and not g.is_empty]
    if not found:
        raise ValidationError("holds no shapes", file=path.name)
    return shapely.union_all(found)


def clean(geometry: BaseGeometry | None) -> CleanShape:
    """One valid multipolygon from ``geometry``: a self-intersecting outline is repaired with
    ``make_valid``; a shape with no area left (a line, a point, a sliver) is refused."""
    if geometry is None or geometry.is_empty:
        raise ValidationError("the shape is empty: draw or choose an area")
    corners = _corners(geometry)
    if not all(math.isfinite(x) and math.isfinite(y) for x, y in corners):
        raise ValidationError("the shape has coordinates that are not numbers (NaN or infinite)")
    lon_lat_ok = all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in corners)
    if not lon_lat_ok:
        raise ValidationError(
            "the coordinates are not longitude and latitude (WGS84): is the file in another CRS?"
        )
    west, south, east, north = get_settings().region_bounds
    left, bottom, right, top = geometry.bounds
    if right - left > east - west + 2 * REGION_MARGIN or top - bottom > north - south + 2 * (
        REGION_MARGIN
    ):
        raise ValidationError(
            f"the shape is larger than Leicester and Leicestershire (it spans longitude "
            f"{left:.2f} to {right:.2f}, latitude {bottom:.2f} to {top:.2f}): a focus area is "
            "a part of the region"
        )
    repaired = not geometry.is_valid
    fixed = shapely.make_valid(geometry) if repaired else geometry
    # make_valid may return a collection of polygons, multipolygons and lines: keep the areas.
    parts = shapely.get_parts(shapely.get_parts(fixed))
    polygons = [part for part in parts if isinstance(part, Polygon) and not part.is_empty]
    if not polygons:
        raise ValidationError("the shape has no area (it is a line or a point): draw an area")
    multi = MultiPolygon(polygons)
    if not multi.is_valid:  # touching parts: dissolve them into one valid whole
        multi = _as_multi(shapely.union_all(polygons))
    size = area_m2(multi)
    if size < MIN_AREA_M2:
        raise ValidationError(
            f"the shape covers only {size:,.0f} m² (at least {MIN_AREA_M2:,.0f} m² is needed)"
        )
    return CleanShape(multi, size, repaired)


def _as_multi(geometry: BaseGeometry) -> MultiPolygon:
    return geometry if isinstance(geometry, MultiPolygon) else MultiPolygon([geometry])


def _corners(geometry: BaseGeometry) -> list[tuple[float, float]]:
    west, south, east, north = geometry.bounds
    return [(west, south), (east, north)]
