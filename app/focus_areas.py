"""Focus areas: where the partnership focuses its effort."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app import ui
from layers import focus_areas, vocab
from layers.settings import get_settings
from mapping.sector_map import focus_area_map

st.title("Focus areas")
ui.demo_banner()
areas = focus_areas.all_areas(ui.engine())
if areas.empty:
    st.info("No focus areas yet.")
else:
    st_folium(
        focus_area_map(
            areas, center=get_settings().map_center, attribution=ui.attribution_lines(short=True)
        ),
        key="focus_map",
        height=420,
        use_container_width=True,
        returned_objects=[],
    )
    table = pd.DataFrame(areas.drop(columns="geom")).drop(columns="id")
    table["priority"] = table["priority"].map(vocab.PRIORITIES)
    st.dataframe(table, hide_index=True, width="stretch")
ui.show_attribution()
