"""The audit log: append-only record of logins, restricted reads, exports and edits."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, NoReturn

import pandas as pd
from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import bindparam

from layers.core import vocab
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import AccessDeniedError, JustificationRequiredError, ValidationError
from layers.people.identity import User

_INSERT = text(
    "INSERT INTO audit_log (user_id, username, action, object_type, object_id, detail) "
    "VALUES (:user_id, :username, :action, :object_type, :object_id, :detail)"
).bindparams(bindparam("detail", type_=JSONB))


@dataclass(frozen=True)
class Justification:
    """Why someone opens restricted intelligence or takes report content out of Sectormap (an
    operation name, a case reference), and to whom it goes when it leaves (Data Protection Act
    2018, s.62: consultation and disclosure are logged with their justification)."""

    reason: str
    recipient: str = ""

    def as_detail(self) -> dict[str, str]:
        """What the audit entry keeps."""
        return {"justification": self.reason, "recipient": self.recipient}


def justified(justification: Justification | None, doing: str) -> Justification:
    """``justification`` cleaned and checked; ``JustificationRequiredError`` saying what to give
    when there is none (``doing`` completes "say why you are …")."""
    reason = (justification.reason if justification else "").replace("\x00", "").strip()
    recipient = (justification.recipient if justification else "").replace("\x00", "").strip()
    if not reason:
        raise JustificationRequiredError(
            f"say why you are {doing}: an operation name or case reference (it is written to "
            "the audit log)",
            column="justification",
        )
    if len(reason) > 500 or len(recipient) > 200:
        raise ValidationError(
            "keep the justification under 500 characters and the recipient under 200",
            column="justification",
        )
    return Justification(reason, recipient)


#: The content of an entry its hash covers, read as text (timestamps in UTC, detail as jsonb
#: prints it); the trigger of migration 0007 hashes the same.
_CHAIN_SQL = """
SELECT chain, id, hash, concat_ws('|', id::text,
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), coalesce(user_id::text, ''),
    username, action, coalesce(object_type, ''), coalesce(object_id, ''), detail::text) AS content
FROM audit_log ORDER BY chain
"""


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking the audit log's hash chain: how many entries were checked, and
    the first that does not match (None when the whole chain holds)."""

    entries: int
    broken_at: int | None = None
    broken_chain: int | None = None
    reason: str = ""


def entry_hash(previous: str, content: str) -> str:
    """The hash of an entry: SHA-256 (hex) of the previous entry's hash, '|', its content."""
    return hashlib.sha256(f"{previous}|{content}".encode()).hexdigest()


def verify_chain(bind: Bind) -> ChainCheck:
    """Recompute the whole chain here (not with the database's own trigger function, which a
    superuser could replace) and find the first entry that does not match."""
    previous, expected_chain, checked = "", 1, 0
    with reading(bind) as conn:
        rows = conn.execution_options(stream_results=True, yield_per=5000).execute(text(_CHAIN_SQL))
        for chain, entry_id, stored, content in rows:
            checked += 1
            if chain != expected_chain:
                return ChainCheck(
                    checked, entry_id, chain,
                    f"entry {expected_chain} of the chain is missing (deleted)",
                )  # fmt: skip
            if stored != entry_hash(previous, content):
                return ChainCheck(
                    checked, entry_id, chain,
                    "its content does not match its hash (changed after it was written)",
                )  # fmt: skip
            previous, expected_chain = stored, expected_chain + 1
    return ChainCheck(checked)


def record(
    conn: Connection,
    *,
    user_id: int | None,
    username: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry, in the caller's transaction (so it commits with the action it records)."""
    if action not in vocab.AUDIT_ACTIONS:
        raise ValidationError(f"unknown audit action {action!r}")
    conn.execute(
        _INSERT,
        {
            "user_id": user_id,
            "username": username,
            "action": action,
            "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "detail": detail or {},
        },
    )


@dataclass(frozen=True)
class AuditFilters:
    """Which audit entries to show; empty means all."""

    action: str | None = None
    username: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def as_detail(self) -> dict[str, str]:
        """The filters that are set, as text (for the export's own audit entry)."""
        return {k: str(v) for k, v in asdict(self).items() if v is not None}


def recent(
    bind: Bind, filters: AuditFilters = AuditFilters(), *, limit: int | None = 500
) -> pd.DataFrame:
    """The newest entries first that pass ``filters`` (dates inclusive, in UTC), at most
    ``limit`` (None: all); column ``matching`` holds how many entries pass in all."""
    return read_frame(
        bind,
        "SELECT at, username, action, object_type, object_id, detail::text AS detail, "
        "count(*) OVER () AS matching "
        "FROM audit_log WHERE (CAST(:action AS text) IS NULL OR action = :action) "
        "AND (CAST(:username AS text) IS NULL OR username = :username) "
        "AND (CAST(:object_type AS text) IS NULL OR object_type = :object_type) "
        "AND (CAST(:object_id AS text) IS NULL OR object_id = :object_id) "
        "AND (CAST(:since AS date) IS NULL OR at >= CAST(:since AS date)) "
        "AND (CAST(:until AS date) IS NULL OR at < CAST(:until AS date) + 1) "
        "ORDER BY at DESC, id DESC LIMIT :limit",
        {**asdict(filters), "limit": limit},
    )


#: The columns whose logged values the audit page offers as filters.
_FILTER_COLUMNS = frozenset({"username", "object_type"})


def logged_values(bind: Bind, column: str) -> list[str]:
    """Every value of ``column`` (username or object_type) that appears in the log, sorted, for
    the filters: kinds of object appear as the app learns to audit them."""
    if column not in _FILTER_COLUMNS:
        raise ValueError(f"not a filter column of the audit log: {column!r}")
    return read_frame(
        bind,
        f"SELECT DISTINCT {column} AS value FROM audit_log "  # noqa: S608 - column checked above
        f"WHERE {column} IS NOT NULL ORDER BY 1",
    )["value"].tolist()


def by(
    conn: Connection,
    user: User,
    action: str,
    *,
    object_type: str,
    object_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append what ``user`` did to one object, in the caller's transaction."""
    record(
        conn,
        user_id=user.id,
        username=user.username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def edit(
    conn: Connection,
    user: User,
    *,
    object_type: str,
    object_id: str | int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Append an edit by ``user`` with the values before and after, in the caller's
    transaction."""
    by(
        conn,
        user,
        "edit",
        object_type=object_type,
        object_id=object_id,
        detail={
            "before": None if before is None else dict(before),
            "after": None if after is None else dict(after),
        },
    )


def export(
    bind: Bind, user: User, *, object_type: str, detail: dict[str, Any] | None = None
) -> None:
    """Record that ``user`` exported ``object_type`` (in its own transaction)."""
    with transaction(bind) as conn:
        by(conn, user, "export", object_type=object_type, detail=detail)


def record_logout(bind: Bind, user: User, *, reason: str) -> None:
    """Record that ``user``'s session ended (signed out, or idle too long), in its own
    transaction."""
    with transaction(bind) as conn:
        by(
            conn,
            user,
            "logout",
            object_type="app_user",
            object_id=user.id,
            detail={"reason": reason},
        )


def imported(
    conn: Connection, user: User, *, object_type: str, file: str, detail: dict[str, Any]
) -> None:
    """Append that ``user`` imported ``file`` into ``object_type``, in the import's own
    transaction (so the entry commits, or rolls back, with what it records)."""
    by(conn, user, "import", object_type=object_type, object_id=file, detail=detail)


def refuse(
    bind: Bind,
    user: User,
    message: str,
    *,
    object_type: str,
    object_id: str | int | None = None,
) -> NoReturn:
    """Record that ``user`` was refused (in its own transaction, so the entry stays), then
    refuse with ``message``."""
    with transaction(bind) as conn:
        by(conn, user, "denied", object_type=object_type, object_id=object_id,
           detail={"reason": message})  # fmt: skip
    raise AccessDeniedError(message)
