"""Import businesses: read in chunks, validate, stage with COPY, geocode, match, then insert or
update, all in one transaction.

- Geocoding uses the postcode table (postcodes normalised first; a postcode terminated since an
  older release still geocodes); when the full postcode is unknown the postcode sector's centroid
  (of its live postcodes) is used and the lower precision is recorded; a record with no
  coordinates at all is rejected with the reason.
- Matching: company number first, then the normalised name (``sectormap_name_key``) and postcode.
  A match is updated (only when something changed); anything else is inserted. Nothing is ever
  duplicated, so importing the same file twice inserts nothing the second time.
- Good rows are committed; rejected rows come back as a report (row, column, value, reason). A
  failure midway rolls everything back. ``dry_run`` does all the work and rolls it back, so its
  counts say exactly what an import would do.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, text

from layers.core.bulk import analyze, copy_frame, pg_array
from layers.core.cells import neutralise_frame
from layers.core.db import Bind, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.core.settings import get_settings
from layers.people import audit, rights
from layers.people.identity import User
from layers.register.businesses import readers
from layers.register.businesses.records import REJECT_COLUMNS, validate

log = logging.getLogger(__name__)

#: Each list a format stands for, recorded as a source that knows the business.
SOURCE_OF_FORMAT = {"companies-house": "companies_register"}

_STAGING = """
CREATE TEMP TABLE business_import (
    row integer, name text, trading_name text, company_number text, sic_codes text[],
    sector text, activity text, address text, postcode text, lat float8, lon float8,
    employees_estimate integer, employees_low integer, employees_high integer, status text,
    first_seen date, precision text, business_id integer, is_new boolean DEFAULT false,
    moved_away boolean DEFAULT false
)
"""
_STAGED_COLUMNS = [
    "row",
    "name",
    "trading_name",
    "company_number",
    "sic_codes",
    "sector",
    "activity",
    "address",
    "postcode",
    "lat",
    "lon",
    "employees_estimate",
    "employees_low",
    "employees_high",
    "status",
    "first_seen",
    "moved_away",
    "precision",
]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    file: str
    format: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    #: Known companies whose registered office moved out of the area (updated, kept).
    moved_away: int = 0
    #: Companies of the register absent from a full snapshot (marked dissolved).
    gone: int = 0
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        """How many rows were rejected."""
        return len(self.rejects)

    def summary(self) -> dict[str, object]:
        """The counts as plain values (the command line's ``--json``)."""
        return {
            "file": self.file,
            "format": self.format,
            "dry_run": self.dry_run,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "moved_away": self.moved_away,
            "gone": self.gone,
        }


def _moved_away(conn: Connection, today: dt.date) -> tuple[int, int, int]:
    """Apply the staged companies whose registered office is now outside the area: a known one
    is updated with its new address and marked as moved away (out of the area's counts, its
    point kept); an unknown one is skipped. Returns (moved now, already moved, skipped)."""
    rows = conn.execute(
        text(
            "WITH moved AS (DELETE FROM business_import WHERE moved_away RETURNING *), "
            "known AS (SELECT m.*, b.id AS known_id, b.status AS was FROM moved m "
            "  LEFT JOIN business b ON b.company_number = m.company_number), "
            "changed AS (UPDATE business b SET status = 'moved_away', postcode = k.postcode, "
            "  address = CASE WHEN k.address <> '' THEN k.address ELSE b.address END, "
            "  last_seen = :today FROM known k WHERE b.id = k.known_id "
            "  AND b.status NOT IN ('moved_away', 'archived') RETURNING b.id) "
            "SELECT (SELECT count(*) FROM changed), "
            "  (SELECT count(*) FROM known WHERE known_id IS NOT NULL) - "
            "  (SELECT count(*) FROM changed), (SELECT count(*) FROM known WHERE known_id IS NULL)"
        ),
        {"today": today},
    ).one()
    return int(rows[0]), int(rows[1]), int(rows[2])


def _register_numbers(conn: Connection) -> frozenset[str]:
    """The company numbers of the register's businesses that came from Companies House."""
    return frozenset(
        conn.execute(
            text(
                "SELECT b.company_number FROM business b JOIN business_source s "
                "ON s.business_id = b.id AND s.source = 'companies_register' "
                "WHERE b.company_number IS NOT NULL"
            )
        ).scalars()
    )


def _gone(conn: Connection, seen: set[str], snapshot: dt.date) -> int:
    """Mark the register's Companies House companies absent from a full snapshot as dissolved
    (gone from the register), with the snapshot's date; returns how many."""
    return int(
        conn.execute(
            text(
                "WITH gone AS (UPDATE business b SET status = 'dissolved', "
                "left_register_on = :snapshot WHERE b.company_number IS NOT NULL "
                "AND b.company_number <> ALL(:seen) "
                "AND b.status NOT IN ('dissolved', 'archived') AND EXISTS (SELECT 1 FROM "
                "business_source s WHERE s.business_id = b.id AND s.source = "
                "'companies_register') RETURNING 1) SELECT count(*) FROM gone"
            ),
            {"snapshot": snapshot, "seen": sorted(seen)},
        ).scalar_one()
    )


def snapshot_date(path: Path) -> dt.date | None:
    """The date in a Companies House product's file name (BasicCompanyData-2026-11-01.csv)."""
    found = re.search(r"(\d{4})-(\d{2})-(\d{2})", path.name)
    if found is None:
        return None
    try:
        return dt.date(*(int(g) for g in found.groups()))
    except ValueError:
        return None


def _check_full_snapshot(path: Path, chosen: str) -> dt.date:
    """The snapshot's date, or a refusal: only the whole Companies House product (not one of
    its parts, not another list) may mark companies as gone."""
    if chosen != "companies-house":
        raise ValidationError(
            "--full-snapshot is for the Companies House company data product only",
            file=path.name,
        )
    part = re.search(r"part(\d+)_(\d+)", path.name, re.IGNORECASE)
    if part is not None and int(part.group(2)) > 1:
        raise ValidationError(
            f"is part {part.group(1)} of {part.group(2)} of the product, not a full snapshot: "
            "import the single whole file with --full-snapshot",
            file=path.name,
        )
    return snapshot_date(path) or dt.date.today()


def _estimate_rows(path: Path) -> int:
    """Data rows of a text file, counted by line ends (for the progress bar only)."""
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
    return max(lines - 1, 1)


def _to_int(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def _stage(conn: Connection, good: pd.DataFrame) -> None:
    frame = good.reindex(columns=_STAGED_COLUMNS)
    frame["sic_codes"] = [
        pg_array(codes if isinstance(codes, list) else []) for codes in frame["sic_codes"]
    ]
    for column in ("employees_estimate", "employees_low", "employees_high"):
        frame[column] = _to_int(frame[column])
    copy_frame(conn, "business_import", frame)


_SECTOR_CENTROIDS = """
WITH wanted AS (
    SELECT DISTINCT split_part(postcode, ' ', 1) AS outward,
        left(split_part(postcode, ' ', 2), 1) AS digit
    FROM business_import WHERE precision IS NULL AND postcode IS NOT NULL),
sectors AS (
    -- the live postcodes of the sector when it has any, else the terminated ones
    SELECT w.outward, w.digit, ST_Centroid(coalesce(
        ST_Collect(p.geom) FILTER (WHERE NOT p.terminated), ST_Collect(p.geom))) AS geom
    FROM wanted w JOIN postcode p ON split_part(p.postcode, ' ', 1) = w.outward
        AND left(split_part(p.postcode, ' ', 2), 1) = w.digit
    GROUP BY 1, 2)
UPDATE business_import s
SET lat = ST_Y(c.geom), lon = ST_X(c.geom), precision = 'postcode_sector'
FROM sectors c
WHERE s.precision IS NULL AND split_part(s.postcode, ' ', 1) = c.outward
    AND left(split_part(s.postcode, ' ', 2), 1) = c.digit
"""


def _geocode(conn: Connection) -> None:
    """Place records without coordinates at their postcode, else at their postcode sector."""
    conn.execute(
        text(
            "UPDATE business_import s SET lat = ST_Y(p.geom), lon = ST_X(p.geom), "
            "precision = 'postcode' FROM postcode p "
            "WHERE s.precision IS NULL AND p.postcode = s.postcode"
        )
    )
    conn.execute(text(_SECTOR_CENTROIDS))


def _ungeocoded(conn: Connection, column: str) -> pd.DataFrame:
    frame = pd.read_sql(
        text(
            "DELETE FROM business_import WHERE precision IS NULL RETURNING row, postcode AS value"
        ),
        conn,
    )
    return frame.assign(
        column=column,
        reason=lambda f: [
            f"postcode {v} is not in the postcode directory, and neither is its sector"
            for v in f["value"]
        ],
    )[REJECT_COLUMNS]


def _match(conn: Connection, column: str) -> pd.DataFrame:
    """Find each staged record's business; reject a second record that matches the same one."""
    conn.execute(
        text(
            "UPDATE business_import s SET business_id = b.id FROM business b "
            "WHERE s.company_number IS NOT NULL AND b.company_number = s.company_number"
        )
    )
    conn.execute(
        text(
            "UPDATE business_import s SET business_id = b.id FROM business b "
            "WHERE s.business_id IS NULL AND b.postcode = s.postcode "
            "AND sectormap_name_key(b.name) = sectormap_name_key(s.name) "
            "AND (b.company_number IS NULL OR s.company_number IS NULL)"
        )
    )
    twins = pd.read_sql(
        text(
            "WITH ranked AS (SELECT row, name, business_id, "
            "  min(row) OVER (PARTITION BY business_id) AS first "
            "  FROM business_import WHERE business_id IS NOT NULL) "
            "DELETE FROM business_import s USING ranked r WHERE s.row = r.row AND r.row > r.first "
            "RETURNING s.row, s.name AS value, r.first"
        ),
        conn,
    )
    # Two new records of one business in the file (no company number to tell them apart): the
    # first is kept, the others are repeats.
    repeats = pd.read_sql(
        text(
            "WITH ranked AS (SELECT row, min(row) OVER (PARTITION BY sectormap_name_key(name), "
            "  postcode) AS first FROM business_import "
            "  WHERE business_id IS NULL AND postcode IS NOT NULL) "
            "DELETE FROM business_import s USING ranked r WHERE s.row = r.row "
            "AND r.row > r.first AND s.company_number IS NULL "
            "RETURNING s.row, s.name AS value, r.first"
        ),
        conn,
    )
    return pd.concat(
        [
            twins.assign(reason=[f"matches the same business as row {f}" for f in twins["first"]]),
            repeats.assign(
                reason=[
                    f"a repeat of row {f} (the same name and postcode, no company number)"
                    for f in repeats["first"]
                ]
            ),
        ],
        ignore_index=True,
    ).assign(column=column)[REJECT_COLUMNS]


_UPDATE_CHANGED = """
UPDATE business b SET
    name = s.name,
    trading_name = coalesce(s.trading_name, b.trading_name),
    company_number = coalesce(s.company_number, b.company_number),
    sic_codes = CASE WHEN cardinality(s.sic_codes) > 0 THEN s.sic_codes ELSE b.sic_codes END,
    sector = coalesce(s.sector, b.sector),
    activity = coalesce(s.activity, b.activity),
    address = CASE WHEN s.address <> '' THEN s.address ELSE b.address END,
    postcode = coalesce(s.postcode, b.postcode),
    geom = ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326),
    location_precision = s.precision,
    employees_estimate = coalesce(s.employees_estimate, b.employees_estimate),
    employees_low = coalesce(s.employees_low, b.employees_low),
    employees_high = coalesce(s.employees_high, b.employees_high),
    status = coalesce(s.status, b.status),
    first_seen = coalesce(s.first_seen, b.first_seen),
    last_seen = :today
FROM business_import s
WHERE b.id = s.business_id AND (
    b.name IS DISTINCT FROM s.name
    OR (s.trading_name IS NOT NULL AND b.trading_name IS DISTINCT FROM s.trading_name)
    OR (s.company_number IS NOT NULL AND b.company_number IS DISTINCT FROM s.company_number)
    OR (cardinality(s.sic_codes) > 0 AND b.sic_codes::text[] IS DISTINCT FROM s.sic_codes)
    OR (s.sector IS NOT NULL AND b.sector IS DISTINCT FROM s.sector)
    OR (s.activity IS NOT NULL AND b.activity IS DISTINCT FROM s.activity)
    OR (s.address <> '' AND b.address IS DISTINCT FROM s.address)
    OR (s.postcode IS NOT NULL AND b.postcode IS DISTINCT FROM s.postcode)
    OR NOT ST_Equals(b.geom, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326))
    OR (s.employees_estimate IS NOT NULL
        AND b.employees_estimate IS DISTINCT FROM s.employees_estimate)
    OR (s.status IS NOT NULL AND b.status IS DISTINCT FROM s.status)
    OR (s.first_seen IS NOT NULL AND b.first_seen IS DISTINCT FROM s.first_seen))
"""

_INSERT_NEW = """
INSERT INTO business (id, name, trading_name, company_number, sic_codes, sector, activity,
    address, postcode, geom, location_precision, employees_estimate, employees_low,
    employees_high, status, first_seen, last_seen)
SELECT business_id, name, trading_name, company_number, sic_codes, sector,
    coalesce(activity, 'other'), address,
    postcode, ST_SetSRID(ST_MakePoint(lon, lat), 4326), precision, employees_estimate,
    employees_low, employees_high, coalesce(status, 'active'), first_seen, :today
FROM business_import WHERE is_new
"""


def _sectorless(conn: Connection, column: str) -> pd.DataFrame:
    """Reject new businesses that have neither a SIC code of the sector nor a sector."""
    frame = pd.read_sql(
        text(
            "DELETE FROM business_import WHERE business_id IS NULL AND sector IS NULL "
            "RETURNING row, name AS value"
        ),
        conn,
    )
    return frame.assign(
        column=column,
        reason="a new business needs a SIC code of the sector "
        "or a sector (13, 14, 15, 46.41, 46.42)",
    )[REJECT_COLUMNS]


def _apply(conn: Connection, source: str | None, today: dt.date) -> tuple[int, int]:
    """Update matched businesses that changed and insert the rest; returns (inserted, updated)."""
    updated = conn.execute(text(_UPDATE_CHANGED), {"today": today}).rowcount
    conn.execute(
        text(
            "UPDATE business_import SET is_new = true, "
            "business_id = nextval(pg_get_serial_sequence('business', 'id')) "
            "WHERE business_id IS NULL"
        )
    )
    inserted = conn.execute(text(_INSERT_NEW), {"today": today}).rowcount
    if source:
        conn.execute(
            text(
                "INSERT INTO business_source (business_id, source, reference, first_seen) "
                "SELECT business_id, :source, company_number, :today FROM business_import "
                "ON CONFLICT (business_id, source) DO NOTHING"
            ),
            {"source": source, "today": today},
        )
    return inserted, updated


def import_businesses(
    bind: Bind,
    user: User,
    path: Path,
    *,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
    rejects_to: Path | None = None,
    full_snapshot: bool = False,
) -> ImportResult:
    """Import a file of businesses for ``user``; see the module docstring. A role that may not
    import (``access.can_import``) is refused, and the refusal audited, before the file is read.

    Parameters
    ----------
    format
        ``auto`` (from the extension and header), ``companies-house``, ``csv``, ``xlsx``,
        ``geojson`` or ``gpkg``.
    mapping
        For csv, xlsx, geojson and gpkg: field → column of the file (``records.FIELDS``); by
        default the columns named like the fields.
    dry_run
        Do everything, report the counts, and roll it all back.
    full_snapshot
        The file is the whole monthly Companies House product: the register's Companies House
        companies absent from it are marked as gone (dissolved or struck off) on its date. A
        part of the product, or any other list, is refused with this option.
    rejects_to
        Where to write the rejected rows (neutralised CSV) when there are any: written before
        the import commits, so a report that cannot be written leaves nothing imported.
    """
    rights.require_importer(bind, user, "import businesses", object_type="business")
    settings = get_settings()
    chosen = readers.detect_format(path) if format == "auto" else format
    snapshot = _check_full_snapshot(path, chosen) if full_snapshot else None
    source = readers.Source(path, chosen, dict(mapping or {}))
    result = ImportResult(file=path.name, format=chosen, dry_run=dry_run)
    total = _estimate_rows(path) if chosen in ("companies-house", "csv") else 1
    rejects = []
    try:
        with transaction(bind) as conn:
            # One import of the register at a time: two at once would both insert what neither
            # could yet see. The second waits for the first to commit, then matches against it.
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext('sectormap:business-import'))")
            )
            conn.execute(text(_STAGING))
            watch = _register_numbers(conn) if snapshot else frozenset()
            seen: set[str] = set()
            for chunk in readers.chunks(
                source, sector_prefixes=settings.sector_sic_prefixes, watch=watch
            ):
                seen |= chunk.attrs.get("seen", set())
                # Rows with the wrong number of fields were not parsed; they are rejected.
                ragged = pd.DataFrame(chunk.attrs.get("ragged", []), columns=REJECT_COLUMNS)
                rejects.append(ragged)
                result.read += len(chunk) + len(ragged) + int(chunk.attrs.get("skipped", 0))
                checked = validate(
                    chunk,
                    sector_prefixes=settings.sector_sic_prefixes,
                    postcode_areas=settings.postcode_areas,
                    column_names=source.column_names,
                    region=settings.region_bounds,
                )
                result.skipped += checked.skipped + int(chunk.attrs.get("skipped", 0))
                rejects.append(checked.rejects)
                _stage(conn, checked.good)
                total = max(total, result.read)
                progress(result.read, total, f"{result.read:,} rows read")
            moved, already, unknown = _moved_away(conn, dt.date.today())
            result.moved_away, result.unchanged = moved, already
            result.skipped += unknown
            postcode_column = source.column_names.get("postcode", "postcode")
            _geocode(conn)
            rejects.append(_ungeocoded(conn, postcode_column))
            rejects.append(_match(conn, source.column_names.get("name", "name")))
            rejects.append(_sectorless(conn, source.column_names.get("sector", "sector")))
            matched = conn.execute(
                text("SELECT count(*) FROM business_import WHERE business_id IS NOT NULL")
            ).scalar_one()
            result.inserted, result.updated = _apply(
                conn, SOURCE_OF_FORMAT.get(chosen), dt.date.today()
            )
            # Moved companies count as updated (or unchanged when they had moved already).
            result.unchanged += int(matched) - result.updated
            result.updated += result.moved_away
            if snapshot is not None:
                result.gone = _gone(conn, seen, snapshot)
            result.rejects = pd.concat(
                [r for r in rejects if len(r)] or [result.rejects], ignore_index=True
            ).sort_values("row", ignore_index=True)
            conn.execute(text("DROP TABLE business_import"))
            if rejects_to is not None and len(result.rejects):
                neutralise_frame(result.rejects).to_csv(rejects_to, index=False)
            if dry_run:
                raise _DryRun
            audit.imported(
                conn, user, object_type="business", file=path.name, detail=result.summary()
            )
            analyze(conn, "business", "business_source", "business_grid_summary")
            conn.execute(
                text(
                    "INSERT INTO import_run (kind, file_name, username, counts) "
                    "VALUES ('businesses', :file, :user, CAST(:counts AS jsonb))"
                ),
                {
                    "file": path.name,
                    "user": user.username,
                    "counts": pd.Series(result.summary()).to_json(),
                },
            )
    except _DryRun:
        pass
    progress(total, total, "done")
    log.info(
        "%s: %s",
        path.name,
        ", ".join(
            f"{k} {v:,}"
            for k, v in result.summary().items()
            if isinstance(v, int) and not isinstance(v, bool)
        ),
    )
    return result
