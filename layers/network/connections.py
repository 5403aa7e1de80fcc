"""The connections of a business: the businesses linked to it, each with its reasons and dates.

A link is one of ``REASONS``: a shared person with significant control (``shared_psc``); a
corporate controller that is itself a register business, or shared by both
(``corporate_psc``); the same registered address down to the unit (``same_address``: two
tenants of different units of one building are not linked for that alone, the building's profile
shows them); the same unit (``same_unit``); a brand sourcing from both (``shared_brand``); a
phoenix pattern (``phoenix``). A link is current while any of its reasons is: a control that has
ceased, a closed facility or a brand no longer seen make a former link.

Connections are public register data (Companies House, Open Supply Hub): every role that sees
the register may read them. Intelligence stays counted: each connected business carries the
number of its open reports, never their content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from layers.core.db import Bind, read_frame
from layers.core.errors import ValidationError
from layers.network import supply
from layers.people import rights
from layers.people.identity import User
from layers.register import risk

REASONS = {
    "shared_psc": "Shared person with significant control",
    "corporate_psc": "Corporate controller",
    "same_address": "Same registered address",
    "same_unit": "Same unit",
    "shared_brand": "Brand sourcing from both",
    "phoenix": "Phoenix pattern",
}
#: The deepest expansion allowed (each step multiplies what is drawn).
MAX_DEPTH = 4

_LINKS = """
WITH src AS (SELECT unnest(CAST(:ids AS int[])) AS id),
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
FROM src JOIN phoenix_pair p ON src.id IN (p.predecessor_id, p.successor_id)
"""

_BUSINESSES = """
SELECT b.id AS business_id, b.company_number, b.name, b.status, b.address, b.postcode,
    ST_Y(b.geom) AS lat, ST_X(b.geom) AS lon, coalesce(r.score, 0) AS risk,
    (SELECT count(*) FROM report rp WHERE rp.business_id = b.id AND rp.status <> 'closed')
        AS open_reports
FROM business b LEFT JOIN business_risk r ON r.business_id = b.id
WHERE b.id = ANY(:ids)
"""


@dataclass
class Network:
    """One business's connections to ``depth`` steps: the businesses (with position, risk and
    open-report counts), the links between them (one row per reason) and its current brands."""

    business: dict[str, Any]
    businesses: pd.DataFrame
    links: pd.DataFrame
    brands: list[str] = field(default_factory=list)
    depth: int = 1

    def summary(self) -> list[dict[str, Any]]:
        """One entry per connected business: who it is, its reasons (each once, current ones
        first), whether the link is current, its step from the business and what it was reached
        through (``via``: the company number, else the id, of the business one step nearer)."""
        start = int(self.business["business_id"])
        out = []
        info = self.businesses.set_index("business_id")
        for to_id, group in self.links[self.links["step_to"]].groupby("to_id", sort=False):
            if to_id == start:
                continue
            via_id = int(group["from_id"].iloc[0])
            via = info.loc[via_id]
            row = info.loc[to_id]
            ordered = group.sort_values("current", ascending=False)
            out.append(
                {
                    "company_number": row["company_number"],
                    "business_id": int(to_id),
                    "name": row["name"],
                    "status": row["status"],
                    "reasons": list(dict.fromkeys(ordered["reason"])),
                    "current": bool(group["current"].any()),
                    "depth": int(group["depth"].iloc[0]),
                    "via": via["company_number"] or str(via_id),
                    "open_reports": int(row["open_reports"]),
                    "details": [
                        {
                            "reason": r.reason,
                            "shared": r.shared,
                            "since": None if pd.isna(r.since) else str(r.since),
                            "until": None if pd.isna(r.until) else str(r.until),
                            "current": bool(r.current),
                        }
                        for r in ordered.itertuples(index=False)
                    ],
                }
            )
        return sorted(out, key=lambda link: (link["depth"], not link["current"], link["name"]))


def _links(bind: Bind, ids: Sequence[int]) -> pd.DataFrame:
    return read_frame(bind, _LINKS, {"ids": list(ids)})


def connections(bind: Bind, user: User, business_id: int, depth: int = 1) -> Network:
    """The businesses linked to ``business_id`` within ``depth`` steps (1 to ``MAX_DEPTH``)."""
    rights.require_staff(bind, user, "see connections", object_type="business")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError(f"depth must be 1 to {MAX_DEPTH}, not {depth}", column="depth")
    seen = {business_id}
    frontier = [business_id]
    steps = []
    for step in range(1, depth + 1):
        if not frontier:
            break
        links = _links(bind, frontier).assign(depth=step)
        links["step_to"] = ~links["to_id"].isin(seen)
        steps.append(links)
        frontier = sorted(set(links["to_id"]) - seen)
        seen.update(frontier)
    links = pd.concat(steps, ignore_index=True)
    # A link found again from its other end is one link: keep each pair of businesses once.
    pair = (
        links[["from_id", "to_id"]].min(axis=1).astype(str)
        + "-"
        + links[["from_id", "to_id"]].max(axis=1).astype(str)
    )
    links = links.assign(pair=pair).drop_duplicates(["pair", "reason", "shared"])
    businesses = read_frame(bind, _BUSINESSES, {"ids": sorted(seen)})
    businesses["band"] = businesses["risk"].map(risk.band)
    if business_id not in set(businesses["business_id"]):
        raise ValidationError(f"there is no business with id {business_id}")
    start = businesses[businesses["business_id"] == business_id].iloc[0].to_dict()
    sourcing = supply.business_brands(bind, business_id)
    brands = sorted(set(sourcing.loc[sourcing["current"], "brand"]))
    return Network(start, businesses, links.drop(columns="pair"), brands, depth)


def find_business(bind: Bind, reference: str) -> int:
    """The business a command names: its company number, else its id."""
    found = read_frame(
        bind,
        "SELECT id FROM business WHERE company_number = upper(:ref) "
        "OR (CAST(:ref AS text) ~ '^[0-9]{1,9}$' AND id = CAST(:ref AS bigint)) "
        "ORDER BY company_number = upper(:ref) DESC LIMIT 1",
        {"ref": reference.strip()},
    )
    if found.empty:
        raise ValidationError(f"no business has company number or id {reference!r}")
    return int(found["id"].iloc[0])
