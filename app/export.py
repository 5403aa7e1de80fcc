"""Export: download the business register with its attribution."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app import ui
from layers import exports

st.title("Export")
ui.demo_banner()
st.write(
    "The business register as CSV (zipped with its attribution and metadata). "
    "Every export is written to the audit log."
)
if st.button("Prepare the business register", type="primary"):
    st.session_state["export_zip"] = exports.business_register_zip(
        ui.engine(), ui.current_user(), ui.attribution_lines()
    )
if "export_zip" in st.session_state:
    st.download_button(
        "Download businesses.zip",
        st.session_state["export_zip"],
        file_name=f"sectormap-businesses-{dt.date.today():%Y%m%d}.zip",
        mime="application/zip",
    )
ui.show_attribution()
