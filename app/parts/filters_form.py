"""The map's business filters, shared by the map and the export page."""

from __future__ import annotations

import streamlit as st

from layers.core import vocab
from layers.register.businesses.filters import MapFilters
from mapping import style


def business_filters(layers: dict[str, object], *, colours: bool = True) -> tuple[MapFilters, str]:
    """The map's business filters in an expander (and, with ``colours``, how to colour the
    businesses): the filters and the colouring chosen."""
    with st.expander("Filters and colours" if colours else "Filters", expanded=False):
        left, middle, right = st.columns(3)
        sectors = left.multiselect("Sector", list(vocab.SECTORS), format_func=vocab.SECTORS.get)
        activities = left.multiselect(
            "Activity", list(vocab.ACTIVITIES), format_func=vocab.ACTIVITIES.get
        )
        statuses = left.multiselect(
            "Status",
            list(vocab.BUSINESS_STATUSES),
            default=["active", "dormant", "ceased"],
            format_func=vocab.BUSINESS_STATUSES.get,
        )
        bands = middle.multiselect(
            "Risk band", ["high", "medium", "low"], format_func=str.capitalize
        )
        ratings = middle.multiselect(
            "Inspection rating", list(style.RATING_LABELS), format_func=style.RATING_LABELS.get
        )
        reports = middle.radio("Open intelligence reports", ["Any", "Yes", "No"], horizontal=True)
        months = middle.number_input(
            "Not visited in the last … months (0: any)", min_value=0, max_value=240, value=0, step=6
        )
        areas = {None: "Anywhere"}
        for kind, frame in (("district", layers["districts"]), ("ward", layers["wards"])):
            areas |= {
                (kind, code): f"{name} ({kind})"
                for code, name in zip(frame["code"], frame["name"], strict=True)
            }
        areas |= {
            ("focus", str(i)): f"{name} (focus area)"
            for i, name in zip(
                layers["focus_areas"]["id"], layers["focus_areas"]["name"], strict=True
            )
        }
        area = right.selectbox("Within", list(areas), format_func=areas.get)
        colour_by = (
            right.radio(
                "Colour businesses by",
                ["band", "sector", "rating"],
                horizontal=True,
                format_func={"band": "Risk band", "sector": "Sector", "rating": "Rating"}.get,
            )
            if colours
            else "band"
        )
    return MapFilters(
        sectors=tuple(sectors),
        activities=tuple(activities),
        statuses=tuple(statuses),
        risk_bands=tuple(bands),
        ratings=tuple(ratings),
        open_reports={"Any": None, "Yes": True, "No": False}[reports],
        last_visit_older_than_months=int(months) or None,
        boundary=area if area and area[0] != "focus" else None,
        focus_area_id=int(area[1]) if area and area[0] == "focus" else None,
    ), colour_by
