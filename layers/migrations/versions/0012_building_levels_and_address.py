"""buildings keep their storeys and address from OpenStreetMap

``building:levels`` gives a multi-occupancy site its floors when a proposal is accepted; the
``addr:*`` address and postcode name the building.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("building", sa.Column("levels", sa.SmallInteger(), nullable=True))
    op.add_column("building", sa.Column("address", sa.Text(), nullable=True))
    op.add_column("building", sa.Column("postcode", sa.Text(), nullable=True))
    op.create_check_constraint("ck_building_levels", "building", "levels BETWEEN 1 AND 60")


def downgrade() -> None:
    op.drop_constraint("ck_building_levels", "building", type_="check")
    op.drop_column("building", "postcode")
    op.drop_column("building", "address")
    op.drop_column("building", "levels")
