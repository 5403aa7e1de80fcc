"""postcodes keep the release that last listed them, and whether they have been terminated

Code-Point Open lists only live postcodes. A postcode of an older release that a newer release of
its area no longer lists has been terminated: it is kept, flagged, so that old addresses still
geocode; a newer release never gives way to an older one loaded after it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("postcode", sa.Column("released", sa.Date(), nullable=True))
    op.add_column(
        "postcode",
        sa.Column("terminated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("postcode", "terminated")
    op.drop_column("postcode", "released")
