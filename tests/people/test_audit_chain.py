"""The tamper-evident audit log against PostGIS: every entry is chained to the one before by a
hash; an entry changed or deleted even by a superuser (triggers disabled) is found and named;
the application's role may add to the log, never change it."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import ProgrammingError

from layers.people import audit


def _write(conn: Connection, count: int) -> list[int]:
    return [
        conn.execute(
            text(
                "INSERT INTO audit_log (username, action, object_type, object_id, detail) "
                "VALUES ('t_chain', 'edit', 'business', :n, CAST(:d AS jsonb)) RETURNING id"
            ),
            {"n": str(n), "d": f'{{"after": {{"name": "Firm {n}"}}}}'},
        ).scalar_one()
        for n in range(count)
    ]


def test_entries_chain_in_the_order_they_are_written(conn: Connection) -> None:
    ids = _write(conn, 3)
    rows = conn.execute(
        text("SELECT id, chain, hash FROM audit_log WHERE id = ANY(:ids) ORDER BY chain"),
        {"ids": ids},
    ).all()
    assert [r.id for r in rows] == ids
    assert [r.chain for r in rows] == [rows[0].chain, rows[0].chain + 1, rows[0].chain + 2]
    assert len({r.hash for r in rows}) == 3 and all(len(r.hash) == 64 for r in rows)
    check = audit.verify_chain(conn)
    assert check.broken_at is None and check.entries >= 3


def test_an_edit_by_a_superuser_breaks_the_chain_at_that_entry(conn: Connection) -> None:
    ids = _write(conn, 4)
    conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    conn.execute(
        text('UPDATE audit_log SET detail = \'{"after": {"name": "Innocent"}}\' WHERE id = :i'),
        {"i": ids[2]},
    )
    check = audit.verify_chain(conn)
    assert check.broken_at == ids[2]
    assert "does not match its hash" in check.reason


def test_a_deleted_entry_breaks_the_chain(conn: Connection) -> None:
    ids = _write(conn, 3)
    conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    conn.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": ids[1]})
    check = audit.verify_chain(conn)
    assert check.broken_at == ids[2] and "missing" in check.reason


def test_the_applications_role_may_add_to_the_log_but_never_change_it(conn: Connection) -> None:
    conn.execute(text("SET LOCAL ROLE sectormap_app"))
    (entry,) = _write(conn, 1)
    assert conn.execute(text("SELECT count(*) FROM business")).scalar_one() >= 0
    for statement in (
        "UPDATE audit_log SET username = 'x' WHERE id = :i",
        "DELETE FROM audit_log WHERE id = :i",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"), conn.begin_nested():
            conn.execute(text(statement), {"i": entry})
