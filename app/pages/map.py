"""Map page: find a place, filter and colour the businesses, and open a profile beside the map."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app.parts import filters_form, map_tables, profile_panel, ui
from layers.areas import focus_areas
from layers.casework import reports, visits
from layers.core.settings import get_settings
from layers.reference import base_layer, boundaries
from layers.register import profiles, sites
from layers.register.businesses.filters import MapFilters, filtered_points
from layers.register.search import search
from mapping.point_layer import PackedPoints
from mapping.sector_map import build_sector_map, business_points


@st.cache_data(ttl=60, show_spinner="Loading the map layers…")
def _layers() -> dict[str, object]:
    engine = ui.engine()
    return {
        "sites": sites.footprints(engine),
        "focus_areas": focus_areas.all_areas(engine),
        "districts": boundaries.load_boundary_frame(engine, "district"),
        "wards": boundaries.load_boundary_frame(engine, "ward"),
    }


@st.cache_data(ttl=60, show_spinner=False)
def _points(filters: MapFilters):  # type: ignore[no-untyped-def]
    return filtered_points(ui.engine(), filters)


@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def _businesses(filters: MapFilters, colour_by: str) -> PackedPoints:
    """The businesses as the map sends them: packed once for each choice of filters and colours
    (a tenth of a second at 100,000), not at each run of the page."""
    return business_points(_points(filters), colour_by)


@st.cache_data(ttl=60, show_spinner=False)
def _visit_points(since: dt.date, until: dt.date):  # type: ignore[no-untyped-def]
    return visits.points(ui.engine(), visits.VisitFilters(date_from=since, date_to=until))


@st.cache_data(ttl=60, show_spinner=False)
def _intelligence(username: str):  # type: ignore[no-untyped-def]
    """Reports the user may read (points) and open-report density (counts); keyed by user."""
    engine = ui.engine()
    return reports.readable_points(engine, ui.current_user()), reports.open_density(engine)


@st.cache_data(ttl=300, show_spinner=False)
def _base(lat: float, lon: float):  # type: ignore[no-untyped-def]
    """Imported streets and buildings around a place opened at street zoom (none: nothing)."""
    found = base_layer.around(ui.engine(), lat, lon)
    return None if found.empty else (found.buildings, found.streets)


def _layer_choices() -> tuple[tuple[dt.date, dt.date] | None, bool]:
    """Which extra layers to draw: visits in a date range, and intelligence."""
    left, right = st.columns([3, 2])
    show_visits = left.toggle("Visits, coloured by outcome", key="show_visits")
    span = None
    if show_visits:
        first, last = visits.date_span(ui.engine())
        span = left.slider(
            "Visits between",
            min_value=first,
            max_value=last,
            value=(first, last),
            format="DD MMM YYYY",
            key="visit_span",
        )
    show_reports = right.toggle(
        "Intelligence reports",
        key="show_reports",
        help="Open reports counted per hexagon (every report, counts only), and the reports "
        "you may read as points.",
    )
    return span, show_reports


def _search_box() -> None:
    query = st.text_input(
        "Find a business or building", placeholder="Name, trading name, postcode or company number"
    )
    if not query:
        return
    found = search(ui.engine(), query)
    if found.empty:
        st.caption(f"Nothing matches {ui.plain(query)}.")
        return
    options = list(zip(found["kind"], found["id"].astype(int), strict=True))
    labels = {
        key: f"{'🏭' if kind == 'site' else '•'} {label} — {detail}"
        for key, (kind, label, detail) in zip(
            options, zip(found["kind"], found["label"], found["detail"], strict=True), strict=True
        )
    }
    chosen = st.selectbox(
        f"{len(found)} found", options, format_func=labels.get, key=f"found_{query}"
    )
    if st.button("Open the profile", type="primary"):
        profile_panel.select(*chosen)
        st.rerun()


st.title("Map")
ui.demo_banner()
ui.flash()
with st.container():  # the loading spinner's slot, kept when there is none, so the map stays put
    layers = _layers()
filters, colour_by = filters_form.business_filters(layers)
span, show_reports = _layer_choices()
_search_box()
points = _points(filters)
selected = st.session_state.get("selected")
highlight, center, zoom = None, get_settings().map_center, 13
if selected:
    if selected[0] == "business" and selected[1] in set(points["id"]):
        row = points.set_index("id").loc[selected[1]]
        highlight, center, zoom = (row["lat"], row["lon"]), (row["lat"], row["lon"]), 17
    elif selected[0] == "site":
        footprint = layers["sites"].set_index("id").geometry.get(selected[1])
        if footprint is not None:
            spot = footprint.representative_point()
            highlight, center, zoom = (spot.y, spot.x), (spot.y, spot.x), 17

st.caption(f"{len(points):,} businesses shown · {len(layers['sites']):,} multi-occupancy sites")
map_column, profile_column = st.columns([3, 2]) if selected else (st.container(), None)
with map_column:
    clicked = ui.show_map(
        build_sector_map(
            center=center,
            zoom=zoom,
            businesses=_businesses(filters, colour_by),
            colour_by=colour_by,
            highlight=highlight,
            attribution=ui.attribution_lines(short=True),
            visits=_visit_points(*span) if span else None,
            reports=_intelligence(ui.current_user().username) if show_reports else None,
            streets_and_buildings=_base(*highlight) if highlight else None,
            **layers,
        ),
        key="sector_map",
        height=640,
        returns=("last_object_clicked",),
    )
    map_tables.map_as_tables(
        points, layers["sites"], layers["focus_areas"], _visit_points(*span) if span else None
    )
click = (clicked or {}).get("last_object_clicked")
if click and click != st.session_state.get("last_click"):
    st.session_state["last_click"] = click
    place = profiles.nearest(ui.engine(), click["lat"], click["lng"])
    if place is not None and place != selected:
        profile_panel.select(*place)
        st.rerun()
if profile_column is not None:
    with profile_column:
        if st.button("Close the profile"):
            st.session_state.pop("selected")
            st.rerun()
        if selected[0] == "business":
            profile_panel.business(selected[1])
        else:
            profile_panel.site(selected[1])
ui.show_attribution()
