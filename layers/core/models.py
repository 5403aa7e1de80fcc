"""The schema: one mapped class per table (SQLAlchemy 2 + GeoAlchemy2).

Storage is EPSG:4326; every geometry column has a fixed type and SRID (the column's typmod), a GiST
index, and a check that it is valid and not empty. Enumerations are check constraints built from
``layers.core.vocab``. Editable rows carry ``version``: a trigger bumps it on every UPDATE and
the ORM uses it for optimistic locking, so a save based on a stale read is refused, never
silently applied.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from layers.core import vocab

SRID = 4326
#: Tables whose rows are edited by people: they get ``version`` and the ``updated_at`` trigger.
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


class Base(DeclarativeBase):
    """Declarative base of every table."""


def _valid(column: str, table: str) -> CheckConstraint:
    return CheckConstraint(
        f"ST_IsValid({column}) AND NOT ST_IsEmpty({column})", name=f"ck_{table}_{column}_valid"
    )


def _lonlat(column: str, table: str) -> CheckConstraint:
    return CheckConstraint(
        f"ST_X({column}) BETWEEN -180 AND 180 AND ST_Y({column}) BETWEEN -90 AND 90",
        name=f"ck_{table}_{column}_lonlat",
    )


class Timestamped:
    """Created/updated timestamps and the optimistic-locking version."""

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The version is bumped by a database trigger; the ORM compares and reads it back.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class Agency(Timestamped, Base):
    """An organisation of the partnership: an enforcement agency, a council or a partner
    organisation, with its remit, powers and referral contact. Retired, never deleted."""

    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint(vocab.sql_in("kind", vocab.AGENCY_KINDS), name="ck_agency_kind"),
        CheckConstraint(
            vocab.sql_in("reports_as", vocab.REPORT_SOURCE_TYPES), name="ck_agency_reports_as"
        ),
        CheckConstraint("code ~ '^[A-Z0-9_]{2,16}$'", name="ck_agency_code"),
    )
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    remit: Mapped[str] = mapped_column(Text, server_default="")
    powers: Mapped[str] = mapped_column(Text, server_default="")
    kind: Mapped[str] = mapped_column(String(16), server_default="enforcement")
    #: The source type of the reports its people submit (a charity's, a retailer audit's...).
    reports_as: Mapped[str] = mapped_column(String(24), server_default="agency")
    referral_contact: Mapped[str] = mapped_column(Text, server_default="")
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AppUser(Timestamped, Base):
    """A person who signs in; role decides actions, agency decides readable intelligence."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(vocab.sql_in("role", vocab.ROLES), name="ck_app_user_role"),
        CheckConstraint("username ~ '^[a-z0-9_.-]{2,64}$'", name="ck_app_user_username"),
        CheckConstraint(
            "email IS NULL OR (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$')",
            name="ck_app_user_email",
        ),
        UniqueConstraint("email", name="uq_app_user_email"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    email: Mapped[str | None] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    #: A password someone else set (on adding, or a reset) must be replaced at next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    password_set_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Boundary(Base):
    """An administrative or statistical area (district, ward, MSOA, LSOA)."""

    __tablename__ = "boundary"
    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_boundary_kind_code"),
        CheckConstraint(vocab.sql_in("kind", vocab.BOUNDARY_KINDS), name="ck_boundary_kind"),
        _valid("geom", "boundary"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    source: Mapped[str] = mapped_column(Text, server_default="")
    loaded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Postcode(Base):
    """A postcode unit and its point, for geocoding: live, or terminated since an older
    release."""

    __tablename__ = "postcode"
    __table_args__ = (
        CheckConstraint(
            "postcode ~ '^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$'", name="ck_postcode_format"
        ),
        _lonlat("geom", "postcode"),
        Index(
            "ix_postcode_sector",
            text("split_part(postcode, ' ', 1)"),
            text("left(split_part(postcode, ' ', 2), 1)"),
        ),
    )
    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID))
    positional_quality: Mapped[int | None] = mapped_column(SmallInteger)
    district_code: Mapped[str | None] = mapped_column(String(9))
    ward_code: Mapped[str | None] = mapped_column(String(9))
    ward_code_source: Mapped[str | None] = mapped_column(String(9))
    source: Mapped[str] = mapped_column(Text, server_default="")
    #: The release (date) of the newest file that lists the postcode as live.
    released: Mapped[dt.date | None] = mapped_column(Date)
    #: No longer listed by the newest release of its area (kept so old addresses geocode).
    terminated: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class Site(Timestamped, Base):
    """A building, usually multi-occupancy."""

    __tablename__ = "site"
    __table_args__ = (
        _valid("geom", "site"),
        CheckConstraint("floors BETWEEN 1 AND 60", name="ck_site_floors"),
        Index(
            "ix_site_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, server_default="")
    postcode: Mapped[str | None] = mapped_column(String(8))
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    floors: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    landlord: Mapped[str | None] = mapped_column(Text)
    osm_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    archived: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    notes: Mapped[str] = mapped_column(Text, server_default="")


class Unit(Timestamped, Base):
    """A lettable unit of a site, on one floor (0 is the ground floor)."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("site_id", "label", name="uq_unit_site_label"),
        UniqueConstraint("id", "site_id", name="uq_unit_id_site"),
        CheckConstraint("floor BETWEEN -2 AND 60", name="ck_unit_floor"),
        CheckConstraint("floor_area_m2 IS NULL OR floor_area_m2 > 0", name="ck_unit_area"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(32))
    floor: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))


class Business(Timestamped, Base):
    """A business of the sector, with where it is and what is known of it."""

    __tablename__ = "business"
    __table_args__ = (
        CheckConstraint(vocab.sql_in("sector", vocab.SECTORS), name="ck_business_sector"),
        CheckConstraint(vocab.sql_in("activity", vocab.ACTIVITIES), name="ck_business_activity"),
        CheckConstraint(vocab.sql_in("status", vocab.BUSINESS_STATUSES), name="ck_business_status"),
        CheckConstraint(
            vocab.sql_in("location_precision", vocab.LOCATION_PRECISIONS),
            name="ck_business_location_precision",
        ),
        CheckConstraint(
            "company_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6})$'", name="ck_business_company_number"
        ),
        CheckConstraint(
            "employees_low IS NULL OR employees_high IS NULL OR employees_estimate IS NULL OR "
            "(0 <= employees_low AND employees_low <= employees_estimate "
            "AND employees_estimate <= employees_high)",
            name="ck_business_employees_range",
        ),
        CheckConstraint(
            "employees_estimate IS NULL OR employees_estimate >= 0", name="ck_business_employees"
        ),
        CheckConstraint("unit_id IS NULL OR site_id IS NOT NULL", name="ck_business_unit_site"),
        CheckConstraint(
            "last_seen IS NULL OR first_seen IS NULL OR last_seen >= first_seen",
            name="ck_business_seen",
        ),
        ForeignKeyConstraint(
            ["unit_id", "site_id"], ["unit.id", "unit.site_id"], name="fk_business_unit_site"
        ),
        _lonlat("geom", "business"),
        Index(
            "ix_business_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index(
            "ix_business_trading_name_trgm",
            "trading_name",
            postgresql_using="gin",
            postgresql_ops={"trading_name": "gin_trgm_ops"},
        ),
        Index("ix_business_name_key_postcode", text("sectormap_name_key(name)"), "postcode"),
        Index(
            "ix_business_address_key",
            text("sectormap_address_key(address, postcode)"),
            postgresql_where=text("sectormap_address_key(address, postcode) IS NOT NULL"),
        ),
        Index("ix_business_unit_id", "unit_id", postgresql_where=text("unit_id IS NOT NULL")),
        Index("ix_business_postcode", "postcode"),
        Index(
            "ix_business_grid",
            "grid_j",
            "grid_i",
            postgresql_include=[
                "status",
                "sector",
                "activity",
                "employees_estimate",
                "employees_low",
                "employees_high",
                "geom",
            ],
        ),
        # The same runs, covering what an area's places are ranked by (migration 0016).
        Index(
            "ix_business_grid_places",
            "grid_j",
            "grid_i",
            postgresql_include=["status", "geom", "id", "name", "site_id"],
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    trading_name: Mapped[str | None] = mapped_column(Text)
    company_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    sic_codes: Mapped[list[str]] = mapped_column(ARRAY(String(5)), server_default="{}")
    sector: Mapped[str] = mapped_column(String(8))
    activity: Mapped[str] = mapped_column(String(24), server_default="other")
    address: Mapped[str] = mapped_column(Text, server_default="")
    postcode: Mapped[str | None] = mapped_column(String(8))
    geom: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID))
    location_precision: Mapped[str] = mapped_column(String(16), server_default="postcode")
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    employees_estimate: Mapped[int | None] = mapped_column(Integer)
    employees_low: Mapped[int | None] = mapped_column(Integer)
    employees_high: Mapped[int | None] = mapped_column(Integer)
    employees_source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="active")
    accreditations: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    first_seen: Mapped[dt.date | None] = mapped_column(Date)
    last_seen: Mapped[dt.date | None] = mapped_column(Date)
    #: The date of the Companies House snapshot it was absent from (dissolved or struck off).
    left_register_on: Mapped[dt.date | None] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    notes: Mapped[str] = mapped_column(Text, server_default="")
    #: The 25 m British National Grid cell the business is in (see ``layers.areas.dashboard``).
    grid_i: Mapped[int | None] = mapped_column(
        Integer, Computed("floor(ST_X(ST_Transform(geom, 27700)) / 25)::integer", persisted=True)
    )
    grid_j: Mapped[int | None] = mapped_column(
        Integer, Computed("floor(ST_Y(ST_Transform(geom, 27700)) / 25)::integer", persisted=True)
    )


class BusinessGridSummary(Base):
    """Current businesses (active or dormant) and their employees per 25 m grid cell, sector and
    activity; kept exact by statement triggers on ``business``."""

    __tablename__ = "business_grid_summary"
    __table_args__ = (
        Index(
            "ix_business_grid_summary_empty",
            "businesses",
            postgresql_where=text("businesses = 0"),
        ),
    )
    grid_j: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_i: Mapped[int] = mapped_column(Integer, primary_key=True)
    sector: Mapped[str] = mapped_column(String(8), primary_key=True)
    activity: Mapped[str] = mapped_column(String(24), primary_key=True)
    businesses: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int] = mapped_column(BigInteger)
    employees_low: Mapped[int] = mapped_column(BigInteger)
    employees_high: Mapped[int] = mapped_column(BigInteger)


class BusinessSource(Base):
    """One independent list that knows a business (for capture-recapture)."""

    __tablename__ = "business_source"
    __table_args__ = (
        CheckConstraint(vocab.sql_in("source", vocab.SOURCES), name="ck_business_source_source"),
    )
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(24), primary_key=True)
    reference: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[dt.date | None] = mapped_column(Date)


class Tenancy(Timestamped, Base):
    """Who occupied which unit when; one tenant per unit at a time."""

    __tablename__ = "tenancy"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_tenancy_dates"),
        ExcludeConstraint(
            ("unit_id", "="),
            (text("daterange(start_date, end_date, '[)')"), "&&"),
            name="ex_tenancy_no_overlap",
            using="gist",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class Visit(Timestamped, Base):
    """A visit to a business and/or site, possibly part of a joint operation."""

    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("business_id IS NOT NULL OR site_id IS NOT NULL", name="ck_visit_subject"),
        CheckConstraint(vocab.sql_in("visit_type", vocab.VISIT_TYPES), name="ck_visit_type"),
        CheckConstraint(vocab.sql_in("outcome", vocab.VISIT_OUTCOMES), name="ck_visit_outcome"),
        CheckConstraint(vocab.sql_subset("agencies", vocab.AGENCIES), name="ck_visit_agencies"),
        CheckConstraint("workers_present IS NULL OR workers_present >= 0", name="ck_visit_workers"),
        CheckConstraint(
            "follow_up_date IS NULL OR follow_up_date >= visit_date", name="ck_visit_follow_up"
        ),
        CheckConstraint(
            "coalesce(score_pay_hours, 0) BETWEEN 0 AND 30 "
            "AND coalesce(score_health_safety, 0) BETWEEN 0 AND 30 "
            "AND coalesce(score_contracts, 0) BETWEEN 0 AND 30 "
            "AND coalesce(score_management, 0) BETWEEN 0 AND 30",
            name="ck_visit_scores",
        ),
        CheckConstraint("rating IS NULL OR rating BETWEEN 0 AND 5", name="ck_visit_rating"),
        Index("ix_visit_date", "visit_date"),
        # Covers what an area's visit counts read (migration 0016).
        Index("ix_visit_business_id", "business_id", postgresql_include=["outcome", "visit_date"]),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    agencies: Mapped[list[str]] = mapped_column(ARRAY(String(16)), server_default="{}")
    operation_name: Mapped[str | None] = mapped_column(Text)
    visit_type: Mapped[str] = mapped_column(String(32))
    workers_present: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    findings: Mapped[str] = mapped_column(Text, server_default="")
    follow_up_date: Mapped[dt.date | None] = mapped_column(Date)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    score_pay_hours: Mapped[int | None] = mapped_column(SmallInteger)
    score_health_safety: Mapped[int | None] = mapped_column(SmallInteger)
    score_contracts: Mapped[int | None] = mapped_column(SmallInteger)
    score_management: Mapped[int | None] = mapped_column(SmallInteger)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_pending: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    right_to_reply: Mapped[str] = mapped_column(Text, server_default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class Report(Timestamped, Base):
    """An intelligence report, graded on the UK 3x5x2 model."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint(
            vocab.sql_in("source_type", vocab.REPORT_SOURCE_TYPES), name="ck_report_source_type"
        ),
        CheckConstraint(
            vocab.sql_in("category", vocab.REPORT_CATEGORIES), name="ck_report_category"
        ),
        CheckConstraint(vocab.sql_in("status", vocab.REPORT_STATUSES), name="ck_report_status"),
        CheckConstraint(
            "source_evaluation IS NULL OR "
            + vocab.sql_in("source_evaluation", vocab.SOURCE_EVALUATIONS),
            name="ck_report_source_evaluation",
        ),
        CheckConstraint(
            "intelligence_assessment IS NULL OR "
            + vocab.sql_in("intelligence_assessment", vocab.INTELLIGENCE_ASSESSMENTS),
            name="ck_report_intelligence_assessment",
        ),
        CheckConstraint(
            vocab.sql_in("handling_code", vocab.HANDLING_CODES), name="ck_report_handling_code"
        ),
        CheckConstraint(
            "handling_code = 'P' OR length(trim(handling_conditions)) > 0",
            name="ck_report_conditions",
        ),
        CheckConstraint(
            "status = 'new' OR disposed_at IS NOT NULL OR (source_evaluation IS NOT NULL "
            "AND intelligence_assessment IS NOT NULL)",
            name="ck_report_graded_after_triage",
        ),
        CheckConstraint(
            "business_id IS NOT NULL OR site_id IS NOT NULL OR geom IS NOT NULL",
            name="ck_report_subject",
        ),
        CheckConstraint(
            "(disposed_at IS NULL) = (disposal_reason IS NULL)", name="ck_report_disposal"
        ),
        CheckConstraint(
            vocab.sql_in("location_precision", vocab.LOCATION_PRECISIONS),
            name="ck_report_location_precision",
        ),
        _lonlat("geom", "report"),
        Index("ix_report_received", "received_date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_date: Mapped[dt.date] = mapped_column(Date)
    source_type: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(24))
    narrative: Mapped[str] = mapped_column(Text)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=SRID))
    location_precision: Mapped[str] = mapped_column(String(16), server_default="approximate")
    source_evaluation: Mapped[str | None] = mapped_column(String(1))
    intelligence_assessment: Mapped[str | None] = mapped_column(String(1))
    handling_code: Mapped[str] = mapped_column(String(1), server_default="C")
    handling_conditions: Mapped[str] = mapped_column(Text, server_default="")
    owning_agency: Mapped[str] = mapped_column(ForeignKey("agency.code"), index=True)
    status: Mapped[str] = mapped_column(String(16), server_default="new")
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    #: The organisation whose person submitted it (a partner follows its own reports by this).
    submitting_agency: Mapped[str | None] = mapped_column(ForeignKey("agency.code"), index=True)
    #: A subject described in words (address, postcode) when it is not in the register.
    subject_description: Mapped[str] = mapped_column(Text, server_default="")
    #: Set by a review: keep the report until this date (its next review).
    retain_until: Mapped[dt.date | None] = mapped_column(Date)
    #: The tombstone of a disposed report: when, by whom and why (its content is gone).
    disposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    disposed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    disposal_reason: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ReportReview(Base):
    """A review decision on a report: retain it until a date, or dispose of it, and why."""

    __tablename__ = "report_review"
    __table_args__ = (
        CheckConstraint("decision IN ('retain', 'dispose')", name="ck_report_review_decision"),
        CheckConstraint(
            "(decision = 'retain') = (retain_until IS NOT NULL)", name="ck_report_review_until"
        ),
        CheckConstraint("length(trim(reason)) > 0", name="ck_report_review_reason"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    decided_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[str] = mapped_column(String(8))
    retain_until: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)


class ReportVisit(Base):
    """A link between an intelligence report and a visit that acted on it."""

    __tablename__ = "report_visit"
    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True
    )


class Clearance(Base):
    """A person cleared to read restricted (C) intelligence outside their agency: all of it
    (``report_id`` NULL) or one report, with a reason and an optional expiry. Revoked, never
    deleted, so the record of who could read what stays."""

    __tablename__ = "clearance"
    __table_args__ = (CheckConstraint("length(trim(reason)) > 0", name="ck_clearance_reason"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """A failed sign-in for a username (known or not), for the lockout; successful sign-in
    clears a username's failures."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_username_at", "username", "at"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    username: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Referral(Timestamped, Base):
    """A referral to a partner agency from a visit or a report, and its answer."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(
            "visit_id IS NOT NULL OR report_id IS NOT NULL", name="ck_referral_subject"
        ),
        CheckConstraint(vocab.sql_in("status", vocab.REFERRAL_STATUSES), name="ck_referral_status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"))
    reason: Mapped[str] = mapped_column(Text)
    referred_at: Mapped[dt.date] = mapped_column(Date, server_default=func.current_date())
    status: Mapped[str] = mapped_column(String(16), server_default="sent")
    response: Mapped[str] = mapped_column(Text, server_default="")
    response_at: Mapped[dt.date | None] = mapped_column(Date)


class FocusArea(Timestamped, Base):
    """An area a planner wants effort focused on."""

    __tablename__ = "focus_area"
    __table_args__ = (
        _valid("geom", "focus_area"),
        CheckConstraint(vocab.sql_in("priority", vocab.PRIORITIES), name="ck_focus_area_priority"),
        CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name="ck_focus_area_period",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    purpose: Mapped[str] = mapped_column(Text, server_default="")
    priority: Mapped[str] = mapped_column(String(8), server_default="medium")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, server_default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class FocusAreaRun(Base):
    """A run of consecutive 25 m grid cells along one grid row that a focus area covers, all
    interior (at least 1 m inside) or all on its edge; refreshed by a trigger whenever the
    area's outline changes."""

    __tablename__ = "focus_area_run"
    area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True
    )
    grid_j: Mapped[int] = mapped_column(Integer, primary_key=True)
    i_from: Mapped[int] = mapped_column(Integer, primary_key=True)
    i_to: Mapped[int] = mapped_column(Integer)
    interior: Mapped[bool] = mapped_column(Boolean)


class AuditLog(Base):
    """Who did what, when. Append-only: a trigger refuses UPDATE and DELETE; another chains
    each entry to the one before by a hash (``chain``, ``hash``), so an edit is detectable."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(vocab.sql_in("action", vocab.AUDIT_ACTIONS), name="ck_audit_log_action"),
        Index("ix_audit_log_at", "at"),
        UniqueConstraint("chain", name="uq_audit_log_chain"),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(24))
    object_type: Mapped[str | None] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    #: Place in the chain and SHA-256 of the previous hash and this entry (set by a trigger).
    chain: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(Text)


class OfficialFigure(Timestamped, Base):
    """A published figure about the sector, shown beside what the register counts."""

    __tablename__ = "official_figure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(SmallInteger)
    geography: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    notes: Mapped[str] = mapped_column(Text, server_default="")


class OfficialGva(Base):
    """ONS regional gross value added by industry (current prices, £ million), one value per
    release, region, industry and year, as the ONS tables publish it."""

    __tablename__ = "official_gva"
    __table_args__ = (
        CheckConstraint("year BETWEEN 1900 AND 2100", name="ck_official_gva_year"),
        Index("ix_official_gva_region_industry", "region_code", "industry_code"),
    )
    release: Mapped[str] = mapped_column(Text, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    region_name: Mapped[str] = mapped_column(Text)
    #: As published: spreadsheet software turned some codes into dates ('02-Mar'); kept so.
    industry_code: Mapped[str] = mapped_column(Text, primary_key=True)
    industry: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    gbp_million: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ColumnMapping(Timestamped, Base):
    """A saved mapping from an import file's columns to business fields."""

    __tablename__ = "column_mapping"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ImportRun(Base):
    """One import (reference data, businesses, demo): what came in and what happened."""

    __tablename__ = "import_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    file_name: Mapped[str] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class DemoRun(Base):
    """The parameters and fictional ground truth of the loaded demo data."""

    __tablename__ = "demo_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seed: Mapped[int] = mapped_column(Integer)
    scale: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    population_size: Mapped[int] = mapped_column(Integer)
    hidden_share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    loaded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Building(Base):
    """A building footprint from OpenStreetMap or a polygon layer, for finding multi-occupancy."""

    __tablename__ = "building"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_building_source"),
        CheckConstraint("levels BETWEEN 1 AND 60", name="ck_building_levels"),
        _valid("geom", "building"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    #: Storeys above ground (OSM ``building:levels``): a site's floors when it is accepted.
    levels: Mapped[int | None] = mapped_column(SmallInteger)
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    loaded_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class BusinessRisk(Base):
    """A business's risk as last computed: kept current by ``layers.register.risk`` before every
    commit that moves it (see migration 0013) and renewed daily for the time-based factors."""

    __tablename__ = "business_risk"
    #: Covers the score, so places are ranked from the index alone (migration 0016).
    __table_args__ = (Index("ix_business_risk_score", "business_id", postgresql_include=["score"]),)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float)
    #: [{factor, points, detail}], the factors with points, as the profile shows them.
    factors: Mapped[list[dict[str, object]]] = mapped_column(JSONB)
    #: The labels of its largest factors, largest first, as dashboards rank places.
    top_factors: Mapped[list[str]] = mapped_column(ARRAY(Text))
    refreshed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class RiskPending(Base):
    """Businesses a change has moved, to recompute before its transaction commits."""

    __tablename__ = "risk_pending"
    business_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class StreetEdge(Base):
    """One street segment of the network loaded from OpenStreetMap (for route planning)."""

    __tablename__ = "street_edge"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    u: Mapped[int] = mapped_column(BigInteger, index=True)
    v: Mapped[int] = mapped_column(BigInteger, index=True)
    key: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    osmid: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    highway: Mapped[str | None] = mapped_column(Text)
    length_m: Mapped[float] = mapped_column(Numeric(12, 2))
    geom: Mapped[WKBElement] = mapped_column(Geometry("LINESTRING", srid=SRID))
    source: Mapped[str] = mapped_column(Text)


class SiteProposal(Base):
    """A proposed multi-occupancy site (or new tenants of a known one) for an officer to decide."""

    __tablename__ = "site_proposal"
    __table_args__ = (
        CheckConstraint("kind IN ('new_site', 'new_tenants')", name="ck_site_proposal_kind"),
        CheckConstraint(
            "status IN ('open', 'accepted', 'merged', 'dismissed')", name="ck_site_proposal_status"
        ),
        _valid("geom", "site_proposal"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id", ondelete="SET NULL"))
    business_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Person(Base):
    """One resolved person with significant control (migration 0014, ``layers.network.names``):
    an individual by normalised name and month and year of birth, a corporate controller by its
    registration number (and the register business it is, when it is one)."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('individual', 'corporate', 'legal', 'protected')", name="person_kind_check"
        ),
        CheckConstraint("birth_year BETWEEN 1850 AND 2100", name="person_birth_year_check"),
        CheckConstraint("birth_month BETWEEN 1 AND 12", name="person_birth_month_check"),
        Index(
            "ix_person_business_id", "business_id", postgresql_where=text("business_id IS NOT NULL")
        ),
        Index(
            "ix_person_registration",
            "registration_number",
            postgresql_where=text("registration_number IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    person_key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    nationality: Mapped[str | None] = mapped_column(Text)
    country_of_residence: Mapped[str | None] = mapped_column(Text)
    registration_number: Mapped[str | None] = mapped_column(String(24))
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class PscControl(Base):
    """One control of a register business, as the PSC snapshot gives it (ended by
    ``ceased_on``), keyed by its Companies House link."""

    __tablename__ = "psc_control"
    __table_args__ = (
        CheckConstraint(
            "ceased_on IS NULL OR notified_on IS NULL OR ceased_on >= notified_on",
            name="psc_control_check",
        ),
        Index("ix_psc_control_business", "business_id"),
        Index(
            "ix_psc_control_person", "person_id", postgresql_include=["business_id", "ceased_on"]
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    psc_id: Mapped[str] = mapped_column(Text, unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    natures: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    ceased_on: Mapped[dt.date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(Text)
    seen_on: Mapped[dt.date] = mapped_column(Date, server_default=text("CURRENT_DATE"))


class PscStatement(Base):
    """A statement a company made instead of naming a person with significant control."""

    __tablename__ = "psc_statement"
    __table_args__ = (Index("ix_psc_statement_business", "business_id"),)
    psc_id: Mapped[str] = mapped_column(Text, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(Text)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    ceased_on: Mapped[dt.date | None] = mapped_column(Date)


class Brand(Base):
    """A brand or retailer that disclosed its suppliers to Open Supply Hub."""

    __tablename__ = "brand"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class OshFacility(Base):
    """An Open Supply Hub facility and its match to the register (``layers.network.osh``)."""

    __tablename__ = "osh_facility"
    __table_args__ = (
        CheckConstraint(
            "match IN ('certain', 'accepted', 'proposed', 'unmatched', 'rejected', 'added')",
            name="osh_facility_match_check",
        ),
        Index(
            "ix_osh_facility_business",
            "business_id",
            postgresql_where=text("business_id IS NOT NULL"),
        ),
    )
    os_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, server_default=text("''"))
    postcode: Mapped[str | None] = mapped_column(String(8))
    country_code: Mapped[str | None] = mapped_column(String(2))
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=SRID))
    sector: Mapped[str | None] = mapped_column(Text)
    workers: Mapped[str | None] = mapped_column(Text)
    parent_company: Mapped[str | None] = mapped_column(Text)
    facility_type: Mapped[str | None] = mapped_column(Text)
    processing_type: Mapped[str | None] = mapped_column(Text)
    is_closed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    in_region: Mapped[bool] = mapped_column(Boolean)
    match: Mapped[str] = mapped_column(String(10))
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="SET NULL"))
    proposed_business_id: Mapped[int | None] = mapped_column(
        ForeignKey("business.id", ondelete="SET NULL")
    )
    score: Mapped[float | None] = mapped_column(REAL)
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class FacilityBrand(Base):
    """A brand seen on a facility, from the first to the last download that listed it."""

    __tablename__ = "facility_brand"
    __table_args__ = (Index("ix_facility_brand_brand", "brand_id"),)
    os_id: Mapped[str] = mapped_column(
        ForeignKey("osh_facility.os_id", ondelete="CASCADE"), primary_key=True
    )
    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brand.id", ondelete="CASCADE"), primary_key=True
    )
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)


class OshDecision(Base):
    """An officer's decision on a proposed match, remembered for later downloads."""

    __tablename__ = "osh_decision"
    __table_args__ = (
        CheckConstraint("decision IN ('accepted', 'rejected')", name="osh_decision_decision_check"),
        CheckConstraint(
            "(decision = 'accepted') = (business_id IS NOT NULL)", name="osh_decision_check"
        ),
    )
    os_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    decision: Mapped[str] = mapped_column(String(8))
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class PhoenixPair(Base):
    """A phoenix pattern (``layers.network.phoenix``); its triggers mark both businesses'
    risk for recomputation."""

    __tablename__ = "phoenix_pair"
    __table_args__ = (
        CheckConstraint("place IN ('same_address', 'same_unit')", name="phoenix_pair_place_check"),
        Index("ix_phoenix_pair_successor", "successor_id"),
    )
    predecessor_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    successor_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    ceased_on: Mapped[dt.date] = mapped_column(Date)
    incorporated_on: Mapped[dt.date] = mapped_column(Date)
    gap_days: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(Text)
    shares: Mapped[list[str]] = mapped_column(ARRAY(Text))
