"""Changing a building's units: a unit's label, floor and floor area (its tenancies follow),
and moving a tenant to another unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from app.parts import ui
from layers.core.errors import AccessDeniedError, ConflictError, ValidationError
from layers.register import sites


def edit_units(site_id: int, site_name: str) -> None:
    """The forms to change one unit of a site and to move one of its tenants."""
    units = sites.units(ui.engine(), site_id)
    if units.empty:
        return
    names = {
        int(u.unit_id): f"{u.label} (floor {u.floor})"
        + (f" · {u.tenant}" if isinstance(u.tenant, str) else "")
        for u in units.itertuples()
    }
    st.markdown(f"**Change a unit of {ui.plain(site_name)}** (its tenants stay with it)")
    chosen = st.selectbox(
        "Unit to change", list(names), format_func=names.get, key=f"unit_pick_{site_id}"
    )
    with st.form(f"edit_unit_{site_id}_{chosen}"):
        unit = units.set_index("unit_id").loc[chosen]
        left, middle, right = st.columns(3)
        label = left.text_input("Label", unit["label"], key=f"unit_label_{site_id}_{chosen}")
        floor = middle.number_input(
            "Floor (0 is the ground floor)",
            min_value=-2,
            max_value=60,
            value=int(unit["floor"]),
            key=f"unit_floor_{site_id}_{chosen}",
        )
        area = right.number_input(
            "Floor area (m²)",
            min_value=0.0,
            key=f"unit_area_{site_id}_{chosen}",
            value=None if pd.isna(unit["floor_area_m2"]) else float(unit["floor_area_m2"]),
        )
        if st.form_submit_button("Save the unit"):
            _saved(
                lambda: sites.update_unit(
                    ui.engine(),
                    ui.current_user(),
                    chosen,
                    int(unit["version"]),
                    label=label,
                    floor=int(floor),
                    floor_area_m2=area or None,
                ),
                f"Unit {label} saved.",
            )
    tenants = units.dropna(subset=["business_id"])
    if tenants.empty:
        return
    with st.form(f"move_tenant_{site_id}"):
        st.markdown("**Move a tenant to another unit**")
        movers = dict(zip(tenants["business_id"].astype(int), tenants["tenant"], strict=True))
        left, middle, right = st.columns(3)
        mover = left.selectbox(
            "Tenant", list(movers), format_func=movers.get, key=f"mover_{site_id}"
        )
        target = middle.selectbox(
            "To unit", list(names), format_func=names.get, key=f"move_to_{site_id}"
        )
        on = right.date_input(
            "From", dt.date.today(), format="DD/MM/YYYY", key=f"move_on_{site_id}"
        )
        if st.form_submit_button("Move the tenant"):
            _saved(
                lambda: sites.move_tenant(ui.engine(), ui.current_user(), mover, target, on),
                f"{movers[mover]} moved.",
            )


def _saved(save: Callable[[], object], said: str) -> None:
    try:
        save()
    except (ConflictError, ValidationError, AccessDeniedError) as problem:
        st.error(str(problem))
    else:
        ui.data_changed()
        st.session_state["flash"] = said
        st.rerun()
