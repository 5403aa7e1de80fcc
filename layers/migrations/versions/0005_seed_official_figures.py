"""seed the published figures about the sector

The Leicester and Leicestershire Enterprise Partnership's 2017 estimate of the textiles and
garment sector: about 1,480 firms employing about 9,480 people.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE = "Leicester and Leicestershire Enterprise Partnership (LLEP), textiles sector estimate"


FIGURES = [
    {"measure": "businesses", "value": 1480, "notes": "About 1,480 firms in the sector"},
    {"measure": "employees", "value": 9480, "notes": "About 9,480 jobs in the sector"},
]


def upgrade() -> None:
    op.get_bind().execute(
        sa.text(
            "INSERT INTO official_figure (source, year, geography, measure, value, notes) "
            "VALUES (:source, 2017, 'Leicester and Leicestershire', :measure, :value, :notes)"
        ),
        [{**figure, "source": SOURCE} for figure in FIGURES],
    )


def downgrade() -> None:
    op.get_bind().execute(
        sa.text("DELETE FROM official_figure WHERE source = :source AND year = 2017"),
        {"source": SOURCE},
    )
