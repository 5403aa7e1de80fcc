"""The organisations of the partnership: enforcement agencies, councils and partner
organisations, with their remit, powers and referral contact. Administrators add, edit and
retire them (an organisation is never deleted: people, reports and the audit log name it). The
agency directory and referral routing read this table; retired ones are offered for nothing new.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from layers.core import vocab
from layers.core.db import Bind, read_frame, transaction
from layers.core.errors import ValidationError
from layers.people import audit, rights
from layers.people.identity import User

_CODE = re.compile(r"[A-Z0-9_]{2,16}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COLUMNS = ("name", "kind", "reports_as", "remit", "powers", "referral_contact")


@dataclass(frozen=True)
class AgencyDetails:
    """An organisation as an administrator describes it."""

    code: str
    name: str
    kind: str
    remit: str = ""
    powers: str = ""
    referral_contact: str = ""
    #: The source type its people's reports carry; by default 'agency' for enforcement
    #: agencies and councils, 'charity' for partner organisations.
    reports_as: str | None = None


def validate(details: AgencyDetails) -> AgencyDetails:
    """``details`` normalised (code in capitals, text trimmed), or ``ValidationError`` naming
    the field that breaks a rule."""
    code = details.code.strip().upper()
    if not _CODE.fullmatch(code):
        raise ValidationError(
            f"the code {details.code[:40]!r} is not usable: use 2 to 16 capital letters, "
            "digits or underscores",
            column="code",
        )
    if details.kind not in vocab.AGENCY_KINDS:
        raise ValidationError(
            f"unknown kind {details.kind!r}; use one of {', '.join(vocab.AGENCY_KINDS)}",
            column="kind",
        )
    reports_as = details.reports_as or ("charity" if details.kind == "partner" else "agency")
    if reports_as not in vocab.REPORT_SOURCE_TYPES:
        raise ValidationError(
            f"unknown source type {reports_as!r}; use one of "
            f"{', '.join(vocab.REPORT_SOURCE_TYPES)}",
            column="reports_as",
        )
    cleaned = {
        field: getattr(details, field).strip()
        for field in ("name", "remit", "powers", "referral_contact")
    }
    if not cleaned["name"] or len(cleaned["name"]) > 200:
        raise ValidationError("the name must be 1 to 200 characters", column="name")
    for field, value in cleaned.items():
        if _CONTROL.search(value) or len(value) > 4000:
            raise ValidationError(
                "must be at most 4,000 characters, with no control characters", column=field
            )
    return replace(details, code=code, reports_as=reports_as, **cleaned)


def _snapshot(conn: Connection, code: str, *, lock: bool = False) -> dict[str, Any]:
    row = (
        conn.execute(
            text(
                "SELECT code, name, kind, reports_as, remit, powers, referral_contact, retired_at "
                "FROM agency WHERE code = :code" + (" FOR UPDATE" if lock else "")
            ),
            {"code": code.strip().upper()},
        )
        .mappings()
        .first()
    )
    if row is None:
        raise ValidationError(f"there is no agency {code!r}", column="code")
    return {**row, "retired_at": None if row["retired_at"] is None else str(row["retired_at"])}


def add(bind: Bind, admin: User, details: AgencyDetails) -> str:
    """Add an organisation; returns its code. Audited."""
    rights.require_admin(bind, admin, "add agencies", object_type="agency")
    details = validate(details)
    with transaction(bind) as conn:
        if conn.execute(text("SELECT 1 FROM agency WHERE code = :c"), {"c": details.code}).first():
            raise ValidationError(f"the code {details.code} is taken", column="code")
        conn.execute(
            text(
                "INSERT INTO agency (code, name, kind, reports_as, remit, powers, "
                "referral_contact) VALUES (:code, :name, :kind, :reports_as, :remit, :powers, "
                ":referral_contact)"
            ),
            asdict(details),
        )
        audit.edit(
            conn, admin, object_type="agency", object_id=details.code, before=None,
            after=_snapshot(conn, details.code),
        )  # fmt: skip
    return details.code


def update(bind: Bind, admin: User, details: AgencyDetails) -> None:
    """Change an organisation's name, kind, remit, powers or referral contact (its code stays).
    A kind cannot change to or from partner while people belong to it. Audited."""
    rights.require_admin(bind, admin, "edit agencies", object_type="agency", object_id=details.code)
    details = validate(details)
    with transaction(bind) as conn:
        before = _snapshot(conn, details.code, lock=True)
        if (before["kind"] == "partner") != (details.kind == "partner") and conn.execute(
            text("SELECT 1 FROM app_user WHERE agency_code = :c LIMIT 1"), {"c": details.code}
        ).first():
            raise ValidationError(
                f"{details.code} has people: its kind cannot change to or from partner "
                "organisation (partners' access differs from staff's)",
                column="kind",
            )
        conn.execute(
            text(
                "UPDATE agency SET name = :name, kind = :kind, reports_as = :reports_as, "
                "remit = :remit, powers = :powers, referral_contact = :referral_contact "
                "WHERE code = :code"
            ),
            asdict(details),
        )
        audit.edit(
            conn, admin, object_type="agency", object_id=details.code, before=before,
            after=_snapshot(conn, details.code),
        )  # fmt: skip


def _set_retired(bind: Bind, admin: User, code: str, *, retired: bool) -> None:
    doing = "retire agencies" if retired else "reinstate agencies"
    rights.require_admin(bind, admin, doing, object_type="agency", object_id=code)
    with transaction(bind) as conn:
        before = _snapshot(conn, code, lock=True)
        if (before["retired_at"] is not None) == retired:
            return
        conn.execute(
            text(
                "UPDATE agency SET retired_at = CASE WHEN CAST(:retired AS boolean) THEN now() "
                "END WHERE code = :code"
            ),
            {"retired": retired, "code": before["code"]},
        )
        audit.edit(
            conn, admin, object_type="agency", object_id=before["code"], before=before,
            after=_snapshot(conn, before["code"]),
        )  # fmt: skip


def retire(bind: Bind, admin: User, code: str) -> None:
    """Retire an organisation: it keeps its people's history, reports and referrals, but no one
    new joins it and nothing new is referred to it. Audited."""
    _set_retired(bind, admin, code, retired=True)


def reinstate(bind: Bind, admin: User, code: str) -> None:
    """Bring a retired organisation back. Audited."""
    _set_retired(bind, admin, code, retired=False)


def listing(bind: Bind, *, include_retired: bool = True) -> pd.DataFrame:
    """Every organisation with its kind, remit, powers, referral contact, people and state."""
    return read_frame(
        bind,
        "SELECT a.code, a.name, a.kind, a.reports_as, a.remit, a.powers, a.referral_contact, "
        "(SELECT count(*) FROM app_user u WHERE u.agency_code = a.code AND u.active) AS people, "
        "a.retired_at FROM agency a "
        "WHERE CAST(:all AS boolean) OR a.retired_at IS NULL ORDER BY a.name",
        {"all": include_retired},
    )


def current_names(
    bind: Bind, *, kinds: tuple[str, ...] = tuple(vocab.AGENCY_KINDS)
) -> dict[str, str]:
    """Code → name of the organisations not retired, of the given kinds, by name."""
    frame = listing(bind, include_retired=False)
    frame = frame[frame["kind"].isin(kinds)]
    return dict(zip(frame["code"], frame["name"], strict=True))
