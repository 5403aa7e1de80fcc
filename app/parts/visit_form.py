"""The form that logs a visit (from a profile or the Visits page), with inspection scores, links
to the reports that prompted it, and referrals to the agencies whose remit covers the outcome."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app.parts import ui
from layers.casework import rating, referrals, reports
from layers.casework.visits import NewVisit, log_visit, operations
from layers.core import vocab
from layers.core.errors import AccessDeniedError, ValidationError
from layers.people import access


def _scores(key: str) -> tuple[dict[str, int | None], bool]:
    """The four component scores (None where not scored) and whether the rating is pending."""
    with st.expander("Inspection scores (joint inspections): combined into a 0 to 5 rating"):
        st.caption(
            "Score each area as the food hygiene rating scheme does: 0 is very good, 25 very "
            "poor (confidence in management up to 30). The rating comes from the total and is "
            "capped by the worst area. Leave all four empty when nothing was inspected."
        )
        columns = st.columns(2)
        scores: dict[str, int | None] = {}
        for i, (name, (label, highest)) in enumerate(rating.COMPONENTS.items()):
            steps = [s for s in rating.SCORE_MEANINGS if s <= highest]
            scores[name] = columns[i % 2].selectbox(
                label,
                [None, *steps],
                format_func=lambda s: "Not scored" if s is None else rating.SCORE_MEANINGS[s],
                key=f"{key}_{name}",
            )
        if all(v is not None for v in scores.values()):
            combined = rating.combine({k: int(v) for k, v in scores.items() if v is not None})
            st.markdown(
                f"**Rating {rating.RATING_LABELS[combined.rating]}** · {combined.explanation()}"
            )
        pending = st.checkbox(
            "Rating pending: the business has not yet had its right to reply",
            value=True,
            key=f"{key}_pending",
        )
    return scores, pending


def visit_form(
    *,
    key: str,
    business_id: int | None = None,
    site_id: int | None = None,
    readable_reports: pd.DataFrame | None = None,
) -> None:
    """Fields of a new visit to a business and/or site; saves, links and refers on Save.
    ``readable_reports`` are the business's reports the user may read, when the caller has
    them already."""
    user = ui.current_user()
    if not access.can_edit(user.role):
        st.caption("Your role cannot log visits.")
        return
    left, right = st.columns(2)
    visit_date = left.date_input(
        "Date of the visit", value=dt.date.today(), max_value=dt.date.today(), key=f"{key}_date"
    )
    visit_type = right.selectbox(
        "Visit type", list(vocab.VISIT_TYPES), format_func=vocab.VISIT_TYPES.get, key=f"{key}_type"
    )
    agencies = left.multiselect(
        "Agencies present",
        list(vocab.AGENCIES),
        default=[user.agency_code],
        key=f"{key}_agencies",
        help=", ".join(f"{code}: {name}" for code, name in vocab.AGENCIES.items()),
    )
    known_operations = operations(ui.engine())["name"].tolist()
    operation = right.selectbox(
        "Joint operation",
        [None, *known_operations],
        format_func=lambda o: "None" if o is None else o,
        accept_new_options=True,
        key=f"{key}_operation",
        help="Choose one, or type the name of a new operation.",
    )
    outcome = left.selectbox(
        "Outcome",
        list(vocab.VISIT_OUTCOMES),
        format_func=vocab.VISIT_OUTCOMES.get,
        key=f"{key}_outcome",
    )
    workers = right.number_input(
        "Workers present", min_value=0, step=1, value=None, key=f"{key}_workers"
    )
    findings = st.text_area("Findings", key=f"{key}_findings")
    follow_up = left.date_input(
        "Follow-up by (optional)", value=None, min_value=visit_date, key=f"{key}_follow_up"
    )
    scores, pending = _scores(key)
    linked = []
    if business_id is not None:
        about = (
            reports.readable(ui.engine(), user, business_id=business_id)
            if readable_reports is None
            else readable_reports
        )
        if len(about):
            labels = dict(
                zip(
                    about["id"].astype(int),
                    "Report " + about["id"].astype(str) + " · " + about["category"],
                    strict=True,
                )
            )
            linked = st.multiselect(
                "Reports this visit acted on",
                list(labels),
                format_func=labels.get,
                key=f"{key}_reports",
            )
    names = ui.agency_names()
    suggested = [a for a in referrals.suggested_agencies(outcome=outcome) if a in names]
    # The key follows the outcome, so a new outcome brings its own suggestions.
    refer_to = st.multiselect(
        "Refer to",
        list(names),
        default=suggested,
        format_func=names.get,
        key=f"{key}_refer_{outcome}",
        help="Suggested from the outcome: the agencies whose remit covers it.",
    )
    if not st.button("Save the visit", type="primary", key=f"{key}_save"):
        return
    try:
        visit_id = log_visit(
            ui.engine(),
            user,
            NewVisit(
                visit_date=visit_date,
                visit_type=visit_type,
                outcome=outcome,
                business_id=business_id,
                site_id=site_id,
                agencies=tuple(agencies),
                operation_name=operation,
                workers_present=None if workers is None else int(workers),
                findings=findings,
                follow_up_date=follow_up,
                scores=scores,
                rating_pending=pending,
                report_ids=tuple(linked),
                refer_to=tuple(refer_to),
            ),
        )
    except (ValidationError, AccessDeniedError) as problem:
        st.error(str(problem))
        return
    ui.data_changed()
    st.session_state["flash"] = f"Visit {visit_id} logged" + (
        f", referred to {', '.join(refer_to)}." if refer_to else "."
    )
    st.rerun()
