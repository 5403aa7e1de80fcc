"""The map's filters, turned into one parameterised query."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from layers.core.db import Bind, planned, read_frame
from layers.core.fragments import RATING_PENDING
from layers.core.settings import get_settings
from layers.register import risk


@dataclass(frozen=True)
class MapFilters:
    """What the officer asked to see; empty means everything."""

    sectors: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("active", "dormant", "ceased")
    risk_bands: tuple[str, ...] = ()
    #: Inspection ratings: '0' … '5', 'pending', 'unrated'.
    ratings: tuple[str, ...] = ()
    open_reports: bool | None = None
    last_visit_older_than_months: int | None = None
    boundary: tuple[str, str] | None = None  # (kind, code)
    focus_area_id: int | None = None


#: Each business's latest rating comes from one pass over the rated visits joined by hash, not
#: a lookup per business: at 100,000 businesses that lookup was most of the query.
_FILTERED = """
SELECT b.id, b.name, b.sector, b.activity, b.status,
    coalesce(b.employees_estimate, 0) AS employees, ST_Y(b.geom) AS lat, ST_X(b.geom) AS lon,
    rated.rating, scored.score, banded.band
FROM business b
LEFT JOIN business_risk k ON k.business_id = b.id
LEFT JOIN (
    SELECT DISTINCT ON (v.business_id) v.business_id,
        CASE WHEN {pending} THEN 'pending' ELSE v.rating::text END AS latest
    FROM visit v WHERE v.rating IS NOT NULL AND v.business_id IS NOT NULL
    ORDER BY v.business_id, v.visit_date DESC, v.id DESC) latest ON latest.business_id = b.id
CROSS JOIN LATERAL (SELECT coalesce(latest.latest, 'unrated') AS rating) rated
CROSS JOIN LATERAL (SELECT coalesce(k.score, 0) AS score) scored
CROSS JOIN LATERAL (SELECT {band} AS band) banded
WHERE b.status <> 'archived'
  AND (cardinality(CAST(:ratings AS text[])) = 0 OR rated.rating = ANY(:ratings))
  AND (cardinality(CAST(:bands AS text[])) = 0 OR banded.band = ANY(:bands))
  AND (cardinality(CAST(:sectors AS text[])) = 0 OR b.sector = ANY(:sectors))
  AND (cardinality(CAST(:activities AS text[])) = 0 OR b.activity = ANY(:activities))
  AND (cardinality(CAST(:statuses AS text[])) = 0 OR b.status = ANY(:statuses))
  AND (CAST(:open_reports AS boolean) IS NULL OR :open_reports = EXISTS (
        SELECT 1 FROM report r WHERE r.business_id = b.id AND r.status <> 'closed'))
  AND (CAST(:months AS int) IS NULL OR NOT EXISTS (
        SELECT 1 FROM visit v WHERE v.business_id = b.id
        AND v.visit_date >= current_date - make_interval(months => :months)))
  AND (CAST(:boundary_code AS text) IS NULL OR EXISTS (
        SELECT 1 FROM boundary a WHERE a.kind = :boundary_kind AND a.code = :boundary_code
        AND ST_Intersects(a.geom, b.geom)))
  AND (CAST(:focus_area AS int) IS NULL OR EXISTS (
        SELECT 1 FROM focus_area f WHERE f.id = :focus_area AND ST_Intersects(f.geom, b.geom)))
ORDER BY b.id
"""


def filtered_points(bind: Bind, filters: MapFilters = MapFilters()) -> pd.DataFrame:
    """Businesses that pass ``filters``, with their risk score and band: id, name, sector,
    activity, status, employees, lat, lon, rating ('0' … '5', 'pending', 'unrated'), score,
    band."""
    kind, code = filters.boundary or (None, None)
    risk.refresh_marked(bind)
    band, band_params = risk.band_case("scored.score")
    # Compiling the query (JIT) costs more than it saves: a quarter of a second at 100,000.
    with planned(bind, jit="off") as conn:
        return read_frame(
            conn,
            _FILTERED.format(pending=RATING_PENDING, band=band),
            {
                **band_params,
                "bands": list(filters.risk_bands),
                "reply_days": get_settings().rating_reply_days,
                "sectors": list(filters.sectors),
                "activities": list(filters.activities),
                "statuses": list(filters.statuses),
                "ratings": list(filters.ratings),
                "open_reports": filters.open_reports,
                "months": filters.last_visit_older_than_months,
                "boundary_kind": kind,
                "boundary_code": code,
                "focus_area": filters.focus_area_id,
            },
        )
