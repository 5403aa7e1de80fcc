"""Sites: buildings, usually multi-occupancy, with their units and tenants."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection, text

from layers.core.db import Bind, reading, transaction
from layers.core.errors import ValidationError
from layers.people import audit, edits, rights
from layers.people.identity import User
from layers.reference.postcodes import normalise_postcode


def footprints(bind: Bind) -> gpd.GeoDataFrame:
    """Every site that is not archived with its footprint, unit count and current tenants."""
    with reading(bind) as conn:
        return gpd.read_postgis(
            text(
                "SELECT s.id, s.name, s.address, s.postcode, s.floors, s.landlord, s.version, "
                "s.geom, "
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
    bind: Bind, user: User, site_id: int, label: str, floor: int, floor_area_m2: float | None = None
) -> int:
    """Add a unit to a site; a label already used in that site is refused. Refused (audited)
    for a role that may not change records; audited."""
    rights.require_editor(bind, user, "add units", object_type="unit")
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
        audit.by(
            conn,
            user,
            "create",
            object_type="unit",
            object_id=unit_id,
            detail={"site_id": site_id, "label": label, "floor": floor},
        )
    return unit_id


def _site_snapshot(conn: Connection, site_id: int) -> dict[str, object] | None:
    row = (
        conn.execute(
            text(
                "SELECT name, address, postcode, floors, landlord, archived, version "
                "FROM site WHERE id = :id"
            ),
            {"id": site_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def update_site(
    bind: Bind,
    user: User,
    site_id: int,
    expected_version: int,
    *,
    name: str,
    address: str,
    postcode: str,
    floors: int,
    landlord: str = "",
) -> int:
    """Save an edit of a site's details made to ``expected_version``; returns the new version.
    A stale edit raises ``ConflictError``; bad values raise ``ValidationError``; a role that may
    not change records is refused (audited)."""
    rights.require_editor(bind, user, "change sites", object_type="site", object_id=site_id)
    if not name.strip():
        raise ValidationError("a site needs a name", column="name")
    normalised = normalise_postcode(postcode) if postcode.strip() else None
    if postcode.strip() and normalised is None:
        raise ValidationError(f"{postcode!r} is not a UK postcode", column="postcode")
    if not 1 <= floors <= 60:
        raise ValidationError("floors must be between 1 and 60", column="floors")
    with transaction(bind) as conn:
        return edits.save_versioned(
            conn,
            user,
            table="site",
            row_id=site_id,
            expected_version=expected_version,
            update="UPDATE site SET name = :name, address = :address, postcode = :postcode, "
            "floors = :floors, landlord = :landlord WHERE id = :id AND version = :version "
            "RETURNING version",
            params={
                "name": name.strip(),
                "address": address.strip(),
                "postcode": normalised,
                "floors": floors,
                "landlord": landlord.strip() or None,
            },
            snapshot=_site_snapshot,
        )


def archive_site(bind: Bind, user: User, site_id: int, expected_version: int) -> None:
    """Archive a site (kept, no longer shown); its tenants keep their records. Same locking
    and rights as an edit."""
    rights.require_editor(bind, user, "archive sites", object_type="site", object_id=site_id)
    with transaction(bind) as conn:
        edits.save_versioned(
            conn,
            user,
            table="site",
            row_id=site_id,
            expected_version=expected_version,
            update="UPDATE site SET archived = true WHERE id = :id AND version = :version "
            "RETURNING version",
            snapshot=_site_snapshot,
            action="archive",
        )
