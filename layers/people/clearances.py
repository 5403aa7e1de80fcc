"""Clearances: a person cleared to read restricted (handling code C) intelligence beyond their
own agency's, either all of it or one report, with a reason and an optional expiry date.
Administrators grant and revoke them; an expired clearance stops granting on its own (the rule,
``access.CURRENT_CLEARANCE``, is applied by every query that returns intelligence). Every grant and
revocation is audited; revoked clearances stay on record.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

from layers.core.db import Bind, read_frame, transaction
from layers.core.errors import ValidationError
from layers.people import access, audit, rights, users
from layers.people.identity import User


def grant(
    bind: Bind,
    admin: User,
    username: str,
    *,
    reason: str,
    report_id: int | None = None,
    expires_on: dt.date | None = None,
    today: dt.date | None = None,
) -> int:
    """Clear ``username`` for all restricted intelligence, or for report ``report_id`` alone,
    because of ``reason``, until ``expires_on`` (inclusive; None: until revoked). Returns the
    clearance's number. Audited."""
    rights.require_admin(bind, admin, "grant clearances", object_type="clearance")
    reason = reason.strip()
    if not reason or len(reason) > 1000 or "\x00" in reason:
        raise ValidationError(
            "say why the clearance is needed (1 to 1,000 characters)", column="reason"
        )
    if expires_on is not None and expires_on < (today or dt.date.today()):
        raise ValidationError(f"the expiry date {expires_on} has passed", column="expires_on")
    person = users.by_username(bind, username)
    if not access.is_staff(person.role) or person.role == "viewer":
        raise ValidationError(
            f"{person.username} is a {person.role}: only staff who read intelligence can be "
            "cleared",
            column="username",
        )
    with transaction(bind) as conn:
        if (
            report_id is not None
            and not conn.execute(
                text("SELECT 1 FROM report WHERE id = :id"), {"id": report_id}
            ).first()
        ):
            raise ValidationError(f"there is no report {report_id}", column="report")
        clearance_id = int(
            conn.execute(
                text(
                    "INSERT INTO clearance (user_id, report_id, reason, expires_on, granted_by) "
                    "VALUES (:user, :report, :reason, :expires, :admin) RETURNING id"
                ),
                {
                    "user": person.id,
                    "report": report_id,
                    "reason": reason,
                    "expires": expires_on,
                    "admin": admin.id,
                },
            ).scalar_one()
        )
        audit.by(
            conn,
            admin,
            "grant",
            object_type="clearance",
            object_id=clearance_id,
            detail={
                "username": person.username,
                "scope": "all restricted intelligence"
                if report_id is None
                else f"report {report_id}",
                "reason": reason,
                "expires_on": None if expires_on is None else expires_on.isoformat(),
            },
        )
    return clearance_id


def revoke(bind: Bind, admin: User, clearance_id: int) -> None:
    """End a clearance now. Audited."""
    rights.require_admin(
        bind, admin, "revoke clearances", object_type="clearance", object_id=clearance_id
    )
    with transaction(bind) as conn:
        row = (
            conn.execute(
                text(
                    "UPDATE clearance SET revoked_at = now(), revoked_by = :admin "
                    "WHERE id = :id AND revoked_at IS NULL RETURNING user_id, report_id"
                ),
                {"id": clearance_id, "admin": admin.id},
            )
            .mappings()
            .first()
        )
        if row is None:
            raise ValidationError(
                f"there is no clearance {clearance_id} in force", column="clearance"
            )
        audit.by(conn, admin, "revoke", object_type="clearance", object_id=clearance_id,
                 detail={"user_id": row["user_id"], "report_id": row["report_id"]})  # fmt: skip


def listing(bind: Bind, *, include_ended: bool = False) -> pd.DataFrame:
    """Clearances with whom, what, why, until when, who granted them and whether they are in
    force today (``include_ended`` adds the revoked and expired ones)."""
    return read_frame(
        bind,
        "SELECT c.id, u.username, u.full_name, u.agency_code, "  # noqa: S608 - constant fragment
        "coalesce('report ' || c.report_id, 'all restricted intelligence') AS scope, c.reason, "
        "c.expires_on, g.username AS granted_by, c.granted_at, c.revoked_at, "
        f"({access.CURRENT_CLEARANCE}) AS in_force "
        "FROM clearance c JOIN app_user u ON u.id = c.user_id "
        "LEFT JOIN app_user g ON g.id = c.granted_by "
        f"WHERE CAST(:all AS boolean) OR ({access.CURRENT_CLEARANCE}) "
        "ORDER BY c.granted_at DESC, c.id DESC",
        {"all": include_ended},
    )
