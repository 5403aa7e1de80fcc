"""The streets and buildings imported from OpenStreetMap around one place, for the map's base
layer at street zooms when no tiles load: read for the view only (the GiST indexes of
``building`` and ``street_edge``), simplified to what a street zoom can show."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
from sqlalchemy import text

from layers.core.db import Bind, reading

#: Half the side of the square read around the place, in metres (a street-zoom view).
VIEW_METRES = 450
#: Simplification tolerance in degrees (about 0.5 m): invisible at street zooms.
TOLERANCE = 0.000005

_VIEW = """
WITH view AS (
    SELECT ST_Transform(ST_Expand(ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326),
        27700), :metres), 4326) AS box)
SELECT {columns}, ST_SimplifyPreserveTopology(t.geom, :tolerance) AS geom
FROM {table} t, view WHERE t.geom && view.box AND ST_Intersects(t.geom, view.box)
"""


@dataclass(frozen=True)
class BaseLayer:
    """What is drawn under the map's data around one place."""

    buildings: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame

    @property
    def empty(self) -> bool:
        """True when nothing has been imported there."""
        return self.buildings.empty and self.streets.empty


def around(bind: Bind, lat: float, lon: float, metres: float = VIEW_METRES) -> BaseLayer:
    """The imported buildings (name, storeys) and streets (name) within ``metres`` of a place."""
    params = {"lat": lat, "lon": lon, "metres": metres, "tolerance": TOLERANCE}
    with reading(bind) as conn:
        buildings = gpd.read_postgis(
            text(_VIEW.format(columns="t.name, t.levels", table="building")),
            conn,
            geom_col="geom",
            params=params,
        )
        streets = gpd.read_postgis(
            text(_VIEW.format(columns="t.name", table="street_edge")),
            conn,
            geom_col="geom",
            params=params,
        )
    return BaseLayer(buildings, streets)
