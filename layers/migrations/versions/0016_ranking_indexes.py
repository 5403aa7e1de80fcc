"""indexes that let an area's places be ranked from indexes alone

The area dashboard ranks every place inside an area by its stored risk (180,000 at a million
businesses in the largest ward). ``ix_business_grid_places``, read along the area's grid runs
like ``ix_business_grid`` (migration 0004, left as narrow as the area counts need it), covers
each business's id, name, site, status and point, and ``ix_business_risk_score`` covers each
business's score, so the ranking reads no table rows: only the places shown are fetched whole.
``ix_visit_business_id`` now covers each visit's outcome and date, so an area's visits are
counted by one ordered pass over that index, merged with the businesses inside.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _visit_index(covered: list[str]) -> None:
    op.drop_index("ix_visit_business_id", table_name="visit")
    op.create_index("ix_visit_business_id", "visit", ["business_id"], postgresql_include=covered)


def upgrade() -> None:
    """Cover the ranking's columns."""
    op.create_index(
        "ix_business_grid_places",
        "business",
        ["grid_j", "grid_i"],
        postgresql_include=["status", "geom", "id", "name", "site_id"],
    )
    op.create_index(
        "ix_business_risk_score", "business_risk", ["business_id"], postgresql_include=["score"]
    )
    _visit_index(["outcome", "visit_date"])


def downgrade() -> None:
    """Back to migration 0015's indexes."""
    _visit_index([])
    op.drop_index("ix_business_risk_score", table_name="business_risk")
    op.drop_index("ix_business_grid_places", table_name="business")
