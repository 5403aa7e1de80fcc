"""Many points on a folium map, built by the browser: ``BrowserPoints`` sends them as compact
columns, gzipped, to ``static/sectormap/points.js``, which unpacks them (the browser's own
DecompressionStream), clusters them with Supercluster and turns only what the view shows into
Leaflet markers (see that file)."""

from __future__ import annotations

import base64
import gzip
import json
from typing import ClassVar

import pandas as pd
from branca.element import Element, JavascriptLink
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from mapping.assets import OWN_STATIC_URL, STATIC_URL


def packed(columns: dict[str, list]) -> str:  # type: ignore[type-arg]
    """``columns`` as JSON, gzipped (fastest level) and in base64: less than half the size
    to send, decode and parse at 100,000 points, and nothing in it can close a <script>."""
    text = json.dumps(columns, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(text, compresslevel=1, mtime=0)).decode("ascii")


def point_columns(
    lat: pd.Series, lon: pd.Series, colours: pd.Series, labels: pd.Series
) -> dict[str, list]:  # type: ignore[type-arg]
    """The compact columns the browser layer reads: coordinates in millionths of a degree
    (about 10 cm), each point's colour as an index into the palette of the colours used, and
    its label as plain text."""
    colour = pd.Categorical(colours.astype(str))
    return {
        "lat": (lat * 1e6).round().astype("int64").tolist(),
        "lon": (lon * 1e6).round().astype("int64").tolist(),
        "palette": list(colour.categories),
        "colour": colour.codes.tolist(),
        "label": labels.fillna("").astype(str).tolist(),
    }


class _Verbatim(Element):
    """Script text put into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        """The text itself (branca would first parse it as a template of its own)."""
        return self.text


class BrowserPoints(JSCSSMixin, Layer):
    """A layer of points drawn by the browser from ``columns`` (see ``point_columns``):
    clustered up to zoom 17, or each on its own (``cluster=False``); as dots on one canvas,
    (``shape='square'``) as small squares, or (``shape='count'``) as badges showing the label.
    ``control=False`` leaves it out of the layer control.

    Its script carries the data, a megabyte or two at 100,000 points, so it is put into the
    page verbatim: folium would parse each element's output again as a Jinja template, which took
    a quarter of a second a render at 100,000 (and streamlit-folium renders twice)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.sectormapPoints(
                "{{ this.packed }}", {{ this.options|tojson }}
            );
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    default_js: ClassVar[list[tuple[str, str]]] = [
        ("supercluster", STATIC_URL + "supercluster.min.js"),
        ("sectormap_points", OWN_STATIC_URL + "points.js"),
    ]

    def __init__(
        self,
        columns: dict[str, list],  # type: ignore[type-arg]
        *,
        name: str,
        cluster: bool = True,
        shape: str = "circle",
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "BrowserPoints"
        self.packed = packed(columns)
        self.options = {"cluster": cluster, "shape": shape, "maxZoom": 17, "radius": 45}

    def render(self, **kwargs: object) -> None:
        """Put the scripts it needs in the page's header and its own script, verbatim, in the
        page's script."""
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        script = self._template.module.script(self, kwargs)  # type: ignore[attr-defined]
        figure.script.add_child(_Verbatim(script), name=self.get_name())
