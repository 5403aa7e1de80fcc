"""The profile panel beside the map: a business or a building, and the way between them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.parts import network_panel, ui
from app.parts.visit_form import visit_form
from layers.casework import rating, reports, visits
from layers.core import vocab
from layers.core.errors import AccessDeniedError, ValidationError
from layers.core.settings import get_settings
from layers.people import access
from layers.register import profiles

BAND_BADGES = {
    "high": ":red-badge[High risk]",
    "medium": ":orange-badge[Medium risk]",
    "low": ":blue-badge[Low risk]",
}


def select(kind: str, item_id: int) -> None:
    """Make a business or site the selected place (kept as plain values in session state)."""
    st.session_state["selected"] = (kind, int(item_id))


def _risk(score: float, band: str, factors: pd.DataFrame) -> None:
    st.markdown(f"**Risk score {score:.0f}** {BAND_BADGES[band]}")
    if factors.empty:
        st.caption("No risk factor applies.")
    else:
        ui.table(
            factors[["points", "factor", "detail"]],
            column_config={"points": st.column_config.NumberColumn(format="%.1f")},
        )


def _visits(visits: pd.DataFrame) -> None:
    st.markdown(f"**Visits ({len(visits):,})**")
    if visits.empty:
        st.caption("Never visited.")
    else:
        # A timeline: visits per year, split by outcome.
        per_year = (
            visits.assign(year=pd.to_datetime(visits["visit_date"]).dt.year.astype(str))
            .groupby(["year", "outcome"], as_index=False)
            .size()
            .rename(columns={"size": "visits"})
        )
        st.bar_chart(
            per_year,
            x="year",
            y="visits",
            color="outcome",
            stack=True,
            height=220,
            x_label="",
            y_label="Visits",
        )
        ui.table(
            visits.drop(columns=["findings"]),
            height=min(38 + 35 * len(visits), 260),
        )


def _rating(business_id: int) -> None:
    """The latest inspection rating, its scores, and the right to reply."""
    latest = visits.latest_ratings(ui.engine(), business_id)
    if latest.empty:
        st.caption("Ethical-compliance rating: not yet inspected.")
        return
    r = latest.iloc[0]
    label = rating.RATING_LABELS[int(r["rating"])]
    pending = " · :gray-badge[Rating pending]" if r["rating_pending"] else ""
    st.markdown(
        f"**Ethical-compliance rating: {label}**{pending}  \n"
        f"Joint inspection of {r['visit_date']:%d/%m/%Y} (internal to the partnership)"
    )
    days = get_settings().rating_reply_days
    if r["rating_pending"]:
        st.caption(
            f"The business may reply until {r['reply_by']:%d/%m/%Y} ({days} days from the "
            "inspection); the rating counts in its risk once the reply is heard or that day "
            "has passed."
        )
    elif r["awaiting_reply"]:
        st.caption(
            f"The {days}-day reply window closed on {r['reply_by']:%d/%m/%Y} with no reply "
            "confirmed: the rating stands."
        )
    scores = {name: int(r[name]) for name in rating.COMPONENTS}
    st.caption(
        " · ".join(f"{rating.COMPONENTS[n][0]} {v}" for n, v in scores.items())
        + f" · {rating.combine(scores).explanation()}"
    )
    if r["right_to_reply"]:
        st.caption(f"Right to reply: {ui.plain(r['right_to_reply'])}")
    if not access.can_edit(ui.current_user().role):
        return
    with st.expander("Right to reply"):
        note = st.text_area(
            "The business's reply", ui.text_of(r["right_to_reply"]), key=f"reply_{business_id}"
        )
        confirm = st.checkbox(
            "The reply has been heard: confirm the rating",
            value=not r["rating_pending"],
            key=f"confirm_{business_id}",
        )
        if st.button("Save the reply", key=f"save_reply_{business_id}"):
            try:
                visits.answer_rating(
                    ui.engine(),
                    ui.current_user(),
                    int(r["visit_id"]),
                    right_to_reply=note,
                    confirm=confirm,
                )
            except (ValidationError, AccessDeniedError) as problem:
                st.error(str(problem))
            else:
                ui.data_changed()
                st.session_state["flash"] = "The reply is saved."
                st.rerun()


#: Said of a location taken from a postcode the newest postcode release no longer lists.
TERMINATED = " of a terminated postcode (not in the newest postcode release; it may be out of date)"


def business(business_id: int) -> None:
    """Everything known about one business."""
    profile = profiles.business_profile(ui.engine(), business_id)
    d = profile.details
    st.subheader(ui.plain(d["name"]))
    if d["is_demo"]:
        st.caption("Fictional demo business.")
    facts = {
        "Trading name": d["trading_name"],
        "Company number": d["company_number"],
        "SIC codes": ", ".join(d["sic_codes"] or []),
        "Sector": vocab.SECTORS.get(d["sector"]),
        "Activity": vocab.ACTIVITIES.get(d["activity"]),
        "Address": d["address"],
        "Postcode": d["postcode"],
        "Location": vocab.LOCATION_PRECISIONS.get(d["location_precision"], "")
        + (TERMINATED if d["postcode_terminated"] else ""),
        "Building": d["site"],
        "Unit": d["unit"],
        "Employees": (
            f"{d['employees_estimate']} (range {d['employees_low']} to "
            f"{d['employees_high']}; {d['employees_source']})"
            if pd.notna(d["employees_estimate"])
            else None
        ),
        "Status": vocab.BUSINESS_STATUSES.get(d["status"]),
        "Known to": ", ".join(profile.sources),
        "Accreditations": ", ".join(d["accreditations"] or []),
        "First / last seen": f"{d['first_seen'] or '?'} / {d['last_seen'] or '?'}",
    }
    known = [(k, str(v)) for k, v in facts.items() if v not in (None, "") and pd.notna(v)]
    ui.table(pd.DataFrame(known, columns=["Fact", "Value"]))
    if pd.notna(d["site_id"]) and st.button(
        f"Open the building: {ui.plain(d['site'])}", key=f"to_site_{business_id}"
    ):
        select("site", d["site_id"])
        st.rerun()
    _risk(profile.score, profile.band, profile.factors)
    _rating(business_id)
    _visits(profile.visits)
    mine = reports.readable(ui.engine(), ui.current_user(), business_id=business_id)
    with st.expander("Log a visit to this business"):
        visit_form(
            key=f"visit_b{business_id}",
            business_id=business_id,
            site_id=int(d["site_id"]) if pd.notna(d["site_id"]) else None,
            readable_reports=mine,
        )
    st.markdown(
        f"**Intelligence reports: {profile.reports['total']:,}** "
        f"({profile.reports['open']:,} open); you may read {len(mine):,} of them."
    )
    if len(mine):
        ui.table(mine.drop(columns=["id"]))
    network_panel.controllers_and_brands(business_id)
    network_panel.connections_section(business_id)


def site(site_id: int) -> None:
    """One building: its floors and units, tenants, history, visits and building-level risk."""
    profile = profiles.site_profile(ui.engine(), site_id)
    d = profile.details
    occupied = int(profile.units["tenant"].notna().sum())
    st.subheader(ui.plain(d["name"]))
    st.caption(
        f"{ui.plain(d['address'])}, {ui.plain(d['postcode'])} · {d['floors']} floors · "
        f"{len(profile.units):,} units, {occupied:,} occupied"
        + (" · fictional demo tenants" if d["is_demo"] else "")
    )
    _risk(profile.score, profile.band, profile.factors)
    st.markdown("**Floors and units**")
    ui.table(profiles.units_grid(profile.units), hide_index=False)
    tenants = profile.units.dropna(subset=["business_id"])
    if len(tenants):
        labels = dict(
            zip(
                tenants["business_id"].astype(int),
                tenants["label"] + " · " + tenants["tenant"],
                strict=True,
            )
        )
        chosen = st.selectbox(
            "Tenant", list(labels), format_func=labels.get, key=f"tenant_of_{site_id}"
        )
        if st.button("Open the tenant's profile", key=f"open_tenant_{site_id}"):
            select("business", chosen)
            st.rerun()
    with st.expander(f"Tenancy history ({len(profile.history):,})"):
        ui.table(profile.history.drop(columns=["business_id"]))
    _visits(profile.visits)
    with st.expander("Log a visit to this building"):
        tenant_ids = [None, *tenants["business_id"].astype(int)] if len(tenants) else [None]
        tenant_names = dict(zip(tenant_ids[1:], tenants.get("tenant", []), strict=True))
        visited = st.selectbox(
            "Business visited",
            tenant_ids,
            format_func=lambda b: "The building as a whole" if b is None else tenant_names[b],
            key=f"visited_in_{site_id}",
        )
        visit_form(key=f"visit_s{site_id}", business_id=visited, site_id=site_id)
    st.markdown(
        f"**Intelligence reports about the building or its tenants:** "
        f"{profile.reports['total']:,} ({profile.reports['open']:,} open)."
    )
    network_panel.site_connections(site_id)
