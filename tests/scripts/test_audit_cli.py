"""``sectormap audit verify`` on a database of its own: the chain holds, then an entry edited
by a superuser is named and the command exits 1."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.scripts.test_cli import run
from tests.support import fresh_database, worker


def test_audit_verify_names_the_first_entry_that_does_not_match() -> None:
    engine = create_engine(fresh_database(f"sectormap_audit_cli_{worker()}"))
    assert run(engine, "db", "up").returncode == 0
    with engine.begin() as conn:
        ids = [
            conn.execute(
                text("INSERT INTO audit_log (username, action) VALUES (:u, 'login') RETURNING id"),
                {"u": f"person{n}"},
            ).scalar_one()
            for n in range(5)
        ]
    held = run(engine, "audit", "verify")
    assert held.returncode == 0, held.stderr
    assert "The audit log's chain holds: 5 entries checked." in held.stdout
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        conn.execute(text("UPDATE audit_log SET username = 'nobody' WHERE id = :i"), {"i": ids[3]})
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    broken = run(engine, "audit", "verify")
    assert broken.returncode == 1
    assert f"broken at entry {ids[3]} (place 4 in the chain)" in broken.stderr
    assert "changed after it was written" in broken.stderr
    engine.dispose()
