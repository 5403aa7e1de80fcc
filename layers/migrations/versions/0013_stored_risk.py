"""risk is stored, and the changes that move it mark the businesses to recompute

``business_risk`` holds each business's score, its factors (as the profile shows them) and the
labels of its largest ones (as dashboards rank them). Statement-level triggers on the tables a
score depends on (business, visit, report, tenancy, unit) add the businesses a change moves to
``risk_pending``; the application recomputes those before the transaction commits
(``layers.register.risk``), and ``sectormap risk refresh`` renews the time-based factors daily.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The businesses a change moves, per table, from its transition table ``rows``.
MOVED = {
    "business": "SELECT id FROM {rows}",
    "visit": "SELECT business_id FROM {rows} WHERE business_id IS NOT NULL",
    "report": "SELECT business_id FROM {rows} WHERE business_id IS NOT NULL",
    # Churn counts the tenancies of a business's unit; the tenant itself moves too.
    "tenancy": "SELECT business_id FROM {rows} UNION SELECT b.id FROM business b "
    "JOIN {rows} r ON b.unit_id = r.unit_id",
    # Multi-occupancy counts a site's units; crowding reads a unit's floor area.
    "unit": "SELECT b.id FROM business b JOIN {rows} r ON b.site_id = r.site_id",
}


def _function(table: str) -> str:
    select = MOVED[table]
    return f"""
CREATE FUNCTION risk_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO risk_pending (business_id) {select.format(rows="new_rows")}
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO risk_pending (business_id) {select.format(rows="old_rows")}
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$"""


EVENTS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.create_table(
        "business_risk",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("factors", postgresql.JSONB(), nullable=False),
        sa.Column("top_factors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["business_id"], ["business.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("business_id"),
    )
    op.create_table(
        "risk_pending",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("business_id"),
    )
    for table in MOVED:
        op.execute(_function(table))
        for event, tables in EVENTS.items():
            if table == "business" and event == "DELETE":
                continue  # its stored risk goes with it (ON DELETE CASCADE)
            op.execute(
                f"CREATE TRIGGER risk_mark_{table}_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_{table}()"
            )
    # Every business present now is computed by the application's first refresh.
    op.execute("INSERT INTO risk_pending (business_id) SELECT id FROM business")


def downgrade() -> None:
    for table in MOVED:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS risk_mark_{table}_{event.lower()} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS risk_mark_{table}()")
    op.drop_table("risk_pending")
    op.drop_table("business_risk")
