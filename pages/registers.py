"""Businesses & sites: the registers as sortable tables."""

from __future__ import annotations

import streamlit as st

from layers import businesses, sites
from pages import ui

st.title("Businesses & sites")
ui.demo_banner()
business_tab, site_tab = st.tabs(["Businesses", "Sites"])
with business_tab:
    frame = businesses.register(ui.engine())
    st.caption(f"{len(frame):,} businesses. Click a column heading to sort.")
    st.dataframe(
        frame.drop(columns=["id", "is_demo"]), hide_index=True, height=560, use_container_width=True
    )
with site_tab:
    frame = sites.register(ui.engine())
    st.caption(
        f"{len(frame):,} sites, {int(frame['units'].sum()):,} units, "
        f"{int(frame['tenants'].sum()):,} with a current tenant."
    )
    st.dataframe(frame.drop(columns=["id"]), hide_index=True, use_container_width=True)
ui.show_attribution()
