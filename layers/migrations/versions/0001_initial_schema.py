"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:28:56.818834

Every table of DESIGN.md, the extensions it needs, the triggers that keep updated_at and the
optimistic-locking version current, the append-only audit log, and the partner agencies.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


EXTENSIONS = ("postgis", "pg_trgm", "btree_gist")

#: The tables this revision gives ``version`` and the touch trigger, frozen as they were when it
#: was written (a migration never reads the live models).
VERSIONED_TABLES = (
    "agency",
    "app_user",
    "site",
    "unit",
    "business",
    "tenancy",
    "visit",
    "report",
    "referral",
    "focus_area",
    "official_figure",
    "column_mapping",
)

TOUCH_FUNCTION = """
CREATE OR REPLACE FUNCTION sectormap_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$
"""

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION sectormap_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

AGENCIES = [
    (
        "GLAA",
        "Gangmasters and Labour Abuse Authority",
        "Labour exploitation and modern slavery; licensing of labour providers.",
        "Inspection and investigation of labour exploitation; PACE powers for modern slavery offences.",
    ),
    (
        "HMRC",
        "HM Revenue and Customs",
        "National minimum wage; tax and VAT.",
        "Enforces national minimum wage; investigates tax and VAT fraud.",
    ),
    (
        "HSE",
        "Health and Safety Executive",
        "Health and safety at work.",
        "Inspection of workplaces; improvement and prohibition notices.",
    ),
    (
        "EAS",
        "Employment Agency Standards Inspectorate",
        "Employment agencies and businesses.",
        "Inspection and enforcement of employment agency regulations.",
    ),
    (
        "POLICE",
        "Leicestershire Police",
        "Crime, including modern slavery and trafficking.",
        "Criminal investigation and arrest.",
    ),
    (
        "IE",
        "Immigration Enforcement",
        "Illegal working.",
        "Enforcement of immigration law; civil penalties for employers.",
    ),
    (
        "NCA",
        "National Crime Agency",
        "Serious and organised crime, trafficking.",
        "National investigations.",
    ),
    (
        "COUNCIL",
        "Leicester City Council",
        "Licensing, planning, business rates, business support.",
        "No powers inside workplaces on labour matters; refers to partner agencies.",
    ),
    (
        "VCS",
        "Voluntary and community sector partner",
        "Support and advice for workers.",
        "No enforcement powers.",
    ),
    ("OTHER", "Other", "", ""),
]


def upgrade() -> None:
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.create_table(
        "agency",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("remit", sa.Text(), server_default="", nullable=False),
        sa.Column("powers", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_geospatial_table(
        "boundary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("kind IN ('district', 'ward', 'msoa', 'lsoa')", name="ck_boundary_kind"),
        sa.CheckConstraint(
            "ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="ck_boundary_geom_valid"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "code", name="uq_boundary_kind_code"),
    )
    op.create_geospatial_index(
        "idx_boundary_geom",
        "boundary",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "demo_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=False),
        sa.Column("hidden_share", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column(
            "counts", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "counts", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "official_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("geography", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_table(
        "postcode",
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("positional_quality", sa.SmallInteger(), nullable=True),
        sa.Column("district_code", sa.String(length=9), nullable=True),
        sa.Column("ward_code", sa.String(length=9), nullable=True),
        sa.Column("ward_code_source", sa.String(length=9), nullable=True),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "postcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$'", name="ck_postcode_format"
        ),
        sa.CheckConstraint(
            "ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90",
            name="ck_postcode_geom_lonlat",
        ),
        sa.PrimaryKeyConstraint("postcode"),
    )
    op.create_geospatial_index(
        "idx_postcode_geom",
        "postcode",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_postcode_sector",
        "postcode",
        [
            sa.literal_column("split_part(postcode, ' ', 1)"),
            sa.literal_column("left(split_part(postcode, ' ', 2), 1)"),
        ],
        unique=False,
    )
    op.create_geospatial_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("floors", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("landlord", sa.Text(), nullable=True),
        sa.Column("osm_id", sa.BigInteger(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="ck_site_geom_valid"),
        sa.CheckConstraint("floors BETWEEN 1 AND 60", name="ck_site_floors"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("osm_id"),
    )
    op.create_geospatial_index(
        "idx_site_geom", "site", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index(
        "ix_site_name_trgm",
        "site",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("agency_code", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "cleared_restricted", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "role IN ('viewer', 'officer', 'analyst', 'planner', 'admin')", name="ck_app_user_role"
        ),
        sa.CheckConstraint("username ~ '^[a-z0-9_.-]{2,64}$'", name="ck_app_user_username"),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agency.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("floor", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("floor_area_m2", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("floor BETWEEN -2 AND 60", name="ck_unit_floor"),
        sa.CheckConstraint("floor_area_m2 IS NULL OR floor_area_m2 > 0", name="ck_unit_area"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id", "site_id", name="uq_unit_id_site"),
        sa.UniqueConstraint("site_id", "label", name="uq_unit_site_label"),
    )
    op.create_index(op.f("ix_unit_site_id"), "unit", ["site_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=True),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.CheckConstraint(
            "action IN ('login', 'login_failed', 'logout', 'view_restricted', 'denied', 'export', 'create', 'edit', 'archive', 'delete', 'import')",
            name="ck_audit_log_action",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_geospatial_table(
        "business",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("trading_name", sa.Text(), nullable=True),
        sa.Column("company_number", sa.String(length=8), nullable=True),
        sa.Column(
            "sic_codes", postgresql.ARRAY(sa.String(length=5)), server_default="{}", nullable=False
        ),
        sa.Column("sector", sa.String(length=8), nullable=False),
        sa.Column("activity", sa.String(length=24), server_default="other", nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "location_precision", sa.String(length=16), server_default="postcode", nullable=False
        ),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("employees_estimate", sa.Integer(), nullable=True),
        sa.Column("employees_low", sa.Integer(), nullable=True),
        sa.Column("employees_high", sa.Integer(), nullable=True),
        sa.Column("employees_source", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column(
            "accreditations", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "activity IN ('cmt', 'knitting', 'dyeing_finishing', 'printing', 'embroidery', 'wholesale', 'other')",
            name="ck_business_activity",
        ),
        sa.CheckConstraint(
            "company_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6})$'", name="ck_business_company_number"
        ),
        sa.CheckConstraint(
            "location_precision IN ('address', 'postcode', 'postcode_sector', 'manual', 'approximate')",
            name="ck_business_location_precision",
        ),
        sa.CheckConstraint(
            "sector IN ('13', '14', '15', '46.41', '46.42')", name="ck_business_sector"
        ),
        sa.CheckConstraint(
            "status IN ('active', 'dormant', 'ceased', 'archived')", name="ck_business_status"
        ),
        sa.CheckConstraint(
            "ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90",
            name="ck_business_geom_lonlat",
        ),
        sa.CheckConstraint(
            "employees_estimate IS NULL OR employees_estimate >= 0", name="ck_business_employees"
        ),
        sa.CheckConstraint(
            "employees_low IS NULL OR employees_high IS NULL OR employees_estimate IS NULL OR (0 <= employees_low AND employees_low <= employees_estimate AND employees_estimate <= employees_high)",
            name="ck_business_employees_range",
        ),
        sa.CheckConstraint(
            "last_seen IS NULL OR first_seen IS NULL OR last_seen >= first_seen",
            name="ck_business_seen",
        ),
        sa.CheckConstraint("unit_id IS NULL OR site_id IS NOT NULL", name="ck_business_unit_site"),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id", "site_id"], ["unit.id", "unit.site_id"], name="fk_business_unit_site"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_number"),
    )
    op.create_geospatial_index(
        "idx_business_geom",
        "business",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_business_name_trgm",
        "business",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index("ix_business_postcode", "business", ["postcode"], unique=False)
    op.create_index(op.f("ix_business_site_id"), "business", ["site_id"], unique=False)
    op.create_table(
        "column_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_geospatial_table(
        "focus_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("purpose", sa.Text(), server_default="", nullable=False),
        sa.Column("priority", sa.String(length=8), server_default="medium", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name="ck_focus_area_priority"),
        sa.CheckConstraint(
            "ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="ck_focus_area_geom_valid"
        ),
        sa.CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name="ck_focus_area_period",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_geospatial_index(
        "idx_focus_area_geom",
        "focus_area",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "business_source",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "source IN ('companies_register', 'visits', 'reports', 'business_support', 'rates', 'other')",
            name="ck_business_source_source",
        ),
        sa.ForeignKeyConstraint(["business_id"], ["business.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("business_id", "source"),
    )
    op.create_geospatial_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("source_type", sa.String(length=24), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "location_precision", sa.String(length=16), server_default="approximate", nullable=False
        ),
        sa.Column("source_evaluation", sa.String(length=1), nullable=True),
        sa.Column("intelligence_assessment", sa.String(length=1), nullable=True),
        sa.Column("handling_code", sa.String(length=1), server_default="C", nullable=False),
        sa.Column("handling_conditions", sa.Text(), server_default="", nullable=False),
        sa.Column("owning_agency", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="new", nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "category IN ('minimum_wage', 'holiday_pay', 'health_safety', 'modern_slavery', 'illegal_working', 'tax_fraud', 'accommodation', 'other')",
            name="ck_report_category",
        ),
        sa.CheckConstraint(
            "handling_code = 'P' OR length(trim(handling_conditions)) > 0",
            name="ck_report_conditions",
        ),
        sa.CheckConstraint("handling_code IN ('P', 'C')", name="ck_report_handling_code"),
        sa.CheckConstraint(
            "intelligence_assessment IS NULL OR intelligence_assessment IN ('A', 'B', 'C', 'D', 'E')",
            name="ck_report_intelligence_assessment",
        ),
        sa.CheckConstraint(
            "location_precision IN ('address', 'postcode', 'postcode_sector', 'manual', 'approximate')",
            name="ck_report_location_precision",
        ),
        sa.CheckConstraint(
            "source_evaluation IS NULL OR source_evaluation IN ('1', '2', '3')",
            name="ck_report_source_evaluation",
        ),
        sa.CheckConstraint(
            "source_type IN ('anonymous_line', 'charity', 'advice_service', 'retailer_audit', 'agency', 'public')",
            name="ck_report_source_type",
        ),
        sa.CheckConstraint(
            "status = 'new' OR (source_evaluation IS NOT NULL AND intelligence_assessment IS NOT NULL)",
            name="ck_report_graded_after_triage",
        ),
        sa.CheckConstraint(
            "status IN ('new', 'triaged', 'actioned', 'closed')", name="ck_report_status"
        ),
        sa.CheckConstraint(
            "ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90",
            name="ck_report_geom_lonlat",
        ),
        sa.CheckConstraint(
            "business_id IS NOT NULL OR site_id IS NOT NULL OR geom IS NOT NULL",
            name="ck_report_subject",
        ),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owning_agency"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "idx_report_geom",
        "report",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_report_business_id"), "report", ["business_id"], unique=False)
    op.create_index(op.f("ix_report_owning_agency"), "report", ["owning_agency"], unique=False)
    op.create_index("ix_report_received", "report", ["received_date"], unique=False)
    op.create_index(op.f("ix_report_site_id"), "report", ["site_id"], unique=False)
    op.create_table(
        "tenancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        postgresql.ExcludeConstraint(
            (sa.column("unit_id"), "="),
            (sa.text("daterange(start_date, end_date, '[)')"), "&&"),
            using="gist",
            name="ex_tenancy_no_overlap",
        ),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_tenancy_dates"),
        sa.ForeignKeyConstraint(["business_id"], ["business.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tenancy_business_id"), "tenancy", ["business_id"], unique=False)
    op.create_index(op.f("ix_tenancy_unit_id"), "tenancy", ["unit_id"], unique=False)
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column(
            "agencies", postgresql.ARRAY(sa.String(length=16)), server_default="{}", nullable=False
        ),
        sa.Column("operation_name", sa.Text(), nullable=True),
        sa.Column("visit_type", sa.String(length=32), nullable=False),
        sa.Column("workers_present", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("findings", sa.Text(), server_default="", nullable=False),
        sa.Column("follow_up_date", sa.Date(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("score_pay_hours", sa.SmallInteger(), nullable=True),
        sa.Column("score_health_safety", sa.SmallInteger(), nullable=True),
        sa.Column("score_contracts", sa.SmallInteger(), nullable=True),
        sa.Column("score_management", sa.SmallInteger(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rating_pending", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("right_to_reply", sa.Text(), server_default="", nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "agencies::text[] <@ ARRAY['GLAA', 'HMRC', 'HSE', 'EAS', 'POLICE', 'IE', 'NCA', 'COUNCIL', 'VCS', 'OTHER']::text[]",
            name="ck_visit_agencies",
        ),
        sa.CheckConstraint(
            "outcome IN ('no_issues', 'advice', 'referral', 'enforcement', 'exploitation_indicators', 'no_access')",
            name="ck_visit_outcome",
        ),
        sa.CheckConstraint(
            "visit_type IN ('joint_inspection', 'business_support', 'compliance_check', 'follow_up', 'intelligence_gathering')",
            name="ck_visit_type",
        ),
        sa.CheckConstraint(
            "business_id IS NOT NULL OR site_id IS NOT NULL", name="ck_visit_subject"
        ),
        sa.CheckConstraint(
            "coalesce(score_pay_hours, 0) BETWEEN 0 AND 30 AND coalesce(score_health_safety, 0) BETWEEN 0 AND 30 AND coalesce(score_contracts, 0) BETWEEN 0 AND 30 AND coalesce(score_management, 0) BETWEEN 0 AND 30",
            name="ck_visit_scores",
        ),
        sa.CheckConstraint(
            "follow_up_date IS NULL OR follow_up_date >= visit_date", name="ck_visit_follow_up"
        ),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 0 AND 5", name="ck_visit_rating"),
        sa.CheckConstraint(
            "workers_present IS NULL OR workers_present >= 0", name="ck_visit_workers"
        ),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["business.id"],
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_visit_business_id"), "visit", ["business_id"], unique=False)
    op.create_index("ix_visit_date", "visit", ["visit_date"], unique=False)
    op.create_index(op.f("ix_visit_site_id"), "visit", ["site_id"], unique=False)
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("agency_code", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("referred_at", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="sent", nullable=False),
        sa.Column("response", sa.Text(), server_default="", nullable=False),
        sa.Column("response_at", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status IN ('sent', 'accepted', 'declined', 'closed')", name="ck_referral_status"
        ),
        sa.CheckConstraint(
            "visit_id IS NOT NULL OR report_id IS NOT NULL", name="ck_referral_subject"
        ),
        sa.ForeignKeyConstraint(
            ["agency_code"],
            ["agency.code"],
        ),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
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
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "user_id"),
    )
    op.create_table(
        "report_visit",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["visit_id"], ["visit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "visit_id"),
    )
    op.execute(TOUCH_FUNCTION)
    for table in VERSIONED_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_touch BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sectormap_touch()"
        )
    op.execute(APPEND_ONLY_FUNCTION)
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION sectormap_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION sectormap_append_only()"
    )
    agency = sa.table(
        "agency", sa.column("code"), sa.column("name"), sa.column("remit"), sa.column("powers")
    )
    op.bulk_insert(
        agency,
        [dict(zip(("code", "name", "remit", "powers"), row, strict=True)) for row in AGENCIES],
    )


def downgrade() -> None:
    op.drop_table("report_visit")
    op.drop_table("report_clearance")
    op.drop_table("referral")
    op.drop_index(op.f("ix_visit_site_id"), table_name="visit")
    op.drop_index("ix_visit_date", table_name="visit")
    op.drop_index(op.f("ix_visit_business_id"), table_name="visit")
    op.drop_table("visit")
    op.drop_index(op.f("ix_tenancy_unit_id"), table_name="tenancy")
    op.drop_index(op.f("ix_tenancy_business_id"), table_name="tenancy")
    op.drop_table("tenancy")
    op.drop_index(op.f("ix_report_site_id"), table_name="report")
    op.drop_index("ix_report_received", table_name="report")
    op.drop_index(op.f("ix_report_owning_agency"), table_name="report")
    op.drop_index(op.f("ix_report_business_id"), table_name="report")
    op.drop_geospatial_index(
        "idx_report_geom", table_name="report", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("report")
    op.drop_table("business_source")
    op.drop_geospatial_index(
        "idx_focus_area_geom", table_name="focus_area", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("focus_area")
    op.drop_table("column_mapping")
    op.drop_index(op.f("ix_business_site_id"), table_name="business")
    op.drop_index("ix_business_postcode", table_name="business")
    op.drop_index(
        "ix_business_name_trgm",
        table_name="business",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_geospatial_index(
        "idx_business_geom", table_name="business", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("business")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_unit_site_id"), table_name="unit")
    op.drop_table("unit")
    op.drop_table("app_user")
    op.drop_index(
        "ix_site_name_trgm",
        table_name="site",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_geospatial_index(
        "idx_site_geom", table_name="site", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("site")
    op.drop_index("ix_postcode_sector", table_name="postcode")
    op.drop_geospatial_index(
        "idx_postcode_geom", table_name="postcode", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("postcode")
    op.drop_table("official_figure")
    op.drop_table("import_run")
    op.drop_table("demo_run")
    op.drop_geospatial_index(
        "idx_boundary_geom", table_name="boundary", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("boundary")
    op.drop_table("agency")
    op.execute("DROP FUNCTION IF EXISTS sectormap_touch()")
    op.execute("DROP FUNCTION IF EXISTS sectormap_append_only()")
