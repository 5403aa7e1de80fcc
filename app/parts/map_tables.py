"""The map's content as tables, for anyone who cannot point: the businesses shown (with the
map's filters), the multi-occupancy sites, the visits shown and the focus areas, each of whose
businesses or sites can be opened from a list. Drawn only when asked for (a switch under the
map), and the businesses capped at the highest-risk ``BUSINESS_ROWS``: at 100,000 businesses a
full table and list on every run would cost the page seconds and hundreds of megabytes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from app.parts import profile_panel, ui
from layers.core import vocab

#: The most businesses the table lists (highest risk first); the search box reaches the rest.
BUSINESS_ROWS = 1_000


def _open(kind: str, labels: dict[int, str], key: str) -> None:
    """A list to choose one item of a table and a button that opens its profile."""
    if not labels:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Open the profile of", list(labels), format_func=labels.get, key=f"{key}_pick"
    )
    if right.button("Open the chosen profile", key=f"{key}_open"):
        profile_panel.select(kind, chosen)
        st.rerun()


def map_as_tables(
    points: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    focus_areas: gpd.GeoDataFrame,
    visits: pd.DataFrame | None,
) -> None:
    """A switch under the map that shows what the map shows, as tables."""
    if not st.toggle("Show the map as tables (businesses, sites, visits, focus areas)"):
        return
    with st.container(border=True):
        businesses, buildings, visited, areas = st.tabs(
            ["Businesses shown", "Multi-occupancy sites", "Visits shown", "Focus areas"]
        )
        with businesses:
            listed = points.sort_values(["score", "name"], ascending=[False, True]).head(
                BUSINESS_ROWS
            )
            if len(points) > len(listed):
                st.caption(
                    f"The {len(listed):,} of highest risk of the {len(points):,} businesses on "
                    "the map. Narrow the filters, or find one by name with the search box above "
                    "the map, to reach the others."
                )
            shown = listed.assign(
                sector=listed["sector"].map(vocab.SECTORS),
                activity=listed["activity"].map(vocab.ACTIVITIES),
                status=listed["status"].map(vocab.BUSINESS_STATUSES),
            )[["name", "sector", "activity", "status", "employees", "band", "score", "rating"]]
            ui.table(shown.rename(columns={"band": "risk band", "score": "risk score"}))
            _open("business", dict(zip(listed["id"], listed["name"], strict=True)), "map_b")
        with buildings:
            frame = pd.DataFrame(sites.drop(columns="geom"))
            ui.table(frame.drop(columns=["id", "version"]))
            _open("site", dict(zip(frame["id"], frame["name"], strict=True)), "map_s")
        with visited:
            if visits is None:
                st.caption("Visits are not shown on the map: choose them above the map.")
            else:
                shown = visits.assign(outcome=visits["outcome"].map(vocab.VISIT_OUTCOMES))
                ui.table(
                    shown.drop(columns=["id", "lat", "lon"]).rename(columns={"name": "visited"})
                )
        with areas:
            ui.table(
                pd.DataFrame(focus_areas.drop(columns="geom")).drop(
                    columns=[c for c in ("id", "version", "owner_id") if c in focus_areas.columns]
                )
            )
