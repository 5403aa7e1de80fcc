"""review and disposal of intelligence reports

Every report is reviewed on a date: its received date plus its category's retention period
(settings), or the date a reviewer decided to retain it until. Each decision is kept
(``report_review``); a disposed report keeps only a tombstone (``disposed_at``, ``disposed_by``,
``disposal_reason``, with its dates, category, grading, handling code and owning agency).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = (
    "action IN ('login', 'login_failed', 'lockout', 'logout', 'view_restricted', 'denied', "
    "'export', 'create', 'edit', 'archive', 'delete', 'import', 'grant', 'revoke', 'password')"
)
NEW_ACTIONS = (
    "action IN ('login', 'login_failed', 'lockout', 'logout', 'view_restricted', 'denied', "
    "'export', 'create', 'edit', 'archive', 'delete', 'import', 'grant', 'revoke', 'password', "
    "'review', 'dispose', 'disclose')"
)


def upgrade() -> None:
    op.add_column("report", sa.Column("retain_until", sa.Date(), nullable=True))
    op.add_column("report", sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("report", sa.Column("disposed_by", sa.Integer(), nullable=True))
    op.add_column("report", sa.Column("disposal_reason", sa.Text(), nullable=True))
    op.create_foreign_key("report_disposed_by_fkey", "report", "app_user", ["disposed_by"], ["id"])
    op.create_check_constraint(
        "ck_report_disposal",
        "report",
        "(disposed_at IS NULL) = (disposal_reason IS NULL)",
    )
    # A disposed report is closed, graded or not.
    op.drop_constraint("ck_report_graded_after_triage", "report", type_="check")
    op.create_check_constraint(
        "ck_report_graded_after_triage",
        "report",
        "status = 'new' OR disposed_at IS NOT NULL OR (source_evaluation IS NOT NULL "
        "AND intelligence_assessment IS NOT NULL)",
    )
    op.create_table(
        "report_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("decision IN ('retain', 'dispose')", name="ck_report_review_decision"),
        sa.CheckConstraint(
            "(decision = 'retain') = (retain_until IS NOT NULL)", name="ck_report_review_until"
        ),
        sa.CheckConstraint("length(trim(reason)) > 0", name="ck_report_review_reason"),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_review_report_id", "report_review", ["report_id"])
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", NEW_ACTIONS)
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sectormap_app') THEN "
        "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON report_review TO sectormap_app; "
        "GRANT USAGE, SELECT, UPDATE ON SEQUENCE report_review_id_seq TO sectormap_app; "
        "END IF; END $$"
    )


def downgrade() -> None:
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", OLD_ACTIONS)
    op.drop_index("ix_report_review_report_id", table_name="report_review")
    op.drop_table("report_review")
    op.drop_constraint("ck_report_disposal", "report", type_="check")
    op.drop_constraint("ck_report_graded_after_triage", "report", type_="check")
    op.create_check_constraint(
        "ck_report_graded_after_triage",
        "report",
        "status = 'new' OR (source_evaluation IS NOT NULL AND intelligence_assessment IS NOT NULL)",
    )
    op.drop_constraint("report_disposed_by_fkey", "report", type_="foreignkey")
    for column in ("disposal_reason", "disposed_by", "disposed_at", "retain_until"):
        op.drop_column("report", column)
