"""Map page: businesses, sites, focus areas and boundaries on one map."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from app import ui
from layers import boundaries, businesses, focus_areas, sites
from layers.settings import get_settings
from mapping.sector_map import build_sector_map


@st.cache_data(ttl=60, show_spinner="Loading the map layers…")
def _layers() -> dict[str, object]:
    engine = ui.engine()
    return {
        "points": businesses.map_points(engine),
        "sites": sites.footprints(engine),
        "focus_areas": focus_areas.all_areas(engine),
        "districts": boundaries.load_boundary_frame(engine, "district"),
        "wards": boundaries.load_boundary_frame(engine, "ward"),
    }


st.title("Map")
ui.demo_banner()
layers = _layers()
points, site_frame = layers["points"], layers["sites"]
left, middle, right = st.columns(3)
left.metric("Businesses", f"{len(points):,}")
middle.metric("Multi-occupancy sites", f"{len(site_frame):,}")
right.metric("Units occupied", f"{int(site_frame['tenants'].sum()):,}")
sector_map = build_sector_map(
    center=get_settings().map_center, attribution=ui.attribution_lines(short=True), **layers
)
st_folium(sector_map, key="sector_map", height=640, use_container_width=True, returned_objects=[])
ui.show_attribution()
