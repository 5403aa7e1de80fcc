"""Profiles: everything known about one business or one building, ready to show.

Intelligence appears here only as counts (how many reports, how many still open); report content
is for the reports module and its access rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import text

from layers.core import vocab
from layers.core.db import Bind, read_frame, reading
from layers.core.errors import ValidationError
from layers.core.fragments import BUSINESS_SITE
from layers.register import risk


class _Scored:
    """Score and band from a factor table (points per factor)."""

    factors: pd.DataFrame

    @property
    def score(self) -> float:
        """The risk score: the sum of the factors' points."""
        return float(self.factors["points"].sum()) if len(self.factors) else 0.0

    @property
    def band(self) -> str:
        """The risk band of the score."""
        return risk.band(self.score)


@dataclass
class BusinessProfile(_Scored):
    """One business and what is known of it."""

    details: dict[str, Any]
    sources: list[str]
    visits: pd.DataFrame
    reports: dict[str, int]
    factors: pd.DataFrame


@dataclass
class SiteProfile(_Scored):
    """One building: its units and tenants, their history, visits and building-level risk."""

    details: dict[str, Any]
    footprint: gpd.GeoDataFrame
    units: pd.DataFrame
    history: pd.DataFrame
    visits: pd.DataFrame
    reports: dict[str, int]
    factors: pd.DataFrame


_VISITS = """
SELECT v.visit_date, b.name AS business, v.visit_type, v.outcome,
    array_to_string(v.agencies, ', ') AS agencies, v.operation_name, v.follow_up_date, v.findings
FROM visit v LEFT JOIN business b ON b.id = v.business_id
WHERE {subject}
ORDER BY v.visit_date DESC, v.id DESC
"""


def _visits(bind: Bind, subject: str, params: dict[str, object]) -> pd.DataFrame:
    frame = read_frame(bind, _VISITS.format(subject=subject), params)
    return vocab.labelled(frame, visit_type=vocab.VISIT_TYPES, outcome=vocab.VISIT_OUTCOMES)


_REPORT_COUNTS = """
SELECT count(*) AS total, count(*) FILTER (WHERE status <> 'closed') AS open
FROM report r WHERE {subject}
"""


def _report_counts(bind: Bind, subject: str, params: dict[str, object]) -> dict[str, int]:
    """How many reports concern the subject, and how many are still open (counts only)."""
    row = read_frame(bind, _REPORT_COUNTS.format(subject=subject), params).iloc[0]
    return {"total": int(row["total"]), "open": int(row["open"])}


def business_profile(bind: Bind, business_id: int) -> BusinessProfile:
    """The profile of one business; ``ValidationError`` when there is no such business."""
    details = read_frame(
        bind,
        f"""
        SELECT b.id, b.name, b.trading_name, b.company_number, b.sic_codes, b.sector, b.activity,
            b.address, b.postcode, b.location_precision, b.site_id, s.name AS site,
            u.label AS unit, u.floor, b.employees_estimate, b.employees_low, b.employees_high,
            b.employees_source, b.status, b.accreditations, b.first_seen, b.last_seen, b.is_demo,
            b.version, ST_Y(b.geom) AS lat, ST_X(b.geom) AS lon,
            coalesce(b.location_precision = 'postcode' AND p.terminated, false)
                AS postcode_terminated
        FROM business b {BUSINESS_SITE} LEFT JOIN unit u ON u.id = b.unit_id
        LEFT JOIN postcode p ON p.postcode = b.postcode
        WHERE b.id = :id""",  # noqa: S608 - constant fragments, values bound
        {"id": business_id},
    )
    if details.empty:
        raise ValidationError(f"there is no business with id {business_id}")
    sources = read_frame(
        bind,
        "SELECT source FROM business_source WHERE business_id = :id ORDER BY source",
        {"id": business_id},
    )["source"]
    return BusinessProfile(
        details=details.iloc[0].to_dict(),
        sources=[vocab.SOURCES.get(s, s) for s in sources],
        visits=_visits(bind, "v.business_id = :id", {"id": business_id}),
        reports=_report_counts(bind, "r.business_id = :id", {"id": business_id}),
        factors=risk.explain(risk.business_factors(bind, [business_id])),
    )


def site_profile(bind: Bind, site_id: int) -> SiteProfile:
    """The profile of one building; ``ValidationError`` when there is no such site."""
    with reading(bind) as conn:
        footprint = gpd.read_postgis(
            text(
                "SELECT id, name, address, postcode, floors, landlord, is_demo, version, geom "
                "FROM site WHERE id = :id"
            ),
            conn,
            geom_col="geom",
            params={"id": site_id},
        )
    if footprint.empty:
        raise ValidationError(f"there is no site with id {site_id}")
    units = read_frame(
        bind,
        """
        SELECT u.id AS unit_id, u.label, u.floor, u.floor_area_m2, b.id AS business_id,
            b.name AS tenant, t.start_date AS since
        FROM unit u
        LEFT JOIN tenancy t ON t.unit_id = u.id AND t.end_date IS NULL
        LEFT JOIN business b ON b.id = t.business_id
        WHERE u.site_id = :id ORDER BY u.floor DESC, u.label""",
        {"id": site_id},
    )
    history = read_frame(
        bind,
        """
        SELECT u.label AS unit, b.name AS business, b.id AS business_id, t.start_date,
            t.end_date
        FROM tenancy t JOIN unit u ON u.id = t.unit_id JOIN business b ON b.id = t.business_id
        WHERE u.site_id = :id ORDER BY t.start_date DESC, u.label""",
        {"id": site_id},
    )
    tenants = (
        "v.site_id = :id OR v.business_id IN (SELECT t.business_id FROM tenancy t "
        "JOIN unit u ON u.id = t.unit_id WHERE u.site_id = :id)"
    )
    reports = (
        "r.site_id = :id OR r.business_id IN (SELECT t.business_id FROM tenancy t "
        "JOIN unit u ON u.id = t.unit_id WHERE u.site_id = :id AND t.end_date IS NULL)"
    )
    details = pd.DataFrame(footprint.drop(columns="geom")).iloc[0].to_dict()
    return SiteProfile(
        details=details,
        footprint=footprint,
        units=units,
        history=history,
        visits=_visits(bind, tenants, {"id": site_id}),
        reports=_report_counts(bind, reports, {"id": site_id}),
        factors=risk.explain(risk.site_factors(bind, site_id)),
    )


def units_grid(units: pd.DataFrame) -> pd.DataFrame:
    """Floors (top floor first) by unit position: each cell 'label · tenant' or 'label · vacant'."""
    if units.empty:
        return pd.DataFrame()
    cells = units.assign(
        position=units.groupby("floor").cumcount() + 1,
        cell=units["label"] + " · " + units["tenant"].fillna("vacant"),
        floor_name=units["floor"].map(lambda f: "Ground" if f == 0 else f"Floor {f}"),
    )
    grid = cells.pivot_table(
        index=["floor", "floor_name"],
        columns="position",
        values="cell",
        aggfunc="first",
        fill_value="",
    )
    grid = grid.sort_index(level="floor", ascending=False).droplevel("floor")
    grid.index.name = None
    grid.columns = [f"Unit {c}" for c in grid.columns]
    return grid


def nearest(bind: Bind, lat: float, lon: float, *, metres: float = 25) -> tuple[str, int] | None:
    """What a click at (lat, lon) means: the nearest business within ``metres``, else the site
    whose footprint contains the point, else None."""
    with reading(bind) as conn:
        business = conn.execute(
            text(
                "SELECT id FROM business WHERE status <> 'archived' AND ST_DWithin("
                "geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :m) "
                "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1"
            ),
            {"lat": lat, "lon": lon, "m": metres},
        ).scalar()
        if business is not None:
            return ("business", int(business))
        site = conn.execute(
            text(
                "SELECT id FROM site WHERE NOT archived AND ST_Contains(geom, "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) LIMIT 1"
            ),
            {"lat": lat, "lon": lon},
        ).scalar()
    return ("site", int(site)) if site is not None else None
