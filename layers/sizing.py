"""Sector sizing: businesses and employees by area. H3 hexagons need no boundary data."""

from __future__ import annotations

import geopandas as gpd

from layers import businesses, hexagons
from layers.db import Bind

H3_RESOLUTIONS = hexagons.H3_RESOLUTIONS


def count_by_h3(bind: Bind, resolution: int = 8) -> gpd.GeoDataFrame:
    """Businesses and employees (sum of estimates) per H3 hexagon at ``resolution`` (5 to 9), with
    each hexagon's outline; hexagons without businesses are left out."""
    points = businesses.map_points(bind)
    counts = (
        points.assign(cell=hexagons.cells_of(points, resolution))
        .groupby("cell", as_index=False)
        .agg(businesses=("id", "size"), employees=("employees", "sum"))
        .sort_values(["businesses", "cell"], ascending=[False, True], ignore_index=True)
    )
    return hexagons.outlines(counts)
