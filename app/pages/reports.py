"""Reports: counts for everyone allowed here; content, triage and referrals only as the access
rules allow; submitting a report; the agency directory."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app.parts import subject_picker, ui
from layers.casework import referrals, reports, review, visits
from layers.core import vocab
from layers.core.errors import AccessDeniedError, JustificationRequiredError, SectormapError
from layers.core.settings import get_settings
from layers.exports import tables
from layers.people import access, audit
from mapping.sector_map import location_picker_map

HELP = vocab.GRADING_HELP


def _explained(kind: str) -> str:
    """The meanings of every code of one part of the grading, as a markdown list."""
    return "\n".join(f"- **{code}** {ui.plain(text)}" for code, text in HELP[kind].items())


def _overview() -> None:
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
    ui.table(readable, height=360)
    with st.expander("Export the reports you may read", icon=":material/download:"):
        reason, recipient = ui.justification_inputs("reports_export")
        if st.button("Prepare the export of reports"):
            try:
                st.session_state["reports_zip"] = tables.reports_zip(
                    engine,
                    user,
                    ui.attribution_lines(),
                    justification=audit.Justification(reason, recipient),
                )
            except SectormapError as exc:
                st.error(str(exc))
    if "reports_zip" in st.session_state:
        st.download_button(
            "Download sectormap-reports.zip",
            st.session_state["reports_zip"],
            file_name="sectormap-reports.zip",
            mime="application/zip",
        )
    ids = [None, *readable["id"].astype(int)]
    choice = st.selectbox(
        "Open a report", ids, format_func=lambda i: "(choose)" if i is None else f"Report {i}"
    )
    if choice is not None:
        st.query_params["report"] = str(choice)
    requested = st.query_params.get("report")
    if requested:
        _open(requested)


def _open(requested: str) -> None:
    engine, user = ui.engine(), ui.current_user()
    reasons = st.session_state.setdefault("justifications", {})
    if not requested.isdigit():
        st.error(f"{ui.plain(requested)} is not a report number.")
        return
    try:
        report = reports.open_report(
            engine, user, int(requested), justification=reasons.get(requested)
        )
    except AccessDeniedError as refusal:
        st.error(str(refusal))
        return
    except JustificationRequiredError:
        _ask_justification(requested)
        return
    report_id = int(report["id"])
    grading = (
        f"{report['source_evaluation']}{report['intelligence_assessment']}"
        if report["source_evaluation"]
        else "not yet graded"
    )
    st.markdown(
        f"**Report {report_id}** · received {report['received_date']} · "
        f"{vocab.REPORT_CATEGORIES[report['category']]} · "
        f"{vocab.REPORT_STATUSES[report['status']]} · grading {grading} · "
        f"handling {report['handling_code']} · owned by {report['owning_agency']}"
    )
    if report["handling_code"] == "C":
        st.warning(f"Conditions: {ui.plain(report['handling_conditions'])}")
    st.caption(f"About: {ui.plain(report['business'] or report['site'] or 'a place on the map')}")
    st.text(report["narrative"])
    if not access.can_edit(user.role):
        return
    triage_tab, links_tab, referral_tab = st.tabs(["Triage and status", "Visits", "Referrals"])
    with triage_tab:
        _triage(report)
    with links_tab:
        _links(report)
    with referral_tab:
        _referrals(report)


def _ask_justification(requested: str) -> None:
    """Before a restricted report opens: why (written to the audit log with the reading)."""
    st.warning(
        f"Report {ui.plain(requested)} is restricted (handling code C). Say why you need to open "
        "it; your reason is written to the audit log with your reading.",
        icon=":material/lock:",
    )
    with st.form(f"justify_{requested}"):
        reason = st.text_input(
            "Why you are opening it", placeholder="e.g. Operation name or case reference"
        )
        if st.form_submit_button("Open the report", type="primary"):
            if not reason.strip():
                st.error("Say why you are opening it.")
                return
            st.session_state["justifications"][requested] = audit.Justification(reason)
            st.rerun()


def _triage(report: dict) -> None:  # type: ignore[type-arg]
    engine, user, report_id = ui.engine(), ui.current_user(), int(report["id"])
    if report["status"] != "closed":
        with st.form(f"triage_{report_id}"):
            st.markdown("**Grade the report (3x5x2)**")
            left, right = st.columns(2)
            evaluation = left.radio(
                "Source evaluation",
                list(vocab.SOURCE_EVALUATIONS),
                index=list(vocab.SOURCE_EVALUATIONS).index(report["source_evaluation"] or "2"),
                format_func=vocab.SOURCE_EVALUATIONS.get,
            )
            left.markdown(_explained("source_evaluation"))
            assessment = right.radio(
                "Intelligence assessment",
                list(vocab.INTELLIGENCE_ASSESSMENTS),
                index=list(vocab.INTELLIGENCE_ASSESSMENTS).index(
                    report["intelligence_assessment"] or "C"
                ),
                format_func=vocab.INTELLIGENCE_ASSESSMENTS.get,
            )
            right.markdown(_explained("intelligence_assessment"))
            handling = st.radio(
                "Handling code",
                list(vocab.HANDLING_CODES),
                index=list(vocab.HANDLING_CODES).index(report["handling_code"]),
                format_func=vocab.HANDLING_CODES.get,
                horizontal=True,
            )
            st.markdown(_explained("handling_code"))
            conditions = st.text_input("Conditions (for C)", report["handling_conditions"])
            if st.form_submit_button("Save the grading", type="primary"):
                reports.triage(
                    engine,
                    user,
                    report_id,
                    source_evaluation=evaluation,
                    intelligence_assessment=assessment,
                    handling_code=handling,
                    handling_conditions=conditions,
                )
                ui.data_changed()
                st.session_state["flash"] = f"Report {report_id} graded."
                st.rerun()
    next_statuses = reports.NEXT_STATUSES[report["status"]]
    if next_statuses:
        st.markdown("**Move the report on**")
        for column, status in zip(st.columns(len(next_statuses)), next_statuses, strict=True):
            if column.button(f"Mark {vocab.REPORT_STATUSES[status].lower()}", key=f"to_{status}"):
                reports.advance(engine, user, report_id, status)
                ui.data_changed()
                st.session_state["flash"] = (
                    f"Report {report_id} is now {vocab.REPORT_STATUSES[status].lower()}."
                )
                st.rerun()
    elif report["status"] == "new":
        st.caption("Grade the report to triage it; then it can be actioned and closed.")


def _links(report: dict) -> None:  # type: ignore[type-arg]
    engine, user, report_id = ui.engine(), ui.current_user(), int(report["id"])
    linked = reports.linked_visits(engine, user, report_id)
    st.markdown(f"**Visits that acted on this report ({len(linked):,})**")
    if len(linked):
        ui.table(linked)
    subject = visits.VisitFilters(
        business_id=report["business_id"],
        site_id=None if report["business_id"] else report["site_id"],
    )
    if subject.business_id is None and subject.site_id is None:
        st.caption("The report is about a place, not a business or site: no visits to link.")
        return
    candidates = visits.register(engine, subject)
    candidates = candidates[~candidates["id"].isin(linked["id"])]
    if candidates.empty:
        st.caption("No other visit to this business or site to link.")
        return
    labels = {
        int(i): f"Visit {i} on {d} · {o}"
        for i, d, o in zip(
            candidates["id"], candidates["visit_date"], candidates["outcome"], strict=True
        )
    }
    chosen = st.selectbox("Link a visit", list(labels), format_func=labels.get)
    if st.button("Link the visit"):
        visits.link_report(engine, user, report_id, chosen)
        st.session_state["flash"] = f"Visit {chosen} linked to report {report_id}."
        st.rerun()


def _referrals(report: dict) -> None:  # type: ignore[type-arg]
    engine, user, report_id = ui.engine(), ui.current_user(), int(report["id"])
    made = referrals.listing(engine, user, report_id=report_id)
    st.markdown(f"**Referrals of this report ({len(made):,})**")
    if len(made):
        ui.table(made)
    names = ui.agency_names()
    suggested = [a for a in referrals.suggested_agencies(category=report["category"]) if a in names]
    st.caption(
        f"Agencies whose remit covers {vocab.REPORT_CATEGORIES[report['category']].lower()}: "
        + ", ".join(names[a] for a in suggested)
    )
    with st.form(f"refer_{report_id}"):
        agency = st.selectbox(
            "Refer to",
            list(names),
            index=list(names).index(suggested[0]) if suggested else 0,
            format_func=names.get,
        )
        reason = st.text_area("Why")
        if st.form_submit_button("Record the referral"):
            referrals.refer(engine, user, agency_code=agency, reason=reason, report_id=report_id)
            st.session_state["flash"] = f"Report {report_id} referred to {agency}."
            st.rerun()


def _submit() -> None:
    user = ui.current_user()
    st.caption(
        f"The report will belong to your agency "
        f"({ui.plain(ui.agency_names().get(user.agency_code, user.agency_code))}). It is "
        "graded later, at triage."
    )
    left, right = st.columns(2)
    received = left.date_input(
        "Received", value=dt.date.today(), max_value=dt.date.today(), format="DD/MM/YYYY"
    )
    source = right.selectbox(
        "Source", list(vocab.REPORT_SOURCE_TYPES), format_func=vocab.REPORT_SOURCE_TYPES.get
    )
    category = left.selectbox(
        "Category", list(vocab.REPORT_CATEGORIES), format_func=vocab.REPORT_CATEGORIES.get
    )
    handling = right.radio(
        "Handling code",
        list(vocab.HANDLING_CODES),
        index=1,
        format_func=vocab.HANDLING_CODES.get,
        help=" ".join(f"{c}: {t}" for c, t in HELP["handling_code"].items()),
    )
    right.caption(ui.plain(HELP["handling_code"][handling]))
    conditions = (
        right.text_input("Conditions", placeholder="e.g. not to be shared outside the agency")
        if handling == "C"
        else ""
    )
    narrative = st.text_area("Narrative: what was reported", height=140)
    about = st.radio(
        "About",
        ["subject", "place"],
        horizontal=True,
        format_func={"subject": "A business or building", "place": "A place on the map"}.get,
    )
    business_id = site_id = None
    lat = lon = None
    if about == "subject":
        business_id, site_id = subject_picker.pick()
    else:
        picked = st.session_state.get("report_place")
        clicked = ui.show_map(
            location_picker_map(
                center=picked or get_settings().map_center,
                picked=picked,
                attribution=ui.attribution_lines(short=True),
            ),
            key="report_place_map",
            height=360,
            returns=("last_clicked",),
        )
        click = (clicked or {}).get("last_clicked")
        if click and (click["lat"], click["lng"]) != picked:
            st.session_state["report_place"] = (click["lat"], click["lng"])
            st.rerun()
        if picked:
            lat, lon = picked
            st.caption(f"Chosen place: {lat:.5f}, {lon:.5f} (approximate)")
        else:
            st.caption("Click the map where the report places it.")
    if st.button("Submit the report", type="primary"):
        report_id = reports.submit(
            ui.engine(),
            user,
            reports.NewReport(
                received_date=received,
                source_type=source,
                category=category,
                narrative=narrative,
                business_id=business_id,
                site_id=site_id,
                lat=lat,
                lon=lon,
                handling_code=handling,
                handling_conditions=conditions,
            ),
        )
        st.session_state.pop("report_place", None)
        ui.data_changed()
        st.session_state["flash"] = f"Report {report_id} submitted; it waits for triage."
        st.query_params["report"] = str(report_id)
        st.rerun()


def _review() -> None:
    engine, user = ui.engine(), ui.current_user()
    st.caption(
        "Reports whose review date has come (received date plus the retention period of their "
        "category, or the date they were last retained until), oldest first. Decide for each: "
        "retain it until a later date, or dispose of it. Disposal removes the narrative, the "
        "described place and who submitted it, and keeps a tombstone; nothing is disposed of "
        "without a decision here."
    )
    due = review.due(engine, user)
    st.markdown(f"**{len(due):,} reports due for review**")
    if due.empty:
        return
    ui.table(due, height=300)
    labels = dict(
        zip(
            due["id"].astype(int),
            "Report " + due["id"].astype(str) + " · " + due["category"] + " · " + due["subject"],
            strict=True,
        )
    )
    chosen = st.selectbox("Report to review", list(labels), format_func=labels.get)
    with st.form(f"review_{chosen}"):
        decision = st.radio(
            "Decision",
            ["retain", "dispose"],
            horizontal=True,
            format_func={"retain": "Retain until a later date", "dispose": "Dispose of it"}.get,
        )
        until = st.date_input(
            "Retain until (for a retained report)",
            value=dt.date.today() + dt.timedelta(days=365),
            min_value=dt.date.today() + dt.timedelta(days=1),
            format="DD/MM/YYYY",
        )
        reason = st.text_input("Because", placeholder="e.g. linked to an open investigation")
        if st.form_submit_button("Record the decision", type="primary"):
            try:
                if decision == "retain":
                    review.retain(engine, user, int(chosen), until=until, reason=reason)
                else:
                    review.dispose(engine, user, int(chosen), reason=reason)
            except SectormapError as exc:
                st.error(str(exc))
                return
            ui.data_changed()
            st.session_state["flash"] = (
                f"Report {chosen} retained until {until:%d/%m/%Y}."
                if decision == "retain"
                else f"Report {chosen} disposed of; its tombstone stays."
            )
            st.rerun()


def _agencies() -> None:
    st.caption(
        "The partnership's own summary of each agency's remit and powers. Referrals are "
        "suggested from it."
    )
    ui.table(referrals.directory(ui.engine()))
    names = ui.agency_names()
    rows = [
        {
            "Concern": vocab.REPORT_CATEGORIES[category],
            "Refer to": ", ".join(names[a] for a in agencies if a in names),
        }
        for category, agencies in referrals.CATEGORY_AGENCIES.items()
    ]
    st.markdown("**Who covers what**")
    ui.table(rows)


st.title("Intelligence reports")
ui.demo_banner()
ui.flash()
ui.lazy_tabs(
    {
        "Reports": _overview,
        "Submit a report": _submit,
        "Review": _review,
        "Agencies": _agencies,
    },
    key="reports_tab",
)
