"""a tamper-evident audit log: each entry chained to the one before by a hash

Every entry gets ``chain`` (its place in the chain) and ``hash``, the SHA-256 of the previous
entry's hash and this entry's content, set by a trigger under a lock so that entries chain in the
order they are written. An edit made even by a superuser who disables the append-only trigger no
longer matches its hash (``sectormap audit verify`` finds it). The role ``sectormap_app``, for the
application's own connections, may read the log and add to it, never change it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The content an entry's hash covers, as text; the same formula is in layers.people.audit.
CONTENT = """concat_ws('|', {e}.id::text, to_char({e}.at AT TIME ZONE 'UTC',
    'YYYY-MM-DD"T"HH24:MI:SS.US'), coalesce({e}.user_id::text, ''), {e}.username, {e}.action,
    coalesce({e}.object_type, ''), coalesce({e}.object_id, ''), {e}.detail::text)"""

CHAIN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sectormap_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_chain bigint;
    last_hash text;
BEGIN
    -- One writer at a time, until it commits: entries chain in the order they are written.
    PERFORM pg_advisory_xact_lock(7220237);
    SELECT chain, hash INTO last_chain, last_hash FROM audit_log ORDER BY chain DESC LIMIT 1;
    NEW.chain := coalesce(last_chain, 0) + 1;
    NEW.hash := encode(sha256(convert_to(coalesce(last_hash, '') || '|' ||
        {CONTENT.format(e="NEW")}, 'UTF8')), 'hex');
    RETURN NEW;
END $$;
"""  # noqa: S608 - constant SQL

APP_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sectormap_app') THEN
        CREATE ROLE sectormap_app NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'sectormap_app not created: the migrating role may not create roles';
END $$;
"""

GRANTS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sectormap_app') THEN
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO sectormap_app', current_database());
        GRANT USAGE ON SCHEMA public TO sectormap_app;
        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO sectormap_app;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO sectormap_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM sectormap_app;
        REVOKE ALL ON alembic_version FROM sectormap_app;
        GRANT SELECT ON alembic_version TO sectormap_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO sectormap_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO sectormap_app;
    END IF;
END $$;
"""


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("chain", sa.BigInteger(), nullable=True))
    op.add_column("audit_log", sa.Column("hash", sa.Text(), nullable=True))
    # Chain the entries already written, in the order of their ids.
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    op.execute(
        f"""
        DO $$
        DECLARE entry record; previous text := ''; position bigint := 0;
        BEGIN
            FOR entry IN SELECT * FROM audit_log ORDER BY id LOOP
                position := position + 1;
                previous := encode(sha256(convert_to(previous || '|' ||
                    {CONTENT.format(e="entry")}, 'UTF8')), 'hex');
                UPDATE audit_log SET chain = position, hash = previous WHERE id = entry.id;
            END LOOP;
        END $$;
        """  # noqa: S608 - constant SQL
    )
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    op.alter_column("audit_log", "chain", nullable=False)
    op.alter_column("audit_log", "hash", nullable=False)
    op.create_unique_constraint("uq_audit_log_chain", "audit_log", ["chain"])
    op.execute(CHAIN_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION sectormap_audit_chain()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC")
    op.execute(APP_ROLE)
    op.execute(GRANTS)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION sectormap_audit_chain()")
    op.drop_constraint("uq_audit_log_chain", "audit_log", type_="unique")
    op.drop_column("audit_log", "hash")
    op.drop_column("audit_log", "chain")
