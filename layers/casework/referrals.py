"""The agency directory and referrals: which partner agency's remit covers a concern, and the
record of each referral and its answer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from layers.casework import reports
from layers.core import vocab
from layers.core.db import Bind, read_frame, transaction
from layers.core.errors import ValidationError
from layers.people import access, audit, rights
from layers.people.identity import User

#: Report category → the agencies whose remit covers it, the lead first (the partnership's own
#: summary of remits: GLAA labour exploitation and modern slavery; HMRC minimum wage and tax;
#: EAS employment agencies; HSE health and safety; Immigration Enforcement illegal working).
CATEGORY_AGENCIES: dict[str, tuple[str, ...]] = {
    "modern_slavery": ("GLAA", "POLICE", "NCA"),
    "minimum_wage": ("HMRC",),
    "holiday_pay": ("EAS", "HMRC"),
    "health_safety": ("HSE",),
    "illegal_working": ("IE",),
    "tax_fraud": ("HMRC",),
    "accommodation": ("COUNCIL", "GLAA"),
    "other": ("GLAA",),
}

#: Visit outcome → the agencies to refer to; outcomes that need no referral are absent.
OUTCOME_AGENCIES: dict[str, tuple[str, ...]] = {
    "exploitation_indicators": ("GLAA", "POLICE"),
    "referral": ("GLAA", "HMRC", "HSE"),
    "no_access": ("GLAA",),
}


def suggested_agencies(*, category: str | None = None, outcome: str | None = None) -> list[str]:
    """The agencies whose remit covers a report ``category`` or a visit ``outcome``, lead
    first; empty when the concern needs no referral."""
    found = CATEGORY_AGENCIES.get(category or "", ()) + OUTCOME_AGENCIES.get(outcome or "", ())
    return list(dict.fromkeys(found))


def directory(bind: Bind) -> pd.DataFrame:
    """The organisations of the partnership that take referrals (not retired), with their
    kind, remit, powers and referral contact."""
    frame = read_frame(
        bind,
        "SELECT code, name, kind, remit, powers, referral_contact FROM agency "
        "WHERE retired_at IS NULL ORDER BY name",
    )
    return vocab.labelled(frame, kind=vocab.AGENCY_KINDS)


def refer(
    bind: Bind,
    user: User,
    *,
    agency_code: str,
    reason: str,
    visit_id: int | None = None,
    report_id: int | None = None,
    referred_at: dt.date | None = None,
) -> int:
    """Record a referral of a visit's or a report's concern to ``agency_code``. A report may be
    referred only by someone who may read it. Audited."""
    rights.require_editor(bind, user, "make referrals", object_type="referral")
    if visit_id is None and report_id is None:
        raise ValidationError("a referral needs a visit or a report", column="visit_id")
    if not reason.strip():
        raise ValidationError("say why you are referring", column="reason")
    if report_id is not None:
        reports.require_readable(
            bind, user, report_id, f"You may not refer report {report_id}: you cannot read it."
        )
    with transaction(bind) as conn:
        if not conn.execute(
            text("SELECT 1 FROM agency WHERE code = :c AND retired_at IS NULL"),
            {"c": agency_code},
        ).first():
            raise ValidationError(
                f"unknown or retired agency {agency_code!r}", column="agency_code"
            )
        referral_id = int(
            conn.execute(
                text(
                    "INSERT INTO referral (visit_id, report_id, agency_code, reason, referred_at) "
                    "VALUES (:visit, :report, :agency, :reason, "
                    "coalesce(CAST(:at AS date), current_date)) RETURNING id"
                ),
                {
                    "visit": visit_id,
                    "report": report_id,
                    "agency": agency_code,
                    "reason": reason.strip(),
                    "at": referred_at,
                },
            ).scalar_one()
        )
        audit.by(
            conn,
            user,
            "create",
            object_type="referral",
            object_id=referral_id,
            detail={"agency": agency_code, "visit_id": visit_id, "report_id": report_id},
        )
    return referral_id


def answer(bind: Bind, user: User, referral_id: int, *, status: str, response: str) -> None:
    """Record the agency's answer to a referral (accepted, declined or closed). Audited with
    before and after."""
    rights.require_editor(
        bind, user, "answer referrals", object_type="referral", object_id=referral_id
    )
    if status not in vocab.REFERRAL_STATUSES or status == "sent":
        raise ValidationError(
            f"an answer is accepted, declined or closed, not {status!r}", column="status"
        )
    with transaction(bind) as conn:
        before = (
            conn.execute(
                text("SELECT status, response FROM referral WHERE id = :id FOR UPDATE"),
                {"id": referral_id},
            )
            .mappings()
            .first()
        )
        if before is None:
            raise ValidationError(f"there is no referral {referral_id}", column="referral_id")
        after = {"status": status, "response": response.strip()}
        conn.execute(
            text(
                "UPDATE referral SET status = :status, response = :response, "
                "response_at = current_date WHERE id = :id"
            ),
            {**after, "id": referral_id},
        )
        audit.edit(
            conn,
            user,
            object_type="referral",
            object_id=referral_id,
            before=before,
            after=after,
        )


def listing(
    bind: Bind, user: User, *, visit_id: int | None = None, report_id: int | None = None
) -> pd.DataFrame:
    """Referrals ``user`` may see (those from visits, and those from reports they may read),
    optionally of one visit or report, newest first."""
    rights.require_staff(bind, user, "see referrals", object_type="referral")
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        "SELECT f.id, f.referred_at, a.name AS agency, f.reason, f.status, f.response, "  # noqa: S608 - condition from access
        "f.response_at, f.visit_id, f.report_id FROM referral f "
        "JOIN agency a ON a.code = f.agency_code LEFT JOIN report r ON r.id = f.report_id "
        f"WHERE (f.report_id IS NULL OR {condition}) "
        "AND (CAST(:visit AS int) IS NULL OR f.visit_id = :visit) "
        "AND (CAST(:report AS int) IS NULL OR f.report_id = :report) "
        "ORDER BY f.referred_at DESC, f.id DESC",
        {**params, "visit": visit_id, "report": report_id},
    )
    return vocab.labelled(frame, status=vocab.REFERRAL_STATUSES)
