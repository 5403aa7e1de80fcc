"""Focus areas: polygons planners want effort focused on."""

from __future__ import annotations

import geopandas as gpd
from sqlalchemy import text

from layers.db import Bind, reading


def all_areas(bind: Bind) -> gpd.GeoDataFrame:
    """Every focus area with its area in km² (computed in British National Grid) and the number
    of businesses inside it."""
    with reading(bind) as conn:
        return gpd.read_postgis(
            text(
                "SELECT f.id, f.name, f.purpose, f.priority, f.period_start, f.period_end, f.geom, "
                "round((ST_Area(ST_Transform(f.geom, 27700)) / 1e6)::numeric, 2) AS area_km2, "
                "(SELECT count(*) FROM business b WHERE ST_Intersects(f.geom, b.geom) "
                " AND b.status <> 'archived') AS businesses "
                "FROM focus_area f ORDER BY f.name"
            ),
            conn,
            geom_col="geom",
        )
