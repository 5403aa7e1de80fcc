"""Named SQL fragments: the pieces many queries share, written once.

Each is a constant of this module over the aliases the queries use (``b`` business, ``s`` site,
``v`` visit, ``r`` report) and holds no value: values are always bound as parameters. A query
that builds on one says so with ``# noqa: S608``.
"""

from __future__ import annotations

#: Businesses that count as present (in an area, in the sector's size): trading or dormant, not
#: ceased or archived. A condition over business ``b``.
CURRENT_BUSINESS = "b.status IN ('active', 'dormant')"

#: The building a business ``b`` is in, as site ``s`` (none when it is not in a known site).
BUSINESS_SITE = "LEFT JOIN site s ON s.id = b.site_id"

#: What visit ``v`` was about: its business ``b`` and its building ``s`` (either may be none).
VISIT_SUBJECT = "LEFT JOIN business b ON b.id = v.business_id LEFT JOIN site s ON s.id = v.site_id"

#: What report ``r`` is about: its business ``b`` and its building ``s`` (either may be none).
REPORT_SUBJECT = "LEFT JOIN business b ON b.id = r.business_id LEFT JOIN site s ON s.id = r.site_id"

#: A visit ``v``'s rating is still pending: the business may still reply, within
#: ``:reply_days`` (the setting ``rating_reply_days``) of the visit; after that the rating
#: stands, replied to or not. The query binds ``reply_days``.
RATING_PENDING = "(v.rating_pending AND v.visit_date > current_date - CAST(:reply_days AS int))"

#: Where a visit's subject is: the business's point, else a point inside its building.
PLACE = "coalesce(b.geom, ST_PointOnSurface(s.geom))"

#: Where a report's subject is: the location given with it, else its subject's place.
REPORT_PLACE = "coalesce(r.geom, b.geom, ST_PointOnSurface(s.geom))"

#: The businesses ``b`` inside focus area ``:area`` (whatever their status), found along the
#: area's grid runs (migration 0004): those of interior runs are inside without a test, only
#: those of edge runs are tested against the outline. OFFSET 0 keeps each run one range scan
#: of ``ix_business_grid_places``, which covers these columns (migration 0016): no table rows.
#: The same businesses as ``ST_Intersects(f.geom, b.geom)``, at a fraction of the cost.
AREA_BUSINESSES = (
    "SELECT b.id, b.name, b.site_id, b.status FROM focus_area f"
    " JOIN focus_area_run r ON r.area_id = f.id CROSS JOIN LATERAL ("
    " SELECT b.id, b.name, b.site_id, b.status, b.geom FROM business b"
    " WHERE b.grid_j = r.grid_j AND b.grid_i BETWEEN r.i_from AND r.i_to OFFSET 0) b"
    " WHERE f.id = :area AND (r.interior OR ST_Intersects(f.geom, b.geom))"
)

#: The visits ``v`` whose place (``PLACE``) is inside focus area ``:area``, in two parts: those
#: of a business inside it (``AREA_BUSINESSES``), and those of a building when the visit has
#: no business point. Two statements, as each is best planned differently.
VISITS_OF_AREA_BUSINESSES = (
    f"SELECT v.* FROM visit v JOIN ({AREA_BUSINESSES}) inside ON inside.id = v.business_id"  # noqa: S608 - constant fragment
)
VISITS_OF_AREA_BUILDINGS = (
    "SELECT v.* FROM visit v LEFT JOIN business b ON b.id = v.business_id"
    " JOIN site s ON s.id = v.site_id JOIN focus_area f ON f.id = :area"
    " AND ST_Intersects(f.geom, ST_PointOnSurface(s.geom)) WHERE b.geom IS NULL"
)

#: The reports ``r`` whose place (``REPORT_PLACE``) is inside focus area ``:area``: those
#: located themselves (the GiST index on report.geom), else those of a business inside it,
#: else those of a building.
REPORTS_IN_AREA = (
    "SELECT r.* FROM focus_area f JOIN report r ON ST_Intersects(f.geom, r.geom)"  # noqa: S608 - constant fragment
    " WHERE f.id = :area"
    " UNION ALL"
    f" SELECT r.* FROM report r JOIN ({AREA_BUSINESSES}) inside ON inside.id = r.business_id"
    " WHERE r.geom IS NULL"
    " UNION ALL"
    " SELECT r.* FROM report r LEFT JOIN business b ON b.id = r.business_id"
    " JOIN site s ON s.id = r.site_id JOIN focus_area f ON f.id = :area"
    " AND ST_Intersects(f.geom, ST_PointOnSurface(s.geom))"
    " WHERE r.geom IS NULL AND b.geom IS NULL"
)
