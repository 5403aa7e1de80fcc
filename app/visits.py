"""Visits: the register of visits and their outcomes."""

from __future__ import annotations

import streamlit as st

from app import ui
from layers import visits

st.title("Visits")
ui.demo_banner()
counts = visits.outcome_counts_by_year(ui.engine())
st.subheader("Outcomes by year")
st.bar_chart(counts, x="year", y="visits", color="outcome", stack=True)
frame = visits.register(ui.engine())
st.subheader(f"All visits ({len(frame):,})")
st.dataframe(frame, hide_index=True, width="stretch", height=480)
