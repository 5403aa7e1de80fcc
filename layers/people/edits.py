"""Versioned, audited edits: the one sequence every register and focus-area edit follows.

Read the row as it was, save the change only onto the version the person edited (optimistic
locking, ``layers.core.locking``), read the row as it now is, and write both to the audit log, all
in the caller's transaction, so that a stale save changes nothing and leaves no audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection

from layers.core import locking
from layers.people import audit
from layers.people.identity import User

#: Reads what an audit entry should keep of a row (None when it does not exist).
Snapshot = Callable[[Connection, int], Mapping[str, Any] | None]


def save_versioned(
    conn: Connection,
    user: User,
    *,
    table: str,
    row_id: int,
    expected_version: int,
    update: str,
    params: Mapping[str, object] | None = None,
    snapshot: Snapshot,
    action: str = "edit",
) -> int:
    """Apply ``update`` (``UPDATE … WHERE id = :id AND version = :version RETURNING version``)
    to version ``expected_version`` of row ``row_id`` of ``table`` and audit it as ``action``
    with the snapshots before and after; returns the new version.

    Raises ``ConflictError`` when someone else saved the row since that version, and
    ``ValidationError`` when it no longer exists; nothing is written then.
    """
    before = snapshot(conn, row_id)
    version = locking.save(conn, table, row_id, expected_version, update, dict(params or {}))
    after = snapshot(conn, row_id)
    audit.by(
        conn,
        user,
        action,
        object_type=table,
        object_id=row_id,
        detail={
            "before": None if before is None else dict(before),
            "after": None if after is None else dict(after),
        },
    )
    return version
