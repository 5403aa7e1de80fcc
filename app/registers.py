"""Businesses & sites: the registers as sortable tables."""

from __future__ import annotations

import streamlit as st

from app import ui
from layers import businesses, sites

st.title("Businesses & sites")
ui.demo_banner()
business_tab, site_tab = st.tabs(["Businesses", "Sites"])
with business_tab:
    frame = businesses.register(ui.engine())
    st.caption(f"{len(frame):,} businesses. Click a column heading to sort.")
    st.dataframe(
        frame.drop(columns=["id", "is_demo"]), hide_index=True, height=560, width="stretch"
    )
with site_tab:
    frame = sites.register(ui.engine())
    st.caption(
        f"{len(frame):,} sites, {int(frame['units'].sum()):,} units, "
        f"{int(frame['tenants'].sum()):,} with a current tenant."
    )
    st.dataframe(frame.drop(columns=["id"]), hide_index=True, width="stretch")
ui.show_attribution()
