"""Adding and editing businesses: validation, optimistic locking, audit."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Connection, Engine, text

from layers.core.errors import ConflictError, ValidationError
from layers.people import identity
from layers.register.businesses.editing import (
    BusinessForm,
    archive_business,
    create_business,
    update_business,
)
from tests.support import make_user


def _user(conn: Connection, username: str = "t_editor") -> identity.User:
    return make_user(conn, username)


def test_a_business_placed_by_its_postcode(conn: Connection) -> None:
    business_id = create_business(
        conn,
        _user(conn),
        BusinessForm(
            name=" Zelvar Knitwear ",
            sector="13",
            activity="knitting",
            postcode="le1 1aa",
            company_number="1234567",
        ),
    )
    row = conn.execute(
        text(
            "SELECT name, postcode, company_number, location_precision, "
            "ST_Y(geom), version FROM business WHERE id = :i"
        ),
        {"i": business_id},
    ).one()
    assert row[:4] == ("Zelvar Knitwear", "LE1 1AA", "01234567", "postcode")
    assert row[4] == pytest.approx(52.6323, abs=0.0005) and row[5] == 1
    assert (
        conn.execute(
            text("SELECT action FROM audit_log WHERE object_id = :i"), {"i": str(business_id)}
        ).scalar_one()
        == "create"
    )


@pytest.mark.parametrize(
    ("form", "column", "message"),
    [
        (BusinessForm(name="", sector="14", postcode="LE1 1AA"), "name", "needs a name"),
        (BusinessForm(name="A", sector="14", postcode="LE1 XYZ"), "postcode", "not a UK postcode"),
        (
            BusinessForm(name="A", sector="14", postcode="LE99 9ZZ"),
            "postcode",
            "not in the postcode directory",
        ),
        (
            BusinessForm(name="A", sector="14", postcode="LE1 1AA", company_number="ABC"),
            "company_number",
            "is not a company number",
        ),
        (
            BusinessForm(name="A", sector="14", lat=51.5, lon=-0.12),
            "location",
            "outside Leicester and Leicestershire",
        ),
        (BusinessForm(name="A", sector="99", postcode="LE1 1AA"), "sector", "unknown sector"),
        (
            BusinessForm(
                name="A", sector="14", postcode="LE1 1AA", employees_estimate=5, employees_low=8
            ),
            "employees",
            "low",
        ),
    ],
    ids=[
        "no-name",
        "bad-postcode",
        "unknown-postcode",
        "bad-number",
        "outside",
        "sector",
        "employees",
    ],
)
def test_bad_forms_are_refused_naming_the_field(
    conn: Connection, form: BusinessForm, column: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        create_business(conn, _user(conn), form)
    assert refused.value.column == column


def test_outside_the_region_when_ticked(conn: Connection) -> None:
    business_id = create_business(
        conn,
        _user(conn),
        BusinessForm(
            name="London Office", sector="46.42", lat=51.5, lon=-0.12, allow_outside_region=True
        ),
    )
    assert business_id > 0


def test_a_duplicate_company_number_is_refused(conn: Connection) -> None:
    user = _user(conn)
    create_business(
        conn,
        user,
        BusinessForm(name="A", sector="14", postcode="LE1 1AA", company_number="90009999"),
    )
    with pytest.raises(ValidationError, match="already in the register"):
        create_business(
            conn,
            user,
            BusinessForm(name="B", sector="14", postcode="LE1 1AA", company_number="90009999"),
        )


def test_a_unit_must_be_in_the_chosen_building(conn: Connection) -> None:
    square = (
        "SRID=4326;MULTIPOLYGON(((-1.1 52.63,-1.099 52.63,-1.099 52.631,-1.1 52.631,-1.1 52.63)))"
    )
    sites = [
        conn.execute(
            text("INSERT INTO site (name, geom) VALUES (:n, ST_GeomFromEWKT(:g)) RETURNING id"),
            {"n": n, "g": square},
        ).scalar_one()
        for n in ("One", "Two")
    ]
    unit = conn.execute(
        text("INSERT INTO unit (site_id, label) VALUES (:s, 'G.01') RETURNING id"), {"s": sites[0]}
    ).scalar_one()
    with pytest.raises(ValidationError, match="not in the chosen building"):
        create_business(
            conn,
            _user(conn),
            BusinessForm(name="A", sector="14", postcode="LE1 1AA", site_id=sites[1], unit_id=unit),
        )


def test_the_second_of_two_concurrent_edits_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        user = _user(conn, "t_locking")
        business_id = create_business(
            conn, user, BusinessForm(name="Lockvel Fashions", sector="14", postcode="LE5 4GD")
        )
    try:
        first = BusinessForm(
            name="Lockvel Fashions", sector="14", postcode="LE5 4GD", employees_estimate=12
        )
        second = BusinessForm(name="Lockvel Fashions Ltd", sector="14", postcode="LE5 4GD")
        assert update_business(engine, user, business_id, 1, first) == 2
        with pytest.raises(ConflictError, match="you edited version 1; it is now at version 2"):
            update_business(engine, user, business_id, 1, second)
        with pytest.raises(ConflictError):
            archive_business(engine, user, business_id, 1)
        with engine.connect() as conn:
            name, employees = conn.execute(
                text("SELECT name, employees_estimate FROM business WHERE id = :i"),
                {"i": business_id},
            ).one()
            assert (name, employees) == ("Lockvel Fashions", 12)
            before, after = conn.execute(
                text(
                    "SELECT detail->'before'->>'employees_estimate', "
                    "detail->'after'->>'employees_estimate' FROM audit_log "
                    "WHERE action = 'edit' AND object_id = :i"
                ),
                {"i": str(business_id)},
            ).one()
            assert (before, after) == (None, "12")
        archive_business(engine, user, business_id, 2)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM business WHERE id = :i"), {"i": business_id})


def test_an_edit_keeps_a_precise_location_until_the_postcode_changes(conn: Connection) -> None:
    from layers.register.businesses.editing import form_of
    from layers.register.profiles import business_profile

    user = _user(conn)
    business_id = create_business(
        conn,
        user,
        BusinessForm(
            name="Pinvel Prints",
            sector="14",
            postcode="LE5 4GD",
            lat=52.6362,
            lon=-1.0992,
            location_precision="address",
        ),
    )
    form = form_of(business_profile(conn, business_id).details)
    form.employees_estimate = 9
    update_business(conn, user, business_id, 1, form)
    point = conn.execute(
        text("SELECT ST_Y(geom), location_precision FROM business WHERE id = :i"),
        {"i": business_id},
    ).one()
    assert (round(point[0], 4), point[1]) == (52.6362, "address")


def test_site_edits_are_validated_locked_and_audited(engine: Engine) -> None:
    from layers.register import sites

    square = (
        "SRID=4326;MULTIPOLYGON(((-1.1 52.63,-1.099 52.63,-1.099 52.631,-1.1 52.631,-1.1 52.63)))"
    )
    with engine.begin() as conn:
        user = _user(conn, "t_sites")
        site_id = conn.execute(
            text(
                "INSERT INTO site (name, geom) VALUES ('Edit Mill', "
                "ST_GeomFromEWKT(:g)) RETURNING id"
            ),
            {"g": square},
        ).scalar_one()
    try:
        with pytest.raises(ValidationError, match="not a UK postcode"):
            sites.update_site(
                engine, user, site_id, 1, name="Edit Mill", address="", postcode="nope", floors=3
            )
        assert (
            sites.update_site(
                engine,
                user,
                site_id,
                1,
                name="Edit Mill",
                address="1 Way",
                postcode="le5 4gd",
                floors=3,
            )
            == 2
        )
        with pytest.raises(ConflictError, match="this site"):
            sites.update_site(
                engine, user, site_id, 1, name="Stale", address="", postcode="", floors=2
            )
        sites.archive_site(engine, user, site_id, 2)
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT name, postcode, floors, archived FROM site WHERE id = :i"),
                {"i": site_id},
            ).one()
            assert tuple(row) == ("Edit Mill", "LE5 4GD", 3, True)
            assert (
                conn.execute(
                    text(
                        "SELECT count(*) FROM audit_log WHERE object_type = 'site' "
                        "AND object_id = :i"
                    ),
                    {"i": str(site_id)},
                ).scalar()
                == 2
            )
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM site WHERE id = :i"), {"i": site_id})


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"employees_estimate": -3}, "employees_estimate", "negative"),
        ({"employees_estimate": 99_999_999_999}, "employees_estimate", "plausible"),
        ({"employees_low": 30, "employees_high": 20}, "employees", "low ≤ estimate ≤ high"),
        ({"name": "x" * 3000}, "name", "at most 300"),
        ({"name": "Bad\x00Name"}, "name", "control character"),
        ({"address": "y" * 600}, "address", "at most 500"),
    ],
)
def test_the_form_follows_the_same_rules_as_imports(
    conn: Connection, changes: dict[str, object], column: str, words: str
) -> None:
    officer = make_user(conn, "t_form_rules")
    form = BusinessForm(name="Fictional Form Ltd", sector="13", postcode="LE5 4GD")
    with pytest.raises(ValidationError, match=words) as refused:
        create_business(conn, officer, dataclasses.replace(form, **changes))  # type: ignore[arg-type]
    assert refused.value.column == column
