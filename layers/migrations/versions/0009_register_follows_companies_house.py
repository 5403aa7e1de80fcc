"""the register follows Companies House: businesses that moved out of the area, and companies
gone from the register

A company of the register whose registered office moved outside the postcode areas is kept,
with its new address, as 'moved_away' (out of the area's counts); one absent from a full monthly
snapshot of the Companies House product is 'dissolved', with the snapshot's date in
``left_register_on``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('active', 'dormant', 'ceased', 'archived')"
NEW = "status IN ('active', 'dormant', 'ceased', 'moved_away', 'dissolved', 'archived')"


def upgrade() -> None:
    op.add_column("business", sa.Column("left_register_on", sa.Date(), nullable=True))
    op.drop_constraint("ck_business_status", "business", type_="check")
    op.create_check_constraint("ck_business_status", "business", NEW)


def downgrade() -> None:
    op.execute("UPDATE business SET status = 'ceased' WHERE status IN ('moved_away', 'dissolved')")
    op.drop_constraint("ck_business_status", "business", type_="check")
    op.create_check_constraint("ck_business_status", "business", OLD)
    op.drop_column("business", "left_register_on")
