"""Focus areas: where the partnership focuses its effort; each area's dashboard, comparisons,
visit routes, and the areas themselves."""

from __future__ import annotations

import streamlit as st

from app.parts import area_dashboard, area_forms, route_planner, ui
from layers.areas import focus_areas
from layers.people import access

st.title("Focus areas")
ui.demo_banner()
ui.flash()
areas = focus_areas.all_areas(ui.engine())
editor = access.can_edit(ui.current_user().role)


def _needs_areas(draw):  # type: ignore[no-untyped-def]
    def section() -> None:
        if areas.empty:
            st.info("No focus areas yet." + (" Make one under 'New area'." if editor else ""))
        else:
            draw(areas)

    return section


sections = {
    "Dashboard": _needs_areas(area_dashboard.dashboard),
    "Compare": _needs_areas(area_dashboard.compare),
}
if editor:
    sections |= {
        "Plan a route": _needs_areas(route_planner.route_tab),
        "New area": lambda: area_forms.new_area(areas),
        "Edit or delete": _needs_areas(area_forms.manage_areas),
    }
ui.lazy_tabs(sections, key="focus_tabs")
ui.show_attribution()
