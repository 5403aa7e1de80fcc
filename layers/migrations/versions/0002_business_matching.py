"""Business matching and search: a name key for matching imports, trigram index on trading names

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_KEY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION sectormap_name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN
    regexp_replace(
        regexp_replace(lower(coalesce(name, '')), '\m(limited|ltd|plc|llp|the|and|co)\M', '', 'g'),
        '[^a-z0-9]', '', 'g')
"""


def upgrade() -> None:
    op.execute(NAME_KEY_FUNCTION)
    op.execute(
        "CREATE INDEX ix_business_name_key_postcode "
        "ON business (sectormap_name_key(name), postcode)"
    )
    op.execute(
        "CREATE INDEX ix_business_trading_name_trgm ON business "
        "USING gin (trading_name gin_trgm_ops)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_business_trading_name_trgm")
    op.execute("DROP INDEX ix_business_name_key_postcode")
    op.execute("DROP FUNCTION sectormap_name_key(text)")
