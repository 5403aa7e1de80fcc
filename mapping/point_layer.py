"""Many points on a folium map, built by the browser: ``BrowserPoints`` sends them as compact
columns, gzipped, to ``static/sectormap/points.js``, which unpacks them (the browser's own
DecompressionStream), clusters them with Supercluster and turns only what the view shows into
Leaflet markers (see that file)."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from folium.map import Layer
from jinja2 import Template

from layers.core.settings import REPO_ROOT

#: The scripts the layer runs in the browser, put into the page's script (see ``PointsLibrary``).
LIBRARY_FILES = (
    REPO_ROOT / "static" / "vendor" / "supercluster.min.js",
    REPO_ROOT / "static" / "sectormap" / "points.js",
)


@dataclass(frozen=True)
class PackedPoints:
    """Points ready for the browser layer: ``data`` (see ``pack_points``) and how many."""

    data: str
    count: int


def pack_points(
    lat: pd.Series, lon: pd.Series, colours: pd.Series, labels: pd.Series
) -> PackedPoints:
    """The compact columns the browser layer reads, gzipped and in base64 (nothing in it can
    close a <script>): the points in order of latitude, each latitude as the step from the one
    before and each longitude whole, in millionths of a degree (about 10 cm); each point's
    colour as an index into the palette of the colours used; its label as plain text.

    Steps between sorted latitudes are small numbers, so at 100,000 points the latitudes pack
    into a tenth of the bytes; with the rest at gzip's default level the whole is about half of
    the columns as they come, gzipped at the fastest level (callers keep the result)."""
    order = np.argsort(lat.to_numpy(), kind="stable")
    micro_lat = np.round(lat.to_numpy()[order] * 1e6).astype("int64")
    colour = pd.Categorical(colours.iloc[order].astype(str))
    columns = {
        "dlat": np.diff(micro_lat, prepend=0).tolist(),
        "lon": (lon.iloc[order] * 1e6).round().astype("int64").tolist(),
        "palette": list(colour.categories),
        "colour": colour.codes.tolist(),
        "label": labels.iloc[order].fillna("").astype(str).tolist(),
    }
    text = json.dumps(columns, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    data = base64.b64encode(gzip.compress(text, compresslevel=6, mtime=0)).decode("ascii")
    return PackedPoints(data=data, count=len(order))


class _Verbatim(Element):
    """Script text put into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        """The text itself (branca would first parse it as a template of its own)."""
        return self.text


@cache
def _library() -> str:
    """Supercluster and the layer's own script, as one text (read once)."""
    return "\n".join(path.read_text(encoding="utf-8") for path in LIBRARY_FILES)


class PointsLibrary(MacroElement):
    """The scripts of the browser point layers, in the page's script before the layers that use
    them: a map in a Streamlit component loads each linked script in turn after its frame
    opens (two small files cost a tenth of a second there), and the page's own script is in hand
    at once."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "PointsLibrary"
        self.code = _library()

    def render(self, **kwargs: object) -> None:
        """Put the scripts, verbatim, into the page's script."""
        self.get_root().script.add_child(_Verbatim(self.code), name=self.get_name())


class BrowserPoints(Layer):
    """A layer of points drawn by the browser from ``points`` (see ``pack_points``): clustered
    up to zoom 17, or each on its own (``cluster=False``); as dots on one canvas,
    (``shape='square'``) as small squares, or (``shape='count'``) as badges showing the label.
    ``control=False`` leaves it out of the layer control. Adding it to a map adds the
    ``PointsLibrary`` first, once.

    Its script carries the data, a megabyte at 100,000 points, so it is put into the page
    verbatim: folium would parse each element's output again as a Jinja template, which took a
    quarter of a second a render at 100,000."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.sectormapPoints(
                "{{ this.points.data }}", {{ this.options|tojson }}
            );
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        points: PackedPoints,
        *,
        name: str,
        cluster: bool = True,
        shape: str = "circle",
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "BrowserPoints"
        self.points = points
        self.options = {"cluster": cluster, "shape": shape, "maxZoom": 17, "radius": 45}

    def add_to(
        self, parent: Element, name: str | None = None, index: int | None = None
    ) -> BrowserPoints:
        """Add the layer to ``parent`` (a map), with the scripts it needs ahead of everything."""
        if PointsLibrary.__name__ not in parent._children:
            parent.add_child(PointsLibrary(), name=PointsLibrary.__name__, index=0)
        parent.add_child(self, name=name, index=index)
        return self

    def render(self, **kwargs: object) -> None:
        """Put its script, verbatim, into the page's script."""
        script = self._template.module.script(self, kwargs)  # type: ignore[attr-defined]
        self.get_root().script.add_child(_Verbatim(script), name=self.get_name())
