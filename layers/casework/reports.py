"""Intelligence reports. Content (narrative, subject, grading) leaves this module only through
the access rules of ``layers.people.access``; counts are safe for everyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from layers.core import hexagons, vocab
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import AccessDeniedError, ValidationError
from layers.core.fragments import REPORT_PLACE, REPORT_SUBJECT, REPORTS_IN_AREA, VISIT_SUBJECT
from layers.core.settings import get_settings
from layers.people import access, audit, rights
from layers.people.identity import User
from layers.reference.postcodes import normalise_postcode

#: Status → the statuses a report may move on to (new → triaged happens by grading it).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "new": (),
    "triaged": ("actioned", "closed"),
    "actioned": ("closed",),
    "closed": (),
}

#: Where a report is on the map: its own point, else its business, else its site.


@dataclass(frozen=True)
class NewReport:
    """An intelligence report as it is submitted (grading comes later, at triage)."""

    received_date: dt.date
    source_type: str
    category: str
    narrative: str
    business_id: int | None = None
    site_id: int | None = None
    #: An approximate location (clicked on the map) when there is no business or site.
    lat: float | None = None
    lon: float | None = None
    handling_code: str = "C"
    handling_conditions: str = ""


#: A report's narrative as lists show it: a restricted (C) report's only once its reader has
#: said why (:justified), else a line saying how to read it.
NARRATIVE = (
    "CASE WHEN r.handling_code = 'C' AND NOT CAST(:justified AS boolean) THEN "
    "'[Restricted (C): open report ' || r.id || ' and say why to read it.]' ELSE r.narrative END"
)

_READABLE = f"""
SELECT r.id, r.received_date, r.category, r.status,
    coalesce(r.source_evaluation || r.intelligence_assessment, 'ungraded') AS grading,
    r.handling_code, r.owning_agency, coalesce(b.name, s.name, nullif(r.subject_description, ''),
        'a place on the map') AS subject,
    {NARRATIVE} AS narrative
FROM report r {REPORT_SUBJECT}
WHERE {{readable}}
    AND (CAST(:business AS int) IS NULL OR r.business_id = :business)
ORDER BY r.received_date DESC, r.id DESC
LIMIT :limit
"""  # noqa: S608 - constant fragments, values bound


def counts_by_category_and_status(bind: Bind) -> pd.DataFrame:
    """Number of reports by category and status: counts only, safe for every role."""
    frame = read_frame(
        bind, "SELECT category, status, count(*) AS reports FROM report GROUP BY 1, 2"
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)


def readable(
    bind: Bind,
    user: User,
    *,
    business_id: int | None = None,
    limit: int | None = 500,
    justification: audit.Justification | None = None,
) -> pd.DataFrame:
    """The newest reports ``user`` may read (about one business, if given), with content;
    ``limit`` None returns them all. Restricted (C) narratives are shown only with a
    ``justification``, and their reading is then audited with it; without one they read as a
    line saying how to open them. A partner is refused (audited)."""
    rights.require_staff(bind, user, "list intelligence reports", object_type="report")
    if justification is not None:
        justification = audit.justified(justification, "reading restricted reports")
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        _READABLE.format(readable=condition),
        {
            **params,
            "business": business_id,
            "limit": limit,
            "justified": justification is not None,
        },
    )
    restricted = [int(i) for i in frame.loc[frame["handling_code"] == "C", "id"]]
    if justification is not None and restricted:
        with transaction(bind) as conn:
            audit.by(
                conn, user, "view_restricted", object_type="report",
                detail={**justification.as_detail(), "reports": restricted},
            )  # fmt: skip
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)


def restricted_count(bind: Bind, user: User) -> int:
    """How many reports exist that ``user`` may not read (they see the count, nothing more)."""
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        f"SELECT count(*) AS n FROM report r WHERE NOT {condition}",  # noqa: S608 - constant fragments, values bound
        params,
    )
    return int(frame.iloc[0]["n"])


def open_report(
    bind: Bind,
    user: User,
    report_id: int,
    *,
    justification: audit.Justification | None = None,
) -> dict[str, Any]:
    """One report's content for ``user``. A refusal is audited and raises ``AccessDeniedError``.
    A restricted (C) report opens only with a ``justification`` (``JustificationRequiredError``
    otherwise, before any content is read), which is audited with the reading."""
    with transaction(bind) as conn:
        row = (
            conn.execute(
                text(
                    "SELECT r.id, r.handling_code, r.owning_agency, EXISTS (SELECT 1 FROM "  # noqa: S608 - constant fragment, values bound
                    "clearance c WHERE c.report_id = r.id AND c.user_id = :user AND "
                    f"{access.CURRENT_CLEARANCE}) AS cleared FROM report r WHERE r.id = :id"
                ),
                {"id": report_id, "user": user.id},
            )
            .mappings()
            .first()
        )
        allowed = row is not None and access.can_read_report(
            user,
            handling_code=row["handling_code"],
            owning_agency=row["owning_agency"],
            cleared_for_report=row["cleared"],
        )
        if not allowed:
            audit.by(
                conn,
                user,
                "denied",
                object_type="report",
                object_id=report_id,
            )
    if not allowed:
        # The refusal is committed above; the same words whether or not the report exists.
        raise AccessDeniedError(
            f"You may not read report {report_id}: it is restricted to its "
            "owning agency and the people cleared for it."
        )
    if row["handling_code"] == "C":
        justification = audit.justified(justification, f"opening restricted report {report_id}")
    with transaction(bind) as conn:
        if row["handling_code"] == "C":
            audit.by(
                conn,
                user,
                "view_restricted",
                object_type="report",
                object_id=report_id,
                detail=justification.as_detail() if justification else None,
            )
        details = (
            conn.execute(
                text(
                    "SELECT r.*, b.name AS business, s.name AS site FROM report r "  # noqa: S608 - constant fragments, values bound
                    f"{REPORT_SUBJECT} "
                    "WHERE r.id = :id"
                ),
                {"id": report_id},
            )
            .mappings()
            .one()
        )
    return {k: v for k, v in details.items() if k != "geom"}


def is_readable(conn: Connection, user: User, report_id: int) -> bool:
    """Whether report ``report_id`` exists and ``user`` may read it (the access rule, in SQL)."""
    condition, params = access.readable_reports_sql(user)
    return bool(
        conn.execute(
            text(f"SELECT EXISTS (SELECT 1 FROM report r WHERE r.id = :id AND {condition})"),  # noqa: S608 - constant fragments, values bound
            {**params, "id": report_id},
        ).scalar()
    )


def _check_handling(handling_code: str, conditions: str) -> None:
    if handling_code not in vocab.HANDLING_CODES:
        raise ValidationError(f"unknown handling code {handling_code!r}", column="handling_code")
    if handling_code == "C" and not conditions.strip():
        raise ValidationError(
            "handling code C needs its conditions written (who may receive it, and how)",
            column="handling_conditions",
        )


def _check_new(report: NewReport, today: dt.date) -> None:
    if report.received_date > today:
        raise ValidationError(
            f"the received date {report.received_date} is in the future", column="received_date"
        )
    if report.source_type not in vocab.REPORT_SOURCE_TYPES:
        raise ValidationError(f"unknown source type {report.source_type!r}", column="source_type")
    if report.category not in vocab.REPORT_CATEGORIES:
        raise ValidationError(f"unknown category {report.category!r}", column="category")
    if not report.narrative.strip():
        raise ValidationError("the narrative is empty: say what was reported", column="narrative")
    located = report.lat is not None and report.lon is not None
    if report.business_id is None and report.site_id is None and not located:
        raise ValidationError(
            "say what the report is about: a business, a site, or a place clicked on the map",
            column="business_id",
        )
    if located:
        west, south, east, north = get_settings().region_bounds
        if not (west <= report.lon <= east and south <= report.lat <= north):  # type: ignore[operator]
            raise ValidationError(
                f"the place ({report.lat:.5f}, {report.lon:.5f}) is outside Leicester and "
                "Leicestershire",
                column="location",
            )
    _check_handling(report.handling_code, report.handling_conditions)


def submit(bind: Bind, user: User, report: NewReport, *, today: dt.date | None = None) -> int:
    """File a new report for ``user``'s agency (status new, ungraded). Audited."""
    rights.require_editor(bind, user, "submit reports", object_type="report")
    _check_new(report, today or dt.date.today())
    located = report.lat is not None and report.lon is not None
    with transaction(bind) as conn:
        report_id = int(
            conn.execute(
                text(
                    "INSERT INTO report (received_date, source_type, category, narrative, "
                    "business_id, site_id, geom, location_precision, handling_code, "
                    "handling_conditions, owning_agency, status, submitted_by, submitting_agency) "
                    "VALUES (:received, :source, :category, :narrative, :business, :site, "
                    "CASE WHEN CAST(:located AS boolean) "
                    "THEN ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END, "
                    ":precision, :handling, :conditions, :agency, 'new', :user, :agency) "
                    "RETURNING id"
                ),
                {
                    "received": report.received_date,
                    "source": report.source_type,
                    "category": report.category,
                    "narrative": report.narrative.strip(),
                    "business": report.business_id,
                    "site": report.site_id,
                    "located": located,
                    "lon": report.lon,
                    "lat": report.lat,
                    "precision": "approximate" if located else "address",
                    "handling": report.handling_code,
                    "conditions": report.handling_conditions.strip(),
                    "agency": user.agency_code,
                    "user": user.id,
                },
            ).scalar_one()
        )
        audit.by(
            conn,
            user,
            "create",
            object_type="report",
            object_id=report_id,
            detail={"category": report.category, "handling_code": report.handling_code},
        )
    return report_id


def require_readable(
    bind: Bind, user: User, report_id: int, refusal: str, *, editing: bool = False
) -> None:
    """Refuse with ``refusal`` (audited) unless ``user`` may read report ``report_id`` and,
    with ``editing``, may change records at all."""
    with reading(bind) as conn:
        allowed = (not editing or access.can_edit(user.role)) and is_readable(conn, user, report_id)
    if not allowed:
        audit.refuse(bind, user, refusal, object_type="report", object_id=report_id)


def _may_change(bind: Bind, user: User, report_id: int) -> None:
    require_readable(
        bind,
        user,
        report_id,
        f"You may not change report {report_id}: it is restricted to its owning agency "
        "and the people cleared for it.",
        editing=True,
    )


def _editable(conn: Connection, report_id: int) -> dict[str, Any]:
    """The report's triage fields, locked for update (after ``_may_change``)."""
    return dict(
        conn.execute(
            text(
                "SELECT status, source_evaluation, intelligence_assessment, handling_code, "
                "handling_conditions FROM report WHERE id = :id FOR UPDATE"
            ),
            {"id": report_id},
        )
        .mappings()
        .one()
    )


def _update(
    conn: Connection, user: User, report_id: int, before: dict[str, Any], after: dict[str, Any]
) -> None:
    conn.execute(
        text(
            "UPDATE report SET status = :status, source_evaluation = :source_evaluation, "
            "intelligence_assessment = :intelligence_assessment, handling_code = :handling_code, "
            "handling_conditions = :handling_conditions WHERE id = :id"
        ),
        {**after, "id": report_id},
    )
    audit.edit(
        conn,
        user,
        object_type="report",
        object_id=report_id,
        before=before,
        after=after,
    )


def triage(
    bind: Bind,
    user: User,
    report_id: int,
    *,
    source_evaluation: str,
    intelligence_assessment: str,
    handling_code: str,
    handling_conditions: str = "",
) -> None:
    """Grade a report on the 3x5x2 model (a new report becomes triaged; a triaged one may be
    regraded). Only someone who may read it may grade it. Audited with before and after."""
    if source_evaluation not in vocab.SOURCE_EVALUATIONS:
        raise ValidationError(
            f"unknown source evaluation {source_evaluation!r}", column="source_evaluation"
        )
    if intelligence_assessment not in vocab.INTELLIGENCE_ASSESSMENTS:
        raise ValidationError(
            f"unknown intelligence assessment {intelligence_assessment!r}",
            column="intelligence_assessment",
        )
    _check_handling(handling_code, handling_conditions)
    _may_change(bind, user, report_id)
    with transaction(bind) as conn:
        before = _editable(conn, report_id)
        if before["status"] == "closed":
            raise ValidationError(f"report {report_id} is closed", column="status")
        after = {
            **before,
            "status": "triaged" if before["status"] == "new" else before["status"],
            "source_evaluation": source_evaluation,
            "intelligence_assessment": intelligence_assessment,
            "handling_code": handling_code,
            "handling_conditions": handling_conditions.strip() if handling_code == "C" else "",
        }
        _update(conn, user, report_id, before, after)


def advance(bind: Bind, user: User, report_id: int, status: str) -> None:
    """Move a report on in its workflow (triaged → actioned → closed, or triaged → closed).
    Audited with before and after."""
    _may_change(bind, user, report_id)
    with transaction(bind) as conn:
        before = _editable(conn, report_id)
        allowed = NEXT_STATUSES[before["status"]]
        if status not in allowed:
            words = vocab.REPORT_STATUSES
            hint = (
                "grade it first (triage)"
                if before["status"] == "new"
                else f"it can go to {' or '.join(words[s].lower() for s in allowed) or 'nowhere'}"
            )
            raise ValidationError(
                f"report {report_id} is {words[before['status']].lower()} and cannot become "
                f"{words.get(status, status).lower()}: {hint}",
                column="status",
            )
        _update(conn, user, report_id, before, {**before, "status": status})


def readable_points(bind: Bind, user: User) -> pd.DataFrame:
    """The reports ``user`` may read as map points: id, received_date, category (label),
    status (label), lat, lon. Nothing for a viewer; a partner is refused (audited)."""
    rights.require_staff(bind, user, "see intelligence on the map", object_type="report")
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        f"SELECT r.id, r.received_date, r.category, r.status, ST_Y({REPORT_PLACE}) AS lat, "  # noqa: S608 - constant fragments
        f"ST_X({REPORT_PLACE}) AS lon FROM report r "
        f"{REPORT_SUBJECT} "
        f"WHERE {condition} ORDER BY r.id",
        params,
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)


def open_density(bind: Bind, resolution: int = 8) -> pd.DataFrame:
    """Open reports counted per H3 hexagon, readable or not (a count reveals no content):
    cell, reports, geometry. Safe for every role."""
    located = read_frame(
        bind,
        f"SELECT ST_Y({REPORT_PLACE}) AS lat, ST_X({REPORT_PLACE}) AS lon FROM report r "  # noqa: S608 - constant fragments
        f"{REPORT_SUBJECT} "
        "WHERE r.status <> 'closed'",
    )
    return hexagons.count_points(located, resolution, counted="reports")


def linked_visits(bind: Bind, user: User, report_id: int) -> pd.DataFrame:
    """The visits linked to a report ``user`` may read (none otherwise)."""
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        "SELECT v.id, v.visit_date, coalesce(b.name, s.name) AS subject, v.outcome "  # noqa: S608 - condition from access
        "FROM report_visit rv JOIN report r ON r.id = rv.report_id "
        f"JOIN visit v ON v.id = rv.visit_id {VISIT_SUBJECT} "
        f"WHERE rv.report_id = :id AND {condition} ORDER BY v.visit_date",
        {**params, "id": report_id},
    )
    return vocab.labelled(frame, outcome=vocab.VISIT_OUTCOMES)


def open_in_area(bind: Bind, user: User, area_id: int) -> tuple[int, pd.DataFrame]:
    """Open reports placed inside focus area ``area_id``: how many there are (every report, a
    count only) and, of those ``user`` may read, how many per category (label, reports)."""
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        f"SELECT r.category, {condition} AS readable FROM ({REPORTS_IN_AREA}) r "  # noqa: S608 - constant fragments
        "WHERE r.status <> 'closed'",
        {**params, "area": area_id},
    )
    readable = frame[frame["readable"].astype(bool)]
    by_category = (
        readable["category"].map(vocab.REPORT_CATEGORIES).value_counts().rename_axis("category")
    )
    return len(frame), by_category.rename("reports").reset_index()


def open_about(
    bind: Bind, user: User, *, business_ids: list[int], site_ids: list[int]
) -> tuple[pd.DataFrame, int]:
    """Open reports about any of these businesses or sites: those ``user`` may read (received
    date, category, grading, narrative) and how many more exist that they may not."""
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        # Content leaves the database only for the reports the user may read.
        f"SELECT {condition} AS readable, "  # noqa: S608 - condition from access
        f"CASE WHEN {condition} THEN r.received_date END AS received_date, "
        f"CASE WHEN {condition} THEN r.category END AS category, "
        f"CASE WHEN {condition} THEN coalesce(r.source_evaluation || r.intelligence_assessment, "
        "'ungraded') END AS grading, "
        f"CASE WHEN {condition} THEN r.handling_code END AS handling_code, "
        f"CASE WHEN {condition} THEN {NARRATIVE} END AS narrative FROM report r "
        "WHERE r.status <> 'closed' "
        "AND (r.business_id = ANY(:businesses) OR r.site_id = ANY(:sites)) "
        "ORDER BY r.received_date DESC, r.id DESC",
        {**params, "businesses": business_ids, "sites": site_ids, "justified": False},
    )
    readable = frame[frame["readable"].astype(bool)].drop(columns="readable")
    return vocab.labelled(readable, category=vocab.REPORT_CATEGORIES), len(frame) - len(readable)


@dataclass(frozen=True)
class PartnerReport:
    """A report as a partner submits it: about a business or building of the register, or about
    a place described by its address and postcode when it is not there."""

    received_date: dt.date
    category: str
    narrative: str
    business_id: int | None = None
    site_id: int | None = None
    address: str = ""
    postcode: str = ""


#: The handling conditions every partner's report carries until it is triaged.
PARTNER_CONDITIONS = (
    "Submitted by {organisation} through the partner route: share within the partnership for a "
    "lawful purpose only, and never name the submitting organisation to the business."
)
_NARRATIVE_LIMIT = 20_000


def _partner_subject(conn: Connection, report: PartnerReport) -> tuple[str, object, object]:
    """The described subject, and the point of its postcode, of a report about an unlisted
    place; a subject from the register must exist."""
    if report.business_id is not None or report.site_id is not None:
        table, subject_id = (
            ("business", report.business_id)
            if report.business_id is not None
            else ("site", report.site_id)
        )
        exists = conn.execute(
            text(f"SELECT 1 FROM {table} WHERE id = :id"),  # noqa: S608 - table is one of two constants
            {"id": subject_id},
        ).first()
        if not exists:
            raise ValidationError(f"there is no {table} {subject_id}", column=table)
        return "", None, None
    address = " ".join(report.address.split())
    postcode = normalise_postcode(report.postcode)
    if not address or len(address) > 300:
        raise ValidationError(
            "say what the report is about: pick a business or building, or give its address "
            "(up to 300 characters) and postcode",
            column="address",
        )
    if postcode is None:
        raise ValidationError(
            f"{report.postcode.strip()[:20]!r} is not a postcode", column="postcode"
        )
    point = conn.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM postcode WHERE postcode = :p"), {"p": postcode}
    ).first()
    if point is None:
        raise ValidationError(
            f"the postcode {postcode} is not one of Leicester and Leicestershire's",
            column="postcode",
        )
    return f"{address}, {postcode}", point[0], point[1]


def submit_as_partner(
    bind: Bind, user: User, report: PartnerReport, *, today: dt.date | None = None
) -> int:
    """File a partner's report: owned (and triaged) by the partnership's triage agency
    (``partner_reports_agency``), restricted (handling code C) until triaged, with the source
    type of the partner's organisation. Only a partner may use this route. Audited."""
    if user.role != "partner":
        audit.refuse(
            bind, user, "only partners submit through the partner route", object_type="report"
        )
    if report.received_date > (today or dt.date.today()):
        raise ValidationError(
            f"the date {report.received_date} is in the future", column="received_date"
        )
    if report.category not in vocab.REPORT_CATEGORIES:
        raise ValidationError(f"unknown category {report.category!r}", column="category")
    narrative = report.narrative.replace("\x00", "").strip()
    if not narrative or len(narrative) > _NARRATIVE_LIMIT:
        raise ValidationError(
            f"say what you know in 1 to {_NARRATIVE_LIMIT:,} characters", column="narrative"
        )
    with transaction(bind) as conn:
        organisation = conn.execute(
            text("SELECT name, reports_as FROM agency WHERE code = :c AND retired_at IS NULL"),
            {"c": user.agency_code},
        ).first()
        if organisation is None:
            raise ValidationError(
                f"your organisation {user.agency_code} is retired: ask the partnership",
                column="agency",
            )
        described, lon, lat = _partner_subject(conn, report)
        report_id = int(
            conn.execute(
                text(
                    "INSERT INTO report (received_date, source_type, category, narrative, "
                    "business_id, site_id, geom, location_precision, subject_description, "
                    "handling_code, handling_conditions, owning_agency, status, submitted_by, "
                    "submitting_agency) VALUES (:received, :source, :category, :narrative, "
                    ":business, :site, CASE WHEN CAST(:lon AS float8) IS NOT NULL THEN "
                    "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END, :precision, :described, "
                    "'C', :conditions, :owner, 'new', :user, :agency) RETURNING id"
                ),
                {
                    "received": report.received_date,
                    "source": organisation.reports_as,
                    "category": report.category,
                    "narrative": narrative,
                    "business": report.business_id,
                    "site": None if report.business_id is not None else report.site_id,
                    "lon": lon,
                    "lat": lat,
                    "precision": "postcode" if lon is not None else "address",
                    "described": described,
                    "conditions": PARTNER_CONDITIONS.format(organisation=organisation.name),
                    "owner": get_settings().partner_reports_agency,
                    "user": user.id,
                    "agency": user.agency_code,
                },
            ).scalar_one()
        )
        audit.by(
            conn, user, "create", object_type="report", object_id=report_id,
            detail={"category": report.category, "route": "partner"},
        )  # fmt: skip
    return report_id


def organisation_reports(bind: Bind, user: User) -> pd.DataFrame:
    """The reports ``user``'s own organisation submitted, newest first, as a partner follows
    them: number, received date, category, subject, status, who submitted it and what they
    wrote. Never the grading, the triage or anyone else's reports."""
    condition, params = access.own_organisation_reports_sql(user)
    frame = read_frame(
        bind,
        "SELECT r.id, r.received_date, r.category, "  # noqa: S608 - condition from access
        "coalesce(b.name, s.name, nullif(r.subject_description, '')) AS subject, r.status, "
        "u.username AS submitted_by, r.narrative "
        f"FROM report r {REPORT_SUBJECT} LEFT JOIN app_user u ON u.id = r.submitted_by "
        f"WHERE {condition} ORDER BY r.received_date DESC, r.id DESC",
        params,
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)
