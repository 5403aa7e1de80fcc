"""Planner settings for one block of reads (``layers.core.db.planned``), against PostGIS."""

from __future__ import annotations

from sqlalchemy import Connection, text

from layers.core.db import planned


def _setting(conn: Connection, name: str) -> str:
    return str(conn.execute(text("SELECT current_setting(:n)"), {"n": name}).scalar_one())


def test_settings_hold_inside_the_block_and_the_callers_come_back_after(conn: Connection) -> None:
    conn.execute(text("SET LOCAL enable_nestloop = on"))
    conn.execute(text("SET LOCAL jit = on"))
    with planned(conn, enable_nestloop="off", jit="off") as inner:
        assert inner is conn
        assert (_setting(conn, "enable_nestloop"), _setting(conn, "jit")) == ("off", "off")
    assert (_setting(conn, "enable_nestloop"), _setting(conn, "jit")) == ("on", "on")


def test_switching_a_plan_node_off_switches_jit_off_with_it_unless_jit_is_given(
    conn: Connection,
) -> None:
    conn.execute(text("SET LOCAL jit = on"))
    with planned(conn, enable_nestloop="off"):
        assert (_setting(conn, "enable_nestloop"), _setting(conn, "jit")) == ("off", "off")
    assert _setting(conn, "jit") == "on"
    with planned(conn, enable_nestloop="off", jit="on"):
        assert _setting(conn, "jit") == "on"
    with planned(conn, enable_nestloop="on"):
        assert _setting(conn, "jit") == "on"
