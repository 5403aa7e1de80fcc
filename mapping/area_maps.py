"""Maps of focus areas: drawing and editing an outline, one area's places by risk, and a
planned route. Every label is escaped; nothing here reads the database."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import Draw
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from mapping import style
from mapping.assets import use_local_assets
from mapping.sector_map import add_businesses, add_focus_areas, base_map, business_points

if TYPE_CHECKING:
    from layers.routes.routing import RoutePlan

ROUTE_COLOUR = "#0072B2"
CHOSEN_COLOUR = "#000000"
#: Drawing tools offered: shapes with an area only.
DRAW_OPTIONS = {
    "polyline": False,
    "marker": False,
    "circlemarker": False,
    "polygon": {"allowIntersection": True, "showArea": True},
    "rectangle": True,
    "circle": True,
}


def _fit(m: folium.Map, geometry: BaseGeometry) -> None:
    """Zoom to ``geometry`` with a margin, so no corner sits under the controls or the
    attribution line, where it could not be dragged or clicked."""
    west, south, east, north = geometry.bounds
    m.fit_bounds(
        [[south, west], [north, east]], padding_top_left=(60, 30), padding_bottom_right=(30, 70)
    )


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [geometry] if isinstance(geometry, Polygon) else []


def _latlon(ring: object) -> list[list[float]]:
    return [[lat, lon] for lon, lat in ring.coords]  # type: ignore[attr-defined]


def draw_map(
    areas: gpd.GeoDataFrame,
    *,
    center: tuple[float, float],
    attribution: list[str],
    editing: BaseGeometry | None = None,
    businesses: pd.DataFrame | None = None,
) -> folium.Map:
    """A map to draw a new focus area on (polygon, rectangle or circle), with the existing
    areas for reference and, when given, the ``businesses`` (lat, lon, name, sector) as a layer
    to switch on (off at first, so its markers never catch a drawing's drag); with ``editing``,
    that outline is loaded into the drawing tools so its corners can be moved."""
    m = base_map(center, zoom=14)
    add_focus_areas(m, areas)
    if businesses is not None:
        add_businesses(m, business_points(businesses), show=False)
        folium.LayerControl(collapsed=False).add_to(m)
    group = None
    if editing is not None:
        group = folium.FeatureGroup(name="The outline you are editing")
        for polygon in _polygons(editing):
            folium.Polygon(
                [_latlon(polygon.exterior), *(_latlon(ring) for ring in polygon.interiors)],
                color=style.FOCUS_COLOUR,
                weight=3,
                fill=True,
                fill_opacity=0.15,
            ).add_to(group)
        group.add_to(m)
        _fit(m, editing)
    Draw(
        draw_options=DRAW_OPTIONS if editing is None else dict.fromkeys(DRAW_OPTIONS, False),
        edit_options={"edit": editing is not None, "remove": editing is not None},
        feature_group=group,
        show_geometry_on_click=False,
    ).add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def _outline(m: folium.Map, geometry: BaseGeometry, name: str) -> None:
    folium.GeoJson(
        geometry.__geo_interface__,
        name=html.escape(name),
        style_function=lambda _: {
            "color": style.FOCUS_COLOUR,
            "weight": 2.5,
            "dashArray": "6 4",
            "fillColor": style.FOCUS_COLOUR,
            "fillOpacity": 0.05,
        },
        tooltip=html.escape(name),
    ).add_to(m)


def shape_map(
    geometry: BaseGeometry, *, name: str, center: tuple[float, float], attribution: list[str]
) -> folium.Map:
    """One outline on its own, zoomed to fit (a preview before saving)."""
    m = base_map(center, zoom=14)
    _outline(m, geometry, name)
    _fit(m, geometry)
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def places_map(
    geometry: BaseGeometry,
    places: pd.DataFrame,
    *,
    name: str,
    attribution: list[str],
    chosen: frozenset[tuple[str, int]] = frozenset(),
) -> folium.Map:
    """An area with its places coloured by risk band (a click picks one); ``chosen`` places
    are ringed in black."""
    spot = geometry.representative_point()
    m = base_map((spot.y, spot.x), zoom=15)
    _outline(m, geometry, name)
    for place in places.itertuples():
        picked = (place.kind, int(place.place_id)) in chosen
        folium.CircleMarker(
            [place.lat, place.lon],
            radius=9 if picked else 7,
            color=CHOSEN_COLOUR if picked else "#ffffff",
            weight=3 if picked else 1,
            fill_color=style.BAND_COLOURS[place.band],
            fill_opacity=0.9,
            tooltip=html.escape(f"{place.name}: risk {place.score:.0f}"),
            class_name="sectormap-place",
        ).add_to(m)
    _fit(m, geometry)
    legend = style.Legend(
        "Places by risk",
        [(style.BAND_COLOURS[b], label, "dot") for b, label in style.BAND_LABELS.items()],
    )
    legend.add_section("Chosen for the route", [(CHOSEN_COLOUR, "Ringed in black", "dot")])
    legend.add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def route_map(
    geometry: BaseGeometry, plan: RoutePlan, *, name: str, attribution: list[str]
) -> folium.Map:
    """The planned route: each leg along the streets (dashed when measured as a straight line),
    and the stops numbered in visiting order."""
    spot = geometry.representative_point()
    m = base_map((spot.y, spot.x), zoom=15)
    _outline(m, geometry, name)
    for leg, path in zip(plan.legs.itertuples(), plan.paths, strict=True):
        folium.PolyLine(
            [[float(lat), float(lon)] for lat, lon in path],
            color=ROUTE_COLOUR,
            weight=4,
            opacity=0.85,
            dash_array=None if plan.on_network else "8 6",
            tooltip=html.escape(f"Leg {leg.leg}: {leg.metres:,.0f} m, {leg.minutes:.0f} min"),
            class_name="sectormap-route",
        ).add_to(m)
    for stop in plan.stops.itertuples():
        folium.Marker(
            [stop.lat, stop.lon],
            icon=folium.DivIcon(
                html=f'<div class="sectormap-stop">{int(stop.stop)}</div>',
                icon_size=(22, 22),
                icon_anchor=(11, 11),
            ),
            tooltip=html.escape(f"{int(stop.stop)}. {stop.name}"),
        ).add_to(m)
    style.RouteStyle().add_to(m)
    west, south = plan.stops["lon"].min(), plan.stops["lat"].min()
    east, north = plan.stops["lon"].max(), plan.stops["lat"].max()
    m.fit_bounds([[south, west], [north, east]], padding=(30, 30))
    style.Legend(
        "Route",
        [
            (ROUTE_COLOUR, "Along the streets" if plan.on_network else "Straight line", "square"),
            (ROUTE_COLOUR, "Stop, numbered in visiting order", "dot"),
        ],
    ).add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)
