"""Sector sizing: businesses and employees by area. H3 hexagons need no boundary data."""

from __future__ import annotations

import geopandas as gpd
import h3
from shapely.geometry import Polygon

from layers import businesses
from layers.db import Bind
from layers.errors import ValidationError

H3_RESOLUTIONS = range(5, 10)


def count_by_h3(bind: Bind, resolution: int = 8) -> gpd.GeoDataFrame:
    """Businesses and employees (sum of estimates) per H3 hexagon at ``resolution`` (5 to 9), with
    each hexagon's outline; hexagons without businesses are left out."""
    if resolution not in H3_RESOLUTIONS:
        raise ValidationError(f"H3 resolution {resolution} is not supported; use 5 to 9")
    points = businesses.map_points(bind)
    cells = [
        h3.latlng_to_cell(lat, lon, resolution)
        for lat, lon in zip(points["lat"], points["lon"], strict=True)
    ]
    counts = (
        points.assign(cell=cells)
        .groupby("cell", as_index=False)
        .agg(businesses=("id", "size"), employees=("employees", "sum"))
        .sort_values(["businesses", "cell"], ascending=[False, True], ignore_index=True)
    )
    outlines = [
        Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]) for cell in counts["cell"]
    ]
    return gpd.GeoDataFrame(counts, geometry=outlines, crs=4326)
