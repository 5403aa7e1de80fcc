"""Intelligence reports. Content (narrative, subject, grading) leaves this module only through
the access rules of ``layers.access``; counts are safe for everyone."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import text

from layers import access, audit, vocab
from layers.db import Bind, read_frame, transaction
from layers.errors import AccessDeniedError
from layers.users import User

_READABLE = """
SELECT r.id, r.received_date, r.category, r.status,
    coalesce(r.source_evaluation || r.intelligence_assessment, 'ungraded') AS grading,
    r.handling_code, r.owning_agency, coalesce(b.name, s.name, 'a place on the map') AS subject,
    r.narrative
FROM report r LEFT JOIN business b ON b.id = r.business_id LEFT JOIN site s ON s.id = r.site_id
WHERE {readable}
    AND (CAST(:business AS int) IS NULL OR r.business_id = :business)
ORDER BY r.received_date DESC, r.id DESC
LIMIT :limit
"""


def counts_by_category_and_status(bind: Bind) -> pd.DataFrame:
    """Number of reports by category and status: counts only, safe for every role."""
    frame = read_frame(
        bind, "SELECT category, status, count(*) AS reports FROM report GROUP BY 1, 2"
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)


def readable(
    bind: Bind, user: User, *, business_id: int | None = None, limit: int = 500
) -> pd.DataFrame:
    """The newest reports ``user`` may read (about one business, if given), with content."""
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        _READABLE.format(readable=condition),
        {**params, "business": business_id, "limit": limit},
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)


def restricted_count(bind: Bind, user: User) -> int:
    """How many reports exist that ``user`` may not read (they see the count, nothing more)."""
    condition, params = access.readable_reports_sql(user)
    frame = read_frame(
        bind,
        f"SELECT count(*) AS n FROM report r WHERE NOT {condition}",  # noqa: S608
        params,
    )
    return int(frame.iloc[0]["n"])


def open_report(bind: Bind, user: User, report_id: int) -> dict[str, Any]:
    """One report's content for ``user``. A refusal is audited and raises ``AccessDeniedError``;
    reading a restricted (C) report is audited too."""
    with transaction(bind) as conn:
        row = (
            conn.execute(
                text(
                    "SELECT r.id, r.handling_code, r.owning_agency, EXISTS (SELECT 1 FROM "
                    "report_clearance c WHERE c.report_id = r.id AND c.user_id = :user) AS cleared "
                    "FROM report r WHERE r.id = :id"
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
            audit.record(
                conn,
                user_id=user.id,
                username=user.username,
                action="denied",
                object_type="report",
                object_id=report_id,
            )
    if not allowed:
        # The refusal is committed above; the same words whether or not the report exists.
        raise AccessDeniedError(
            f"You may not read report {report_id}: it is restricted to its "
            "owning agency and the people cleared for it."
        )
    with transaction(bind) as conn:
        if row["handling_code"] == "C":
            audit.record(
                conn,
                user_id=user.id,
                username=user.username,
                action="view_restricted",
                object_type="report",
                object_id=report_id,
            )
        details = (
            conn.execute(
                text(
                    "SELECT r.*, b.name AS business, s.name AS site FROM report r "
                    "LEFT JOIN business b ON b.id = r.business_id "
                    "LEFT JOIN site s ON s.id = r.site_id "
                    "WHERE r.id = :id"
                ),
                {"id": report_id},
            )
            .mappings()
            .one()
        )
    return {k: v for k, v in details.items() if k != "geom"}
