"""Sites: buildings, usually multi-occupancy, with their units and tenants."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection, text

from layers.core.db import Bind, read_frame, reading, transaction
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


def _label(label: str) -> str:
    """A unit's label, trimmed; an empty one is refused."""
    if not label.strip():
        raise ValidationError("a unit needs a label, e.g. G.01", column="label")
    return label.strip()


def _refuse_taken_label(
    conn: Connection, site_id: int, label: str, unit_id: int | None = None
) -> None:
    """Refuse a label another unit of the site (not ``unit_id``) already has."""
    taken = conn.execute(
        text(
            "SELECT s.name FROM unit u JOIN site s ON s.id = u.site_id WHERE u.site_id = :s "
            "AND u.label = :l AND u.id IS DISTINCT FROM CAST(:u AS int)"
        ),
        {"s": site_id, "l": label, "u": unit_id},
    ).scalar()
    if taken is not None:
        raise ValidationError(f"unit {label} already exists in {taken}", column="label")


def add_unit(
    bind: Bind, user: User, site_id: int, label: str, floor: int, floor_area_m2: float | None = None
) -> int:
    """Add a unit to a site; a label already used in that site is refused. Refused (audited)
    for a role that may not change records; audited."""
    rights.require_editor(bind, user, "add units", object_type="unit")
    label = _label(label)
    with transaction(bind) as conn:
        _refuse_taken_label(conn, site_id, label)
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


def units(bind: Bind, site_id: int) -> pd.DataFrame:
    """A site's units with their current tenant: unit_id, label, floor, floor_area_m2,
    version, business_id and tenant (empty for a vacant unit), top floor first."""
    return read_frame(
        bind,
        """
        SELECT u.id AS unit_id, u.label, u.floor, u.floor_area_m2::float AS floor_area_m2,
            u.version, b.id AS business_id, b.name AS tenant
        FROM unit u LEFT JOIN tenancy t ON t.unit_id = u.id AND t.end_date IS NULL
        LEFT JOIN business b ON b.id = t.business_id
        WHERE u.site_id = :site ORDER BY u.floor DESC, u.label""",
        {"site": site_id},
    )


def _unit_snapshot(conn: Connection, unit_id: int) -> dict[str, object] | None:
    row = (
        conn.execute(
            text(
                "SELECT u.site_id, u.label, u.floor, u.floor_area_m2::float AS floor_area_m2, "
                "u.version, (SELECT array_agg(t.business_id ORDER BY t.business_id) FROM "
                "tenancy t WHERE t.unit_id = u.id AND t.end_date IS NULL) AS tenants "
                "FROM unit u WHERE u.id = :id"
            ),
            {"id": unit_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def update_unit(
    bind: Bind,
    user: User,
    unit_id: int,
    expected_version: int,
    *,
    label: str,
    floor: int,
    floor_area_m2: float | None,
) -> int:
    """Change a unit's label, floor or floor area (made to ``expected_version``); its tenancies
    follow it, since they belong to the unit. Returns the new version; a label another unit of
    the site has, a floor outside -2 to 60 or an area not above 0 is refused; audited with the
    unit before and after."""
    rights.require_editor(bind, user, "change units", object_type="unit", object_id=unit_id)
    label = _label(label)
    if not -2 <= floor <= 60:
        raise ValidationError("the floor must be between -2 and 60", column="floor")
    if floor_area_m2 is not None and floor_area_m2 <= 0:
        raise ValidationError("a floor area must be more than 0 m²", column="floor_area_m2")
    with transaction(bind) as conn:
        site_id = conn.execute(text("SELECT site_id FROM unit WHERE id = :id"), {"id": unit_id})
        _refuse_taken_label(conn, site_id.scalar_one(), label, unit_id)
        return edits.save_versioned(
            conn,
            user,
            table="unit",
            row_id=unit_id,
            expected_version=expected_version,
            update="UPDATE unit SET label = :label, floor = :floor, floor_area_m2 = :area "
            "WHERE id = :id AND version = :version RETURNING version",
            params={"label": label, "floor": floor, "area": floor_area_m2},
            snapshot=_unit_snapshot,
        )


def move_tenant(bind: Bind, user: User, business_id: int, to_unit_id: int, on: dt.date) -> None:
    """Move a business to another unit (of its building or another) from ``on``: its current
    tenancy ends that day and a new one starts in the unit, which must be vacant then; the
    business's site and unit follow. Audited with where it was and where it went."""
    rights.require_editor(bind, user, "move tenants", object_type="business", object_id=business_id)
    with transaction(bind) as conn:
        target = conn.execute(
            text("SELECT id, site_id, label FROM unit WHERE id = :u"), {"u": to_unit_id}
        ).one_or_none()
        if target is None:
            raise ValidationError(f"there is no unit with id {to_unit_id}", column="unit")
        current = conn.execute(
            text(
                "SELECT id, unit_id, start_date FROM tenancy WHERE business_id = :b "
                "AND end_date IS NULL ORDER BY start_date DESC LIMIT 1"
            ),
            {"b": business_id},
        ).one_or_none()
        if current is not None and current.unit_id == to_unit_id:
            raise ValidationError(f"the business is already in unit {target.label}")
        if current is not None and on < current.start_date:
            raise ValidationError(
                f"the move ({on:%d/%m/%Y}) cannot be before the current tenancy began "
                f"({current.start_date:%d/%m/%Y})",
                column="date",
            )
        occupied = conn.execute(
            text(
                "SELECT b.name FROM tenancy t JOIN business b ON b.id = t.business_id "
                "WHERE t.unit_id = :u AND daterange(t.start_date, t.end_date, '[)') @> "
                "CAST(:on AS date) LIMIT 1"
            ),
            {"u": to_unit_id, "on": on},
        ).scalar()
        if occupied is not None:
            raise ValidationError(f"unit {target.label} is let to {occupied} on that day")
        if current is not None:
            conn.execute(
                text("UPDATE tenancy SET end_date = :on WHERE id = :t"),
                {"on": on, "t": current.id},
            )
        conn.execute(
            text("INSERT INTO tenancy (unit_id, business_id, start_date) VALUES (:u, :b, :on)"),
            {"u": to_unit_id, "b": business_id, "on": on},
        )
        conn.execute(
            text("UPDATE business SET site_id = :s, unit_id = :u WHERE id = :b"),
            {"s": target.site_id, "u": to_unit_id, "b": business_id},
        )
        audit.edit(
            conn,
            user,
            object_type="tenancy",
            object_id=business_id,
            before={"unit_id": None if current is None else current.unit_id},
            after={"unit_id": to_unit_id, "from": on.isoformat()},
        )


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
