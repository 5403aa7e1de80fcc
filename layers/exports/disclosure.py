"""The disclosure bundle: everything Sectormap holds on one business or building, for a request
about it (a subject access request, a court order, a partner's lawful request).

The register record and its edit history, its units and tenancies, visits with their ratings,
referrals, and intelligence reports as far as the administrator preparing it may read them;
those withheld are listed with their handling code and owning agency, never their content. A
zip of CSV files and one JSON file, with a printable PDF summary and a README saying who
prepared it, when, why and for whom. Administrators only; audited with the justification.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from sqlalchemy import text

from layers.core import pdf_pages
from layers.core.cells import neutralise_frame
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import ValidationError
from layers.people import access, audit, rights
from layers.people.identity import User


@dataclass(frozen=True)
class Subject:
    """What the bundle is about: a business or a site, by its id."""

    kind: str  # "business" or "site"
    id: int
    name: str


def find_business(bind: Bind, value: str) -> Subject:
    """The business whose company number is ``value``, else whose id it is; a clear
    ``ValidationError`` when there is none."""
    cleaned = value.strip().upper()
    with reading(bind) as conn:
        row = conn.execute(
            text("SELECT id, name FROM business WHERE company_number = :n"), {"n": cleaned}
        ).first()
        if row is None and cleaned.isdigit() and len(cleaned) < 10:
            row = conn.execute(
                text("SELECT id, name FROM business WHERE id = :i"), {"i": int(cleaned)}
            ).first()
    if row is None:
        raise ValidationError(
            f"no business has the company number or id {value.strip()[:20]!r}", column="--business"
        )
    return Subject("business", int(row.id), str(row.name))


def find(bind: Bind, kind: str, subject_id: int) -> Subject:
    """The business or site (``kind``) with id ``subject_id``."""
    if kind not in ("business", "site"):
        raise ValueError(f"not a kind of subject: {kind!r}")
    with reading(bind) as conn:
        row = conn.execute(
            text(f"SELECT id, name FROM {kind} WHERE id = :i"),  # noqa: S608 - kind checked above
            {"i": subject_id},
        ).first()
    if row is None:
        raise ValidationError(f"there is no {kind} {subject_id}", column=f"--{kind}")
    return Subject(kind, int(row.id), str(row.name))


def _tables(bind: Bind, admin: User, subject: Subject) -> dict[str, pd.DataFrame]:
    """Every table of the bundle, keyed by file name (without extension)."""
    is_business = subject.kind == "business"
    record = read_frame(
        bind,
        (
            "SELECT b.*, ST_Y(b.geom) AS lat, ST_X(b.geom) AS lon FROM business b WHERE b.id = :id"
            if is_business
            else "SELECT s.*, ST_AsText(s.geom) AS footprint_wkt FROM site s WHERE s.id = :id"
        ),
        {"id": subject.id},
    ).drop(columns="geom")
    history = read_frame(
        bind,
        "SELECT at, username, action, detail::text AS detail FROM audit_log "
        "WHERE object_type = :kind AND object_id = :id_text ORDER BY chain",
        {"kind": subject.kind, "id_text": str(subject.id)},
    )
    # Each query serves both kinds of subject: :business picks the condition.
    key = {"id": subject.id, "business": is_business}
    tenancies = read_frame(
        bind,
        "SELECT t.id, s.name AS site, u.label AS unit, u.floor, b.name AS business, "
        "t.start_date, t.end_date FROM tenancy t JOIN unit u ON u.id = t.unit_id "
        "JOIN site s ON s.id = u.site_id JOIN business b ON b.id = t.business_id "
        "WHERE CASE WHEN :business THEN t.business_id = :id ELSE u.site_id = :id END "
        "ORDER BY t.start_date, t.id",
        key,
    )
    units = read_frame(
        bind,
        "SELECT u.id, u.label, u.floor, u.floor_area_m2 FROM unit u WHERE CASE WHEN :business "
        "THEN u.id IN (SELECT unit_id FROM tenancy WHERE business_id = :id) "
        "ELSE u.site_id = :id END ORDER BY u.floor, u.label",
        key,
    )
    visits = read_frame(
        bind,
        "SELECT v.id, v.visit_date, array_to_string(v.agencies, ', ') AS agencies, "
        "v.operation_name, v.visit_type, v.workers_present, v.outcome, v.findings, "
        "v.follow_up_date, v.score_pay_hours, v.score_health_safety, v.score_contracts, "
        "v.score_management, v.rating, v.rating_pending, v.right_to_reply, "
        "u.username AS officer FROM visit v LEFT JOIN app_user u ON u.id = v.officer_id "
        "WHERE CASE WHEN :business THEN v.business_id = :id ELSE v.site_id = :id END "
        "ORDER BY v.visit_date, v.id",
        key,
    )
    condition, params = access.readable_reports_sql(admin)
    reports = read_frame(
        bind,
        f"SELECT r.id, {condition} AS readable, r.received_date, r.source_type, r.category, "  # noqa: S608 - condition from access
        "r.status, r.source_evaluation, r.intelligence_assessment, r.handling_code, "
        "r.handling_conditions, r.owning_agency, r.narrative, r.disposed_at, r.disposal_reason "
        "FROM report r WHERE CASE WHEN :business THEN r.business_id = :id "
        "ELSE r.site_id = :id END ORDER BY r.received_date, r.id",
        {**params, **key},
    )
    readable = reports["readable"].astype(bool)
    withheld = reports.loc[~readable, ["id", "handling_code", "owning_agency"]].assign(
        withheld=f"not readable by {admin.username} (need to know)"
    )
    referrals = read_frame(
        bind,
        "SELECT f.id, f.visit_id, f.report_id, f.agency_code, f.reason, f.referred_at, f.status, "
        "f.response, f.response_at FROM referral f WHERE f.visit_id = ANY(:visits) "
        "OR f.report_id = ANY(:reports) ORDER BY f.referred_at, f.id",
        {
            "visits": [int(i) for i in visits["id"]],
            "reports": [int(i) for i in reports.loc[readable, "id"]],
        },
    )
    return {
        subject.kind: record,
        "edit_history": history,
        "units": units,
        "tenancies": tenancies,
        "visits": visits,
        "referrals": referrals,
        "reports": reports.loc[readable].drop(columns="readable"),
        "reports_withheld": withheld,
    }


def _summary_pdf(subject: Subject, tables: dict[str, pd.DataFrame], lines: list[str]) -> bytes:
    contents = ", ".join(
        f"{name.replace('_', ' ')} ({len(frame):,})" for name, frame in tables.items()
    )
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        pdf_pages.text_page(
            pdf,
            f"Disclosure: {subject.name} ({subject.kind} {subject.id})",
            [
                *lines,
                "What the bundle holds: " + contents,
            ],
        )
        pdf_pages.table_page(
            pdf, "Visits", tables["visits"][["id", "visit_date", "visit_type", "outcome", "rating"]]
        )
        pdf_pages.table_page(
            pdf,
            "Intelligence reports disclosed (content in reports.csv)",
            tables["reports"][["id", "received_date", "category", "status", "handling_code"]],
        )
        pdf_pages.table_page(pdf, "Intelligence reports withheld", tables["reports_withheld"])
        pdf_pages.table_page(
            pdf, "Tenancies", tables["tenancies"].drop(columns="id", errors="ignore")
        )
    return buffer.getvalue()


def _json_ready(frame: pd.DataFrame) -> list[dict[str, object]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def bundle(
    bind: Bind,
    admin: User,
    subject: Subject,
    *,
    justification: audit.Justification | None,
    attribution: list[str],
) -> tuple[bytes, str]:
    """The disclosure bundle of ``subject`` as a zip, and its file name. Administrators only
    (refused and audited otherwise); needs a justification, audited with it and with the
    reports disclosed and withheld."""
    rights.require_admin(
        bind, admin, "prepare disclosure bundles", object_type=subject.kind, object_id=subject.id
    )
    justification = audit.justified(justification, "preparing a disclosure bundle")
    tables = _tables(bind, admin, subject)
    stamp = dt.datetime.now(dt.UTC)
    lines = [
        f"Prepared by {admin.username} ({admin.full_name}) at {stamp:%Y-%m-%d %H:%M} UTC.",
        f"Justification: {justification.reason}",
        f"Recipient: {justification.recipient or 'not given'}",
        "Intelligence reports are included as far as the person preparing the bundle may read "
        "them; the others are listed in reports_withheld.csv with their handling code and owning "
        "agency only: ask that agency. Handle each report according to its handling code and "
        "conditions. Disposed reports appear as their tombstone.",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", neutralise_frame(frame).to_csv(index=False))
        archive.writestr(
            "disclosure.json",
            json.dumps(
                {
                    "subject": {"kind": subject.kind, "id": subject.id, "name": subject.name},
                    "prepared_at": stamp.isoformat(),
                    "prepared_by": admin.username,
                    **justification.as_detail(),
                    **{name: _json_ready(frame) for name, frame in tables.items()},
                },
                indent=1,
            ),
        )
        archive.writestr("summary.pdf", _summary_pdf(subject, tables, lines))
        archive.writestr(
            "README.txt", "\n".join([*lines, "", "Sources and licences:", *attribution, ""])
        )
    with transaction(bind) as conn:
        audit.by(
            conn,
            admin,
            "disclose",
            object_type=subject.kind,
            object_id=subject.id,
            detail={
                **justification.as_detail(),
                "reports": [int(i) for i in tables["reports"]["id"]],
                "withheld": [int(i) for i in tables["reports_withheld"]["id"]],
            },
        )
    slug = re.sub(r"[^a-z0-9]+", "-", subject.name.lower()).strip("-")[:40] or subject.kind
    return buffer.getvalue(), f"sectormap-disclosure-{subject.kind}-{subject.id}-{slug}.zip"
