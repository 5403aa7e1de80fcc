"""connections of a business computed in the database, in one round trip

``sectormap_links(ids)`` gives every link of the businesses ``ids`` (one row per reason: a
shared person with significant control, a corporate controller, the same unit, the same
registered address when the two are not in different known units, a brand sourcing from both,
a phoenix pair); ``sectormap_connections(start, depth)`` expands from one business a step at a
time, each link once (a pair of businesses with one reason and one shared thing), with the step
it was found at and whether it reached a business not seen before. PL/pgSQL keeps the plans of
both for the session, so a profile's network costs no planning after the first.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = """
CREATE FUNCTION sectormap_links(ids int[])
RETURNS TABLE (from_id int, to_id int, reason text, shared text, since date, until date,
    current boolean)
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
RETURN QUERY
WITH src AS (SELECT unnest(ids) AS id),
src_business AS (SELECT b.* FROM business b JOIN src ON src.id = b.id)
SELECT c1.business_id AS from_id, c2.business_id AS to_id,
    CASE WHEN p.kind = 'corporate' THEN 'corporate_psc' ELSE 'shared_psc' END AS reason,
    p.name AS shared, greatest(c1.notified_on, c2.notified_on) AS since,
    CASE WHEN c1.ceased_on IS NULL THEN c2.ceased_on WHEN c2.ceased_on IS NULL THEN c1.ceased_on
        ELSE least(c1.ceased_on, c2.ceased_on) END AS until,
    c1.ceased_on IS NULL AND c2.ceased_on IS NULL AS current
FROM src JOIN psc_control c1 ON c1.business_id = src.id
JOIN person p ON p.id = c1.person_id AND p.kind <> 'protected'
JOIN psc_control c2 ON c2.person_id = c1.person_id AND c2.business_id <> c1.business_id
UNION ALL
SELECT c.business_id, p.business_id, 'corporate_psc', 'controlled by ' || p.name,
    c.notified_on, c.ceased_on, c.ceased_on IS NULL
FROM src JOIN psc_control c ON c.business_id = src.id
JOIN person p ON p.id = c.person_id AND p.business_id IS NOT NULL
WHERE p.business_id <> c.business_id
UNION ALL
SELECT p.business_id, c.business_id, 'corporate_psc', 'controls ' || b.name,
    c.notified_on, c.ceased_on, c.ceased_on IS NULL
FROM src JOIN person p ON p.business_id = src.id
JOIN psc_control c ON c.person_id = p.id AND c.business_id <> p.business_id
JOIN business b ON b.id = c.business_id
UNION ALL
SELECT a.id, b.id, 'same_unit', s.name || ', ' || u.label, NULL, NULL, true
FROM src_business a JOIN business b ON b.unit_id = a.unit_id AND b.id <> a.id
JOIN unit u ON u.id = a.unit_id JOIN site s ON s.id = u.site_id
UNION ALL
SELECT a.id, b.id, 'same_address', a.address || ', ' || a.postcode, NULL, NULL, true
FROM src_business a JOIN business b
    ON sectormap_address_key(b.address, b.postcode) = sectormap_address_key(a.address, a.postcode)
    AND b.id <> a.id
WHERE sectormap_address_key(a.address, a.postcode) IS NOT NULL
    AND (a.unit_id IS NULL OR b.unit_id IS NULL)
UNION ALL
SELECT f1.business_id, f2.business_id, 'shared_brand', br.name,
    greatest(fb1.first_seen, fb2.first_seen), least(fb1.last_seen, fb2.last_seen),
    NOT f1.is_closed AND NOT f2.is_closed AND fb1.last_seen = f1.last_seen
        AND fb2.last_seen = f2.last_seen
FROM src JOIN osh_facility f1 ON f1.business_id = src.id
JOIN facility_brand fb1 ON fb1.os_id = f1.os_id JOIN brand br ON br.id = fb1.brand_id
JOIN facility_brand fb2 ON fb2.brand_id = fb1.brand_id AND fb2.os_id <> fb1.os_id
JOIN osh_facility f2 ON f2.os_id = fb2.os_id AND f2.business_id IS NOT NULL
    AND f2.business_id <> f1.business_id
UNION ALL
SELECT src.id, CASE WHEN p.predecessor_id = src.id THEN p.successor_id ELSE p.predecessor_id END,
    'phoenix', array_to_string(p.shares, '; ') || ' (' || p.gap_days || ' days)',
    p.ceased_on, NULL, true
FROM src JOIN phoenix_pair p ON src.id IN (p.predecessor_id, p.successor_id);
END $fn$
"""

CONNECTIONS = """
CREATE FUNCTION sectormap_connections(start int, depth int)
RETURNS TABLE (from_id int, to_id int, reason text, shared text, since date, until date,
    current boolean, step int, step_to boolean)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    seen int[] := ARRAY[start];
    frontier int[] := ARRAY[start];
    reached int[];
BEGIN
    FOR level IN 1..depth LOOP
        EXIT WHEN cardinality(frontier) = 0;
        reached := ARRAY[]::int[];
        FOR from_id, to_id, reason, shared, since, until, current IN
            SELECT * FROM sectormap_links(frontier)
        LOOP
            step := level;
            step_to := NOT (to_id = ANY(seen));
            IF step_to AND NOT (to_id = ANY(reached)) THEN
                reached := reached || to_id;
            END IF;
            RETURN NEXT;
        END LOOP;
        seen := seen || reached;
        frontier := reached;
    END LOOP;
END $fn$
"""


def upgrade() -> None:
    op.execute(LINKS)
    op.execute(CONNECTIONS)


def downgrade() -> None:
    op.execute("DROP FUNCTION sectormap_connections(int, int)")
    op.execute("DROP FUNCTION sectormap_links(int[])")
