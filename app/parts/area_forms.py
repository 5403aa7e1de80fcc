"""Making and changing focus areas: draw one, buffer a place, join wards or MSOAs; edit its
details or outline; delete it."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from shapely.geometry.base import BaseGeometry

from app.parts import ui
from app.parts.area_dashboard import choose_area
from layers.areas import focus_areas, shapes
from layers.core import vocab
from layers.core.errors import SectormapError
from layers.core.settings import get_settings
from layers.people import users
from layers.reference import boundaries
from layers.register import businesses
from layers.register.search import search
from mapping.area_maps import draw_map, shape_map


def _owners() -> dict[int | None, str]:
    people = users.listing(ui.engine(), active=True)
    return {None: "Nobody yet"} | {
        int(p.id): f"{p.full_name or p.username} ({p.username})"
        for p in people.itertuples()
        if p.role not in ("viewer", "partner")
    }


def details_form(
    key: str, initial: focus_areas.AreaDetails, *, submit: str
) -> focus_areas.AreaDetails | None:
    """The name, purpose, priority, owner, period and notes of an area; the details when the
    form is submitted, else None."""
    owners = _owners()
    with st.form(key):
        name = st.text_input("Name", value=initial.name, max_chars=120)
        purpose = st.text_input("Purpose", value=initial.purpose, max_chars=300)
        left, middle, right = st.columns(3)
        priority = left.selectbox(
            "Priority",
            list(vocab.PRIORITIES),
            index=list(vocab.PRIORITIES).index(initial.priority),
            format_func=vocab.PRIORITIES.get,
        )
        owner = middle.selectbox(
            "Owner",
            list(owners),
            index=list(owners).index(initial.owner_id) if initial.owner_id in owners else 0,
            format_func=owners.get,
        )
        period = right.date_input(
            "Period (from, to)",
            value=[d for d in (initial.period_start, initial.period_end) if d],
            format="DD/MM/YYYY",
        )
        notes = st.text_area("Notes", value=initial.notes, height=80)
        if not st.form_submit_button(submit, type="primary"):
            return None
    dates = list(period) if isinstance(period, list | tuple) else [period]
    return focus_areas.AreaDetails(
        name=name,
        purpose=purpose,
        priority=priority,
        owner_id=owner,
        period_start=dates[0] if dates else None,
        period_end=dates[1] if len(dates) > 1 else None,
        notes=notes,
    )


@st.cache_data(ttl=60, show_spinner=False)
def _businesses() -> pd.DataFrame:
    return businesses.map_points(ui.engine())


def _drawn_shape(areas: gpd.GeoDataFrame) -> BaseGeometry | None:
    st.caption(
        "Use the tools on the map's left: a polygon (click its corners, then the first one "
        "again), a rectangle or a circle (drag). Several shapes make one area. Tick "
        "'Businesses' in the layer list to see where they are."
    )
    drawn = ui.show_map(
        draw_map(
            areas,
            center=get_settings().map_center,
            attribution=ui.attribution_lines(short=True),
            businesses=_businesses(),
        ),
        key="draw_new_area",
        height=520,
        returns=("all_drawings",),
    )
    features = (drawn or {}).get("all_drawings") or []
    if not features:
        st.info("Nothing drawn yet.")
        return None
    return shapely.union_all([shapes.from_drawing(f) for f in features])


def _buffered_shape() -> tuple[BaseGeometry | None, str]:
    query = st.text_input("Business or building", placeholder="Name, postcode or company number")
    found = search(ui.engine(), query) if query else pd.DataFrame()
    if found.empty:
        st.caption("Find the place to draw the area around." if not query else "Nothing matches.")
        return None, ""
    options = list(zip(found["kind"], found["id"].astype(int), strict=True))
    names = dict(zip(options, found["label"], strict=True))
    labels = dict(zip(options, found["label"] + " — " + found["detail"], strict=True))
    kind, place_id = st.selectbox("Around", options, format_func=labels.get)
    metres = st.number_input(
        "Distance (metres)",
        min_value=10,
        max_value=int(shapes.MAX_BUFFER_M),
        value=250,
        step=50,
    )
    shape = focus_areas.around_place(ui.engine(), kind, place_id, float(metres))
    return shape, f"Within {metres:,} m of {names[(kind, place_id)]}"


def _boundary_shape() -> tuple[BaseGeometry | None, str]:
    kind = st.radio(
        "Made of",
        ["ward", "msoa"],
        horizontal=True,
        format_func={"ward": "Wards", "msoa": "MSOAs"}.get,
    )
    frame = boundaries.load_boundary_frame(ui.engine(), kind)
    if frame.empty:
        st.warning(f"No {kind} boundaries are loaded (sectormap import reference).")
        return None, ""
    names = dict(zip(frame["code"], frame["name"], strict=True))
    codes = st.multiselect(
        "Wards" if kind == "ward" else "MSOAs",
        list(names),
        format_func=lambda code: f"{names[code]} ({code})",
    )
    if not codes:
        return None, ""
    shape = focus_areas.from_boundaries(ui.engine(), kind, codes)
    return shape, ", ".join(str(names[c]) for c in codes)


def new_area(areas: gpd.GeoDataFrame) -> None:
    """Draw, buffer or join boundaries, check the shape, then name and save the area."""
    how = st.radio(
        "How",
        ["draw", "buffer", "boundaries"],
        horizontal=True,
        format_func={
            "draw": "Draw it on the map",
            "buffer": "Around a business or building",
            "boundaries": "From wards or MSOAs",
        }.get,
        key="new_area_how",
    )
    purpose = ""
    try:
        if how == "draw":
            shape = _drawn_shape(areas)
        elif how == "buffer":
            shape, purpose = _buffered_shape()
        else:
            shape, purpose = _boundary_shape()
        if shape is None:
            return
        cleaned = shapes.clean(shape)
    except SectormapError as exc:
        st.error(f"This shape cannot be used: {exc}")
        return
    st.success(f"The area covers {cleaned.area_m2 / 1e6:,.3f} km².")
    if cleaned.note:
        st.warning(cleaned.note)
    if how != "draw":
        ui.show_map(
            shape_map(
                cleaned.shape,
                name=purpose or "New area",
                center=get_settings().map_center,
                attribution=ui.attribution_lines(short=True),
            ),
            key=f"preview_{how}",
            height=380,
        )
    user = ui.current_user()
    details = details_form(
        "new_area_details",
        focus_areas.AreaDetails(name="", purpose=purpose, owner_id=user.id),
        submit="Save the area",
    )
    if details is not None:
        saved = focus_areas.create(ui.engine(), user, details, cleaned.shape)
        _saved(saved, f"Focus area {details.name.strip()!r} saved.", saved.id)


def _saved(saved: focus_areas.SavedArea, message: str, area_id: int) -> None:
    ui.data_changed()
    st.session_state["focus_area_id"] = area_id
    st.session_state["flash"] = " ".join([message, *saved.warnings])
    st.rerun()


def _change_outline(row: pd.Series, area_id: int) -> None:
    st.caption(
        "Drag the corners of the outline (the pencil tool on the map's left starts editing; "
        "press Save there), then save the new outline here."
    )
    drawn = ui.show_map(
        draw_map(
            gpd.GeoDataFrame(
                columns=["name", "purpose", "priority", "geometry"], geometry="geometry", crs=4326
            ),
            center=get_settings().map_center,
            attribution=ui.attribution_lines(short=True),
            editing=row["geom"],
        ),
        key=f"edit_outline_{area_id}",
        height=460,
        returns=("all_drawings",),
    )
    features = (drawn or {}).get("all_drawings") or []
    shape = shapely.union_all([shapes.from_drawing(f) for f in features]) if features else None
    # Less than a square metre of difference: the corners have not been moved (yet).
    moved = shape is not None and shapes.area_m2(shape.symmetric_difference(row["geom"])) >= 1
    if moved:
        st.info(
            f"The outline on the map covers {shapes.area_m2(shape) / 1e6:,.3f} km² "
            f"(the saved one: {shapes.area_m2(row['geom']) / 1e6:,.3f} km²)."
        )
    if st.button("Save the new outline", disabled=not moved, key="save_outline"):
        saved = focus_areas.update_shape(
            ui.engine(), ui.current_user(), area_id, int(row["version"]), shape
        )
        _saved(saved, "The new outline is saved.", area_id)


def manage_areas(areas: gpd.GeoDataFrame) -> None:
    """Edit an area's details or outline, or delete it."""
    area_id = choose_area(areas, key="manage_area")
    row = areas.set_index("id").loc[area_id]
    user = ui.current_user()
    current = focus_areas.AreaDetails(
        name=row["name"],
        purpose=row["purpose"] or "",
        priority=row["priority"],
        owner_id=None if pd.isna(row["owner_id"]) else int(row["owner_id"]),
        period_start=None
        if pd.isna(row["period_start"])
        else pd.Timestamp(row["period_start"]).date(),
        period_end=None if pd.isna(row["period_end"]) else pd.Timestamp(row["period_end"]).date(),
        notes=row["notes"] or "",
    )
    # One part at a time, drawn only when chosen: a map drawn out of sight (a closed expander)
    # gets no size, and would open zoomed to nothing.
    part = st.radio(
        "Change",
        ["details", "outline", "delete"],
        format_func={
            "details": "Its details",
            "outline": "Its outline",
            "delete": "Delete it",
        }.get,
        horizontal=True,
        key=f"manage_part_{area_id}",
    )
    if part == "details":
        details = details_form(f"edit_area_{area_id}", current, submit="Save the details")
        if details is not None:
            focus_areas.update_details(ui.engine(), user, area_id, int(row["version"]), details)
            ui.data_changed()
            st.session_state["flash"] = "The details are saved."
            st.rerun()
    elif part == "outline":
        _change_outline(row, area_id)
    else:
        sure = st.checkbox(f"Yes, delete {ui.plain(row['name'])}", key=f"sure_{area_id}")
        if st.button("Delete the area", disabled=not sure, type="primary", key="delete_area"):
            focus_areas.delete(ui.engine(), user, area_id)
            ui.data_changed()
            st.session_state.pop("focus_area_id", None)
            st.session_state["flash"] = "The area is deleted."
            st.rerun()
