"""H3 hexagons: counting points per cell and drawing the cells (no boundary data needed)."""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
from shapely.geometry import Polygon

from layers.core.errors import ValidationError

H3_RESOLUTIONS = range(5, 10)


def cells_of(points: pd.DataFrame, resolution: int) -> list[str]:
    """The H3 cell of each row of ``points`` (columns lat, lon) at ``resolution`` (5 to 9)."""
    if resolution not in H3_RESOLUTIONS:
        raise ValidationError(f"H3 resolution {resolution} is not supported; use 5 to 9")
    return [
        h3.latlng_to_cell(lat, lon, resolution)
        for lat, lon in zip(points["lat"], points["lon"], strict=True)
    ]


def outlines(counts: pd.DataFrame) -> gpd.GeoDataFrame:
    """``counts`` (with a column ``cell``) as a GeoDataFrame of the cells' hexagons (EPSG:4326)."""
    shapes = [
        Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]) for cell in counts["cell"]
    ]
    return gpd.GeoDataFrame(counts, geometry=shapes, crs=4326)


def count_points(points: pd.DataFrame, resolution: int, *, counted: str) -> gpd.GeoDataFrame:
    """How many rows of ``points`` (lat, lon) fall in each cell: columns cell, ``counted``,
    geometry; most first, empty cells left out."""
    counts = (
        pd.DataFrame({"cell": cells_of(points, resolution)})
        .groupby("cell", as_index=False)
        .size()
        .rename(columns={"size": counted})
        .sort_values([counted, "cell"], ascending=[False, True], ignore_index=True)
    )
    return outlines(counts)
