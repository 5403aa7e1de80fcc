"""Who is behind a business, on its profile: its persons with significant control, the brands
sourcing from it, and its connections as a list, a network drawing expanded a step at a time,
and a map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.parts import ui
from layers.network import connections, osh, psc, supply
from mapping import network_map


def _depth_key(business_id: int) -> str:
    return f"network_depth_{business_id}"


def _open(business_id: int) -> None:
    st.session_state["selected"] = ("business", int(business_id))


def controllers_and_brands(business_id: int) -> None:
    """Who controls the business (Companies House) and which brands source from it."""
    found = psc.controllers(ui.engine(), business_id)
    st.markdown(
        f"**People with significant control ({int((found['kind'] != 'Statement').sum())})**"
    )
    if found.empty:
        st.caption("None known (no PSC snapshot lists this company).")
    else:
        ui.table(
            found,
            column_config={
                "other_companies": st.column_config.NumberColumn("Other companies they control")
            },
        )
        st.caption(psc.ATTRIBUTION)
    brands = supply.business_brands(ui.engine(), business_id)
    st.markdown(
        f"**Brands sourcing from it ({int(brands['current'].sum()) if len(brands) else 0})**"
    )
    if brands.empty:
        st.caption("No brand has disclosed this business as a supplier.")
    else:
        ui.table(
            brands.drop(columns=["brand_id"]).assign(
                current=brands["current"].map({True: "Current", False: "Former"})
            )
        )
        st.caption(osh.ATTRIBUTION)


def connections_section(business_id: int) -> None:
    """The connected businesses: a list, the network drawing (expand one step at a time; a
    click on a disc opens that profile) and the same businesses on the map."""
    depth = st.session_state.get(_depth_key(business_id), 1)
    network = connections.connections(ui.engine(), ui.current_user(), business_id, depth)
    links = network.summary()
    st.markdown(f"**Connected businesses ({len(links):,} within {depth} step{'s' * (depth > 1)})**")
    if not links:
        st.caption("No shared controller, address, unit, brand or phoenix pattern is known.")
        return
    listed = pd.DataFrame(
        [
            {
                "business_id": link["business_id"],
                "name": link["name"],
                "company_number": link["company_number"],
                "reasons": ", ".join(connections.REASONS[r] for r in link["reasons"]),
                "link": "Current" if link["current"] else "Former",
                "step": link["depth"],
                "via": link["via"],
                "shared": "; ".join(str(d["shared"]) for d in link["details"] if d["shared"]),
                "open_reports": link["open_reports"],
            }
            for link in links
        ]
    )
    ui.table(
        listed.drop(columns=["business_id"]),
        column_config={"open_reports": st.column_config.NumberColumn("Open reports (count only)")},
    )
    left, right = st.columns(2)
    if depth < connections.MAX_DEPTH and left.button(
        "Expand one step", key=f"expand_{business_id}", icon=":material/add_circle:"
    ):
        st.session_state[_depth_key(business_id)] = depth + 1
        st.rerun()
    if depth > 1 and right.button("Back to direct links", key=f"collapse_{business_id}"):
        st.session_state[_depth_key(business_id)] = 1
        st.rerun()
    names = dict(zip(listed["business_id"], listed["name"], strict=True))
    chosen = st.selectbox(
        "Connected business", list(names), format_func=names.get, key=f"connected_{business_id}"
    )
    if st.button("Open its profile", key=f"open_connected_{business_id}"):
        _open(chosen)
        st.rerun()
    drawing, positions = network_map.network_drawing(
        network.businesses, network.links, business_id, connections.REASONS
    )
    st.caption("The network: click a business to open its profile. Dashed links are former.")
    shown = ui.show_map(
        drawing, key=f"network_{business_id}_{depth}", height=380, returns=("last_object_clicked",)
    )
    clicked = network_map.clicked_business(shown.get("last_object_clicked"), positions)
    if clicked is not None and clicked != business_id:
        _open(clicked)
        st.rerun()
    with st.expander("The connected businesses on the map"):
        ui.show_map(
            network_map.connections_map(
                network.businesses, network.links, business_id, ui.attribution_lines(short=True)
            ),
            key=f"network_map_{business_id}_{depth}",
            height=320,
        )
    st.caption(f"{psc.ATTRIBUTION} {osh.ATTRIBUTION}")


def site_connections(site_id: int) -> None:
    """The businesses outside a building that its tenants are linked to."""
    found = connections.of_site(ui.engine(), ui.current_user(), site_id)
    st.markdown(
        f"**Tenants' connections outside the building ({found['business_id'].nunique():,})**"
    )
    if found.empty:
        st.caption("No tenant shares a controller, address, brand or phoenix pattern outside.")
        return
    ui.table(
        found.drop(columns=["business_id"]).assign(
            current=found["current"].map({True: "Current", False: "Former"})
        )
    )
    st.caption(f"{psc.ATTRIBUTION} {osh.ATTRIBUTION}")
