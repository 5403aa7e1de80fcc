"""Sector sizing: businesses and employees by district and sector."""

from __future__ import annotations

import streamlit as st

from layers import businesses
from pages import ui

st.title("Sector sizing")
ui.demo_banner()
counts = businesses.count_by_sector_and_district(ui.engine())
left, right = st.columns(2)
left.metric("Businesses", f"{int(counts['businesses'].sum()):,}")
right.metric("Employees (sum of estimates)", f"{int(counts['employees'].sum()):,}")
st.subheader("Businesses by district and sector")
st.bar_chart(counts, x="district", y="businesses", color="sector", stack=True, horizontal=True)
table = counts.pivot_table(
    index="district",
    columns="sector",
    values="businesses",
    fill_value=0,
    aggfunc="sum",
    margins=True,
    margins_name="Total",
)
st.dataframe(table, use_container_width=True)
ui.show_attribution()
