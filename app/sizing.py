"""Sector sizing: businesses and employees by district, or by H3 hexagon (no boundaries needed)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app import ui
from layers import boundaries, businesses, sizing
from layers.settings import get_settings
from mapping.sector_map import choropleth_map

st.title("Sector sizing")
ui.demo_banner()
engine = ui.engine()
has_districts = boundaries.boundary_counts(engine).get("district", 0) > 0
choices = ["Districts", "H3 hexagons"] if has_districts else ["H3 hexagons"]
by = st.radio("Areas", choices, horizontal=True)
if not has_districts:
    st.caption("No district boundaries are loaded, so hexagons stand in for areas.")

if by == "Districts":
    counts = businesses.count_by_sector_and_district(engine)
    totals = counts.groupby("district", as_index=False)[["businesses", "employees"]].sum()
    areas = (
        boundaries.load_boundary_frame(engine, "district")
        .merge(totals, left_on="name", right_on="district", how="left")
        .fillna({"businesses": 0, "employees": 0})
    )
else:
    resolution = st.select_slider(
        "Hexagon resolution (H3)",
        options=list(sizing.H3_RESOLUTIONS),
        value=8,
        help="Higher is smaller: resolution 8 hexagons are about 0.74 km².",
    )
    areas = sizing.count_by_h3(engine, resolution).rename(columns={"cell": "name"})
    counts = None

left, right = st.columns(2)
left.metric("Businesses", f"{int(areas['businesses'].sum()):,}")
right.metric("Employees (sum of estimates)", f"{int(areas['employees'].sum()):,}")
st_folium(
    choropleth_map(
        areas,
        value="businesses",
        label="Businesses",
        center=get_settings().map_center,
        attribution=ui.attribution_lines(short=True),
    ),
    key=f"sizing_map_{by}",
    height=460,
    use_container_width=True,
    returned_objects=[],
)
if counts is not None:
    st.subheader("Businesses by district and sector")
    st.bar_chart(counts, x="district", y="businesses", color="sector", stack=True, horizontal=True)
    st.dataframe(
        counts.pivot_table(
            index="district",
            columns="sector",
            values="businesses",
            fill_value=0,
            aggfunc="sum",
            margins=True,
            margins_name="Total",
        ),
        width="stretch",
    )
else:
    st.dataframe(
        pd.DataFrame(areas.drop(columns="geometry")).rename(columns={"name": "hexagon"}),
        hide_index=True,
        width="stretch",
    )
ui.show_attribution()
