"""The audit log: append-only record of logins, restricted reads, exports and edits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import bindparam

from layers import vocab
from layers.db import Bind, read_frame, transaction
from layers.errors import ValidationError

if TYPE_CHECKING:
    from layers.users import User

_INSERT = text(
    "INSERT INTO audit_log (user_id, username, action, object_type, object_id, detail) "
    "VALUES (:user_id, :username, :action, :object_type, :object_id, :detail)"
).bindparams(bindparam("detail", type_=JSONB))


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


def recent(bind: Bind, *, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    """The newest entries first, optionally of one action."""
    return read_frame(
        bind,
        "SELECT at, username, action, object_type, object_id, detail::text AS detail "
        "FROM audit_log WHERE (CAST(:action AS text) IS NULL OR action = :action) "
        "ORDER BY at DESC, id DESC LIMIT :limit",
        {"action": action, "limit": limit},
    )


def export(
    bind: Bind, user: User, *, object_type: str, detail: dict[str, Any] | None = None
) -> None:
    """Record that ``user`` exported ``object_type`` (in its own transaction)."""
    with transaction(bind) as conn:
        record(
            conn,
            user_id=user.id,
            username=user.username,
            action="export",
            object_type=object_type,
            detail=detail,
        )
