"""Networks and brands: phoenix patterns, the brands sourcing in the region and where, Open
Supply Hub matches waiting for an officer (the imports are on the Import page)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.parts import ui
from layers.core.errors import AccessDeniedError, ValidationError
from layers.core.settings import get_settings
from layers.network import osh, phoenix, supply
from layers.people import access
from mapping import network_map

st.title("Networks & brands")
st.caption(
    "Who is behind the businesses: people with significant control (Companies House), the "
    "brands that disclosed their suppliers (Open Supply Hub), and phoenix patterns."
)
ui.demo_banner()
ui.flash()
user = ui.current_user()


def _open_profile(business_id: int) -> None:
    st.session_state["selected"] = ("business", int(business_id))
    st.switch_page("app/pages/map.py")


def phoenix_tab() -> None:
    pairs = phoenix.pairs(ui.engine(), user)
    months = get_settings().phoenix_months
    st.write(
        f"A business that ceased or was dissolved, and another incorporated within {months} "
        "months of that day at the same registered address or in the same unit, sharing a "
        f"controller or a near-identical name. {len(pairs):,} found."
    )
    if pairs.empty:
        return
    shown = pairs.assign(
        shares=pairs["shares"].map("; ".join), place=pairs["place"].str.replace("_", " ")
    )
    ui.table(shown.drop(columns=["predecessor_id", "successor_id"]))
    names = dict(zip(pairs["successor_id"], pairs["successor"], strict=True))
    chosen = st.selectbox("Successor", list(names), format_func=names.get, key="phoenix_pick")
    if st.button("Open the successor's profile on the map"):
        _open_profile(chosen)


AREA_KINDS = {"district": "District", "ward": "Ward", "focus_area": "Focus area"}


def brands_in_area() -> None:
    """The brands sourcing in one district, ward or focus area, as a chart and a table."""
    st.markdown("**Brands sourcing in an area**")
    left, right = st.columns(2)
    kind = left.selectbox(
        "Kind of area", list(AREA_KINDS), format_func=AREA_KINDS.get, key="brand_area_kind"
    )
    choices = supply.areas(ui.engine(), kind)
    if not choices:
        st.caption(f"No {AREA_KINDS[kind].lower()} is loaded.")
        return
    key = right.selectbox("Area", list(choices), format_func=choices.get, key="brand_area")
    found = supply.brands_in_area(ui.engine(), user, kind, key)
    if found.empty:
        st.caption(f"No brand is known to source in {ui.plain(choices[key])}.")
        return
    st.bar_chart(
        found,
        x="brand",
        y="facilities",
        horizontal=True,
        height=60 + 28 * len(found),
        x_label="Facilities",
        y_label="",
    )
    ui.table(found.drop(columns=["brand_id"]))


def brands_tab() -> None:
    every = supply.brands(ui.engine())
    if every.empty:
        st.info("No Open Supply Hub download has been imported yet.")
        return
    brands_in_area()
    labels = dict(
        zip(
            every["brand_id"],
            every["brand"] + " (" + every["facilities"].astype(str) + " facilities)",
            strict=True,
        )
    )
    brand = st.selectbox("Brand", list(labels), format_func=labels.get, key="brand_pick")
    found = supply.footprint(ui.engine(), user, int(brand))
    st.markdown(f"**Where {ui.plain(labels[brand])} sources in the region**")
    if not found.empty:
        ui.show_map(
            network_map.footprint_map(found, ui.attribution_lines(short=True)),
            key=f"footprint_{brand}",
            height=380,
        )
        ui.table(
            found.drop(columns=["geom", "business_id"]).assign(
                current=found["current"].map({True: "Current", False: "Former"})
            )
        )
    st.caption(osh.ATTRIBUTION)


def matches_tab() -> None:
    proposed = osh.proposals(ui.engine(), user)
    st.write(f"{len(proposed):,} near matches wait for a decision; decisions are remembered.")
    editor = access.can_edit(user.role)
    for row in proposed.itertuples():
        with st.container(border=True):
            st.markdown(
                f"**{ui.plain(row.name)}** ({ui.plain(row.os_id)}), {ui.plain(row.address)}  \n"
                f"may be **{ui.plain(row.business)}** ({ui.plain(row.company_number or '')}), "
                f"{ui.plain(row.business_address)} {ui.plain(row.postcode or '')} · "
                f"score {row.score:.2f}"
            )
            if editor:
                left, right = st.columns(2)
                if left.button("Accept the match", key=f"osh_accept_{row.os_id}"):
                    _decided(
                        lambda o=row.os_id, b=int(row.business_id): osh.accept(
                            ui.engine(), user, o, b
                        ),
                        f"Match accepted: {row.os_id}.",
                    )
                if right.button("Reject", key=f"osh_reject_{row.os_id}"):
                    _decided(
                        lambda o=row.os_id: osh.reject(ui.engine(), user, o),
                        f"Match rejected: {row.os_id}.",
                    )
    unmatched = osh.unmatched(ui.engine(), user)
    st.markdown(f"**Facilities in the region in no register list ({len(unmatched):,})**")
    if unmatched.empty:
        return
    ui.table(unmatched)
    if editor:
        names = dict(zip(unmatched["os_id"], unmatched["name"], strict=True))
        chosen = st.selectbox("Facility", list(names), format_func=names.get, key="osh_add")
        if st.button("Add it to the register"):
            try:
                added = osh.add_to_register(ui.engine(), user, chosen)
            except (ValidationError, AccessDeniedError) as problem:
                st.error(str(problem))
            else:
                ui.data_changed()
                st.session_state["flash"] = f"{names[chosen]} added to the register (id {added})."
                st.rerun()


def _decided(decide: Callable[[], None], said: str) -> None:
    try:
        decide()
    except (ValidationError, AccessDeniedError) as problem:
        st.error(str(problem))
    else:
        ui.data_changed()
        st.session_state["flash"] = said
        st.rerun()


ui.lazy_tabs(
    {
        "Phoenix patterns": phoenix_tab,
        "Brands": brands_tab,
        "Open Supply Hub matches": matches_tab,
    },
    key="networks_tabs",
)
