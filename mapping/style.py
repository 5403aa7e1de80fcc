"""Colours, legend and attribution of the maps."""

from __future__ import annotations

import html
import json

import folium
from branca.element import MacroElement, Template

from layers import vocab

#: Colour-blind-safe palette (Okabe-Ito) by sector code.
SECTOR_COLOURS = {
    "13": "#0072B2",
    "14": "#D55E00",
    "15": "#009E73",
    "46.41": "#CC79A7",
    "46.42": "#E69F00",
}
#: Risk bands, colour-blind safe and ordered (vermillion, orange, sky blue).
BAND_COLOURS = {"high": "#D55E00", "medium": "#E69F00", "low": "#56B4E9"}
BAND_LABELS = {
    "high": "High risk (30+ points)",
    "medium": "Medium risk (15-29)",
    "low": "Low risk (under 15)",
}
SITE_COLOUR = "#5A3E99"
FOCUS_COLOUR = "#C00000"
DISTRICT_COLOUR = "#333333"
WARD_COLOUR = "#777777"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


class Legend(MacroElement):
    """A fixed legend box in the map's bottom-left corner; every label is escaped."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="sectormap-legend" style="position:absolute; bottom:46px; left:10px;
             z-index:1000; background:rgba(255,255,255,0.92); padding:8px 10px;
             border-radius:4px; font:12px/1.4 sans-serif; box-shadow:0 1px 4px rgba(0,0,0,.3)">
          <strong>{{ this.title }}</strong><br>
          {% for colour, label, shape in this.items %}
          <span style="display:inline-block;width:11px;height:11px;margin-right:6px;
                background:{{ colour }};{% if shape == 'dot' %}border-radius:50%;{% endif %}
                opacity:.85"></span>{{ label }}<br>
          {% endfor %}
        </div>
        {% endmacro %}
    """)

    def __init__(self, title: str, items: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._name = "Legend"
        self.title = html.escape(title)
        self.items = [(colour, html.escape(label), shape) for colour, label, shape in items]


class MapStyle(MacroElement):
    """The map's own CSS: slate cluster discs and purple tenant-count badges on sites."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .sectormap-cluster { background: rgba(47, 62, 78, 0.35); border-radius: 50%; }
          .sectormap-site-count { background: #5A3E99; color: #fff; border-radius: 9px;
            font: bold 11px sans-serif; text-align: center; line-height: 18px; }
          .sectormap-cluster div { background: rgba(47, 62, 78, 0.9); color: #fff;
            font: bold 12px sans-serif; border-radius: 50%; width: calc(100% - 8px);
            height: calc(100% - 8px); margin: 4px; display: flex; align-items: center;
            justify-content: center; }
        </style>
        {% endmacro %}
    """)


class ShowFromZoom(MacroElement):
    """Shows a layer only from a zoom level up (labels that would clutter a city-wide view)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, layer = {{ this.layer.get_name() }};
            function toggle() {
                if (map.getZoom() >= {{ this.zoom }}) { map.addLayer(layer); }
                else { map.removeLayer(layer); }
            }
            map.on('zoomend', toggle);
            toggle();
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: MacroElement, zoom: int) -> None:
        super().__init__()
        self._name = "ShowFromZoom"
        self.layer, self.zoom = layer, int(zoom)


class Attribution(MacroElement):
    """Adds attribution lines to the map's attribution control (as text, escaped)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% for line in this.lines %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ line }});
        {% endfor %}
        {% endmacro %}
    """)

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.lines = [json.dumps(html.escape(line)) for line in lines]


def sector_legend() -> Legend:
    """The legend of the business layer coloured by sector, with sites and focus areas."""
    items = [(SECTOR_COLOURS[code], label, "dot") for code, label in vocab.SECTORS.items()]
    items += [
        (SITE_COLOUR, "Multi-occupancy site", "square"),
        (FOCUS_COLOUR, "Focus area", "square"),
    ]
    return Legend("Businesses by sector", items)


def band_legend() -> Legend:
    """The legend of the business layer coloured by risk band, with sites and focus areas."""
    items = [(BAND_COLOURS[band], label, "dot") for band, label in BAND_LABELS.items()]
    items += [
        (SITE_COLOUR, "Multi-occupancy site (tenants)", "square"),
        (FOCUS_COLOUR, "Focus area", "square"),
    ]
    return Legend("Businesses by risk", items)


def add_attribution(m: folium.Map, lines: list[str]) -> None:
    """Show ``lines`` in the map's attribution control."""
    Attribution(lines).add_to(m)
