"""Reports: counts for everyone allowed here; content only as the access rules allow."""

from __future__ import annotations

import streamlit as st

from app import ui
from layers import reports, vocab
from layers.errors import AccessDeniedError

st.title("Intelligence reports")
ui.demo_banner()
engine, user = ui.engine(), ui.current_user()
counts = reports.counts_by_category_and_status(engine)
st.metric("Reports received", f"{int(counts['reports'].sum()):,}")
st.bar_chart(counts, x="category", y="reports", color="status", stack=True, horizontal=True)

st.subheader("Reports you may read")
hidden = reports.restricted_count(engine, user)
st.caption(
    f"{hidden:,} restricted reports (handling code C) exist that only their owning agency "
    "and the people cleared for them may read: you see that they exist, not what they say."
)
readable = reports.readable(engine, user)
st.dataframe(readable, hide_index=True, width="stretch", height=360)

ids = [None, *readable["id"].astype(int)]
requested = st.query_params.get("report")
choice = st.selectbox(
    "Open a report", ids, format_func=lambda i: "(choose)" if i is None else f"Report {i}"
)
if choice is not None:
    st.query_params["report"] = str(choice)
    requested = str(choice)
if requested:
    try:
        report = reports.open_report(engine, user, int(requested))
    except (AccessDeniedError, ValueError) as refusal:
        st.error(
            str(refusal)
            if isinstance(refusal, AccessDeniedError)
            else f"{ui.plain(requested)} is not a report number."
        )
    else:
        grading = (
            f"{report['source_evaluation']}{report['intelligence_assessment']}"
            if report["source_evaluation"]
            else "not yet graded"
        )
        st.markdown(
            f"**Report {report['id']}** · received {report['received_date']} · "
            f"{vocab.REPORT_CATEGORIES[report['category']]} · "
            f"{vocab.REPORT_STATUSES[report['status']]} · grading {grading} · "
            f"handling {report['handling_code']} · owned by {report['owning_agency']}"
        )
        if report["handling_code"] == "C":
            st.warning(f"Conditions: {ui.plain(report['handling_conditions'])}")
        st.caption(f"About: {ui.plain(report['business'] or report['site'] or 'a place')}")
        st.text(report["narrative"])
