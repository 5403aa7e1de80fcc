"""buildings streets and site proposals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:42:37.905807
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "building",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
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
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="ck_building_geom_valid"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_id", name="uq_building_source"),
    )
    op.create_geospatial_index(
        "idx_building_geom",
        "building",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "street_edge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("u", sa.BigInteger(), nullable=False),
        sa.Column("v", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("osmid", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("highway", sa.Text(), nullable=True),
        sa.Column("length_m", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "idx_street_edge_geom",
        "street_edge",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_street_edge_u"), "street_edge", ["u"], unique=False)
    op.create_index(op.f("ix_street_edge_v"), "street_edge", ["v"], unique=False)
    op.create_geospatial_table(
        "site_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("business_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
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
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('new_site', 'new_tenants')", name="ck_site_proposal_kind"),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'merged', 'dismissed')", name="ck_site_proposal_status"
        ),
        sa.CheckConstraint(
            "ST_IsValid(geom) AND NOT ST_IsEmpty(geom)", name="ck_site_proposal_geom_valid"
        ),
        sa.ForeignKeyConstraint(["building_id"], ["building.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "idx_site_proposal_geom",
        "site_proposal",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_site_proposal_geom",
        table_name="site_proposal",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("site_proposal")
    op.drop_index(op.f("ix_street_edge_v"), table_name="street_edge")
    op.drop_index(op.f("ix_street_edge_u"), table_name="street_edge")
    op.drop_geospatial_index(
        "idx_street_edge_geom",
        table_name="street_edge",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("street_edge")
    op.drop_geospatial_index(
        "idx_building_geom", table_name="building", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("building")
