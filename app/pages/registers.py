"""Businesses & sites: the registers as sortable tables; add, edit and archive with validation."""

from __future__ import annotations

import streamlit as st

from app.parts import ui, unit_forms
from layers.core import vocab
from layers.core.errors import ConflictError, ValidationError
from layers.people import access
from layers.register import businesses, multi_occupancy, profiles, sites
from layers.register.businesses.editing import (
    BusinessForm,
    archive_business,
    create_business,
    form_of,
    update_business,
)


def _business_form(key: str, initial: BusinessForm) -> BusinessForm | None:
    """The fields of a business; returns the form when it was submitted."""
    with st.form(key):
        left, right = st.columns(2)
        name = left.text_input("Name", initial.name)
        trading = right.text_input("Trading name", initial.trading_name)
        number = left.text_input("Company number", initial.company_number)
        sics = right.text_input("SIC codes (comma separated)", ", ".join(initial.sic_codes))
        sector = left.selectbox(
            "Sector",
            list(vocab.SECTORS),
            index=list(vocab.SECTORS).index(initial.sector),
            format_func=vocab.SECTORS.get,
        )
        activity = right.selectbox(
            "Activity",
            list(vocab.ACTIVITIES),
            index=list(vocab.ACTIVITIES).index(initial.activity),
            format_func=vocab.ACTIVITIES.get,
        )
        address = left.text_input("Address", initial.address)
        postcode = right.text_input(
            "Postcode", initial.postcode, help="The business is placed at its postcode."
        )
        employees = left.number_input(
            "Employees (estimate)", min_value=0, step=1, value=initial.employees_estimate
        )
        status = right.selectbox(
            "Status",
            list(vocab.BUSINESS_STATUSES),
            index=list(vocab.BUSINESS_STATUSES).index(initial.status),
            format_func=vocab.BUSINESS_STATUSES.get,
        )
        outside = st.checkbox(
            "The business is outside Leicester and Leicestershire", initial.allow_outside_region
        )
        if not st.form_submit_button("Save", type="primary"):
            return None
    return BusinessForm(
        name=name,
        trading_name=trading,
        company_number=number,
        sic_codes=[c.strip() for c in sics.split(",") if c.strip()],
        sector=sector,
        activity=activity,
        address=address,
        postcode=postcode,
        site_id=initial.site_id,
        unit_id=initial.unit_id,
        employees_estimate=int(employees) if employees is not None else None,
        employees_low=initial.employees_low,
        employees_high=initial.employees_high,
        employees_source=initial.employees_source,
        status=status,
        accreditations=initial.accreditations,
        allow_outside_region=outside,
    )


def _edit(business_id: int) -> None:
    details = profiles.business_profile(ui.engine(), business_id).details
    opened = st.session_state.setdefault("editing", {})
    version = opened.setdefault(business_id, int(details["version"]))
    st.markdown(f"**Edit {ui.plain(details['name'])}** (version {version})")
    form = _business_form(f"edit_{business_id}", form_of(details))
    user = ui.current_user()
    if form is not None and form.postcode.strip().upper() != (details["postcode"] or ""):
        form.lat = form.lon = None  # a new postcode: place the business there
    if form is not None:
        try:
            opened[business_id] = update_business(ui.engine(), user, business_id, version, form)
        except (ConflictError, ValidationError) as problem:
            st.error(str(problem))
        else:
            ui.data_changed()
            st.success("Saved.")
    if st.button("Archive this business", key=f"archive_{business_id}"):
        try:
            archive_business(ui.engine(), user, business_id, version)
        except ConflictError as problem:
            st.error(str(problem))
        else:
            opened.pop(business_id, None)
            ui.data_changed()
            st.success("Archived: it no longer shows on the map or in the register.")


st.title("Businesses & sites")
ui.demo_banner()
ui.flash()
can_edit = access.can_edit(ui.current_user().role)
business_tab, site_tab, proposal_tab = st.tabs(["Businesses", "Sites", "Multi-occupancy proposals"])
with business_tab:
    frame = businesses.register(ui.engine())
    wanted = st.text_input("Filter the table", placeholder="Any part of a name, postcode, …")
    if wanted:
        frame = frame[
            frame.astype(str).apply(
                lambda row: row.str.contains(wanted, case=False, regex=False).any(), axis=1
            )
        ]
    st.caption(
        f"{len(frame):,} {'business' if len(frame) == 1 else 'businesses'}. Click a heading to sort"
        + ("; select a row to edit it." if can_edit else ".")
    )
    picked = ui.table(
        frame.drop(columns=["id", "is_demo"]),
        height=420,
        on_select="rerun",
        selection_mode="single-row",
        key="business_table",
    )
    rows = picked.selection.rows if can_edit else []
    if rows:
        _edit(int(frame.iloc[rows[0]]["id"]))
    if can_edit:
        with st.expander("Add a business"):
            new = _business_form("add_business", BusinessForm(name="", sector="14"))
            if new is not None:
                try:
                    created = create_business(ui.engine(), ui.current_user(), new)
                except ValidationError as problem:
                    st.error(str(problem))
                else:
                    ui.data_changed()
                    st.success(f"Added (business {created}).")
with site_tab:
    frame = sites.register(ui.engine())
    st.caption(
        f"{len(frame):,} sites, {int(frame['units'].sum()):,} units, "
        f"{int(frame['tenants'].sum()):,} with a current tenant."
    )
    picked = ui.table(
        frame.drop(columns=["id", "version"]),
        on_select="rerun",
        selection_mode="single-row",
        key="site_table",
    )
    rows = picked.selection.rows if can_edit else []
    if rows:
        site = frame.iloc[rows[0]]
        opened = st.session_state.setdefault("editing_sites", {})
        version = opened.setdefault(int(site["id"]), int(site["version"]))
        with st.form(f"site_{site['id']}"):
            st.markdown(f"**Edit {ui.plain(site['name'])}** (version {version})")
            left, right = st.columns(2)
            site_name = left.text_input("Name", site["name"])
            site_address = right.text_input("Address", ui.text_of(site["address"]))
            site_postcode = left.text_input("Postcode", ui.text_of(site["postcode"]))
            site_floors = right.number_input(
                "Floors", min_value=1, max_value=60, value=int(site["floors"])
            )
            landlord = left.text_input("Landlord", ui.text_of(site["landlord"]))
            if st.form_submit_button("Save the site", type="primary"):
                try:
                    opened[int(site["id"])] = sites.update_site(
                        ui.engine(),
                        ui.current_user(),
                        int(site["id"]),
                        version,
                        name=site_name,
                        address=site_address,
                        postcode=site_postcode,
                        floors=int(site_floors),
                        landlord=landlord,
                    )
                except (ConflictError, ValidationError) as problem:
                    st.error(str(problem))
                else:
                    ui.data_changed()
                    st.success("Saved.")
        if st.button("Archive this site", key=f"archive_site_{site['id']}"):
            try:
                sites.archive_site(ui.engine(), ui.current_user(), int(site["id"]), version)
            except ConflictError as problem:
                st.error(str(problem))
            else:
                opened.pop(int(site["id"]), None)
                ui.data_changed()
                st.success("Archived: the site no longer shows on the map or in the register.")
        with st.form(f"unit_{site['id']}"):
            st.markdown(f"**Add a unit to {ui.plain(site['name'])}**")
            left, middle, right = st.columns(3)
            label = left.text_input("Label", placeholder="G.01")
            floor = middle.number_input(
                "Floor (0 is the ground floor)", min_value=-2, max_value=60, value=0
            )
            area = right.number_input("Floor area (m²)", min_value=0.0, value=None)
            if st.form_submit_button("Add the unit"):
                try:
                    sites.add_unit(
                        ui.engine(),
                        ui.current_user(),
                        int(site["id"]),
                        label,
                        int(floor),
                        floor_area_m2=area or None,
                    )
                except ValidationError as problem:
                    st.error(str(problem))
                else:
                    ui.data_changed()
                    st.success(f"Unit {ui.plain(label)} added.")
        unit_forms.edit_units(int(site["id"]), str(site["name"]))
with proposal_tab:
    st.write(
        "Businesses whose points fall inside one building footprint (a known site, an "
        "OpenStreetMap building or a loaded polygon layer), or that share an address line "
        "and postcode, are proposed as multi-occupancy sites. Accepting or merging one makes "
        "each business the current tenant of a unit of the site: the unit its address names "
        '("Unit 4"), or one named after the business, on the ground floor until you change it.'
    )
    if can_edit and st.button("Look for multi-occupancy buildings"):
        added = multi_occupancy.detect(ui.engine(), ui.current_user())
        ui.data_changed()
        st.success(f"{added:,} new proposals.")
    proposals = multi_occupancy.open_proposals(ui.engine())
    if proposals.empty:
        st.info("No open proposals.")
    known_sites = sites.register(ui.engine())
    site_names = dict(zip(known_sites["id"].astype(int), known_sites["name"], strict=True))
    for proposal in proposals.itertuples():
        with st.container(border=True):
            st.markdown(f"**{ui.plain(proposal.reason)}**")
            st.caption(ui.plain(proposal.businesses))
            if not can_edit:
                continue
            left, middle, right = st.columns(3)
            if proposal.kind == "new_site":
                name = left.text_input("Name of the new site", key=f"name_{proposal.id}")
            if left.button("Accept", key=f"accept_{proposal.id}", type="primary"):
                site_id = multi_occupancy.accept(
                    ui.engine(),
                    ui.current_user(),
                    proposal.id,
                    name=name if proposal.kind == "new_site" else "",
                )
                ui.data_changed()
                st.session_state["flash"] = (
                    f"Accepted: site {site_id}, with its businesses as tenants of its units."
                )
                st.rerun()
            target = middle.selectbox(
                "Merge into",
                list(site_names),
                format_func=site_names.get,
                key=f"target_{proposal.id}",
            )
            if middle.button("Merge", key=f"merge_{proposal.id}"):
                multi_occupancy.merge(ui.engine(), ui.current_user(), proposal.id, target)
                ui.data_changed()
                st.session_state["flash"] = f"Merged into {ui.plain(site_names[target])}."
                st.rerun()
            if right.button("Dismiss", key=f"dismiss_{proposal.id}"):
                multi_occupancy.dismiss(ui.engine(), ui.current_user(), proposal.id)
                ui.data_changed()
                st.session_state["flash"] = (
                    "Dismissed: the same businesses will not be proposed again."
                )
                st.rerun()
ui.show_attribution()
