"""Units edited and tenants moved: tenancies follow their unit, each change audited with what
it was before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, text

from layers.core.errors import AccessDeniedError, ConflictError, ValidationError
from layers.register import profiles, sites
from tests.network.helpers import business
from tests.support import make_user


@pytest.fixture
def mill(conn: Connection) -> dict[str, int]:
    site = int(
        conn.execute(
            text(
                "INSERT INTO site (name, geom) VALUES ('T Edit Mill', ST_Multi(ST_Buffer("
                "ST_SetSRID(ST_MakePoint(-1.13, 52.63), 4326), 0.0005))) RETURNING id"
            )
        ).scalar_one()
    )
    officer = make_user(conn, "t_unit_officer")
    ground = sites.add_unit(conn, officer, site, "G.01", 0)
    upstairs = sites.add_unit(conn, officer, site, "1.01", 1, 80.0)
    tenant = business(conn, "T Edit Tenant", site_id=site, unit_id=ground)
    conn.execute(
        text("INSERT INTO tenancy (unit_id, business_id, start_date) VALUES (:u, :b, :d)"),
        {"u": ground, "b": tenant, "d": dt.date(2024, 1, 1)},
    )
    return {
        "site": site,
        "ground": ground,
        "upstairs": upstairs,
        "tenant": tenant,
        "officer": officer.id,
    }


def _officer(conn: Connection):  # type: ignore[no-untyped-def]
    return make_user(conn, "t_unit_officer")


def test_a_unit_moves_floor_with_its_tenant_and_is_audited(
    conn: Connection, mill: dict[str, int]
) -> None:
    version = sites.units(conn, mill["site"]).set_index("unit_id").loc[mill["ground"], "version"]
    new = sites.update_unit(
        conn,
        _officer(conn),
        mill["ground"],
        int(version),
        label="3.05",
        floor=3,
        floor_area_m2=45.5,
    )
    assert new == version + 1
    units = profiles.site_profile(conn, mill["site"]).units.set_index("unit_id")
    assert tuple(units.loc[mill["ground"], ["label", "floor", "tenant"]]) == (
        "3.05",
        3,
        "T Edit Tenant",
    )
    detail = conn.execute(
        text(
            "SELECT detail FROM audit_log WHERE object_type = 'unit' AND action = 'edit' "
            "AND object_id = :u ORDER BY id DESC LIMIT 1"
        ),
        {"u": str(mill["ground"])},
    ).scalar_one()
    assert (detail["before"]["floor"], detail["after"]["floor"]) == (0, 3)
    assert detail["after"]["tenants"] == [mill["tenant"]]


def test_a_label_taken_a_bad_floor_or_a_stale_edit_is_refused(
    conn: Connection, mill: dict[str, int]
) -> None:
    officer = _officer(conn)
    with pytest.raises(ValidationError, match=r"unit 1\.01 already exists in T Edit Mill"):
        sites.update_unit(
            conn, officer, mill["ground"], 1, label="1.01", floor=0, floor_area_m2=None
        )
    with pytest.raises(ValidationError, match="between -2 and 60"):
        sites.update_unit(
            conn, officer, mill["ground"], 1, label="G.01", floor=61, floor_area_m2=None
        )
    sites.update_unit(conn, officer, mill["ground"], 1, label="G.1", floor=0, floor_area_m2=None)
    with pytest.raises(ConflictError):
        sites.update_unit(
            conn, officer, mill["ground"], 1, label="G.2", floor=0, floor_area_m2=None
        )
    viewer = make_user(conn, "t_unit_viewer", "viewer")
    with pytest.raises(AccessDeniedError):
        sites.update_unit(conn, viewer, mill["ground"], 2, label="G.3", floor=0, floor_area_m2=None)


def test_a_tenant_moves_to_a_vacant_unit_and_its_tenancy_follows(
    conn: Connection, mill: dict[str, int]
) -> None:
    moved_on = dt.date(2026, 6, 1)
    sites.move_tenant(conn, _officer(conn), mill["tenant"], mill["upstairs"], moved_on)
    history = conn.execute(
        text(
            "SELECT unit_id, start_date, end_date FROM tenancy WHERE business_id = :b "
            "ORDER BY start_date"
        ),
        {"b": mill["tenant"]},
    ).all()
    assert [tuple(h) for h in history] == [
        (mill["ground"], dt.date(2024, 1, 1), moved_on),
        (mill["upstairs"], moved_on, None),
    ]
    unit = conn.execute(text("SELECT unit_id FROM business WHERE id = :b"), {"b": mill["tenant"]})
    assert unit.scalar_one() == mill["upstairs"]
    other = business(conn, "T Second Tenant")
    with pytest.raises(ValidationError, match="is let to T Edit Tenant"):
        sites.move_tenant(conn, _officer(conn), other, mill["upstairs"], dt.date(2026, 7, 1))
