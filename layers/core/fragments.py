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
