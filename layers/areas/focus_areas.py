"""Focus areas: polygons planners want effort focused on; drawn, buffered or built from wards.

Areas carry our own ids (never a drawing tool's), are edited with optimistic locking, and every
create, edit and delete is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from layers.areas import dashboard
from layers.areas.shapes import CleanShape, buffered, clean
from layers.core import fields, vocab
from layers.core.db import Bind, reading, transaction
from layers.core.errors import ValidationError
from layers.core.settings import get_settings
from layers.people import audit, edits, rights
from layers.people.identity import User

_GEOM = "ST_Multi(ST_SetSRID(ST_GeomFromWKB(decode(:wkb, 'hex')), 4326))"


@dataclass(frozen=True)
class AreaDetails:
    """What a person says about a focus area."""

    name: str
    purpose: str = ""
    priority: str = "medium"
    owner_id: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    notes: str = ""

    def checked(self) -> AreaDetails:
        """The details with surrounding spaces trimmed; refuses a missing name, an unknown
        priority or a period that ends before it starts."""
        texts = {}
        for field, longest in (("name", 120), ("purpose", 2000), ("notes", 4000)):
            try:
                texts[field] = fields.check_text(getattr(self, field), longest=longest) or ""
            except ValueError as exc:
                raise ValidationError(f"the {field} {exc}", column=field) from None
        name = texts["name"]
        if not name:
            raise ValidationError("a focus area needs a name", column="name")
        if self.priority not in vocab.PRIORITIES:
            raise ValidationError(f"unknown priority {self.priority!r}", column="priority")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError("the period ends before it starts", column="period_end")
        return AreaDetails(
            name,
            texts["purpose"],
            self.priority,
            self.owner_id,
            self.period_start,
            self.period_end,
            texts["notes"],
        )


@dataclass(frozen=True)
class SavedArea:
    """A focus area just saved, with what the person should be told about its shape."""

    id: int
    area_km2: float
    outside_share: float
    note: str

    @property
    def warnings(self) -> list[str]:
        """Plain sentences about the shape: repaired, or partly outside the region."""
        said = [self.note] if self.note else []
        if self.outside_share > 0.001:
            said.append(
                f"{self.outside_share:.0%} of this area lies outside Leicester and "
                "Leicestershire; businesses there are not in the register."
            )
        return said


def _require_editor(bind: Bind, user: User, area_id: int | None = None) -> None:
    rights.require_editor(
        bind, user, "change focus areas", object_type="focus_area", object_id=area_id
    )


def outside_share(conn: Connection, shape: BaseGeometry) -> float:
    """The share (0-1) of ``shape`` outside the region: outside the district boundaries when
    they are loaded, else outside the region's bounding box."""
    west, south, east, north = get_settings().region_bounds
    share = conn.execute(
        text(
            f"WITH a AS (SELECT ST_Transform({_GEOM}, 27700) AS g), "  # noqa: S608 - constant
            "r AS (SELECT coalesce((SELECT ST_Transform(ST_Union(geom), 27700) FROM boundary "
            "WHERE kind = 'district'), ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 4326), "
            "27700)) AS g) "
            "SELECT 1 - ST_Area(ST_Intersection(a.g, r.g)) / ST_Area(a.g) FROM a, r"
        ),
        {"wkb": shapely.to_wkb(shape, hex=True), "w": west, "s": south, "e": east, "n": north},
    ).scalar_one()
    return max(0.0, float(share))


def _saved(conn: Connection, area_id: int, cleaned: CleanShape) -> SavedArea:
    return SavedArea(
        area_id, round(cleaned.area_m2 / 1e6, 3), outside_share(conn, cleaned.shape), cleaned.note
    )


def _name_taken(conn: Connection, name: str, area_id: int | None = None) -> None:
    taken = conn.execute(
        text("SELECT id FROM focus_area WHERE lower(name) = lower(:n) AND id IS DISTINCT FROM :i"),
        {"n": name, "i": area_id},
    ).scalar()
    if taken is not None:
        raise ValidationError(f"a focus area called {name!r} already exists", column="name")


def create(bind: Bind, user: User, details: AreaDetails, shape: BaseGeometry) -> SavedArea:
    """Save a new focus area (audited); the shape is repaired or refused by ``clean``."""
    _require_editor(bind, user)
    details = details.checked()
    cleaned = clean(shape)
    with transaction(bind) as conn:
        _name_taken(conn, details.name)
        area_id = conn.execute(
            text(
                "INSERT INTO focus_area (name, purpose, priority, owner_id, period_start, "  # noqa: S608 - constant fragments
                f"period_end, notes, geom) VALUES (:name, :purpose, :priority, :owner_id, "
                f":period_start, :period_end, :notes, {_GEOM}) RETURNING id"
            ),
            {**asdict(details), "wkb": shapely.to_wkb(cleaned.shape, hex=True)},
        ).scalar_one()
        saved = _saved(conn, area_id, cleaned)
        audit.by(
            conn,
            user,
            "create",
            object_type="focus_area",
            object_id=area_id,
            detail={**_jsonable(details), "area_km2": saved.area_km2},
        )
    return saved


def _jsonable(details: AreaDetails) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in asdict(details).items()}


def _snapshot(conn: Connection, area_id: int) -> dict[str, object]:
    row = (
        conn.execute(
            text(
                "SELECT name, purpose, priority, owner_id, period_start, period_end, notes, "
                "round((ST_Area(ST_Transform(geom, 27700)) / 1e6)::numeric, 3)::float AS area_km2 "
                "FROM focus_area WHERE id = :id"
            ),
            {"id": area_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ValidationError(f"focus area {area_id} no longer exists")
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def update_details(
    bind: Bind, user: User, area_id: int, expected_version: int, details: AreaDetails
) -> int:
    """Change an area's name, purpose, priority, owner, period and notes (audited, before and
    after); returns the new version, or refuses a save over someone else's newer one."""
    _require_editor(bind, user, area_id)
    details = details.checked()
    with transaction(bind) as conn:
        _name_taken(conn, details.name, area_id)
        return edits.save_versioned(
            conn,
            user,
            table="focus_area",
            row_id=area_id,
            expected_version=expected_version,
            update="UPDATE focus_area SET name = :name, purpose = :purpose, "
            "priority = :priority, owner_id = :owner_id, period_start = :period_start, "
            "period_end = :period_end, notes = :notes WHERE id = :id AND version = :version "
            "RETURNING version",
            params=asdict(details),
            snapshot=_snapshot,
        )


def update_shape(
    bind: Bind, user: User, area_id: int, expected_version: int, shape: BaseGeometry
) -> SavedArea:
    """Replace an area's outline (repaired or refused like a new one; audited with the
    details and area before and after)."""
    _require_editor(bind, user, area_id)
    cleaned = clean(shape)
    with transaction(bind) as conn:
        edits.save_versioned(
            conn,
            user,
            table="focus_area",
            row_id=area_id,
            expected_version=expected_version,
            update=f"UPDATE focus_area SET geom = {_GEOM} "  # noqa: S608 - constant fragment
            "WHERE id = :id AND version = :version RETURNING version",
            params={"wkb": shapely.to_wkb(cleaned.shape, hex=True)},
            snapshot=_snapshot,
        )
        return _saved(conn, area_id, cleaned)


def delete(bind: Bind, user: User, area_id: int) -> None:
    """Delete a focus area (audited, with what it was)."""
    _require_editor(bind, user, area_id)
    with transaction(bind) as conn:
        before = _snapshot(conn, area_id)
        conn.execute(text("DELETE FROM focus_area WHERE id = :id"), {"id": area_id})
        audit.by(
            conn,
            user,
            "delete",
            object_type="focus_area",
            object_id=area_id,
            detail={"before": before},
        )


def around_place(bind: Bind, kind: str, place_id: int, metres: float) -> BaseGeometry:
    """A circle of ``metres`` around a business (its point) or a site (its footprint),
    computed in the British National Grid."""
    table = {"business": "business", "site": "site"}.get(kind)
    if table is None:
        raise ValidationError(f"cannot buffer a {kind!r}: choose a business or a site")
    with reading(bind) as conn:
        wkb = conn.execute(
            text(f"SELECT ST_AsBinary(geom) FROM {table} WHERE id = :id"),  # noqa: S608
            {"id": place_id},
        ).scalar()
    if wkb is None:
        raise ValidationError(f"{kind} {place_id} has no location to buffer")
    return buffered(shapely.from_wkb(bytes(wkb)), metres)


def from_boundaries(bind: Bind, kind: str, codes: list[str]) -> BaseGeometry:
    """The union of the chosen boundaries (say, three wards or two MSOAs)."""
    if not codes:
        raise ValidationError(f"choose at least one {kind}")
    with reading(bind) as conn:
        rows = conn.execute(
            text(
                "SELECT code, ST_AsBinary(geom) FROM boundary WHERE kind = :kind "
                "AND code = ANY(:codes)"
            ),
            {"kind": kind, "codes": codes},
        ).all()
    missing = sorted(set(codes) - {code for code, _ in rows})
    if missing:
        raise ValidationError(f"no {kind} with code {', '.join(missing)} is loaded")
    return shapely.union_all([shapely.from_wkb(bytes(wkb)) for _, wkb in rows])


def id_by_name(bind: Bind, name: str) -> int:
    """The id of the focus area called ``name`` (case-insensitive), or a clear refusal."""
    with reading(bind) as conn:
        found = conn.execute(
            text("SELECT id FROM focus_area WHERE lower(name) = lower(:n)"), {"n": name.strip()}
        ).scalar()
    if found is None:
        raise ValidationError(f"there is no focus area called {name!r} (see: sectormap area list)")
    return int(found)


def all_areas(bind: Bind) -> gpd.GeoDataFrame:
    """Every focus area with its details, version, owner's username, its area in km² (British
    National Grid) and the number of current businesses inside it (from the grid summaries,
    ``dashboard.counts_by_area``: one query for all areas)."""
    with reading(bind) as conn:
        areas = gpd.read_postgis(
            text(
                "SELECT f.id, f.name, f.purpose, f.priority, f.owner_id, u.username AS owner, "
                "f.period_start, f.period_end, f.notes, f.version, f.geom, "
                "round((ST_Area(ST_Transform(f.geom, 27700)) / 1e6)::numeric, 2)::float "
                "AS area_km2 FROM focus_area f LEFT JOIN app_user u ON u.id = f.owner_id "
                "ORDER BY f.name"
            ),
            conn,
            geom_col="geom",
        )
    counted = dashboard.counts_by_area(bind, [int(i) for i in areas["id"]])
    per_area = counted.groupby("area_id")["businesses"].sum()
    areas["businesses"] = [int(per_area.get(int(i), 0)) for i in areas["id"]]
    return areas
