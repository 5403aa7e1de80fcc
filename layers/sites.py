"""Sites: buildings, usually multi-occupancy, with their units and tenants."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import text

from layers import audit
from layers.db import Bind, reading, transaction
from layers.errors import ValidationError
from layers.users import User


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


def add_unit(
    bind: Bind, site_id: int, label: str, floor: int, user: User, floor_area_m2: float | None = None
) -> int:
    """Add a unit to a site; a label already used in that site is refused. Audited."""
    label = label.strip()
    if not label:
        raise ValidationError("a unit needs a label, e.g. G.01", column="label")
    with transaction(bind) as conn:
        taken = conn.execute(
            text(
                "SELECT s.name FROM unit u JOIN site s ON s.id = u.site_id "
                "WHERE u.site_id = :s AND u.label = :l"
            ),
            {"s": site_id, "l": label},
        ).scalar()
        if taken is not None:
            raise ValidationError(f"unit {label} already exists in {taken}", column="label")
        unit_id = int(
            conn.execute(
                text(
                    "INSERT INTO unit (site_id, label, floor, floor_area_m2) "
                    "VALUES (:s, :l, :f, :a) RETURNING id"
                ),
                {"s": site_id, "l": label, "f": floor, "a": floor_area_m2},
            ).scalar_one()
        )
        audit.record(
            conn,
            user_id=user.id,
            username=user.username,
            action="create",
            object_type="unit",
            object_id=unit_id,
            detail={"site_id": site_id, "label": label, "floor": floor},
        )
    return unit_id
