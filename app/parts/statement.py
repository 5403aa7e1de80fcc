"""The accessibility statement (the GOV.UK model statement of the Public Sector Bodies
Accessibility Regulations 2018), shown on its own page and from the sign-in page."""

from __future__ import annotations

import streamlit as st

from app.parts import ui
from layers.core.settings import get_settings

#: When the service was last tested, and how (kept true by the browser tests that run the
#: scan and the keyboard journeys with every change).
LAST_TESTED = "4 December 2026"
METHOD = (
    "an automated scan with axe-core 4.10.3 at the WCAG 2.0, 2.1 and 2.2 A and AA rules of the "
    "sign-in page, of every page each role can open (an administrator, an officer, a planner, "
    "an analyst, a viewer and a partner; an administrator's with each tab), and of an open "
    "business and building profile "
    "with its network drawing (0 failures); and journeys made with the keyboard alone in "
    "Chromium: signing in, finding a business and opening its profile, logging a visit, "
    "submitting a report and making a focus area from wards. Both run as browser tests with "
    "every change to Sectormap."
)


def show() -> None:
    """The statement, as headings and paragraphs."""
    contact = ui.plain(get_settings().accessibility_contact)
    st.markdown(
        f"""
This accessibility statement applies to Sectormap, the map of the textile and garment sector
of Leicester and Leicestershire used by the labour-market partnership.

We want as many people as possible to be able to use it. You should be able to:
- change colours, contrast levels and fonts using your browser or device settings;
- zoom in up to 400% without the text spilling off the screen;
- reach every page, form and table with a keyboard alone;
- use it with a screen reader: every map's content is also a table or a list, and every
  chart is described and has its numbers beside it.

#### How accessible it is
We know some parts are not fully accessible:
- the interactive maps (the sector map, the network drawing of a business's connections,
  focus-area outlines) are pointer-first: what they show is also in the tables beside them
  (the businesses and sites registers, the list of connected businesses, the visits table),
  but drawing a new outline needs a pointer; a focus area can instead be made from wards or
  districts, or from a file;
- the map's base layer of streets and buildings is drawn only when an OpenStreetMap
  extract has been imported;
- tables are interactive grids drawn by Streamlit: a screen reader reads them cell by cell.

#### Feedback and contact information
If you find a problem not listed here, or need information in another format, tell
{contact}. We will reply within 5 working days.

#### Enforcement procedure
The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not
happy with how we respond to your complaint, contact the Equality Advisory and Support Service
(EASS).

#### Compliance status
Sectormap is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA
standard, because of the parts listed above.

#### How we tested it
This statement was prepared on {LAST_TESTED}. The service was last tested on {LAST_TESTED} by
its developers: {METHOD}
"""
    )
