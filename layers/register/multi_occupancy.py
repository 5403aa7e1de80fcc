"""Finding multi-occupancy buildings: proposals an officer accepts, merges or dismisses.

Three signals, from strongest to weakest:

1. businesses whose points fall inside a known site's footprint but are not recorded as its tenants
   (proposed as new tenants of that site);
2. ``threshold`` or more businesses inside one building footprint (OpenStreetMap or a polygon
   layer) that no site covers yet (proposed as a new site with that footprint);
3. ``threshold`` or more businesses sharing a normalised address line and postcode (proposed as a
   new site around their points).

A set of businesses already proposed (open, or dismissed by someone) is not proposed again.
Accepting or merging a proposal records each business as the current tenant of a unit of the
site: the unit its address names ("Unit 4"), or one named after the business. A site made from
a building footprint takes the building's storeys (OSM ``building:levels``) as its floors, and
its name and address where OSM gives them.
"""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import Connection, text

from layers.core.db import Bind, read_frame, transaction
from layers.core.errors import ValidationError
from layers.people import audit, rights
from layers.people.identity import User

DEFAULT_THRESHOLD = 3

# A business's address with unit, suite and floor designators removed, first part only.
_ADDRESS_KEY = (
    "trim(split_part(regexp_replace(lower(b.address), "
    "'\\m(unit|suite|floor|flat|room)\\s*[a-z0-9.]+\\s*,?\\s*', '', 'g'), ',', 1))"
)

_CANDIDATES = f"""
WITH loose AS (SELECT * FROM business WHERE site_id IS NULL AND status <> 'archived'),
in_sites AS (
    SELECT 'new_tenants' AS kind, s.id AS site_id, NULL::int AS building_id,
        array_agg(b.id ORDER BY b.id) AS business_ids, s.geom,
        CASE WHEN count(*) = 1
            THEN '1 business inside the footprint of ' || s.name || ' is not recorded as its tenant'
            ELSE count(*) || ' businesses inside the footprint of ' || s.name
                || ' are not recorded as its tenants' END AS reason
    FROM site s JOIN loose b ON ST_Contains(s.geom, b.geom)
    WHERE NOT s.archived GROUP BY s.id),
in_buildings AS (
    SELECT 'new_site' AS kind, NULL::int AS site_id, g.id AS building_id,
        array_agg(b.id ORDER BY b.id) AS business_ids, g.geom,
        count(*) || ' businesses inside one building footprint ('
            || coalesce(g.name, g.source || ' ' || g.source_id) || ')' AS reason
    FROM building g JOIN loose b ON ST_Contains(g.geom, b.geom)
    WHERE NOT EXISTS (SELECT 1 FROM site s WHERE ST_Intersects(s.geom, g.geom))
    GROUP BY g.id HAVING count(*) >= :threshold),
by_address AS (
    SELECT 'new_site' AS kind, NULL::int AS site_id, NULL::int AS building_id,
        array_agg(b.id ORDER BY b.id) AS business_ids,
        ST_Multi(ST_Transform(ST_Buffer(ST_ConvexHull(ST_Collect(ST_Transform(b.geom, 27700))),
            15), 4326)) AS geom,
        count(*) || ' businesses share the address ''' || {_ADDRESS_KEY} || ''', ' || b.postcode
            AS reason
    FROM loose b
    WHERE b.postcode IS NOT NULL AND {_ADDRESS_KEY} <> ''
        AND NOT EXISTS (SELECT 1 FROM in_buildings i WHERE b.id = ANY(i.business_ids))
    GROUP BY {_ADDRESS_KEY}, b.postcode HAVING count(*) >= :threshold)
SELECT * FROM in_sites UNION ALL SELECT * FROM in_buildings UNION ALL SELECT * FROM by_address
"""  # noqa: S608 - the address expression is a constant of this module

_INSERT_NEW = (
    "WITH candidates AS (" + _CANDIDATES + ") "  # noqa: S608 - constant SQL
    "INSERT INTO site_proposal (kind, site_id, building_id, business_ids, geom, reason) "
    "SELECT c.* FROM candidates c WHERE NOT EXISTS (SELECT 1 FROM site_proposal p "
    "WHERE p.status IN ('open', 'dismissed') AND p.kind = c.kind "
    "AND p.site_id IS NOT DISTINCT FROM c.site_id AND p.business_ids = c.business_ids)"
)


def detect(bind: Bind, user: User, *, threshold: int = DEFAULT_THRESHOLD) -> int:
    """Look for multi-occupancy and record new proposals (audited); returns how many were
    added. Refused (audited) for a role that may not change records."""
    rights.require_editor(bind, user, "look for multi-occupancy", object_type="site_proposal")
    if threshold < 2:
        raise ValidationError("a multi-occupancy threshold is at least 2 businesses")
    with transaction(bind) as conn:
        added = int(conn.execute(text(_INSERT_NEW), {"threshold": threshold}).rowcount)
        audit.by(
            conn,
            user,
            "create",
            object_type="site_proposal",
            detail={"proposals_added": added, "threshold": threshold},
        )
    return added


def open_proposals(bind: Bind) -> pd.DataFrame:
    """Open proposals with the names of their businesses: id, kind, site, reason, businesses,
    business_ids, lat, lon (a point inside the proposed footprint)."""
    return read_frame(
        bind,
        """
        SELECT p.id, p.kind, s.name AS site, p.reason,
            (SELECT string_agg(b.name, '; ' ORDER BY b.name) FROM business b
             WHERE b.id = ANY(p.business_ids)) AS businesses,
            p.business_ids, ST_Y(ST_PointOnSurface(p.geom)) AS lat,
            ST_X(ST_PointOnSurface(p.geom)) AS lon
        FROM site_proposal p LEFT JOIN site s ON s.id = p.site_id
        WHERE p.status = 'open' ORDER BY cardinality(p.business_ids) DESC, p.id""",
    )


def _require_decider(bind: Bind, user: User, proposal_id: int) -> None:
    rights.require_editor(
        bind, user, "decide on multi-occupancy proposals",
        object_type="site_proposal", object_id=proposal_id,
    )  # fmt: skip


def _take(conn: Connection, proposal_id: int) -> dict[str, object]:
    row = (
        conn.execute(
            text(
                "SELECT id, kind, site_id, business_ids, status FROM site_proposal WHERE id = :id "
                "FOR UPDATE"
            ),
            {"id": proposal_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ValidationError(f"there is no proposal {proposal_id}")
    if row["status"] != "open":
        raise ValidationError(f"proposal {proposal_id} was already {row['status']}")
    return dict(row)


_DESIGNATOR = re.compile(r"\b(unit|suite|flat|room)\s*([a-z0-9][a-z0-9.]*)", re.IGNORECASE)
_LABEL_LENGTH = 32  # unit.label


def unit_label(address: str | None, name: str, taken: set[str]) -> str:
    """A unit label for a business joining a site: the unit its address names ("Unit 4"),
    else "Unit of <name>"; never one in ``taken`` (the site's labels, compared case-blind)."""
    found = _DESIGNATOR.search(address or "")
    base = (
        f"{found.group(1).capitalize()} {found.group(2).upper()}" if found else f"Unit of {name}"
    )[:_LABEL_LENGTH]
    label, n = base, 1
    while label.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f" ({n})"
        label = base[: _LABEL_LENGTH - len(suffix)] + suffix
    return label


def _house(conn: Connection, site_id: int, business_ids: list[int]) -> int:
    """Make each of these businesses of the site without a unit the current tenant of a unit of
    its own (ground floor until an officer says otherwise); returns how many were housed."""
    homeless = conn.execute(
        text(
            "SELECT id, name, address FROM business WHERE id = ANY(:ids) AND site_id = :site "
            "AND unit_id IS NULL ORDER BY id"
        ),
        {"ids": business_ids, "site": site_id},
    ).all()
    taken = set(
        conn.execute(text("SELECT label FROM unit WHERE site_id = :s"), {"s": site_id}).scalars()
    )
    for business_id, name, address in homeless:
        label = unit_label(address, name, taken)
        taken.add(label)
        unit_id = conn.execute(
            text("INSERT INTO unit (site_id, label, floor) VALUES (:s, :l, 0) RETURNING id"),
            {"s": site_id, "l": label},
        ).scalar_one()
        conn.execute(
            text("UPDATE business SET unit_id = :u WHERE id = :b"),
            {"u": unit_id, "b": business_id},
        )
        conn.execute(
            text(
                "INSERT INTO tenancy (unit_id, business_id, start_date) "
                "VALUES (:u, :b, current_date)"
            ),
            {"u": unit_id, "b": business_id},
        )
    return len(homeless)


def _close(
    conn: Connection, proposal: dict[str, object], status: str, user: User, site_id: int | None
) -> None:
    housed = 0
    if site_id is not None:
        conn.execute(
            text("UPDATE business SET site_id = :site WHERE id = ANY(:ids) AND site_id IS NULL"),
            {"site": site_id, "ids": proposal["business_ids"]},
        )
        housed = _house(conn, site_id, list(proposal["business_ids"]))
    conn.execute(
        text(
            "UPDATE site_proposal SET status = :status, decided_by = :user, "
            "decided_at = now() WHERE id = :id"
        ),
        {"status": status, "user": user.id, "id": proposal["id"]},
    )
    audit.by(
        conn,
        user,
        "edit",
        object_type="site_proposal",
        object_id=proposal["id"],
        detail={
            "decision": status,
            "site_id": site_id,
            "business_ids": list(proposal["business_ids"]),
            "units_added": housed,
        },
    )


def accept(bind: Bind, user: User, proposal_id: int, *, name: str = "") -> int:
    """Accept a proposal: a new site is created (with the proposed footprint), or the businesses
    become tenants of the known site. Returns the site's id. Refused (audited) for a role that
    may not change records."""
    _require_decider(bind, user, proposal_id)
    with transaction(bind) as conn:
        proposal = _take(conn, proposal_id)
        site_id = proposal["site_id"]
        if proposal["kind"] == "new_site":
            site_id = conn.execute(
                text(
                    "INSERT INTO site (name, address, postcode, geom, floors) "
                    "SELECT coalesce(nullif(trim(:name), ''), g.name, "
                    "'Building at ' || coalesce(g.address, min(b.address))), "
                    "coalesce(g.address, min(b.address)), "
                    "coalesce(g.postcode, mode() WITHIN GROUP (ORDER BY b.postcode)), p.geom, "
                    "coalesce(g.levels, 1) "
                    "FROM site_proposal p JOIN business b ON b.id = ANY(p.business_ids) "
                    "LEFT JOIN building g ON g.id = p.building_id "
                    "WHERE p.id = :id GROUP BY p.geom, g.id RETURNING id"
                ),
                {"name": name, "id": proposal_id},
            ).scalar_one()
        _close(conn, proposal, "accepted", user, int(site_id))  # type: ignore[arg-type]
    return int(site_id)  # type: ignore[arg-type]


def merge(bind: Bind, user: User, proposal_id: int, site_id: int) -> None:
    """Merge a proposal into an existing site: its businesses become that site's tenants."""
    _require_decider(bind, user, proposal_id)
    with transaction(bind) as conn:
        if conn.execute(text("SELECT 1 FROM site WHERE id = :s"), {"s": site_id}).first() is None:
            raise ValidationError(f"there is no site {site_id}")
        _close(conn, _take(conn, proposal_id), "merged", user, site_id)


def dismiss(bind: Bind, user: User, proposal_id: int) -> None:
    """Dismiss a proposal; the same set of businesses is not proposed again."""
    _require_decider(bind, user, proposal_id)
    with transaction(bind) as conn:
        _close(conn, _take(conn, proposal_id), "dismissed", user, None)
