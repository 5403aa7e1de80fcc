"""Supply chains: the brands sourcing from a business, the brands sourcing in an area, and one
brand's footprint. A brand is current at a facility while the facility is open and the latest
download that lists the facility still names the brand (Open Supply Hub, CC BY-SA 4.0)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import text

from layers.core.db import Bind, read_frame, reading
from layers.core.errors import ValidationError
from layers.people import rights
from layers.people.identity import User

#: Kinds of area the brands of an area are counted for → how the area is found.
AREA_KINDS = {
    "district": "SELECT geom FROM boundary WHERE kind = 'district' AND code = :key",
    "ward": "SELECT geom FROM boundary WHERE kind = 'ward' AND code = :key",
    "focus_area": "SELECT geom FROM focus_area WHERE CAST(id AS text) = :key",
}

#: When a brand is current at facility ``f`` through ``fb``.
CURRENT = "NOT f.is_closed AND fb.last_seen = f.last_seen"


def business_brands(bind: Bind, business_id: int) -> pd.DataFrame:
    """The brands that disclosed facilities matched to a business: brand, facility, os_id,
    first_seen, last_seen and whether the brand is current there (current ones first)."""
    return read_frame(
        bind,
        f"""
        SELECT br.id AS brand_id, br.name AS brand, f.name AS facility, f.os_id,
            fb.first_seen, fb.last_seen, {CURRENT} AS current
        FROM osh_facility f JOIN facility_brand fb ON fb.os_id = f.os_id
        JOIN brand br ON br.id = fb.brand_id
        WHERE f.business_id = :id ORDER BY current DESC, br.name""",  # noqa: S608 - constant
        {"id": business_id},
    )


def brands_in_area(bind: Bind, user: User, kind: str, key: str) -> pd.DataFrame:
    """The brands currently sourcing from register businesses in an area (a district or ward
    by its code, a focus area by its id): brand, facilities, businesses and their employees,
    most facilities first."""
    rights.require_staff(bind, user, "see supply chains", object_type="brand")
    if kind not in AREA_KINDS:
        raise ValidationError(f"an area is one of {', '.join(AREA_KINDS)}, not {kind!r}")
    return read_frame(
        bind,
        f"""
        WITH area AS ({AREA_KINDS[kind]}),
        sourcing AS (
            SELECT DISTINCT br.id, br.name, f.os_id, b.id AS business_id,
                coalesce(b.employees_estimate, 0) AS employees
            FROM area JOIN business b ON ST_Intersects(area.geom, b.geom)
            JOIN osh_facility f ON f.business_id = b.id
            JOIN facility_brand fb ON fb.os_id = f.os_id JOIN brand br ON br.id = fb.brand_id
            WHERE {CURRENT})
        SELECT id AS brand_id, name AS brand, count(DISTINCT os_id) AS facilities,
            count(DISTINCT business_id) AS businesses,
            (SELECT coalesce(sum(e.employees), 0) FROM (SELECT DISTINCT s2.business_id,
                s2.employees FROM sourcing s2 WHERE s2.id = sourcing.id) e) AS employees
        FROM sourcing GROUP BY id, name ORDER BY facilities DESC, employees DESC, name""",  # noqa: S608
        {"key": key},
    )


def brands(bind: Bind) -> pd.DataFrame:
    """Every brand with how many facilities it currently sources from."""
    return read_frame(
        bind,
        f"""
        SELECT br.id AS brand_id, br.name AS brand,
            count(*) FILTER (WHERE {CURRENT}) AS facilities
        FROM brand br JOIN facility_brand fb ON fb.brand_id = br.id
        JOIN osh_facility f ON f.os_id = fb.os_id
        GROUP BY br.id ORDER BY facilities DESC, br.name""",  # noqa: S608 - constant
    )


def footprint(bind: Bind, user: User, brand_id: int) -> gpd.GeoDataFrame:
    """One brand's facilities in the region, where they are (the matched business's position,
    else the facility's): facility, business, address, workers, current, and geometry."""
    rights.require_staff(bind, user, "see supply chains", object_type="brand")
    with reading(bind) as conn:
        return gpd.read_postgis(
            text(
                f"""
                SELECT f.os_id, f.name AS facility, b.id AS business_id, b.name AS business,
                    f.address, f.workers, fb.first_seen, fb.last_seen, {CURRENT} AS current,
                    coalesce(b.geom, f.geom) AS geom
                FROM facility_brand fb JOIN osh_facility f ON f.os_id = fb.os_id
                LEFT JOIN business b ON b.id = f.business_id
                WHERE fb.brand_id = :brand AND f.in_region ORDER BY f.name"""  # noqa: S608
            ),
            conn,
            geom_col="geom",
            params={"brand": brand_id},
        )


#: How the areas of each kind are listed (key, name), by name.
_AREA_LISTS = {
    "district": "SELECT code AS key, name FROM boundary WHERE kind = 'district' ORDER BY name",
    "ward": "SELECT code AS key, name FROM boundary WHERE kind = 'ward' ORDER BY name",
    "focus_area": "SELECT CAST(id AS text) AS key, name FROM focus_area ORDER BY name",
}


def areas(bind: Bind, kind: str) -> dict[str, str]:
    """The areas of one kind brands can be counted for: key → name."""
    if kind not in _AREA_LISTS:
        raise ValidationError(f"an area is one of {', '.join(AREA_KINDS)}, not {kind!r}")
    found = read_frame(bind, _AREA_LISTS[kind])
    return dict(zip(found["key"], found["name"], strict=True))
