"""Plan a day of visits: choose places in an area, order them on the street network, and take
the route away as GPX, CSV and a printable visit sheet."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from app.parts import ui
from app.parts.area_dashboard import area_stats_for, choose_area, places_table
from layers.exports import attribution
from layers.people import audit
from layers.routes import route_files, routing, visit_sheet
from mapping.area_maps import places_map, route_map

#: How far (degrees, about 15 m) a click may be from a place to pick it.
_PICK_TOLERANCE = 0.00015


def _picked(area_id: int) -> set[tuple[str, int]]:
    return st.session_state.setdefault(f"route_picked_{area_id}", set())


def _toggle_clicked(places: pd.DataFrame, area_id: int, click: dict[str, float] | None) -> None:
    """A click on a place's marker picks it, or unpicks it."""
    if not click or click == st.session_state.get("route_last_click"):
        return
    st.session_state["route_last_click"] = click
    distance = (places["lat"] - click["lat"]).abs() + (places["lon"] - click["lng"]).abs()
    if places.empty or distance.min() > _PICK_TOLERANCE:
        return
    nearest = places.loc[distance.idxmin()]
    key = (str(nearest["kind"]), int(nearest["place_id"]))
    picked = _picked(area_id)
    picked.symmetric_difference_update({key})
    st.rerun()


def _choose_places(places: pd.DataFrame, area_id: int, geometry: object, name: str) -> pd.DataFrame:
    how = st.radio(
        "Places",
        ["top", "pick"],
        horizontal=True,
        format_func={"top": "The highest risk", "pick": "Pick them on the map or in the table"}.get,
        key="route_how",
    )
    if how == "top":
        count = st.slider(
            "How many", min_value=2, max_value=min(30, len(places)), value=min(5, len(places))
        )
        chosen = places.head(count)
        keys = frozenset(zip(chosen["kind"], chosen["place_id"].astype(int), strict=True))
    else:
        keys = frozenset(_picked(area_id))
    clicked = ui.show_map(
        places_map(
            geometry,  # type: ignore[arg-type]
            places,
            name=name,
            attribution=ui.attribution_lines(short=True),
            chosen=keys,
        ),
        key=f"route_places_{area_id}_{how}",
        height=420,
        returns=("last_object_clicked",) if how == "pick" else (),
    )
    if how == "pick":
        _toggle_clicked(places, area_id, (clicked or {}).get("last_object_clicked"))
        table = ui.table(
            places_table(places),
            on_select="rerun",
            selection_mode="multi-row",
            key=f"route_table_{area_id}",
        )
        rows = table.selection.rows if table else []
        keys = keys | frozenset(
            zip(places["kind"].iloc[rows], places["place_id"].iloc[rows].astype(int), strict=True)
        )
    key_series = list(zip(places["kind"], places["place_id"].astype(int), strict=True))
    return places[[k in keys for k in key_series]]


def _record_sheet(area: str, stops: int) -> None:
    audit.export(
        ui.engine(),
        ui.current_user(),
        object_type="visit_sheet",
        detail={"area": area, "stops": stops, "format": "html"},
    )


@dataclass(frozen=True)
class _Planned:
    """A planned route and its downloads, made once when the route is planned (not on every
    rerun of the page)."""

    area_id: int
    plan: routing.RoutePlan
    gpx: str
    csv: bytes
    sheet: str


def _planned(area_id: int, plan: routing.RoutePlan, name: str) -> _Planned:
    lines = attribution.for_database(ui.engine(), osm=True)
    title = f"Visits in {name}"
    user = ui.current_user()
    sheets = visit_sheet.gather(ui.engine(), user, plan.stops)
    return _Planned(
        area_id,
        plan,
        route_files.to_gpx(plan, title=title, attribution=lines),
        route_files.to_csv(plan, attribution=lines),
        visit_sheet.render(plan, sheets, title=title, user=user, attribution=lines),
    )


def _show(planned: _Planned, geometry: object, name: str) -> None:
    plan = planned.plan
    (st.success if plan.on_network else st.warning)(plan.summary())
    ui.show_map(
        route_map(geometry, plan, name=name, attribution=ui.attribution_lines(short=True)),  # type: ignore[arg-type]
        key="route_map",
        height=480,
    )
    ui.table(plan.legs)
    left, middle, right = st.columns(3)
    left.download_button(
        "Download GPX",
        planned.gpx,
        file_name="route.gpx",
        mime="application/gpx+xml",
        on_click="ignore",
    )
    middle.download_button(
        "Download CSV",
        planned.csv,
        file_name="route.csv",
        mime="text/csv",
        on_click="ignore",
    )
    right.download_button(
        "Visit sheet to print (HTML)",
        planned.sheet,
        file_name="visit-sheet.html",
        mime="text/html",
        on_click=_record_sheet,
        args=(name, len(plan.stops)),
    )
    st.caption(
        "The visit sheet has a page per stop: address, units and tenants, the last visit, open "
        "follow-ups and the intelligence you may read. Open it and print it from the browser."
    )


def route_tab(areas: gpd.GeoDataFrame) -> None:
    """Choose an area and its places, plan the route, and show it with its downloads."""
    area_id = choose_area(areas, key="route_area")
    row = areas.set_index("id").loc[area_id]
    found = area_stats_for(area_id)
    if found.places.total < 2:
        st.info("This area has fewer than two places to visit.")
        return
    if found.places.total > len(found.places.top):
        st.caption(
            f"The {len(found.places.top):,} places of highest risk, of "
            f"{found.places.total:,} in the area."
        )
    chosen = _choose_places(found.places.top, area_id, row["geom"], str(found.name))
    mode = st.radio(
        "Travel", list(routing.MODES), horizontal=True, format_func=routing.MODES.get, key="mode"
    )
    if st.button(
        f"Plan the route ({len(chosen)} places)", type="primary", disabled=len(chosen) < 2
    ):
        with st.spinner("Building the street network and ordering the stops…"):
            plan = routing.plan(ui.engine(), chosen, mode)
            st.session_state["route_plan"] = _planned(area_id, plan, str(found.name))
    planned = st.session_state.get("route_plan")
    if planned and planned.area_id == area_id:
        _show(planned, row["geom"], str(found.name))
