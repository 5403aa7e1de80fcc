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

#: Each link once: a pair of businesses found from either end is one link per reason and
#: shared thing (the first step that found it kept). The links themselves are computed by the
#: database's ``sectormap_connections`` (migration 0015).
_LINKS = """
SELECT DISTINCT ON (least(from_id, to_id), greatest(from_id, to_id), reason, shared)
    from_id, to_id, reason, shared, since, until, current, step AS depth, step_to
FROM sectormap_connections(:start, :depth)
ORDER BY least(from_id, to_id), greatest(from_id, to_id), reason, shared, step, step_to DESC
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
    """One business's connections within some steps: the businesses (with position, risk and
    open-report counts), the links between them (one row per reason) and its current brands."""

    business: dict[str, Any]
    businesses: pd.DataFrame
    links: pd.DataFrame
    brands: list[str] = field(default_factory=list)

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


def connections(bind: Bind, user: User, business_id: int, depth: int = 1) -> Network:
    """The businesses linked to ``business_id`` within ``depth`` steps (1 to ``MAX_DEPTH``)."""
    rights.require_staff(bind, user, "see connections", object_type="business")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError(f"depth must be 1 to {MAX_DEPTH}, not {depth}", column="depth")
    links = read_frame(bind, _LINKS, {"start": business_id, "depth": depth})
    seen = {business_id, *links["to_id"], *links["from_id"]}
    businesses = read_frame(bind, _BUSINESSES, {"ids": sorted(int(i) for i in seen)})
    businesses["band"] = businesses["risk"].map(risk.band)
    if business_id not in set(businesses["business_id"]):
        raise ValidationError(f"there is no business with id {business_id}")
    start = businesses[businesses["business_id"] == business_id].iloc[0].to_dict()
    sourcing = supply.business_brands(bind, business_id)
    brands = sorted(set(sourcing.loc[sourcing["current"], "brand"]))
    return Network(start, businesses, links, brands)


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


_SITE_LINKS = """
SELECT t.name AS tenant, b.id AS business_id, b.name AS business, b.company_number,
    l.reason, l.shared, l.current
FROM sectormap_links(ARRAY(
    SELECT tn.business_id FROM tenancy tn JOIN unit u ON u.id = tn.unit_id
    WHERE u.site_id = :site AND tn.end_date IS NULL)) l
JOIN business t ON t.id = l.from_id JOIN business b ON b.id = l.to_id
WHERE b.site_id IS DISTINCT FROM :site
ORDER BY l.current DESC, t.name, b.name, l.reason
"""


def of_site(bind: Bind, user: User, site_id: int) -> pd.DataFrame:
    """The businesses outside a building linked to its current tenants: tenant, business_id,
    business, company_number, reason (labelled), shared, current. Tenants of the building
    among themselves are left out (the building's own profile shows them)."""
    rights.require_staff(bind, user, "see connections", object_type="site")
    found = read_frame(bind, _SITE_LINKS, {"site": site_id})
    return found.assign(reason=found["reason"].map(REASONS))
