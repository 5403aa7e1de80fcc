"""Add, edit and archive businesses, with validation, optimistic locking and the audit trail.

An edit names the version it was based on; the UPDATE only applies to that version, so when two
people edit the same business the second save is refused with a clear message and nothing of
either is lost (the first is saved; the second still has their form to re-apply).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from layers.core import fields, vocab
from layers.core.db import Bind, transaction
from layers.core.errors import ValidationError
from layers.core.settings import get_settings
from layers.people import audit, edits, rights
from layers.people.identity import User
from layers.reference.postcodes import normalise_postcode
from layers.register.businesses.records import LONGEST, MOST_EMPLOYEES

_COMPANY_NUMBER = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")


@dataclass
class BusinessForm:
    """What a person enters for a business."""

    name: str
    sector: str
    activity: str = "other"
    trading_name: str = ""
    company_number: str = ""
    sic_codes: list[str] = field(default_factory=list)
    address: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None
    #: How the given lat/lon were found (kept on edit); ignored when placed by postcode.
    location_precision: str = "manual"
    site_id: int | None = None
    unit_id: int | None = None
    employees_estimate: int | None = None
    employees_low: int | None = None
    employees_high: int | None = None
    employees_source: str = ""
    status: str = "active"
    accreditations: list[str] = field(default_factory=list)
    allow_outside_region: bool = False


def _rule(column: str, value: object, reader: Callable[[object], Any]) -> Any:
    """``reader(value)``, or a ``ValidationError`` naming ``column`` with the rule's reason."""
    try:
        return reader(value)
    except ValueError as exc:
        raise ValidationError(str(exc), column=column) from None


def _clean(conn: Connection, form: BusinessForm) -> dict[str, Any]:
    """Check a form; return the values to store, or raise ``ValidationError`` naming the field.
    Text and employee numbers follow the same rules as every import (``core.fields``)."""
    name = _rule("name", form.name, lambda v: fields.check_text(v, longest=LONGEST["name"]))
    if not name:
        raise ValidationError("a business needs a name", column="name")
    trading_name = _rule(
        "trading_name",
        form.trading_name,
        lambda v: fields.check_text(v, longest=LONGEST["trading_name"]),
    )
    address = _rule(
        "address", form.address, lambda v: fields.check_text(v, longest=LONGEST["address"])
    )
    if form.sector not in vocab.SECTORS:
        raise ValidationError(f"unknown sector {form.sector!r}", column="sector")
    if form.activity not in vocab.ACTIVITIES:
        raise ValidationError(f"unknown activity {form.activity!r}", column="activity")
    if form.status not in vocab.BUSINESS_STATUSES:
        raise ValidationError(f"unknown status {form.status!r}", column="status")
    number = form.company_number.strip().upper() or None
    if number and number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    if number and not _COMPANY_NUMBER.match(number):
        raise ValidationError(
            f"{form.company_number!r} is not a company number (8 digits, or 2 "
            "letters and 6 digits)",
            column="company_number",
        )
    for code in form.sic_codes:
        if not re.fullmatch(r"\d{5}", code):
            raise ValidationError(f"{code!r} is not a 5-digit SIC code", column="sic_codes")
    postcode = None
    if form.postcode.strip():
        postcode = normalise_postcode(form.postcode)
        if postcode is None:
            raise ValidationError(f"{form.postcode!r} is not a UK postcode", column="postcode")
    lat, lon = form.lat, form.lon
    precision = (
        form.location_precision
        if form.location_precision in vocab.LOCATION_PRECISIONS
        else "manual"
    )
    if lat is None or lon is None:
        if postcode is None:
            raise ValidationError(
                "give a postcode, or place the business on the map", column="postcode"
            )
        point = conn.execute(
            text("SELECT ST_Y(geom), ST_X(geom) FROM postcode WHERE postcode = :p"), {"p": postcode}
        ).first()
        if point is None:
            raise ValidationError(
                f"{postcode} is not in the postcode directory; check it, or "
                "place the business on the map",
                column="postcode",
            )
        lat, lon, precision = point[0], point[1], "postcode"
    west, south, east, north = get_settings().region_bounds
    if not (west <= lon <= east and south <= lat <= north) and not form.allow_outside_region:
        raise ValidationError(
            f"the point ({lat:.5f}, {lon:.5f}) is outside Leicester and "
            "Leicestershire; tick 'outside the region' if that is right",
            column="location",
        )
    if form.unit_id is not None:
        unit_site = conn.execute(
            text("SELECT site_id FROM unit WHERE id = :u"), {"u": form.unit_id}
        ).scalar()
        if unit_site is None or unit_site != form.site_id:
            raise ValidationError("that unit is not in the chosen building", column="unit")
    low, estimate, high = (
        _rule(column, value, lambda v: fields.read_count(v, most=MOST_EMPLOYEES))
        for column, value in (
            ("employees_low", form.employees_low),
            ("employees_estimate", form.employees_estimate),
            ("employees_high", form.employees_high),
        )
    )
    given = [n for n in (low, estimate, high) if n is not None]
    if given != sorted(given):
        raise ValidationError("employees: low ≤ estimate ≤ high, none negative", column="employees")
    return {
        "name": name,
        "trading_name": trading_name,
        "company_number": number,
        "sic_codes": form.sic_codes,
        "sector": form.sector,
        "activity": form.activity,
        "address": address or "",
        "postcode": postcode,
        "lat": lat,
        "lon": lon,
        "precision": precision,
        "site_id": form.site_id,
        "unit_id": form.unit_id,
        "employees_estimate": estimate,
        "employees_low": low,
        "employees_high": high,
        "employees_source": form.employees_source.strip() or None,
        "status": form.status,
        "accreditations": form.accreditations,
    }


_COLUMNS = """name = :name, trading_name = :trading_name, company_number = :company_number,
    sic_codes = CAST(:sic_codes AS varchar(5)[]), sector = :sector, activity = :activity,
    address = :address, postcode = :postcode,
    geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), location_precision = :precision,
    site_id = :site_id, unit_id = :unit_id, employees_estimate = :employees_estimate,
    employees_low = :employees_low, employees_high = :employees_high,
    employees_source = :employees_source, status = :status,
    accreditations = CAST(:accreditations AS text[])"""


_INSERT = """
INSERT INTO business (name, trading_name, company_number, sic_codes, sector, activity, address,
    postcode, geom, location_precision, site_id, unit_id, employees_estimate, employees_low,
    employees_high, employees_source, status, accreditations, first_seen, last_seen)
VALUES (:name, :trading_name, :company_number, CAST(:sic_codes AS varchar(5)[]), :sector,
    :activity, :address, :postcode, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :precision,
    :site_id, :unit_id, :employees_estimate, :employees_low, :employees_high, :employees_source,
    :status, CAST(:accreditations AS text[]), current_date, current_date)
RETURNING id
"""


def _snapshot(conn: Connection, business_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(
            text(
                "SELECT name, trading_name, company_number, sic_codes, sector, activity, address, "
                "postcode, ST_AsText(geom) AS point, site_id, unit_id, employees_estimate, status, "
                "accreditations, version FROM business WHERE id = :id"
            ),
            {"id": business_id},
        )
        .mappings()
        .first()
    )
    return {k: (v if not isinstance(v, list) else list(v)) for k, v in row.items()} if row else None


def _unique_number(conn: Connection, values: dict[str, Any], business_id: int | None) -> None:
    if (
        values["company_number"]
        and conn.execute(
            text("SELECT 1 FROM business WHERE company_number = :n AND id IS DISTINCT FROM :id"),
            {"n": values["company_number"], "id": business_id},
        ).first()
    ):
        raise ValidationError(
            f"company number {values['company_number']} is already in the "
            "register; search for it instead",
            column="company_number",
        )


def create_business(bind: Bind, user: User, form: BusinessForm) -> int:
    """Add a business; returns its id. Refused (audited) for a role that may not change
    records; written to the audit log."""
    rights.require_editor(bind, user, "add businesses", object_type="business")
    with transaction(bind) as conn:
        values = _clean(conn, form)
        _unique_number(conn, values, None)
        business_id = int(conn.execute(text(_INSERT), values).scalar_one())
        audit.by(
            conn,
            user,
            "create",
            object_type="business",
            object_id=business_id,
            detail={"after": _snapshot(conn, business_id)},
        )
    return business_id


def update_business(
    bind: Bind, user: User, business_id: int, expected_version: int, form: BusinessForm
) -> int:
    """Save an edit made to version ``expected_version``; returns the new version.

    Raises ``ConflictError`` when someone else saved the business since that version, and
    ``AccessDeniedError`` (audited) for a role that may not change records.
    """
    rights.require_editor(
        bind, user, "change businesses", object_type="business", object_id=business_id
    )
    with transaction(bind) as conn:
        values = _clean(conn, form)
        _unique_number(conn, values, business_id)
        return edits.save_versioned(
            conn,
            user,
            table="business",
            row_id=business_id,
            expected_version=expected_version,
            update=f"UPDATE business SET {_COLUMNS} "  # noqa: S608 - fixed column list, values bound
            "WHERE id = :id AND version = :version RETURNING version",
            params=values,
            snapshot=_snapshot,
        )


def archive_business(bind: Bind, user: User, business_id: int, expected_version: int) -> None:
    """Archive a business (kept, but no longer shown), under the same locking and rights."""
    rights.require_editor(
        bind, user, "archive businesses", object_type="business", object_id=business_id
    )
    with transaction(bind) as conn:
        edits.save_versioned(
            conn,
            user,
            table="business",
            row_id=business_id,
            expected_version=expected_version,
            update="UPDATE business SET status = 'archived' WHERE id = :id "
            "AND version = :version RETURNING version",
            snapshot=_snapshot,
            action="archive",
        )


def form_of(details: dict[str, Any]) -> BusinessForm:
    """A form filled with a business's current values (from ``profiles.business_profile``)."""
    known = {f: details.get(f) for f in BusinessForm.__dataclass_fields__ if f in details}
    form = BusinessForm(**{k: v for k, v in known.items() if v is not None})
    form.sic_codes = list(details.get("sic_codes") or [])
    form.accreditations = list(details.get("accreditations") or [])
    for key in ("trading_name", "company_number", "address", "postcode", "employees_source"):
        setattr(form, key, details.get(key) or "")
    return form
