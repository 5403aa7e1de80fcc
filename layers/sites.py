"""Sites: buildings, usually multi-occupancy, with their units and tenants."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import text

from layers.db import Bind, reading


def footprints(bind: Bind) -> gpd.GeoDataFrame:
    """Every site that is not archived with its footprint, unit count and current tenants."""
    with reading(bind) as conn:
        return gpd.read_postgis(
            text(
                "SELECT s.id, s.name, s.address, s.postcode, s.floors, s.geom, "
                "count(DISTINCT u.id) AS units, "
                "count(DISTINCT t.unit_id) FILTER (WHERE t.end_date IS NULL) AS tenants "
                "FROM site s LEFT JOIN unit u ON u.site_id = s.id "
                "LEFT JOIN tenancy t ON t.unit_id = u.id "
                "WHERE NOT s.archived GROUP BY s.id ORDER BY s.name"
            ),
            conn,
            geom_col="geom",
        )


def register(bind: Bind) -> pd.DataFrame:
    """The site register as a table: name, address, floors, units, current tenants."""
    frame = footprints(bind)
    return pd.DataFrame(frame.drop(columns="geom"))
