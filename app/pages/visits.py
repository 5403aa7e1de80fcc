"""Visits: the register with its filters, my follow-ups, joint operations, and logging a visit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.parts import ui
from app.parts.visit_form import visit_form
from layers.casework import referrals, visits
from layers.core import vocab
from layers.core.settings import get_settings
from layers.exports import tables
from layers.register.search import search
from mapping.sector_map import operation_map

OUTCOME_COLUMNS = {"visit_date": st.column_config.DateColumn("Date", format="DD/MM/YYYY")}


def _filters() -> visits.VisitFilters:
    first, last = visits.date_span(ui.engine())
    left, middle, right = st.columns(3)
    span = left.date_input(
        "Between", value=(first, last), format="DD/MM/YYYY", key="visits_between"
    )
    outcomes = middle.multiselect(
        "Outcome", list(vocab.VISIT_OUTCOMES), format_func=vocab.VISIT_OUTCOMES.get
    )
    types = right.multiselect(
        "Visit type", list(vocab.VISIT_TYPES), format_func=vocab.VISIT_TYPES.get
    )
    agencies = left.multiselect(
        "Agency present", list(vocab.AGENCIES), format_func=vocab.AGENCIES.get
    )
    operation = middle.selectbox(
        "Operation",
        [None, *visits.operations(ui.engine())["name"]],
        format_func=lambda o: "Any" if o is None else o,
    )
    mine = right.checkbox("Only visits I logged")
    # While a range is being picked, the control holds only its first date.
    since, until = (*span, None, None)[:2]
    return visits.VisitFilters(
        date_from=since,
        date_to=until,
        outcomes=tuple(outcomes),
        visit_types=tuple(types),
        agencies=tuple(agencies),
        operation_name=operation,
        officer_id=ui.current_user().id if mine else None,
    )


def _register() -> None:
    filters = _filters()
    frame = visits.register(ui.engine(), filters)
    counts = (
        frame.assign(year=pd.to_datetime(frame["visit_date"]).dt.year.astype(str))
        .groupby(["year", "outcome"], as_index=False)
        .size()
        .rename(columns={"size": "visits"})
    )
    st.markdown(f"**{len(frame):,} visits**")
    if len(frame):
        st.bar_chart(counts, x="year", y="visits", color="outcome", stack=True, height=260)
    ui.table(
        frame.drop(columns=["id"]),
        height=420,
        column_config=OUTCOME_COLUMNS,
    )
    if st.button("Prepare an export of these visits"):
        st.session_state["visits_zip"] = tables.visits_zip(
            ui.engine(),
            ui.current_user(),
            frame,
            filters=filters.describe(),
            attribution=ui.attribution_lines(),
        )
    if "visits_zip" in st.session_state:
        st.download_button(
            "Download sectormap-visits.zip",
            st.session_state["visits_zip"],
            file_name="sectormap-visits.zip",
            mime="application/zip",
        )


def _follow_ups() -> None:
    due = visits.follow_ups_due(ui.engine(), ui.current_user(), within_days=14)
    overdue = int(due["overdue"].sum())
    st.markdown(
        f"**{len(due):,} follow-ups due in the next 14 days or overdue** ({overdue:,} overdue) "
        "from visits you logged and that no later visit has followed up."
    )
    if due.empty:
        st.caption("Nothing is due.")
        return
    ui.table(
        due.drop(columns=["id", "business_id", "site_id"]).assign(
            overdue=due["overdue"].map({True: "Overdue", False: "Due"})
        ),
        column_config={
            "follow_up_date": st.column_config.DateColumn("Follow up by", format="DD/MM/YYYY")
        },
    )


def _operations() -> None:
    known = visits.operations(ui.engine())
    if known.empty:
        st.caption("No visit belongs to a named joint operation yet.")
        return
    name = st.selectbox("Operation", known["name"].tolist())
    chosen = visits.points(ui.engine(), visits.VisitFilters(operation_name=name))
    row = known.set_index("name").loc[name]
    st.markdown(
        f"**{ui.plain(name)}**: {int(row['visits']):,} visits from {row['first_visit']} "
        f"to {row['last_visit']}"
    )
    counts = visits.outcome_counts(chosen)
    left, right = st.columns([3, 2])
    with left:
        ui.show_map(
            operation_map(
                chosen,
                center=get_settings().map_center,
                attribution=ui.attribution_lines(short=True),
            ),
            key="operation_map",
            height=420,
        )
    with right:
        st.bar_chart(counts, x="outcome", y="visits", horizontal=True, height=260)
        ui.table(counts)
    timeline = (
        chosen.assign(week=pd.to_datetime(chosen["visit_date"]).dt.to_period("W").dt.start_time)
        .assign(outcome=chosen["outcome"].map(vocab.VISIT_OUTCOMES))
        .groupby(["week", "outcome"], as_index=False)
        .size()
        .rename(columns={"size": "visits"})
    )
    st.markdown("**Timeline** (visits per week)")
    st.bar_chart(timeline, x="week", y="visits", color="outcome", stack=True, height=240)
    ui.show_attribution()


def _log() -> None:
    query = st.text_input(
        "Which business or building?", placeholder="Name, postcode or company number"
    )
    found = search(ui.engine(), query) if query else pd.DataFrame()
    if query and found.empty:
        st.caption(f"Nothing matches {ui.plain(query)}.")
    if found.empty:
        return
    options = list(zip(found["kind"], found["id"].astype(int), strict=True))
    labels = {
        key: f"{'Building' if key[0] == 'site' else 'Business'}: {label} — {detail}"
        for key, label, detail in zip(options, found["label"], found["detail"], strict=True)
    }
    kind, item = st.selectbox("Visited", options, format_func=labels.get)
    visit_form(
        key=f"visit_page_{kind}_{item}",
        business_id=item if kind == "business" else None,
        site_id=item if kind == "site" else None,
    )


def _referrals() -> None:
    frame = referrals.listing(ui.engine(), ui.current_user())
    st.markdown(f"**{len(frame):,} referrals** (newest first)")
    ui.table(frame, height=300)
    waiting = frame[frame["status"] == vocab.REFERRAL_STATUSES["sent"]]
    if waiting.empty:
        return
    with st.form("answer_referral"):
        st.markdown("**Record an agency's answer**")
        chosen = st.selectbox(
            "Referral",
            waiting["id"].astype(int).tolist(),
            format_func=lambda i: f"Referral {i} to {waiting.set_index('id').loc[i, 'agency']}",
        )
        status = st.radio(
            "Answer",
            ["accepted", "declined", "closed"],
            format_func=vocab.REFERRAL_STATUSES.get,
            horizontal=True,
        )
        response = st.text_area("What the agency said")
        if st.form_submit_button("Save the answer"):
            referrals.answer(
                ui.engine(), ui.current_user(), chosen, status=status, response=response
            )
            ui.data_changed()
            st.session_state["flash"] = f"Referral {chosen}: answer saved."
            st.rerun()


st.title("Visits")
ui.demo_banner()
ui.flash()
# Only the open tab runs (a map drawn in a hidden tab would get no size).
SECTIONS = {
    "Visits": _register,
    "My follow-ups": _follow_ups,
    "Operations": _operations,
    "Log a visit": _log,
    "Referrals": _referrals,
}
ui.lazy_tabs(SECTIONS, key="visits_tab")
