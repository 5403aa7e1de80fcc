"""Optimistic locking: an edit names the version it was based on, and a stale one is refused."""

from __future__ import annotations

from sqlalchemy import Connection, text

from layers.core.errors import ConflictError, ValidationError

#: Tables edited through versioned saves, and what people call their rows.
_KINDS = {"business": "business", "site": "site", "unit": "unit", "focus_area": "focus area"}


def version_of(conn: Connection, table: str, row_id: int) -> int | None:
    """The current version of a row, or None when it no longer exists."""
    if table not in _KINDS:
        raise ValueError(f"not a versioned table: {table}")
    return conn.execute(
        text(f"SELECT version FROM {table} WHERE id = :id"),  # noqa: S608
        {"id": row_id},
    ).scalar()


def refuse(conn: Connection, table: str, row_id: int, expected: int) -> None:
    """Raise the error that explains why a save based on version ``expected`` did not apply."""
    current = version_of(conn, table, row_id)
    noun = _KINDS[table]
    if current is None:
        raise ValidationError(f"{noun} {row_id} no longer exists")
    raise ConflictError(
        f"Someone else saved this {noun} after you opened it (you edited version {expected}; "
        f"it is now at version {current}). Your changes were not saved and theirs are kept: "
        f"reload the {noun}, then make your changes again."
    )


def save(
    conn: Connection,
    table: str,
    row_id: int,
    expected: int,
    update: str,
    params: dict[str, object] | None = None,
) -> int:
    """Run ``update`` (an ``UPDATE … WHERE id = :id AND version = :version RETURNING version``)
    for the version the person edited; return the new version, or refuse a stale save."""
    version = conn.execute(
        text(update), {**(params or {}), "id": row_id, "version": expected}
    ).scalar()
    if version is None:
        refuse(conn, table, row_id, expected)
    return int(version)
