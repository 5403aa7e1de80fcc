"""people, agencies, clearances and sign-in protection

- app_user: an email (how single sign-on finds a person), a one-time-password flag, when the
  password was last set; the role ``partner``; the old ``cleared_restricted`` flag becomes a
  clearance with a reason.
- agency: its kind (enforcement agency, council, partner organisation), the source type its
  people's reports carry, a referral contact, and retirement (never deletion).
- clearance: cleared for all restricted intelligence (report_id NULL) or one report, with a
  reason, an optional expiry, who granted and who revoked it. Replaces report_clearance.
- sign_in_failure: failed sign-ins per username (known or not), for the lockout.
- report: the organisation that submitted it, and a described subject (address, postcode) for a
  partner's report about a place that is not in the register.
- audit_log: the actions lockout, grant, revoke and password.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "role IN ('viewer', 'officer', 'analyst', 'planner', 'admin')"
NEW_ROLES = "role IN ('viewer', 'partner', 'officer', 'analyst', 'planner', 'admin')"
OLD_ACTIONS = (
    "action IN ('login', 'login_failed', 'logout', 'view_restricted', 'denied', 'export', "
    "'create', 'edit', 'archive', 'delete', 'import')"
)
NEW_ACTIONS = (
    "action IN ('login', 'login_failed', 'lockout', 'logout', 'view_restricted', 'denied', "
    "'export', 'create', 'edit', 'archive', 'delete', 'import', 'grant', 'revoke', 'password')"
)
SOURCE_TYPES = (
    "reports_as IN ('anonymous_line', 'charity', 'advice_service', 'retailer_audit', 'agency', "
    "'public')"
)


def upgrade() -> None:
    op.add_column("app_user", sa.Column("email", sa.Text(), nullable=True))
    op.add_column(
        "app_user",
        sa.Column(
            "must_change_password", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.add_column(
        "app_user", sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_unique_constraint("uq_app_user_email", "app_user", ["email"])
    op.create_check_constraint(
        "ck_app_user_email",
        "app_user",
        "email IS NULL OR (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$')",
    )
    op.drop_constraint("ck_app_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_app_user_role", "app_user", NEW_ROLES)

    op.add_column(
        "agency",
        sa.Column("kind", sa.String(length=16), server_default="enforcement", nullable=False),
    )
    op.add_column(
        "agency",
        sa.Column("reports_as", sa.String(length=24), server_default="agency", nullable=False),
    )
    op.add_column(
        "agency", sa.Column("referral_contact", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("agency", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        "ck_agency_kind", "agency", "kind IN ('enforcement', 'council', 'partner')"
    )
    op.create_check_constraint("ck_agency_reports_as", "agency", SOURCE_TYPES)
    op.create_check_constraint("ck_agency_code", "agency", "code ~ '^[A-Z0-9_]{2,16}$'")
    op.execute("UPDATE agency SET kind = 'council' WHERE code = 'COUNCIL'")
    op.execute(
        "UPDATE agency SET kind = 'partner', reports_as = 'charity' WHERE code IN ('VCS', 'OTHER')"
    )

    op.create_table(
        "clearance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(trim(reason)) > 0", name="ck_clearance_reason"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["revoked_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_clearance_user_id", "clearance", ["user_id"], unique=False)
    op.execute(
        "INSERT INTO clearance (user_id, report_id, reason, granted_by, granted_at) "
        "SELECT user_id, report_id, 'granted before clearances carried a reason', granted_by, "
        "granted_at FROM report_clearance"
    )
    op.execute(
        "INSERT INTO clearance (user_id, reason) SELECT id, "
        "'granted before clearances carried a reason' FROM app_user WHERE cleared_restricted"
    )
    op.drop_table("report_clearance")
    op.drop_column("app_user", "cleared_restricted")

    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failure_username_at", "sign_in_failure", ["username", "at"])

    op.add_column("report", sa.Column("submitting_agency", sa.String(length=16), nullable=True))
    op.create_foreign_key(
        "report_submitting_agency_fkey", "report", "agency", ["submitting_agency"], ["code"]
    )
    op.create_index("ix_report_submitting_agency", "report", ["submitting_agency"])
    op.add_column(
        "report", sa.Column("subject_description", sa.Text(), server_default="", nullable=False)
    )
    op.execute(
        "UPDATE report r SET submitting_agency = u.agency_code FROM app_user u "
        "WHERE u.id = r.submitted_by"
    )
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", NEW_ACTIONS)


def downgrade() -> None:
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", OLD_ACTIONS)
    op.drop_column("report", "subject_description")
    op.drop_index("ix_report_submitting_agency", table_name="report")
    op.drop_constraint("report_submitting_agency_fkey", "report", type_="foreignkey")
    op.drop_column("report", "submitting_agency")
    op.drop_index("ix_sign_in_failure_username_at", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")

    op.add_column(
        "app_user",
        sa.Column(
            "cleared_restricted", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.create_table(
        "report_clearance",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["granted_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "user_id"),
    )
    active = "revoked_at IS NULL AND (expires_on IS NULL OR expires_on >= current_date)"
    op.execute(
        "INSERT INTO report_clearance (report_id, user_id, granted_by, granted_at) "  # noqa: S608 - constant
        "SELECT DISTINCT ON (report_id, user_id) report_id, user_id, granted_by, granted_at "
        f"FROM clearance WHERE report_id IS NOT NULL AND {active}"
    )
    op.execute(
        "UPDATE app_user u SET cleared_restricted = true WHERE EXISTS (SELECT 1 FROM clearance c "  # noqa: S608 - constant
        f"WHERE c.user_id = u.id AND c.report_id IS NULL AND {active})"
    )
    op.drop_index("ix_clearance_user_id", table_name="clearance")
    op.drop_table("clearance")

    op.drop_constraint("ck_agency_code", "agency", type_="check")
    op.drop_constraint("ck_agency_reports_as", "agency", type_="check")
    op.drop_constraint("ck_agency_kind", "agency", type_="check")
    for column in ("retired_at", "referral_contact", "reports_as", "kind"):
        op.drop_column("agency", column)

    # A partner cannot be deleted (the audit log names them): they become inactive viewers.
    op.execute("UPDATE app_user SET role = 'viewer', active = false WHERE role = 'partner'")
    op.drop_constraint("ck_app_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_app_user_role", "app_user", OLD_ROLES)
    op.drop_constraint("ck_app_user_email", "app_user", type_="check")
    op.drop_constraint("uq_app_user_email", "app_user", type_="unique")
    for column in ("password_set_at", "must_change_password", "email"):
        op.drop_column("app_user", column)
