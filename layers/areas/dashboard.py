"""What is inside a focus area: businesses, employees, sites, visits, open reports and the
places ranked by risk. The page, the comparison and ``sectormap area stats`` all use ``stats``,
so they show the same numbers.

Intelligence appears only as counts unless the user may read it (``layers.people.access``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import text

from layers.casework import reports, visits
from layers.core import vocab
from layers.core.db import Bind, planned, read_frame, reading, side_by_side
from layers.core.fragments import AREA_BUSINESSES, CURRENT_BUSINESS
from layers.people import rights
from layers.people.identity import User
from layers.register import risk

#: How many places the dashboard ranks in full (map, table, download, routes); the others are
#: counted by band. A person plans from the top of the list, not from its 180,000th line.
PLACES_SHOWN = 500

#: The places inside a focus area ranked by stored risk, in one query: its current businesses
#: (``AREA_BUSINESSES``: along its grid runs, interior runs needing no geometry test), each
#: with its stored score; a multi-occupancy site stands for its tenants (its highest tenant's
#: score and factors); the first ``:shown`` places, each row also carrying how many places
#: there are and how many fall in each band (window counts, taken before the limit). The
#: ranking reads the covering indexes of migration 0016 only; the places shown are then
#: fetched whole (``_SHOWN``).
_RANKED = (
    f"WITH inside AS (SELECT b.id, b.name, b.site_id FROM ({AREA_BUSINESSES}) b"  # noqa: S608 - constant fragments
    f" WHERE {CURRENT_BUSINESS}), "
    "scored AS ("
    " SELECT i.id, i.name, i.site_id, coalesce(k.score, 0) AS score"
    " FROM inside i LEFT JOIN business_risk k ON k.business_id = i.id), "
    "worst AS ("
    " SELECT DISTINCT ON (site_id) site_id, id AS business_id, score,"
    " count(*) OVER (PARTITION BY site_id) AS businesses"
    " FROM scored WHERE site_id IS NOT NULL ORDER BY site_id, score DESC, name), "
    "places AS ("
    " SELECT 'business' AS kind, id AS place_id, id AS business_id, name, score,"
    " 1 AS businesses FROM scored WHERE site_id IS NULL"
    " UNION ALL"
    " SELECT 'site', s.id, w.business_id, s.name, w.score, w.businesses"
    " FROM worst w JOIN site s ON s.id = w.site_id), "
    "banded AS (SELECT *, {band} AS band FROM places) "
    "SELECT *, count(*) OVER () AS places, {band_counts}"
    " FROM banded ORDER BY score DESC, name, kind, place_id LIMIT :shown"
)

#: The places shown, fetched whole (by primary key), in their ranked order.
_SHOWN = (
    "SELECT CASE WHEN t.kind = 'site' THEN s.postcode ELSE b.postcode END AS postcode,"
    " CASE WHEN t.kind = 'site' THEN s.address ELSE b.address END AS address,"
    " ST_Y(CASE WHEN t.kind = 'site' THEN ST_PointOnSurface(s.geom) ELSE b.geom END) AS lat,"
    " ST_X(CASE WHEN t.kind = 'site' THEN ST_PointOnSurface(s.geom) ELSE b.geom END) AS lon,"
    " coalesce(k.top_factors, CAST('{}' AS text[])) AS top_factors"
    " FROM unnest(CAST(:kinds AS text[]), CAST(:places AS int[]), CAST(:businesses AS int[]))"
    " WITH ORDINALITY AS t(kind, place_id, business_id, rank)"
    " JOIN business b ON b.id = t.business_id"
    " LEFT JOIN site s ON t.kind = 'site' AND s.id = t.place_id"
    " LEFT JOIN business_risk k ON k.business_id = t.business_id ORDER BY t.rank"
)

_PLACE_COLUMNS = [
    "kind",
    "place_id",
    "name",
    "postcode",
    "address",
    "lat",
    "lon",
    "score",
    "band",
    "top_factors",
    "businesses",
]


@dataclass(frozen=True)
class RankedPlaces:
    """The places of an area by risk: the first ``shown`` of them in full, and how many there
    are in all and in each band."""

    top: pd.DataFrame
    total: int
    by_band: dict[str, int]


#: Businesses and employees per sector and activity inside a focus area: the summaries of the
#: 25 m grid cells wholly inside it (one range scan per run of cells along a grid row), plus the
#: businesses of its edge cells tested one by one (migration 0004 keeps both tables exact). The
#: same numbers as testing every business, in a few hundred index range scans.
_SUMMARY = (
    "WITH runs AS (SELECT area_id, grid_j, i_from, i_to, interior FROM focus_area_run "  # noqa: S608 - constant fragment
    "WHERE area_id = ANY(:areas)), "
    "parts AS ("
    " SELECT r.area_id, s.sector, s.activity, s.businesses, s.employees, s.employees_low,"
    " s.employees_high"
    " FROM runs r JOIN business_grid_summary s"
    " ON s.grid_j = r.grid_j AND s.grid_i BETWEEN r.i_from AND r.i_to WHERE r.interior"
    " UNION ALL"
    " SELECT r.area_id, b.sector, b.activity, 1, coalesce(b.employees_estimate, 0),"
    " coalesce(b.employees_low, b.employees_estimate, 0),"
    " coalesce(b.employees_high, b.employees_estimate, 0)"
    " FROM runs r CROSS JOIN LATERAL ("
    # OFFSET 0 keeps this a range scan per run: the planner must not test every business in
    # the area's bounding box instead.
    "  SELECT b.* FROM business b WHERE b.grid_j = r.grid_j"
    f"  AND b.grid_i BETWEEN r.i_from AND r.i_to AND {CURRENT_BUSINESS} OFFSET 0) b"
    " JOIN focus_area f ON f.id = r.area_id AND ST_Intersects(f.geom, b.geom)"
    " WHERE NOT r.interior) "
    "SELECT area_id, sector, activity, sum(businesses)::bigint AS businesses, "
    "sum(employees)::bigint AS employees, sum(employees_low)::bigint AS employees_low, "
    "sum(employees_high)::bigint AS employees_high FROM parts GROUP BY area_id, sector, activity"
)


@dataclass(frozen=True)
class AreaStats:
    """One focus area's numbers, as the dashboard and ``area stats --json`` show them."""

    area_id: int
    name: str
    area_km2: float
    since: dt.date | None
    until: dt.date | None
    businesses: int
    employees: int
    employees_low: int
    employees_high: int
    by_sector: pd.DataFrame
    by_activity: pd.DataFrame
    sites: int
    units: int
    visits: pd.DataFrame
    open_reports: int
    readable_reports: pd.DataFrame
    places: RankedPlaces

    @property
    def restricted_reports(self) -> int:
        """Open reports in the area the user may not read (shown as a count only)."""
        return self.open_reports - int(self.readable_reports["reports"].sum())

    def as_json(self, top: int = 10) -> dict[str, Any]:
        """Plain JSON: totals, breakdowns, and the ``top`` places by risk."""

        def counts(frame: pd.DataFrame, key: str) -> dict[str, Any]:
            return frame.set_index(key).astype(int).to_dict("index")

        return {
            "id": self.area_id,
            "name": self.name,
            "area_km2": self.area_km2,
            "businesses": self.businesses,
            "employees": self.employees,
            "employees_low": self.employees_low,
            "employees_high": self.employees_high,
            "by_sector": counts(self.by_sector, "sector"),
            "by_activity": counts(self.by_activity, "activity"),
            "sites": self.sites,
            "units": self.units,
            "visits": {
                "from": self.since.isoformat() if self.since else None,
                "to": self.until.isoformat() if self.until else None,
                "by_outcome": dict(
                    zip(self.visits["outcome"], map(int, self.visits["visits"]), strict=True)
                ),
            },
            "open_reports": {
                "total": self.open_reports,
                "restricted": self.restricted_reports,
                "readable_by_category": dict(
                    zip(
                        self.readable_reports["category"],
                        map(int, self.readable_reports["reports"]),
                        strict=True,
                    )
                ),
            },
            "top_places": [
                {
                    "kind": row.kind,
                    "id": int(row.place_id),
                    "name": row.name,
                    "postcode": row.postcode,
                    "score": float(row.score),
                    "band": row.band,
                    "top_factors": row.top_factors,
                }
                for row in self.places.top.head(top).itertuples()
            ],
            "places": {"total": self.places.total, "by_band": self.places.by_band},
        }


_TOTALS = ("businesses", "employees", "employees_low", "employees_high")


def counts_by_area(bind: Bind, area_ids: list[int]) -> pd.DataFrame:
    """Current businesses inside each of the areas and their employees (sum, low, high) per
    area_id, sector and activity, from the grid summaries (see ``_SUMMARY``), in one query."""
    # A few hundred index scans: compiling the query (JIT) would cost more than running it.
    with planned(bind, jit="off") as conn:
        return pd.read_sql(text(_SUMMARY), conn, params={"areas": list(area_ids)})


def counts(bind: Bind, area_id: int) -> pd.DataFrame:
    """Current businesses inside the area and their employees (sum, low, high) per sector and
    activity (``counts_by_area`` for one area)."""
    return counts_by_area(bind, [area_id]).drop(columns="area_id")


def summary(bind: Bind, area_id: int) -> dict[str, int]:
    """The headline numbers: current businesses inside the area and their employees (sum, low,
    high)."""
    return _totals(counts(bind, area_id))


def _totals(counted: pd.DataFrame) -> dict[str, int]:
    return {total: int(counted[total].sum()) for total in _TOTALS}


def _breakdown(counted: pd.DataFrame, column: str, words: dict[str, str]) -> pd.DataFrame:
    grouped = counted.groupby(column)[["businesses", "employees"]].sum()
    grouped = grouped.sort_values(["businesses", "employees"], ascending=False)
    return pd.DataFrame(
        {
            column: [words.get(code, code) for code in grouped.index],
            "businesses": grouped["businesses"].to_numpy(),
            "employees": grouped["employees"].to_numpy(),
        }
    )


def _sites_and_units(bind: Bind, area_id: int) -> tuple[int, int]:
    row = read_frame(
        bind,
        "SELECT count(*) AS sites, coalesce(sum((SELECT count(*) FROM unit u "
        "WHERE u.site_id = s.id)), 0) AS units FROM site s JOIN focus_area f ON f.id = :area "
        "AND ST_Intersects(f.geom, s.geom) WHERE NOT s.archived",
        {"area": area_id},
    ).iloc[0]
    return int(row["sites"]), int(row["units"])


def ranked_places(bind: Bind, area_id: int, *, shown: int = PLACES_SHOWN) -> RankedPlaces:
    """The places to visit in the area, highest risk first: a multi-occupancy site stands for
    its tenants (its score is its highest tenant's, its factors that tenant's), any other
    business for itself. ``top`` holds the first ``shown`` (columns: kind, place_id, name,
    postcode, address, lat, lon, score, band, top_factors, businesses); every place is counted
    in ``total`` and ``by_band``. Ranked in the database from the stored risk."""
    risk.refresh_marked(bind)
    band, params = risk.band_case("score")
    names = [name for name, _ in risk.WEIGHTS.bands]
    columns = [f"band_{i}_places" for i in range(len(names))]
    query = _RANKED.format(
        band=band,
        band_counts=", ".join(
            f"count(*) FILTER (WHERE band = :band_name_{i}) OVER () AS {column}"
            for i, column in enumerate(columns)
        ),
    )
    # Index scans: compiling the query (JIT) would cost more than running it. The planner
    # expects a few businesses per grid run where there are hundreds, and would look up each
    # one's score by itself (180,000 probes): joined by merge, it takes a third of the time.
    with planned(bind, jit="off", enable_nestloop="off") as conn:
        found = pd.read_sql(text(query), conn, params={**params, "area": area_id, "shown": shown})
    if found.empty:
        return RankedPlaces(
            top=pd.DataFrame(columns=_PLACE_COLUMNS), total=0, by_band=dict.fromkeys(names, 0)
        )
    with reading(bind) as conn:
        whole = pd.read_sql(
            text(_SHOWN),
            conn,
            params={
                "kinds": found["kind"].tolist(),
                "places": found["place_id"].astype(int).tolist(),
                "businesses": found["business_id"].astype(int).tolist(),
            },
        )
    top = pd.concat([found.drop(columns="business_id"), whole], axis=1)
    return RankedPlaces(
        top=top.assign(top_factors=top["top_factors"].map(list))[_PLACE_COLUMNS],
        total=int(found["places"].iloc[0]),
        by_band={name: int(found[c].iloc[0]) for name, c in zip(names, columns, strict=True)},
    )


def stats(
    bind: Bind,
    user: User,
    area_id: int,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    use_period: bool = True,
) -> AreaStats:
    """Everything the area dashboard shows for ``user``. Visits are counted between ``since``
    and ``until``; with ``use_period`` the area's own period fills in whichever is not given.
    A partner is refused (audited)."""
    rights.require_staff(bind, user, "see a focus area's dashboard", object_type="focus_area")
    area = read_frame(
        bind,
        "SELECT name, period_start, period_end, "
        "round((ST_Area(ST_Transform(geom, 27700)) / 1e6)::numeric, 3)::float AS area_km2 "
        "FROM focus_area WHERE id = :area",
        {"area": area_id},
    ).iloc[0]
    if use_period:
        since = since or _date(area["period_start"])
        until = until or _date(area["period_end"])
    counted, (sites, units), (total_reports, readable), outcomes, places = side_by_side(
        bind,
        lambda b: counts(b, area_id),
        lambda b: _sites_and_units(b, area_id),
        lambda b: reports.open_in_area(b, user, area_id),
        lambda b: visits.outcomes_in_area(b, area_id, since, until),
        lambda b: ranked_places(b, area_id),
    )
    return AreaStats(
        area_id=area_id,
        name=str(area["name"]),
        area_km2=float(area["area_km2"]),
        since=since,
        until=until,
        by_sector=_breakdown(counted, "sector", vocab.SECTORS),
        by_activity=_breakdown(counted, "activity", vocab.ACTIVITIES),
        sites=sites,
        units=units,
        visits=outcomes,
        open_reports=total_reports,
        readable_reports=readable,
        places=places,
        **_totals(counted),
    )


def _date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def compare(bind: Bind, user: User, area_ids: list[int]) -> pd.DataFrame:
    """Areas side by side, one row each: size, businesses, employees, density, sites, units,
    visits in each area's period, open reports, and high-risk places."""
    rows = []
    for area_id in area_ids:
        area = stats(bind, user, area_id)
        rows.append(
            {
                "area": area.name,
                "km²": area.area_km2,
                "businesses": area.businesses,
                "per km²": round(area.businesses / area.area_km2, 1) if area.area_km2 else 0.0,
                "employees": area.employees,
                "employees (low)": area.employees_low,
                "employees (high)": area.employees_high,
                "sites": area.sites,
                "units": area.units,
                "visits in period": int(area.visits["visits"].sum()),
                "open reports": area.open_reports,
                "high-risk places": area.places.by_band["high"],
            }
        )
    return pd.DataFrame(rows)
