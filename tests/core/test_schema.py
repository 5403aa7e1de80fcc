"""The schema: migrations down and up, and the constraints that keep bad data out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from layers.core import migrate
from layers.core.models import Base, Business
from tests.support import fresh_database, worker

POINT = "SRID=4326;POINT(-1.1 52.63)"
SQUARE = "SRID=4326;MULTIPOLYGON(((-1.1 52.63,-1.099 52.63,-1.099 52.631,-1.1 52.631,-1.1 52.63)))"
BOWTIE = "SRID=4326;MULTIPOLYGON(((-1.1 52.63,-1.099 52.631,-1.099 52.63,-1.1 52.631,-1.1 52.63)))"


@pytest.fixture(scope="module")
def scratch_engine() -> Iterator[Engine]:
    """A database of its own, for migrating down and up."""
    engine = create_engine(fresh_database(f"sectormap_migrations_{worker()}"))
    yield engine
    engine.dispose()


def test_migrations_go_down_to_nothing_and_up_again(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    assert migrate.current_revision(scratch_engine) == migrate.head_revision(scratch_engine)
    tables = set(inspect(scratch_engine).get_table_names())
    assert {
        "business",
        "site",
        "unit",
        "tenancy",
        "visit",
        "report",
        "focus_area",
        "boundary",
        "postcode",
        "app_user",
        "audit_log",
    } <= tables
    migrate.downgrade(scratch_engine, "base")
    assert migrate.current_revision(scratch_engine) is None
    assert not set(inspect(scratch_engine).get_table_names()) - {
        "spatial_ref_sys",
        "alembic_version",
    }
    migrate.upgrade(scratch_engine)
    assert migrate.current_revision(scratch_engine) == migrate.head_revision(scratch_engine)


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": alembic_helpers.include_object, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_every_geometry_column_has_a_gist_index_and_fixed_type(conn: Connection) -> None:
    columns = conn.execute(
        text(
            "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns "
            "WHERE f_table_schema = 'public'"
        )
    ).all()
    assert len(columns) == 10
    for table, column, geometry_type, srid in columns:
        assert srid == 4326 and geometry_type in {"POINT", "MULTIPOLYGON", "LINESTRING"}, (
            table,
            column,
        )
        indexed = conn.execute(
            text("SELECT count(*) FROM pg_indexes WHERE tablename = :t AND indexdef ILIKE :d"),
            {"t": table, "d": f"%USING gist ({column})%"},
        ).scalar_one()
        assert indexed == 1, f"{table}.{column} has no GiST index"


def _insert_site(conn: Connection, geom: str) -> None:
    conn.execute(
        text("INSERT INTO site (name, geom) VALUES ('Test Mill', ST_GeomFromEWKT(:g))"), {"g": geom}
    )


def _insert_business(conn: Connection, **overrides: object) -> int:
    values = {
        "name": "Test Knitwear",
        "sector": "13",
        "activity": "knitting",
        "geom": POINT,
        "company_number": None,
        **overrides,
    }
    return int(
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, company_number) "
                "VALUES (:name, :sector, :activity, ST_GeomFromEWKT(:geom), :company_number) "
                "RETURNING id"
            ),
            values,
        ).scalar_one()
    )


def test_a_valid_footprint_is_accepted(conn: Connection) -> None:
    _insert_site(conn, SQUARE)
    assert (
        conn.execute(text("SELECT count(*) FROM site WHERE name = 'Test Mill'")).scalar_one() == 1
    )


@pytest.mark.parametrize(
    ("geom", "message"),
    [
        (BOWTIE, "ck_site_geom_valid"),
        (SQUARE.replace("SRID=4326", "SRID=27700"), "SRID"),
        (POINT, "Geometry type"),
        ("SRID=4326;MULTIPOLYGON EMPTY", "ck_site_geom_valid"),
    ],
    ids=["self-intersecting", "wrong-srid", "wrong-type", "empty"],
)
def test_bad_footprints_are_rejected(conn: Connection, geom: str, message: str) -> None:
    with pytest.raises(DBAPIError, match=message), conn.begin_nested():
        _insert_site(conn, geom)


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"sector": "99"}, "ck_business_sector"),
        ({"activity": "smuggling"}, "ck_business_activity"),
        ({"company_number": "12345"}, "ck_business_company_number"),
        ({"geom": "SRID=4326;POINT(200 52)"}, "ck_business_geom_lonlat"),
    ],
)
def test_bad_business_codes_are_rejected(
    conn: Connection, overrides: dict[str, object], constraint: str
) -> None:
    with pytest.raises(IntegrityError, match=constraint), conn.begin_nested():
        _insert_business(conn, **overrides)


def test_company_numbers_are_unique(conn: Connection) -> None:
    _insert_business(conn, company_number="90000001")
    with pytest.raises(IntegrityError, match="company_number"), conn.begin_nested():
        _insert_business(conn, name="Other", company_number="90000001")


def _insert_report(conn: Connection, **overrides: object) -> None:
    values = {
        "handling_code": "P",
        "conditions": "",
        "status": "new",
        "evaluation": None,
        "assessment": None,
        **overrides,
    }
    conn.execute(
        text(
            "INSERT INTO report (received_date, source_type, category, narrative, geom, "
            "owning_agency, handling_code, handling_conditions, status, source_evaluation, "
            "intelligence_assessment) VALUES ('2024-01-01', 'public', 'minimum_wage', 'x', "
            "ST_GeomFromEWKT('SRID=4326;POINT(-1.1 52.63)'), 'GLAA', :handling_code, :conditions, "
            ":status, :evaluation, :assessment)"
        ),
        values,
    )


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"handling_code": "X", "conditions": "none"}, "ck_report_handling_code"),
        ({"handling_code": "C", "conditions": "  "}, "ck_report_conditions"),
        ({"status": "triaged"}, "ck_report_graded_after_triage"),
        (
            {"status": "triaged", "evaluation": "4", "assessment": "A"},
            "ck_report_source_evaluation",
        ),
        (
            {"status": "triaged", "evaluation": "1", "assessment": "F"},
            "ck_report_intelligence_assessment",
        ),
    ],
)
def test_bad_3x5x2_gradings_are_rejected(
    conn: Connection, overrides: dict[str, object], constraint: str
) -> None:
    with pytest.raises(IntegrityError, match=constraint), conn.begin_nested():
        _insert_report(conn, **overrides)


def test_a_properly_graded_restricted_report_is_accepted(conn: Connection) -> None:
    _insert_report(
        conn,
        handling_code="C",
        conditions="GLAA only",
        status="triaged",
        evaluation="2",
        assessment="B",
    )
    assert conn.execute(text("SELECT count(*) FROM report WHERE narrative = 'x'")).scalar_one() == 1


def test_bad_roles_and_visit_agencies_are_rejected(conn: Connection) -> None:
    with pytest.raises(IntegrityError, match="ck_app_user_role"), conn.begin_nested():
        conn.execute(
            text(
                "INSERT INTO app_user (username, full_name, role, agency_code, "
                "password_hash) VALUES ('x', 'X', 'superuser', 'GLAA', 'h')"
            )
        )
    business = _insert_business(conn)
    with pytest.raises(IntegrityError, match="ck_visit_agencies"), conn.begin_nested():
        conn.execute(
            text(
                "INSERT INTO visit (visit_date, business_id, agencies, visit_type, "
                "outcome) VALUES ('2020-07-01', :b, '{GLAA,MI5}', 'joint_inspection', "
                "'advice')"
            ),
            {"b": business},
        )


def test_one_tenant_per_unit_at_a_time(conn: Connection) -> None:
    _insert_site(conn, SQUARE)
    site = conn.execute(text("SELECT id FROM site WHERE name = 'Test Mill'")).scalar_one()
    unit = conn.execute(
        text("INSERT INTO unit (site_id, label, floor) VALUES (:s, 'G.01', 0) RETURNING id"),
        {"s": site},
    ).scalar_one()
    first, second = _insert_business(conn), _insert_business(conn, name="Second")
    insert = text(
        "INSERT INTO tenancy (unit_id, business_id, start_date, end_date) VALUES (:u, :b, :s, :e)"
    )
    conn.execute(insert, {"u": unit, "b": first, "s": "2019-01-01", "e": "2021-01-01"})
    conn.execute(insert, {"u": unit, "b": second, "s": "2021-01-01", "e": None})
    with pytest.raises(IntegrityError, match="ex_tenancy_no_overlap"), conn.begin_nested():
        conn.execute(insert, {"u": unit, "b": first, "s": "2020-06-01", "e": "2020-12-01"})
    with pytest.raises(IntegrityError, match="uq_unit_site_label"), conn.begin_nested():
        conn.execute(text("INSERT INTO unit (site_id, label) VALUES (:s, 'G.01')"), {"s": site})


def test_the_audit_log_is_append_only(conn: Connection) -> None:
    conn.execute(text("INSERT INTO audit_log (username, action) VALUES ('t', 'login')"))
    for statement in (
        "UPDATE audit_log SET username = 'forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), conn.begin_nested():
            conn.execute(text(statement))


def test_a_save_based_on_a_stale_read_is_refused(engine: Engine) -> None:
    """Two officers open the same record on their own connections; the second save is refused."""
    with engine.begin() as setup:
        business_id = _insert_business(setup, name="Locking Test Knitwear")
    try:
        with Session(engine) as first, Session(engine) as second:
            mine = first.get(Business, business_id)
            theirs = second.get(Business, business_id)
            assert mine is not None and theirs is not None and mine.version == 1
            mine.name = "Renamed by the first officer"
            first.commit()
            assert mine.version == 2
            theirs.name = "Renamed by the second officer"
            with pytest.raises(StaleDataError):
                second.commit()
        with engine.connect() as check:
            assert (
                check.execute(
                    text("SELECT name FROM business WHERE id = :i"), {"i": business_id}
                ).scalar_one()
                == "Renamed by the first officer"
            )
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(text("DELETE FROM business WHERE id = :i"), {"i": business_id})


def test_updated_at_and_version_move_on_every_update(conn: Connection) -> None:
    business_id = _insert_business(conn)
    conn.execute(text("UPDATE business SET name = 'New' WHERE id = :i"), {"i": business_id})
    version = conn.execute(
        text("SELECT version FROM business WHERE id = :i"), {"i": business_id}
    ).scalar_one()
    assert version == 2
