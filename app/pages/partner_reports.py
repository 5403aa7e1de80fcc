"""Our reports, for partners (a retailer's audit team, a charity, an advice service): submit an
intelligence report about a business or building, and follow the status of the reports your
organisation has submitted. Nothing else of Sectormap is open to partners."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app.parts import subject_picker, ui
from layers.casework import reports
from layers.core import vocab
from layers.core.errors import ValidationError

STATUS_MEANING = {
    "New": "received, waiting to be assessed",
    "Triaged": "assessed by the partnership",
    "Actioned": "acted on by an agency",
    "Closed": "no further action here",
}


def _submit() -> None:
    user = ui.current_user()
    st.caption(
        "Tell the partnership what you know. Your report goes to the partnership's triage team, "
        "is restricted until it has been assessed, and never names your organisation to the "
        "business."
    )
    left, right = st.columns(2)
    received = left.date_input(
        "When you learnt it", value=dt.date.today(), max_value=dt.date.today(), format="DD/MM/YYYY"
    )
    category = right.selectbox(
        "What it is about", list(vocab.REPORT_CATEGORIES), format_func=vocab.REPORT_CATEGORIES.get
    )
    about = st.radio(
        "The business or building",
        ["listed", "described"],
        horizontal=True,
        format_func={
            "listed": "Find it in the register",
            "described": "It is not listed: describe it",
        }.get,
    )
    business_id = site_id = None
    address = postcode = ""
    if about == "listed":
        business_id, site_id = subject_picker.pick(key="partner_subject")
    else:
        address = st.text_input("Name and address", placeholder="e.g. Unit 4, 12 Example Street")
        postcode = st.text_input("Postcode", placeholder="e.g. LE5 4GD")
    narrative = st.text_area(
        "What you know",
        height=160,
        help="What was seen or said, when, and by whom (as far as it is safe to say).",
    )
    if st.button("Submit the report", type="primary"):
        try:
            report_id = reports.submit_as_partner(
                ui.engine(),
                user,
                reports.PartnerReport(
                    received_date=received,
                    category=category,
                    narrative=narrative,
                    business_id=business_id,
                    site_id=site_id,
                    address=address,
                    postcode=postcode,
                ),
            )
        except ValidationError as exc:
            st.error(str(exc))
            return
        st.session_state["flash"] = (
            f"Report {report_id} submitted. You can follow its status under "
            "'Our organisation's reports'."
        )
        st.rerun()


def _ours() -> None:
    frame = reports.organisation_reports(ui.engine(), ui.current_user())
    st.markdown(f"**{len(frame):,} reports from your organisation**")
    st.caption(" · ".join(f"{status}: {meaning}" for status, meaning in STATUS_MEANING.items()))
    ui.table(frame, height=420)


st.title("Our reports")
ui.flash()
ui.lazy_tabs({"Submit a report": _submit, "Our organisation's reports": _ours}, key="partner_tab")
