"""Sectormap: the Streamlit entry point. Sign-in, navigation by role, one error handler."""

from __future__ import annotations

import gc
import logging
import uuid
from urllib.parse import urlparse

import streamlit as st

from app.parts import session, ui
from layers.core import db
from layers.core.errors import SectormapError
from layers.people import access

log = logging.getLogger("sectormap.app")

st.set_page_config(page_title="Sectormap", page_icon="🧵", layout="wide")

PAGES = (
    ("map", "app/pages/map.py", "Map", ":material/map:"),
    ("registers", "app/pages/registers.py", "Businesses & sites", ":material/factory:"),
    ("visits", "app/pages/visits.py", "Visits", ":material/directions_walk:"),
    ("reports", "app/pages/reports.py", "Reports", ":material/report:"),
    ("partner_reports", "app/pages/partner_reports.py", "Our reports", ":material/report:"),
    ("focus_areas", "app/pages/focus_areas.py", "Focus areas", ":material/crop_free:"),
    ("networks", "app/pages/networks.py", "Networks & brands", ":material/hub:"),
    ("sizing", "app/pages/sizing.py", "Sector sizing", ":material/bar_chart:"),
    ("export", "app/pages/export.py", "Export", ":material/download:"),
    ("imports", "app/pages/imports.py", "Import", ":material/upload:"),
    ("admin", "app/pages/admin.py", "Admin", ":material/admin_panel_settings:"),
    ("accessibility", "app/pages/accessibility.py", "Accessibility", ":material/accessibility:"),
)


@st.cache_resource
def freeze_long_lived_objects() -> None:
    """Once per server process, after the app's imports: move the objects that live as long as
    the process (modules, classes, functions: some 300,000) out of the garbage collector's
    sight. A full collection then looks only at what runs create, in milliseconds instead of
    a quarter of a second; Streamlit's collection after every run is switched off in
    .streamlit/config.toml (``runner.postScriptGC``), as it held up the page each time."""
    gc.freeze()


def remember_destination() -> None:
    """Before sign-in, note the page and query a link asked for, to go there afterwards."""
    if "destination" not in st.session_state:
        page = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
        st.session_state["destination"] = (page, st.query_params.to_dict())


def main() -> None:
    """Route to sign-in, to the one-time-password change, or to the pages the role may open."""
    ui.accessible_styles()
    user = session.current()
    if user is None:
        remember_destination()
        session.sign_in_page()
        return
    if session.must_change_password():
        session.one_time_password_page(user)
        return
    session.sidebar(user)
    pages = {
        key: st.Page(path, title=title, icon=icon, url_path=key)
        for key, path, title, icon in PAGES
        if access.can_open(user.role, key)
    }
    current = st.navigation(list(pages.values()))
    page, query = st.session_state.pop("destination", (None, {}))
    if page in pages and pages[page] is not current:
        # Switching pages clears the query, so it is put back on the next run.
        st.session_state["restore_query"] = query
        st.switch_page(pages[page])
    st.query_params.update(st.session_state.pop("restore_query", {}))
    current.run()


freeze_long_lived_objects()
try:
    main()
except SectormapError as error:
    st.error(str(error))
except Exception as error:
    known = db.explained(error)
    if known is not None:
        log.warning("%s: %s", type(known).__name__, str(error).splitlines()[0])
        st.error(str(known))
    else:
        reference = uuid.uuid4().hex[:8]
        log.exception("unexpected error (reference %s)", reference)
        st.error(
            f"Something went wrong. The error has been logged with reference {reference}; "
            "please tell your administrator."
        )
