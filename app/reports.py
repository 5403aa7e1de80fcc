"""Reports: how many intelligence reports there are, by category and status."""

from __future__ import annotations

import streamlit as st

from app import ui
from layers import reports

st.title("Intelligence reports")
ui.demo_banner()
counts = reports.counts_by_category_and_status(ui.engine())
st.metric("Reports received", f"{int(counts['reports'].sum()):,}")
st.caption(
    "Counts only: a report's narrative, subject and grading are shown to those its "
    "handling code allows."
)
st.bar_chart(counts, x="category", y="reports", color="status", stack=True, horizontal=True)
table = counts.pivot_table(
    index="category", columns="status", values="reports", fill_value=0, aggfunc="sum"
)
st.dataframe(table, width="stretch")
