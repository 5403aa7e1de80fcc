"""Open Supply Hub facility lists, imported as published (CSV, CC BY-SA 4.0), matched to the
register, and the officers' decisions on near matches.

Columns are read by their header names, so both layouts in use load: the 17 columns of older
downloads and the ~59 of newer ones (claim, partner and wage columns are ignored). A facility
in the region (in the United Kingdom, inside the districts) is matched to a register business:

* **certain** — the same normalised name and the same postcode: applied;
* **proposed** — a name at least ``SIMILAR`` alike (trigram similarity of normalised names)
  within ``osh_near_metres`` or at the same postcode, scored 0-1; an officer accepts or rejects
  it, and the decision is remembered (``osh_decision``) so a later download does not ask again;
* **unmatched** — neither; an officer may add it to the register.

Brands are the ``contributor (list)`` entries split on ``|``, leaving out the anonymised type
labels ("A Brand / Retailer"), "Other" and the facility's own "(Claimed)" entry; each is seen on
the facility from the first to the last download that lists it. A closed facility is marked and
its brands are not current.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from layers.core.bulk import analyze, copy_frame
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.core.settings import get_settings
from layers.network import names
from layers.people import audit, rights
from layers.people.identity import User

ATTRIBUTION = "Facility data: Open Supply Hub (opensupplyhub.org), licensed under CC BY-SA 4.0."
#: Columns every download has, by header name.
REQUIRED = ("os_id", "name", "address", "country_code", "lat", "lng", "contributor (list)")
#: Further columns read when present.
OPTIONAL = (
    "sector",
    "number_of_workers",
    "parent_company",
    "facility_type",
    "processing_type",
    "is_closed",
    "contribution_date",
)
#: Lowest trigram similarity of normalised names for a proposal.
SIMILAR = 0.45
#: Words of the anonymised contributor labels ("A Brand / Retailer", "An Auditor" …).
_ANONYMISED = re.compile(r"^an? [a-z].*", re.IGNORECASE)
_CONTRIBUTOR_TYPES = (
    "academic",
    "auditor",
    "brand",
    "retailer",
    "civil society",
    "facility",
    "factory",
    "manufacturing group",
    "supplier",
    "vendor",
    "multi-stakeholder",
    "union",
    "government",
    "policy maker",
    "service provider",
    "certification",
    "researcher",
    "journalist",
    "student",
    "trade association",
    "sourcing agent",
    "other",
)


def brands(contributors: str | None) -> list[str]:
    """The brands of a ``contributor (list)`` cell: its ``|`` entries without the anonymised
    type labels, "Other" and "(Claimed)" entries, each once, in their order."""
    found: list[str] = []
    for entry in (contributors or "").split("|"):
        name = " ".join(entry.split())
        lowered = name.lower()
        if not name or lowered == "other" or lowered.endswith("(claimed)"):
            continue
        if _ANONYMISED.match(name) and any(t in lowered for t in _CONTRIBUTOR_TYPES):
            continue
        if name not in found:
            found.append(name)
    return found


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "yes", "1", "closed")


def _number(value: str, column: str, row: int, file: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise ValidationError(
            f"{value!r} is not a number", file=file, row=row, column=column
        ) from exc


def read_facilities(path: Path) -> pd.DataFrame:
    """The facilities of a download, one row each, read by header name; a missing column or
    an unreadable value is refused with its file, row and column."""
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("is not UTF-8 text (a CSV download)", file=path.name) from exc
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            f"has no column {', '.join(repr(c) for c in missing)} (is it an Open Supply Hub "
            "download?)",
            file=path.name,
        )
    reader.fieldnames = header
    rows = []
    for row_number, row in enumerate(reader, start=2):
        os_id = (row["os_id"] or "").strip()
        if not os_id:
            raise ValidationError("has no os_id", file=path.name, row=row_number, column="os_id")
        if len(os_id) > 24:
            raise ValidationError(
                f"{os_id[:30]!r} is not an Open Supply Hub id",
                file=path.name,
                row=row_number,
                column="os_id",
            )
        lat = _number(row["lat"], "lat", row_number, path.name)
        lng = _number(row["lng"], "lng", row_number, path.name)
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValidationError(
                f"({lat}, {lng}) is not a position on Earth",
                file=path.name,
                row=row_number,
                column="lat",
            )
        address = (row["address"] or "").strip()
        rows.append(
            {
                "os_id": os_id,
                "name": (row["name"] or "").strip() or os_id,
                "address": address,
                "postcode": names.postcode_in(address),
                "country_code": (row["country_code"] or "").strip().upper()[:2] or None,
                "lat": lat,
                "lng": lng,
                "brands": brands(row["contributor (list)"]),
                **{
                    c.replace("number_of_workers", "workers"): (row.get(c) or "").strip() or None
                    for c in OPTIONAL
                    if c not in ("is_closed", "contribution_date")
                },
                "is_closed": _flag(row.get("is_closed")),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class OshImport:
    """What an import found (the command prints these fields)."""

    read: int
    matched: int
    proposed: int
    unmatched: int
    outside_region: int
    closed: int

    def as_dict(self) -> dict[str, int]:
        """The counts by name, as ``sectormap import osh --json`` prints them."""
        return asdict(self)


_PLACE = """
UPDATE osh_load l SET in_region = coalesce(l.country_code, 'GB') = 'GB'
    AND ST_Intersects(l.geom, r.geom)
FROM (SELECT coalesce((SELECT ST_Union(geom) FROM boundary WHERE kind = 'district'),
    ST_MakeEnvelope(:w, :s, :e, :n, 4326)) AS geom) r
"""
_CERTAIN = """
UPDATE osh_load l SET match = 'certain', business_id = b.id, score = 1
FROM business b
WHERE l.in_region AND l.match IS NULL AND l.postcode IS NOT NULL
    AND sectormap_name_key(b.name) = sectormap_name_key(l.name) AND b.postcode = l.postcode
"""
_DECIDED = """
UPDATE osh_load l SET match = CASE d.decision WHEN 'accepted' THEN 'accepted' ELSE 'rejected' END,
    business_id = d.business_id
FROM osh_decision d WHERE d.os_id = l.os_id AND l.in_region AND l.match IS NULL
"""
_ADDED = """
UPDATE osh_load l SET match = 'added', business_id = f.business_id
FROM osh_facility f WHERE f.os_id = l.os_id AND f.match = 'added' AND f.business_id IS NOT NULL
    AND l.match IS NULL
"""
_PROPOSE = """
UPDATE osh_load l SET match = 'proposed', proposed_business_id = best.id, score = best.score
FROM (
    SELECT DISTINCT ON (l2.os_id) l2.os_id, b.id,
        round(CAST(0.7 * similarity(sectormap_name_key(b.name), sectormap_name_key(l2.name))
            + 0.3 * CASE WHEN b.postcode = l2.postcode THEN 1
                ELSE greatest(0, 1 - ST_Distance(b.geom::geography, l2.geom::geography) / :near)
                END AS numeric), 3) AS score
    FROM osh_load l2 JOIN business b
        ON (b.postcode = l2.postcode OR ST_DWithin(b.geom::geography, l2.geom::geography, :near))
    WHERE l2.in_region AND l2.match IS NULL AND b.status <> 'archived'
        AND similarity(sectormap_name_key(b.name), sectormap_name_key(l2.name)) >= :similar
    ORDER BY l2.os_id, score DESC, b.id) best
WHERE best.os_id = l.os_id
"""
_STORE_FACILITIES = """
INSERT INTO osh_facility (os_id, name, address, postcode, country_code, geom, sector, workers,
    parent_company, facility_type, processing_type, is_closed, in_region, match, business_id,
    proposed_business_id, score, first_seen, last_seen)
SELECT os_id, name, address, postcode, country_code, geom, sector, workers, parent_company,
    facility_type, processing_type, is_closed, in_region, coalesce(match, 'unmatched'),
    business_id, proposed_business_id, score, :seen, :seen
FROM osh_load
ON CONFLICT (os_id) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address,
    postcode = EXCLUDED.postcode, country_code = EXCLUDED.country_code, geom = EXCLUDED.geom,
    sector = EXCLUDED.sector, workers = EXCLUDED.workers,
    parent_company = EXCLUDED.parent_company, facility_type = EXCLUDED.facility_type,
    processing_type = EXCLUDED.processing_type, is_closed = EXCLUDED.is_closed,
    in_region = EXCLUDED.in_region, match = EXCLUDED.match, business_id = EXCLUDED.business_id,
    proposed_business_id = EXCLUDED.proposed_business_id, score = EXCLUDED.score,
    last_seen = greatest(osh_facility.last_seen, EXCLUDED.last_seen)
"""
_STORE_BRANDS = """
INSERT INTO brand (brand_key, name)
SELECT DISTINCT ON (brand_key) brand_key, brand FROM osh_brand_load ORDER BY brand_key, brand
ON CONFLICT (brand_key) DO NOTHING
"""
_STORE_FACILITY_BRANDS = """
INSERT INTO facility_brand (os_id, brand_id, first_seen, last_seen)
SELECT DISTINCT l.os_id, b.id, CAST(:seen AS date), CAST(:seen AS date)
FROM osh_brand_load l JOIN brand b ON b.brand_key = l.brand_key
ON CONFLICT (os_id, brand_id) DO UPDATE SET
    last_seen = greatest(facility_brand.last_seen, EXCLUDED.last_seen)
"""


def import_osh(
    bind: Bind,
    user: User,
    path: Path,
    progress: Progress = no_progress,
    *,
    seen: dt.date | None = None,
) -> OshImport:
    """Import one Open Supply Hub download (all or nothing) and match its facilities in the
    region to the register; ``seen`` is the download's date (today by default)."""
    rights.require_importer(
        bind, user, "import Open Supply Hub facilities", object_type="osh_facility"
    )
    if not path.is_file():
        raise ValidationError("does not exist", file=str(path))
    facilities = read_facilities(path)
    if facilities.empty:
        raise ValidationError("has no facilities", file=path.name)
    duplicated = facilities["os_id"].duplicated()
    if duplicated.any():
        row = int(duplicated.idxmax()) + 2
        raise ValidationError(
            f"os_id {facilities['os_id'][row - 2]!r} appears twice",
            file=path.name,
            row=row,
            column="os_id",
        )
    seen = seen or dt.date.today()
    settings = get_settings()
    progress(1, 3, f"matching {len(facilities):,} facilities")
    with transaction(bind) as conn:
        _load(conn, facilities)
        west, south, east, north = settings.region_bounds
        conn.execute(text(_PLACE), {"w": west, "s": south, "e": east, "n": north})
        for step in (_ADDED, _DECIDED, _CERTAIN):
            conn.execute(text(step))
        conn.execute(text(_PROPOSE), {"near": settings.osh_near_metres, "similar": SIMILAR})
        conn.execute(text(_STORE_FACILITIES), {"seen": seen})
        conn.execute(text(_STORE_BRANDS))
        conn.execute(text(_STORE_FACILITY_BRANDS), {"seen": seen})
        counts = conn.execute(
            text(
                "SELECT count(*) AS read, "
                "count(*) FILTER (WHERE match IN ('certain', 'accepted', 'added')) AS matched, "
                "count(*) FILTER (WHERE match = 'proposed') AS proposed, "
                "count(*) FILTER (WHERE in_region AND coalesce(match, 'unmatched') "
                "IN ('unmatched', 'rejected')) AS unmatched, "
                "count(*) FILTER (WHERE NOT in_region) AS outside_region, "
                "count(*) FILTER (WHERE is_closed) AS closed FROM osh_load"
            )
        ).one()
        conn.execute(text("DROP TABLE osh_load, osh_brand_load"))
        result = OshImport(*(int(v) for v in counts))
        audit.imported(
            conn, user, object_type="osh_facility", file=path.name, detail=result.as_dict()
        )
        analyze(conn, "osh_facility", "facility_brand", "brand")
    progress(3, 3, "done")
    return result


def _load(conn: Connection, facilities: pd.DataFrame) -> None:
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE osh_load (os_id text, name text, address text, "
            "postcode text, country_code text, lat float8, lng float8, sector text, "
            "workers text, parent_company text, facility_type text, processing_type text, "
            "is_closed boolean, geom geometry(Point, 4326), in_region boolean, match text, "
            "business_id integer, proposed_business_id integer, score real) ON COMMIT DROP"
        )
    )
    conn.execute(
        text(
            "CREATE TEMPORARY TABLE osh_brand_load (os_id text, brand text, brand_key text) "
            "ON COMMIT DROP"
        )
    )
    columns = [
        "os_id",
        "name",
        "address",
        "postcode",
        "country_code",
        "lat",
        "lng",
        "sector",
        "workers",
        "parent_company",
        "facility_type",
        "processing_type",
        "is_closed",
    ]
    copy_frame(conn, "osh_load", facilities[columns])
    conn.execute(text("UPDATE osh_load SET geom = ST_SetSRID(ST_MakePoint(lng, lat), 4326)"))
    pairs = facilities[["os_id", "brands"]].explode("brands").dropna()
    if not pairs.empty:
        pairs = pairs.rename(columns={"brands": "brand"})
        copy_frame(
            conn, "osh_brand_load", pairs.assign(brand_key=pairs["brand"].map(names.brand_key))
        )


def proposals(bind: Bind, user: User) -> pd.DataFrame:
    """The near matches waiting for an officer: os_id, name, company_number, business_id
    (the proposed business), business (its name), score, and both addresses."""
    rights.require_staff(bind, user, "see Open Supply Hub matches", object_type="osh_facility")
    return read_frame(
        bind,
        """
        SELECT f.os_id, f.name, b.company_number, b.id AS business_id, b.name AS business,
            f.score, f.address, b.address AS business_address, b.postcode
        FROM osh_facility f JOIN business b ON b.id = f.proposed_business_id
        WHERE f.match = 'proposed' ORDER BY f.score DESC, f.os_id
        """,
    )


def unmatched(bind: Bind, user: User) -> pd.DataFrame:
    """Facilities in the region matched to no business (an officer may add them)."""
    rights.require_staff(bind, user, "see Open Supply Hub facilities", object_type="osh_facility")
    return read_frame(
        bind,
        "SELECT os_id, name, address, postcode, sector, workers, is_closed FROM osh_facility "
        "WHERE in_region AND match IN ('unmatched', 'rejected') ORDER BY name",
    )


def _facility(conn: Connection, os_id: str) -> Any:
    row = conn.execute(
        text("SELECT * FROM osh_facility WHERE os_id = :o FOR UPDATE"), {"o": os_id}
    ).one_or_none()
    if row is None:
        raise ValidationError(f"there is no Open Supply Hub facility {os_id!r}", column="os_id")
    return row


def accept(bind: Bind, user: User, os_id: str, business_id: int) -> None:
    """Record that facility ``os_id`` is ``business_id`` (remembered for later downloads)."""
    _decide(bind, user, os_id, business_id)


def reject(bind: Bind, user: User, os_id: str) -> None:
    """Record that the facility's proposed match is wrong (it is not proposed again)."""
    _decide(bind, user, os_id, None)


def _decide(bind: Bind, user: User, os_id: str, business_id: int | None) -> None:
    """Store an officer's decision on a facility (accepted as ``business_id``, or rejected
    when None), apply it to the facility and audit it with what it was before."""
    rights.require_editor(
        bind, user, "decide Open Supply Hub matches", object_type="osh_facility", object_id=os_id
    )
    decision = "rejected" if business_id is None else "accepted"
    with transaction(bind) as conn:
        facility = _facility(conn, os_id)
        if (
            business_id is not None
            and conn.execute(
                text("SELECT 1 FROM business WHERE id = :b"), {"b": business_id}
            ).scalar()
            is None
        ):
            raise ValidationError(f"there is no business with id {business_id}")
        conn.execute(
            text(
                "INSERT INTO osh_decision (os_id, decision, business_id, decided_by) "
                "VALUES (:o, :d, :b, :u) ON CONFLICT (os_id) DO UPDATE SET decision = "
                "EXCLUDED.decision, business_id = EXCLUDED.business_id, "
                "decided_by = EXCLUDED.decided_by, decided_at = now()"
            ),
            {"o": os_id, "d": decision, "b": business_id, "u": user.username},
        )
        conn.execute(
            text(
                "UPDATE osh_facility SET match = :d, business_id = :b, "
                "proposed_business_id = NULL WHERE os_id = :o"
            ),
            {"d": decision, "b": business_id, "o": os_id},
        )
        audit.by(
            conn,
            user,
            "edit",
            object_type="osh_facility",
            object_id=os_id,
            detail={
                "decision": decision,
                "business_id": business_id,
                "was": facility.match,
                "proposed": facility.proposed_business_id,
            },
        )


#: Open Supply Hub sector words → the register's sector (SIC division).
_SECTORS = (
    ("leather", "15"),
    ("footwear", "15"),
    ("textile", "13"),
    ("yarn", "13"),
    ("knit", "13"),
)


def add_to_register(bind: Bind, user: User, os_id: str) -> int:
    """Add an unmatched facility to the register as a business (at the facility's position,
    its source Open Supply Hub); returns the new business's id."""
    rights.require_editor(bind, user, "add businesses", object_type="business")
    with transaction(bind) as conn:
        facility = _facility(conn, os_id)
        if facility.business_id is not None or not facility.in_region:
            raise ValidationError(
                f"facility {os_id} is already matched or outside the region", column="os_id"
            )
        words = f"{facility.sector or ''} {facility.processing_type or ''}".lower()
        sector = next((code for word, code in _SECTORS if word in words), "14")
        business_id = conn.execute(
            text(
                "INSERT INTO business (name, sector, address, postcode, geom, "
                "location_precision, employees_source, first_seen, last_seen) "
                "SELECT name, :sector, address, postcode, geom, 'address', "
                "'Open Supply Hub', current_date, current_date FROM osh_facility "
                "WHERE os_id = :o RETURNING id"
            ),
            {"sector": sector, "o": os_id},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO business_source (business_id, source, reference, first_seen) "
                "VALUES (:b, 'open_supply_hub', :o, current_date)"
            ),
            {"b": business_id, "o": os_id},
        )
        conn.execute(
            text("UPDATE osh_facility SET match = 'added', business_id = :b WHERE os_id = :o"),
            {"b": business_id, "o": os_id},
        )
        audit.by(
            conn,
            user,
            "create",
            object_type="business",
            object_id=business_id,
            detail={"from": f"Open Supply Hub {os_id}"},
        )
    return int(business_id)


def has_facilities(bind: Bind) -> bool:
    """True when any Open Supply Hub facility is held (its attribution is due)."""
    with reading(bind) as conn:
        return bool(conn.execute(text("SELECT EXISTS (SELECT 1 FROM osh_facility)")).scalar())
