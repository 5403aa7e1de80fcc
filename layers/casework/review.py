"""Review and disposal of intelligence (Management of Police Information): every report is
reviewed on its review date, its received date plus its category's retention period
(``retention_years``, ``retention_years_by_category``), or the date a reviewer last decided to
retain it until. A reviewer who may read the report records "retain until DATE because REASON"
or "dispose because REASON". Disposal removes the narrative, the described location, the
handling conditions and who submitted it, and the words of its referrals, keeping a tombstone
(id, dates, category, grading, handling code, owning agency, who disposed and why) so counts and
the audit trail stay whole. Nothing is disposed of automatically.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Connection, text

from layers.casework import reports
from layers.core import vocab
from layers.core.db import Bind, read_frame, transaction
from layers.core.errors import ValidationError
from layers.core.fragments import REPORT_SUBJECT
from layers.core.settings import get_settings
from layers.people import access, audit, rights
from layers.people.identity import User

#: A report's review date, in SQL over report ``r`` (values bound as :retention, :years).
REVIEW_DATE = (
    "coalesce(r.retain_until, (r.received_date + make_interval(years => coalesce("
    "(CAST(:retention AS jsonb) ->> r.category)::int, :years)))::date)"
)
#: What a disposed report's narrative says instead.
TOMBSTONE = "[Disposed of on {day} after review: the content was removed.]"


def review_date(received: dt.date, category: str, retain_until: dt.date | None = None) -> dt.date:
    """When a report is due for review: the date it was retained until, else its received date
    plus its category's retention period (29 February falls on 28 February)."""
    if retain_until is not None:
        return retain_until
    settings = get_settings()
    years = settings.retention_years_by_category.get(category, settings.retention_years)
    try:
        return received.replace(year=received.year + years)
    except ValueError:  # 29 February in a year that has none
        return received.replace(year=received.year + years, day=28)


def _retention_params() -> dict[str, object]:
    settings = get_settings()
    return {
        "retention": json.dumps(settings.retention_years_by_category),
        "years": settings.retention_years,
    }


def due(bind: Bind, user: User, *, today: dt.date | None = None) -> pd.DataFrame:
    """The reports ``user`` may read whose review date has come, oldest review date first:
    id, received date, category, subject, status, handling code, owning agency, review date and
    the last decision. A partner is refused (audited)."""
    rights.require_staff(bind, user, "review intelligence", object_type="report")
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        f"SELECT r.id, r.received_date, r.category, coalesce(b.name, s.name, "  # noqa: S608 - constant fragments, values bound
        "nullif(r.subject_description, ''), 'a place on the map') AS subject, r.status, "
        f"r.handling_code, r.owning_agency, {REVIEW_DATE} AS review_date, "
        "(SELECT rr.decision || ' (' || to_char(rr.decided_at, 'DD/MM/YYYY') || '): ' || rr.reason "
        " FROM report_review rr WHERE rr.report_id = r.id ORDER BY rr.id DESC LIMIT 1) "
        "AS last_decision "
        f"FROM report r {REPORT_SUBJECT} "
        f"WHERE r.disposed_at IS NULL AND {condition} AND {REVIEW_DATE} <= :today "
        "ORDER BY review_date, r.id",
        {**params, **_retention_params(), "today": today or dt.date.today()},
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)


def _check_reason(reason: str) -> str:
    cleaned = reason.replace("\x00", "").strip()
    if not cleaned or len(cleaned) > 2000:
        raise ValidationError("say why, in 1 to 2,000 characters", column="reason")
    return cleaned


def _may_review(bind: Bind, user: User, report_id: int) -> None:
    reports.require_readable(
        bind,
        user,
        report_id,
        f"You may not review report {report_id}: you cannot read it.",
        editing=True,
    )


def _decide(
    conn: Connection,
    user: User,
    report_id: int,
    decision: str,
    reason: str,
    until: dt.date | None,
) -> None:
    """Record a decision on a report not yet disposed of (locked until the caller commits)."""
    disposed = conn.execute(
        text("SELECT disposed_at FROM report WHERE id = :id FOR UPDATE"), {"id": report_id}
    ).scalar()
    if disposed is not None:
        raise ValidationError(f"report {report_id} was disposed of already", column="report")
    conn.execute(
        text(
            "INSERT INTO report_review (report_id, decided_by, decision, retain_until, reason) "
            "VALUES (:id, :user, :decision, :until, :reason)"
        ),
        {"id": report_id, "user": user.id, "decision": decision, "until": until, "reason": reason},
    )


def retain(
    bind: Bind,
    user: User,
    report_id: int,
    *,
    until: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> None:
    """Keep report ``report_id`` until ``until`` (its next review) because of ``reason``.
    Audited."""
    _may_review(bind, user, report_id)
    reason = _check_reason(reason)
    if until <= (today or dt.date.today()):
        raise ValidationError(f"retain until a date after today, not {until}", column="until")
    with transaction(bind) as conn:
        _decide(conn, user, report_id, "retain", reason, until)
        conn.execute(
            text("UPDATE report SET retain_until = :until WHERE id = :id"),
            {"until": until, "id": report_id},
        )
        audit.by(
            conn, user, "review", object_type="report", object_id=report_id,
            detail={"decision": "retain", "until": until.isoformat(), "reason": reason},
        )  # fmt: skip


def dispose(
    bind: Bind, user: User, report_id: int, *, reason: str, today: dt.date | None = None
) -> None:
    """Dispose of report ``report_id`` because of ``reason``: its content goes, its tombstone
    stays, and it is closed. Audited with the reason (never the content)."""
    _may_review(bind, user, report_id)
    reason = _check_reason(reason)
    day = today or dt.date.today()
    with transaction(bind) as conn:
        _decide(conn, user, report_id, "dispose", reason, None)
        conn.execute(
            text(
                "UPDATE report SET narrative = :tombstone, subject_description = '', "
                "handling_conditions = CASE WHEN handling_code = 'C' THEN :tombstone ELSE '' END, "
                "submitted_by = NULL, status = 'closed', disposed_at = now(), "
                "disposed_by = :user, disposal_reason = :reason WHERE id = :id"
            ),
            {
                "tombstone": TOMBSTONE.format(day=day.strftime("%d/%m/%Y")),
                "user": user.id,
                "reason": reason,
                "id": report_id,
            },
        )
        conn.execute(
            text(
                "UPDATE referral SET reason = :gone, response = CASE WHEN response = '' THEN '' "
                "ELSE :gone END WHERE report_id = :id"
            ),
            {"gone": f"[Removed with report {report_id}.]", "id": report_id},
        )
        audit.by(
            conn, user, "dispose", object_type="report", object_id=report_id,
            detail={"reason": reason},
        )  # fmt: skip
