"""the published-figures store holds the ONS regional GVA tables

ONS "Regional gross value added (balanced) by industry", current prices, £ million, one row per
region, industry and year, as published in a release (ITL2 and ITL3 tables). The sector's rows
(SIC 2007 group CB, 13-15) feed the sizing page and the sector report.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "official_gva",
        sa.Column("release", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(9), nullable=False),
        sa.Column("region_name", sa.Text(), nullable=False),
        sa.Column("industry_code", sa.Text(), nullable=False),
        sa.Column("industry", sa.Text(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("gbp_million", sa.Numeric(14, 2), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.Text(), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("release", "region_code", "industry_code", "industry", "year"),
        sa.CheckConstraint("year BETWEEN 1900 AND 2100", name="ck_official_gva_year"),
    )
    op.create_index(
        "ix_official_gva_region_industry", "official_gva", ["region_code", "industry_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_official_gva_region_industry", table_name="official_gva")
    op.drop_table("official_gva")
