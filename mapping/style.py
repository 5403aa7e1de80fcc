"""Colours, legend and attribution of the maps."""

from __future__ import annotations

import html
import json

import folium
from branca.element import MacroElement, Template

from layers.core import vocab

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
#: Inspection ratings, blue (good) to red (poor); pending and unrated in neutral tones.
RATING_COLOURS = {
    "5": "#2166AC",
    "4": "#67A9CF",
    "3": "#9E9AC8",
    "2": "#FDB863",
    "1": "#E66101",
    "0": "#B2182B",
    "pending": "#7F7F7F",
    "unrated": "#CFCFCF",
}
RATING_LABELS = {
    **{str(r): f"Rated {r}" for r in range(5, -1, -1)},
    "pending": "Rating pending",
    "unrated": "Not rated",
}
#: Visit outcomes (Okabe-Ito), drawn as squares to tell them from businesses.
OUTCOME_COLOURS = {
    "no_issues": "#009E73",
    "advice": "#56B4E9",
    "referral": "#E69F00",
    "enforcement": "#D55E00",
    "exploitation_indicators": "#7A0019",
    "no_access": "#999999",
}
REPORT_COLOUR = "#CC79A7"
SITE_COLOUR = "#5A3E99"
FOCUS_COLOUR = "#C00000"
DISTRICT_COLOUR = "#333333"
WARD_COLOUR = "#777777"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
#: The base layer of imported streets and buildings: light, under every data layer.
STREET_COLOUR = "#c8c8c8"
BUILDING_EDGE = "#b5b0a6"
BUILDING_FILL = "#e8e4dc"


class Legend(MacroElement):
    """A fixed legend box in the map's bottom-left corner, in titled sections; every label is
    escaped. An item is (colour, label, shape), shape 'dot' or 'square'."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="sectormap-legend" style="position:absolute; bottom:46px; left:10px;
             z-index:1000; background:rgba(255,255,255,0.92); padding:8px 10px;
             border-radius:4px; font:12px/1.4 sans-serif; box-shadow:0 1px 4px rgba(0,0,0,.3)">
          {% for title, items in this.sections %}
          <strong>{{ title }}</strong><br>
          {% for colour, label, shape in items %}
          <span style="display:inline-block;width:11px;height:11px;margin-right:6px;
                background:{{ colour }};{% if shape == 'dot' %}border-radius:50%;{% endif %}
                opacity:.85"></span>{{ label }}<br>
          {% endfor %}
          {% endfor %}
        </div>
        {% endmacro %}
    """)

    def __init__(self, title: str, items: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._name = "Legend"
        self.sections: list[tuple[str, list[tuple[str, str, str]]]] = []
        self.add_section(title, items)

    def add_section(self, title: str, items: list[tuple[str, str, str]]) -> Legend:
        """Append a titled section (escaped) and return the legend."""
        self.sections.append(
            (
                html.escape(title),
                [(colour, html.escape(label), shape) for colour, label, shape in items],
            )
        )
        return self


class MapStyle(MacroElement):
    """The map's own CSS: slate cluster discs and purple tenant-count badges on sites."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .sectormap-cluster { background: rgba(47, 62, 78, 0.35); border-radius: 50%; }
          .sectormap-site-count { background: #5A3E99; color: #fff; border-radius: 9px;
            font: bold 11px sans-serif; text-align: center; line-height: 18px; }
          .sectormap-visit div { width: 9px; height: 9px; border: 1px solid #222; }
          .sectormap-cluster div { background: rgba(47, 62, 78, 0.9); color: #fff;
            font: bold 12px sans-serif; border-radius: 50%; width: calc(100% - 8px);
            height: calc(100% - 8px); margin: 4px; display: flex; align-items: center;
            justify-content: center; }
        </style>
        {% endmacro %}
    """)


class RouteStyle(MacroElement):
    """CSS of a route's numbered stops: white numbers on blue discs."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
          .sectormap-stop { background: #0072B2; color: #fff; border: 2px solid #fff;
            border-radius: 50%; width: 22px; height: 22px; box-sizing: border-box;
            font: bold 11px/18px sans-serif; text-align: center;
            box-shadow: 0 1px 3px rgba(0,0,0,.5); }
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


#: How businesses may be coloured: key → (legend title, colour by code, label by code).
BUSINESS_COLOURINGS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "sector": ("Businesses by sector", SECTOR_COLOURS, vocab.SECTORS),
    "band": ("Businesses by risk", BAND_COLOURS, BAND_LABELS),
    "rating": ("Businesses by inspection rating", RATING_COLOURS, RATING_LABELS),
}


def outcome_legend_section() -> tuple[str, list[tuple[str, str, str]]]:
    """The title and items of the visits-by-outcome legend."""
    return "Visits by outcome", [
        (OUTCOME_COLOURS[code], label, "square") for code, label in vocab.VISIT_OUTCOMES.items()
    ]


def business_legend(colour_by: str, *, visits: bool = False, reports: bool = False) -> Legend:
    """The legend of the business layer coloured by ``colour_by`` (a key of
    ``BUSINESS_COLOURINGS``), with sites and focus areas, and the visits and reports layers when
    they are shown."""
    title, colours, labels = BUSINESS_COLOURINGS[colour_by]
    items = [(colours[code], label, "dot") for code, label in labels.items()]
    items += [
        (SITE_COLOUR, "Multi-occupancy site (tenants)", "square"),
        (FOCUS_COLOUR, "Focus area", "square"),
    ]
    legend = Legend(title, items)
    if visits:
        legend.add_section(*outcome_legend_section())
    if reports:
        legend.add_section(
            "Intelligence",
            [
                (REPORT_COLOUR, "Report you may read", "dot"),
                ("#8B0000", "Open reports per hexagon (all, counts only)", "square"),
            ],
        )
    return legend


def add_attribution(m: folium.Map, lines: list[str]) -> None:
    """Show ``lines`` in the map's attribution control."""
    Attribution(lines).add_to(m)
