"""The map is built from data alone: escaped labels, local scripts, compact markers."""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, box

from layers.core.settings import REPO_ROOT
from mapping import style
from mapping.assets import LOCAL_FILES, STATIC_URL
from mapping.point_layer import LIBRARY_FILES
from mapping.sector_map import (
    build_sector_map,
    business_points,
    location_picker_map,
    operation_map,
)

HOSTILE = '<img src=x onerror="alert(1)">Evil & Sons'


def _square(x: float, y: float) -> MultiPolygon:
    return MultiPolygon([box(x, y, x + 0.002, y + 0.001)])


@pytest.fixture
def html() -> str:
    points = pd.DataFrame(
        {
            "lat": [52.63, 52.64],
            "lon": [-1.10, -1.11],
            "sector": ["13", "14"],
            "name": [HOSTILE, "Korvel Knitwear"],
        }
    )
    sites = gpd.GeoDataFrame(
        {"id": [1], "name": [HOSTILE], "address": ["East Park Road"], "tenants": [3], "units": [4]},
        geometry=[_square(-1.1, 52.63)],
        crs=4326,
    )
    areas = gpd.GeoDataFrame(
        {"name": ["Area <b>1</b>"], "purpose": ["x"], "priority": ["high"]},
        geometry=[_square(-1.12, 52.62)],
        crs=4326,
    )
    districts = gpd.GeoDataFrame(
        {"code": ["E06000016"], "name": ["Leicester"]}, geometry=[_square(-1.2, 52.6)], crs=4326
    )
    wards = districts.iloc[0:0]
    m = build_sector_map(
        center=(52.63, -1.1),
        businesses=business_points(points),
        sites=sites,
        focus_areas=areas,
        districts=districts,
        wards=wards,
        attribution=["Fictional demo data", "<script>x</script>"],
    )
    return m.get_root().render()


def _point_layers(html: str) -> list[dict[str, list]]:  # type: ignore[type-arg]
    """The data of each browser point layer on the page, unpacked as the browser does, with
    each point's latitude (``lat``) added up from the steps."""
    found = re.findall(r'L\.sectormapPoints\(\s*"([A-Za-z0-9+/=]+)"', html)
    layers = [json.loads(gzip.decompress(base64.b64decode(packed))) for packed in found]
    for layer in layers:
        layer["lat"] = list(itertools.accumulate(layer["dlat"]))
    return layers


def test_labels_are_never_raw_html(html: str) -> None:
    assert '<img src=x onerror="alert(1)">' not in html
    assert "<script>x</script>" not in html
    # Tooltip properties are HTML-escaped before folium embeds them as JSON (& is \u0026 there).
    assert "\\u0026lt;img src=x onerror=\\u0026quot;alert(1)" in html
    assert "Area \\u0026lt;b\\u0026gt;1" in html


def test_business_names_are_set_as_text_in_the_browser(html: str) -> None:
    businesses = _point_layers(html)[1]  # after the sites' tenant counts
    assert businesses["label"] == [HOSTILE, "Korvel Knitwear"]  # packed, exactly as they are
    assert businesses["lat"] == [52_630_000, 52_640_000]
    assert [businesses["palette"][i] for i in businesses["colour"]] == [
        style.SECTOR_COLOURS["13"],
        style.SECTOR_COLOURS["14"],
    ]
    layer = (REPO_ROOT / "static" / "sectormap" / "points.js").read_text(encoding="utf-8")
    assert "span.textContent = text" in layer and "innerHTML" not in layer


def test_points_are_packed_in_order_of_latitude_each_with_its_own_colour_and_label() -> None:
    points = pd.DataFrame(
        {
            "lat": [52.65, 52.61, 52.6300001],
            "lon": [-1.13, -1.11, -1.12],
            "sector": ["13", "14", "46.41"],
            "name": ["North", HOSTILE, None],
        }
    )
    packed = business_points(points)
    assert packed.count == 3
    (layer,) = _point_layers(f'L.sectormapPoints("{packed.data}", {{}})')
    assert layer["dlat"] == [52_610_000, 20_000, 20_000]  # steps, from 0, after sorting
    assert layer["lat"] == [52_610_000, 52_630_000, 52_650_000]
    assert layer["lon"] == [-1_110_000, -1_120_000, -1_130_000]
    assert layer["label"] == [HOSTILE, "", "North"]
    assert [layer["palette"][i] for i in layer["colour"]] == [
        style.SECTOR_COLOURS["14"],
        style.SECTOR_COLOURS["46.41"],
        style.SECTOR_COLOURS["13"],
    ]


def test_scripts_come_from_the_app_not_a_cdn(html: str) -> None:
    for host in (
        "cdn.jsdelivr.net",
        "cdnjs.cloudflare.com",
        "code.jquery.com",
        "netdna.bootstrapcdn.com",
    ):
        assert host not in html
    assert f'src="{STATIC_URL}leaflet.js"' in html
    # The point layers' scripts are in the page itself, once, ahead of the layers using them.
    assert html.count("L.sectormapPoints = function") == 1
    assert html.index("L.sectormapPoints = function") < html.index("L.sectormapPoints(")
    assert LIBRARY_FILES[0].read_text(encoding="utf-8")[:500] in html  # Supercluster itself
    assert "supercluster.min.js" not in html and "points.js" not in html


def test_the_local_copies_exist() -> None:
    vendor = REPO_ROOT / "static" / "vendor"
    missing = [name for name in LOCAL_FILES if not (vendor / name).is_file()]
    missing += [path.name for path in LIBRARY_FILES if not path.is_file()]
    assert not missing, f"run 'make setup' to install {missing}"


def test_legend_layer_names_and_attribution(html: str) -> None:
    assert "Businesses by sector" in html and "Wearing apparel (SIC 14)" in html
    assert "Businesses (2)" in html and "Sites (1)" in html and "Districts" in html
    assert 'addAttribution("Fictional demo data")' in html


def test_sites_are_labelled_with_their_tenant_count_when_zoomed_in(html: str) -> None:
    # The counts travel as the labels of a layer of badges, added from zoom 15.
    assert _point_layers(html)[0]["label"] == ["3"] and '"shape": "count"' in html
    assert "map.getZoom() >= 15" in html


def test_visits_reports_and_ratings_on_the_map() -> None:
    empty = gpd.GeoDataFrame({"name": [], "code": []}, geometry=[], crs=4326)
    points = pd.DataFrame(
        {"lat": [52.63], "lon": [-1.10], "rating": ["pending"], "name": ["Korvel Knitwear"]}
    )
    visits = pd.DataFrame(
        {
            "lat": [52.631, 52.632],
            "lon": [-1.101, -1.102],
            "visit_date": ["2026-11-02", "2026-11-03"],
            "outcome": ["exploitation_indicators", "no_issues"],
            "name": [HOSTILE, "Korvel Knitwear"],
        }
    )
    readable = pd.DataFrame(
        {"id": [7], "category": [HOSTILE], "status": ["New"], "lat": [52.63], "lon": [-1.1]}
    )
    density = gpd.GeoDataFrame({"reports": [3]}, geometry=[_square(-1.1, 52.63).geoms[0]], crs=4326)
    html = (
        build_sector_map(
            center=(52.63, -1.1),
            businesses=business_points(points, "rating"),
            sites=empty.assign(address=[], tenants=[], units=[]),
            focus_areas=empty,
            districts=empty,
            wards=empty,
            attribution=["Fictional demo data"],
            colour_by="rating",
            visits=visits,
            reports=(readable, density),
        )
        .get_root()
        .render()
    )
    assert "Businesses by inspection rating" in html and "Rating pending" in html
    assert style.RATING_COLOURS["pending"] in html
    assert "Visits (2)" in html and "Visits by outcome" in html
    assert style.OUTCOME_COLOURS["exploitation_indicators"] in html
    assert "Reports you may read (1)" in html and "Open reports per hexagon (counts)" in html
    assert "3 open report(s) here" in html
    assert '<img src=x onerror="alert(1)">' not in html  # labels travel as JSON, set as text
    assert html.count("L.sectormapPoints(") == 3  # businesses, visits, readable reports


def test_an_operation_map_fits_its_visits_and_a_picked_place_is_marked() -> None:
    visits = pd.DataFrame(
        {
            "lat": [52.62, 52.65],
            "lon": [-1.14, -1.09],
            "visit_date": ["2020-07-02", "2020-11-29"],
            "outcome": ["advice", "no_access"],
            "name": ["A", "B"],
        }
    )
    html = operation_map(visits, center=(52.63, -1.1), attribution=["x"]).get_root().render()
    assert "fitBounds" in html and "[[52.62, -1.14], [52.65, -1.09]]" in html
    assert "Visits by outcome" in html
    picked = location_picker_map(center=(52.6, -1.1), picked=(52.6365, -1.13), attribution=["x"])
    assert "Chosen place" in picked.get_root().render()
    unpicked = location_picker_map(center=(52.6, -1.1), picked=None, attribution=["x"])
    assert "Chosen place" not in unpicked.get_root().render()


def _plan(on_network: bool):  # type: ignore[no-untyped-def]
    from layers.routes.routing import RoutePlan

    stops = pd.DataFrame(
        {"stop": [1, 2], "name": [HOSTILE, "B"], "lat": [52.63, 52.64], "lon": [-1.10, -1.11]}
    )
    legs = pd.DataFrame(
        {"leg": [1], "from": [HOSTILE], "to": ["B"], "metres": [900.0], "minutes": [11.2]}
    )
    path = [(52.63, -1.10), (52.635, -1.10), (52.64, -1.11)]
    return RoutePlan(stops, legs, [path], "walk", on_network, "note", 900.0, 900.0)


def test_the_drawing_map_offers_areas_only_and_loads_an_outline_to_edit() -> None:
    from mapping.area_maps import draw_map

    areas = gpd.GeoDataFrame(
        {"name": [HOSTILE], "purpose": ["x"], "priority": ["high"]},
        geometry=[_square(-1.12, 52.62)],
        crs=4326,
    )
    new = draw_map(areas, center=(52.63, -1.1), attribution=["© OSM"]).get_root().render()
    assert '"polygon": {"allowIntersection": true' in new
    assert '"marker": false' in new and '"polyline": false' in new and '"circle": true' in new
    assert "leaflet.draw.js" in new and "cdn" not in new.lower().split("leaflet.draw.js")[0][-80:]
    assert HOSTILE not in new
    edited = (
        draw_map(
            areas.iloc[0:0], center=(52.63, -1.1), attribution=[], editing=_square(-1.10, 52.63)
        )
        .get_root()
        .render()
    )
    assert "options.edit.featureGroup = drawnItems_" in edited
    assert '"edit": true' in edited and "L.polygon(" in edited and "fitBounds" in edited


def test_the_places_and_route_maps_escape_names_and_say_how_the_route_was_measured() -> None:
    from mapping.area_maps import places_map, route_map

    places = pd.DataFrame(
        {"kind": ["business", "site"], "place_id": [1, 2], "name": [HOSTILE, "Mill"],
         "lat": [52.63, 52.64], "lon": [-1.10, -1.11], "score": [31.0, 5.0],
         "band": ["high", "low"]}
    )  # fmt: skip
    shape = _square(-1.12, 52.62)
    picked = (
        places_map(shape, places, name="Area", attribution=[], chosen=frozenset({("site", 2)}))
        .get_root()
        .render()
    )
    assert HOSTILE not in picked and "&lt;img" in picked
    assert picked.count('"color": "#000000"') == 1  # the chosen place, ringed
    street = route_map(shape, _plan(True), name="Area", attribution=["© OSM"]).get_root().render()
    straight = route_map(shape, _plan(False), name="Area", attribution=[]).get_root().render()
    assert street.count('class=\\"sectormap-stop\\"') == 2 and HOSTILE not in street
    assert "Along the streets" in street and "Straight line" in straight
    assert '"dashArray": "8 6"' in straight and '"dashArray": "8 6"' not in street
