"""Saved column mappings, so a list imported every month is mapped once."""

from __future__ import annotations

import json

from sqlalchemy import text

from layers.core.db import Bind, read_frame, transaction
from layers.people import rights
from layers.people.identity import User
from layers.register.businesses.readers import check_mapping


def saved_mappings(bind: Bind) -> dict[str, dict[str, str]]:
    """Every saved mapping by name."""
    frame = read_frame(
        bind, "SELECT name, mapping::text AS mapping FROM column_mapping ORDER BY name"
    )
    return {
        name: json.loads(mapping)
        for name, mapping in zip(frame["name"], frame["mapping"], strict=True)
    }


def save_mapping(bind: Bind, user: User, name: str, mapping: dict[str, str]) -> None:
    """Save (or replace) a mapping under ``name``; refused (audited) for a role that may not
    import."""
    rights.require_importer(bind, user, "save column mappings", object_type="column_mapping")
    check_mapping(mapping, source=name)
    with transaction(bind) as conn:
        conn.execute(
            text(
                "INSERT INTO column_mapping (name, mapping, created_by) "
                "VALUES (:name, CAST(:mapping AS jsonb), :user) "
                "ON CONFLICT (name) DO UPDATE SET mapping = EXCLUDED.mapping"
            ),
            {"name": name.strip(), "mapping": json.dumps(mapping), "user": user.id},
        )
