"""Serve Leaflet and its plugins from the app itself, so the map works with no internet.

Folium points every element at a CDN; ``use_local_assets`` rewrites each element's scripts and
stylesheets to the copies that ``make setup`` places in static/vendor/ (Streamlit serves them at
/app/static/vendor/) and drops the ones the map does not use (jQuery, Bootstrap, icon fonts).
The point layers' scripts travel inside the page instead (``mapping.point_layer``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

import folium
from branca.element import Element

STATIC_URL = "/app/static/vendor/"
LOCAL_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "leaflet.draw.js",
        "leaflet.draw.css",
    }
)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _localise(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    local = []
    for name, url in links:
        filename = PurePosixPath(url.split("?")[0]).name
        if filename in LOCAL_FILES:
            local.append((name, STATIC_URL + filename))
    return local


def use_local_assets(m: folium.Map) -> folium.Map:
    """Point every element of ``m`` at the locally served Leaflet files; returns ``m``."""
    for element in _walk(m):
        if hasattr(element, "default_js"):
            element.default_js = _localise(element.default_js)
        if hasattr(element, "default_css"):
            element.default_css = _localise(element.default_css)
    return m
