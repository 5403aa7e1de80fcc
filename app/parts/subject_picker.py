"""Pick a business or building of the register by name, postcode or company number: the
subject of a report, for staff and for partners alike."""

from __future__ import annotations

import streamlit as st

from app.parts import ui
from layers.register.search import search


def pick(*, key: str = "subject") -> tuple[int | None, int | None]:
    """A search box and the matches to choose from; returns (business id, site id) of the
    chosen one, (None, None) while nothing is chosen."""
    query = st.text_input(
        "Find it", placeholder="Name, postcode or company number", key=f"{key}_query"
    )
    found = search(ui.engine(), query) if query else None
    if found is not None and not found.empty:
        options = list(zip(found["kind"], found["id"].astype(int), strict=True))
        labels = dict(zip(options, found["label"] + " — " + found["detail"], strict=True))
        kind, item = st.selectbox("Subject", options, format_func=labels.get, key=key)
        return (item, None) if kind == "business" else (None, item)
    if query:
        st.caption(f"Nothing matches {ui.plain(query)}.")
    return None, None
