"""Phoenix patterns: a business that ceased (or was dissolved) and another incorporated within
``phoenix_months`` (a setting, 12 by default) of that day, either side, at the same registered
address or in the same unit, sharing a controller or with a near-identical name.

The rule is ``judge`` (pure); ``detect`` finds the candidates in PostGIS (same unit, or the same
address down to the unit: two tenants of different units of one building are not a candidate)
and stores the pairs the rule accepts in ``phoenix_pair``, whose triggers mark both businesses'
stored risk for recomputation (the successor carries the ``phoenix`` factor). A before-commit
hook re-detects the pairs of every business a transaction changed, so the list is current
whichever path changed the register; an import of controls re-detects them all.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, text

from layers.core import db
from layers.core.db import Bind, read_frame
from layers.core.settings import get_settings
from layers.network import names
from layers.people import rights
from layers.people.identity import User


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Candidate:
    """Two businesses at one place: one ceased, the other incorporated around then."""

    predecessor: str
    ceased_on: dt.date
    successor: str
    incorporated_on: dt.date
    controllers: tuple[str, ...] = ()


def judge(candidate: Candidate, months: int) -> list[str] | None:
    """What the two share when they are a phoenix pattern (a shared controller, a
    near-identical name), else None: outside the window, or sharing neither."""
    earliest = add_months(candidate.ceased_on, -months)
    latest = add_months(candidate.ceased_on, months)
    if not earliest <= candidate.incorporated_on <= latest:
        return None
    shares = [f"controller {name}" for name in sorted(candidate.controllers)]
    if names.near_identical(candidate.predecessor, candidate.successor):
        shares.append("near-identical name")
    return shares or None


_CANDIDATES = """
WITH gone AS (
    SELECT id, name, first_seen, coalesce(left_register_on, last_seen) AS ceased_on, unit_id,
        sectormap_address_key(address, postcode) AS place_key
    FROM business
    WHERE status IN ('ceased', 'dissolved') AND coalesce(left_register_on, last_seen) IS NOT NULL),
pairs AS (
    SELECT g.id AS predecessor_id, s.id AS successor_id, 'same_unit' AS place
    FROM gone g JOIN business s ON s.unit_id = g.unit_id AND s.id <> g.id
    WHERE g.unit_id IS NOT NULL
    UNION
    SELECT g.id, s.id, 'same_address'
    FROM gone g JOIN business s
        ON sectormap_address_key(s.address, s.postcode) = g.place_key AND s.id <> g.id
    WHERE g.place_key IS NOT NULL
        AND NOT (g.unit_id IS NOT NULL AND s.unit_id IS NOT NULL AND s.unit_id <> g.unit_id)
        AND (g.unit_id IS NULL OR s.unit_id IS DISTINCT FROM g.unit_id))
SELECT p.predecessor_id, p.successor_id, p.place, g.name AS predecessor, g.ceased_on,
    s.name AS successor, s.first_seen AS incorporated_on,
    ARRAY(SELECT DISTINCT pe.name FROM psc_control c1
        JOIN psc_control c2 ON c2.person_id = c1.person_id AND c2.business_id = s.id
        JOIN person pe ON pe.id = c1.person_id
        WHERE c1.business_id = g.id AND pe.kind <> 'protected') AS controllers
FROM pairs p JOIN gone g ON g.id = p.predecessor_id JOIN business s ON s.id = p.successor_id
WHERE s.first_seen IS NOT NULL AND s.status <> 'archived'
    AND (g.first_seen IS NULL OR s.first_seen > g.first_seen)
    AND s.first_seen BETWEEN g.ceased_on - make_interval(months => :months)
        AND g.ceased_on + make_interval(months => :months)
    AND (CAST(:ids AS int[]) IS NULL OR g.id = ANY(:ids) OR s.id = ANY(:ids))
"""


def find(conn: Connection, business_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The phoenix pairs the rule accepts now (those involving ``business_ids``, or all)."""
    months = get_settings().phoenix_months
    ids = None if business_ids is None else list(business_ids)
    candidates = read_frame(conn, _CANDIDATES, {"months": months, "ids": ids})
    rows = []
    for row in candidates.itertuples(index=False):
        shares = judge(
            Candidate(
                row.predecessor,
                row.ceased_on,
                row.successor,
                row.incorporated_on,
                tuple(row.controllers),
            ),
            months,
        )
        if shares:
            gap = (row.incorporated_on - row.ceased_on).days
            rows.append(
                (
                    row.predecessor_id,
                    row.successor_id,
                    row.ceased_on,
                    row.incorporated_on,
                    gap,
                    row.place,
                    shares,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "predecessor_id",
            "successor_id",
            "ceased_on",
            "incorporated_on",
            "gap_days",
            "place",
            "shares",
        ],
    )


def detect(conn: Connection, business_ids: Sequence[int] | None = None) -> int:
    """Store the phoenix pairs (of ``business_ids``, or all), in the caller's transaction:
    pairs no longer found go, new or changed ones are written; returns how many there are."""
    found = find(conn, business_ids)
    ids = None if business_ids is None else list(business_ids)
    scope = (
        "(CAST(:ids AS int[]) IS NULL OR predecessor_id = ANY(:ids) OR successor_id = ANY(:ids))"
    )
    current = {
        (r.predecessor_id, r.successor_id): (r.gap_days, r.place, list(r.shares))
        for r in conn.execute(
            text(f"SELECT * FROM phoenix_pair WHERE {scope}"),  # noqa: S608 - constant
            {"ids": ids},
        )
    }
    wanted = {(r.predecessor_id, r.successor_id): r for r in found.itertuples(index=False)}
    stale = [
        {"p": key[0], "s": key[1]}
        for key, value in current.items()
        if key not in wanted
        or value != (wanted[key].gap_days, wanted[key].place, list(wanted[key].shares))
    ]
    if stale:
        conn.execute(
            text("DELETE FROM phoenix_pair WHERE predecessor_id = :p AND successor_id = :s"),
            stale,
        )
    fresh = [
        {
            "p": int(r.predecessor_id),
            "s": int(r.successor_id),
            "c": r.ceased_on,
            "i": r.incorporated_on,
            "g": int(r.gap_days),
            "place": r.place,
            "shares": list(r.shares),
        }
        for key, r in wanted.items()
        if key not in current or {"p": key[0], "s": key[1]} in stale
    ]
    if fresh:
        conn.execute(
            text(
                "INSERT INTO phoenix_pair (predecessor_id, successor_id, ceased_on, "
                "incorporated_on, gap_days, place, shares) "
                "VALUES (:p, :s, :c, :i, :g, :place, :shares)"
            ),
            fresh,
        )
    return len(wanted)


#: A change of at least this many businesses (a bulk load) re-detects every pair at once,
#: cheaper than testing each candidate against so long a list.
DETECT_ALL_FROM = 10_000


def _detect_marked(conn: Connection) -> None:
    """Before a transaction commits: re-detect the pairs of the businesses it changed."""
    marked = conn.execute(text("SELECT business_id FROM risk_pending")).scalars().all()
    if len(marked) >= DETECT_ALL_FROM:
        detect(conn)
    elif marked:
        detect(conn, marked)


db.before_commit(_detect_marked)


def pairs(bind: Bind, user: User) -> pd.DataFrame:
    """Every phoenix pair with both companies, the gap in days and what they share, newest
    first (public register data: any of the partnership's staff may read it)."""
    rights.require_staff(bind, user, "see phoenix patterns", object_type="phoenix_pair")
    return read_frame(
        bind,
        """
        SELECT g.id AS predecessor_id, g.company_number AS predecessor_number,
            g.name AS predecessor, p.ceased_on, s.id AS successor_id,
            s.company_number AS successor_number, s.name AS successor, p.incorporated_on,
            p.gap_days, p.place, p.shares, s.address, s.postcode
        FROM phoenix_pair p JOIN business g ON g.id = p.predecessor_id
        JOIN business s ON s.id = p.successor_id
        ORDER BY p.incorporated_on DESC, s.name
        """,
    )
