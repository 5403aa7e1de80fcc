"""The main map: businesses (clustered in the browser), site footprints, focus areas, boundaries.

Businesses, visits and readable reports are sent as compact columns and drawn by the browser
(``mapping.point_layer``): clustered by Supercluster, and only what the view shows made into
Leaflet markers, so 100,000 businesses cost a few megabytes and no object per point. Polygons
stay SVG. Every label is set as text (``textContent`` in the browser, ``html.escape`` for
tooltips folium renders as HTML).
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import pandas as pd

from layers.core import vocab
from mapping import style
from mapping.assets import use_local_assets
from mapping.geojson import feature_collection
from mapping.point_layer import BrowserPoints, PackedPoints, pack_points

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def base_map(center: tuple[float, float], *, zoom: int = 13) -> folium.Map:
    """A map on OpenStreetMap tiles; the vector layers do not depend on them, so the map still
    works (on a plain background) when tiles cannot load."""
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True)
    folium.TileLayer(
        OSM_TILES, name="OpenStreetMap", attr=html.escape(style.OSM_ATTRIBUTION), max_zoom=19
    ).add_to(m)
    return m


def business_points(points: pd.DataFrame, colour_by: str = "sector") -> PackedPoints:
    """Businesses packed for the map, coloured by ``colour_by`` (a key of
    ``style.BUSINESS_COLOURINGS``: 'sector', 'band' or 'rating') and labelled with their names.
    ``points`` has columns lat, lon, name and the column coloured by. Packing 100,000 takes a
    tenth of a second, so the Map page keeps what it packed for each choice of filters."""
    _, palette, _ = style.BUSINESS_COLOURINGS[colour_by]
    colours = points[colour_by].astype(str).map(palette).fillna("#666666")
    return pack_points(points["lat"], points["lon"], colours, points["name"])


def add_businesses(
    m: folium.Map, businesses: PackedPoints, *, name: str = "Businesses", show: bool = True
) -> None:
    """Businesses (see ``business_points``) as browser-built, clustered circle markers."""
    BrowserPoints(businesses, name=f"{name} ({businesses.count:,})", show=show).add_to(m)
    style.MapStyle().add_to(m)


def add_visits(m: folium.Map, visits: pd.DataFrame) -> None:
    """Visits as small squares coloured by outcome, each on its own (not clustered), labelled
    with date, outcome and place. ``visits`` has lat, lon, visit_date, outcome (code), name."""
    colours = visits["outcome"].map(style.OUTCOME_COLOURS).fillna("#666666")
    labels = (
        visits["visit_date"].astype(str)
        + " · "
        + visits["outcome"].map(vocab.VISIT_OUTCOMES).fillna("")
        + " · "
        + visits["name"].fillna("")
    )
    BrowserPoints(
        pack_points(visits["lat"], visits["lon"], colours, labels),
        name=f"Visits ({len(visits):,})",
        cluster=False,
        shape="square",
    ).add_to(m)


def add_reports(m: folium.Map, readable: pd.DataFrame, density: gpd.GeoDataFrame) -> None:
    """Intelligence: the density of open reports per hexagon (counts only, every report) and
    the reports this user may read as points labelled with number, category and status."""
    if not density.empty:
        top = float(density["reports"].max())
        folium.GeoJson(
            feature_collection(
                density,
                values={
                    "shown": [f"{n:,} open report(s) here" for n in density["reports"]],
                    "opacity": (0.15 + 0.55 * density["reports"] / top).tolist(),
                },
            ),
            name="Open reports per hexagon (counts)",
            style_function=lambda feature: {
                "color": "#8B0000",
                "weight": 0.5,
                "fillColor": "#8B0000",
                "fillOpacity": feature["properties"]["opacity"],
            },
            tooltip=folium.GeoJsonTooltip(fields=["shown"], labels=False),
        ).add_to(m)
    if not readable.empty:
        labels = (
            "Report "
            + readable["id"].astype(str)
            + " · "
            + readable["category"].fillna("")
            + " · "
            + readable["status"].fillna("")
        )
        colours = pd.Series(style.REPORT_COLOUR, index=readable.index)
        BrowserPoints(
            pack_points(readable["lat"], readable["lon"], colours, labels),
            name=f"Reports you may read ({len(readable):,})",
            cluster=False,
        ).add_to(m)


def add_sites(m: folium.Map, sites: gpd.GeoDataFrame) -> None:
    """Site footprints, with name and tenant count in the tooltip (escaped), and the tenant count
    as a label on each footprint from zoom 15 up."""
    if sites.empty:
        return
    occupancy = [
        f"{t} tenants in {u} units" for t, u in zip(sites["tenants"], sites["units"], strict=True)
    ]
    folium.GeoJson(
        feature_collection(sites, text=["name", "address"], values={"tenants": occupancy}),
        name=f"Sites ({len(sites):,})",
        style_function=lambda _: {
            "color": style.SITE_COLOUR,
            "weight": 2,
            "fillColor": style.SITE_COLOUR,
            "fillOpacity": 0.35,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "address", "tenants"], aliases=["Site", "Address", "Occupancy"]
        ),
    ).add_to(m)
    spots = sites.geometry.representative_point()
    labels = BrowserPoints(
        pack_points(
            spots.y, spots.x, pd.Series("", index=sites.index), sites["tenants"].astype(int)
        ),
        name="Tenant counts",
        cluster=False,
        shape="count",
        control=False,
    ).add_to(m)
    style.ShowFromZoom(labels, 15).add_to(m)


def add_focus_areas(m: folium.Map, areas: gpd.GeoDataFrame) -> None:
    """Focus areas as outlined polygons with name and purpose (escaped)."""
    if areas.empty:
        return
    folium.GeoJson(
        feature_collection(areas, text=["name", "purpose", "priority"]),
        name="Focus areas",
        style_function=lambda _: {
            "color": style.FOCUS_COLOUR,
            "weight": 2,
            "dashArray": "6 4",
            "fillColor": style.FOCUS_COLOUR,
            "fillOpacity": 0.06,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "purpose", "priority"], aliases=["Focus area", "Purpose", "Priority"]
        ),
    ).add_to(m)


def add_boundaries(
    m: folium.Map, frame: gpd.GeoDataFrame, *, name: str, colour: str, show: bool = True
) -> None:
    """Boundary outlines (no fill) with the area's name as tooltip."""
    if frame.empty:
        return
    folium.GeoJson(
        feature_collection(frame, text=["name", "code"]),
        name=name,
        show=show,
        style_function=lambda _: {
            "color": colour,
            "weight": 1.5,
            "fill": False,
            "dashArray": "4 3",
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "code"], aliases=[name[:-1], "Code"]),
    ).add_to(m)


def add_streets_and_buildings(
    m: folium.Map, buildings: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> None:
    """Imported buildings (light, outlined) and streets (grey lines) as the bottom layer, not
    interactive, so site footprints and points stay on top and clickable."""
    base = folium.FeatureGroup(name="Streets and buildings (OpenStreetMap)", show=True)
    if not streets.empty:
        folium.GeoJson(
            feature_collection(streets),
            style_function=lambda _: {"color": style.STREET_COLOUR, "weight": 5, "opacity": 1},
            interactive=False,
            class_name="sectormap-street",
        ).add_to(base)
    if not buildings.empty:
        folium.GeoJson(
            feature_collection(buildings),
            style_function=lambda _: {
                "color": style.BUILDING_EDGE,
                "weight": 1,
                "fillColor": style.BUILDING_FILL,
                "fillOpacity": 1,
            },
            interactive=False,
            class_name="sectormap-building",
        ).add_to(base)
    base.add_to(m)


def build_sector_map(
    *,
    center: tuple[float, float],
    businesses: PackedPoints,
    sites: gpd.GeoDataFrame,
    focus_areas: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    attribution: list[str],
    colour_by: str = "sector",
    zoom: int = 13,
    highlight: tuple[float, float] | None = None,
    visits: pd.DataFrame | None = None,
    reports: tuple[pd.DataFrame, gpd.GeoDataFrame] | None = None,
    streets_and_buildings: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
) -> folium.Map:
    """The main map with its layers, layer control, legend and attributions; ``businesses`` (see
    ``business_points``) coloured by ``colour_by``: sector, risk band or inspection rating;
    ``highlight`` rings the selected place;
    ``visits`` (points coloured by outcome) and ``reports`` (readable points, open-report
    density) are drawn when given; ``streets_and_buildings`` (imported OpenStreetMap buildings
    and streets around the view) is a light base layer under everything, for when no tiles
    load."""
    m = base_map(center, zoom=zoom)
    if streets_and_buildings is not None:
        add_streets_and_buildings(m, *streets_and_buildings)
    add_boundaries(m, districts, name="Districts", colour=style.DISTRICT_COLOUR)
    add_boundaries(m, wards, name="Wards", colour=style.WARD_COLOUR, show=False)
    add_focus_areas(m, focus_areas)
    add_sites(m, sites)
    if reports is not None:
        add_reports(m, *reports)
    add_businesses(m, businesses)
    if visits is not None:
        add_visits(m, visits)
    if highlight is not None:
        folium.CircleMarker(
            list(highlight), radius=16, color="#000000", weight=3, fill=False, tooltip="Selected"
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    style.business_legend(colour_by, visits=visits is not None, reports=reports is not None).add_to(
        m
    )
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def focus_area_map(
    areas: gpd.GeoDataFrame, *, center: tuple[float, float], attribution: list[str]
) -> folium.Map:
    """A map of the focus areas alone, zoomed to fit them."""
    m = base_map(center, zoom=12)
    add_focus_areas(m, areas)
    if not areas.empty:
        west, south, east, north = areas.total_bounds
        m.fit_bounds([[south, west], [north, east]])
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def operation_map(
    visits: pd.DataFrame, *, center: tuple[float, float], attribution: list[str]
) -> folium.Map:
    """The visits of one operation, coloured by outcome, zoomed to fit them."""
    m = base_map(center, zoom=13)
    if not visits.empty:
        add_visits(m, visits)
        m.fit_bounds(
            [
                [visits["lat"].min(), visits["lon"].min()],
                [visits["lat"].max(), visits["lon"].max()],
            ]
        )
    style.MapStyle().add_to(m)
    style.Legend(*style.outcome_legend_section()).add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def _shade(value: float, top: float) -> str:
    """A sequential blue for ``value`` out of ``top`` (light = few, dark = many)."""
    light, dark = (222, 235, 247), (8, 48, 107)
    share = 0.0 if top <= 0 else min(value / top, 1.0) ** 0.6
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(light, dark, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def choropleth_map(
    areas: gpd.GeoDataFrame,
    *,
    value: str,
    label: str,
    center: tuple[float, float],
    attribution: list[str],
) -> folium.Map:
    """Areas shaded by ``value`` (a sequential blue), with name and value in the tooltip."""
    m = base_map(center, zoom=11)
    if not areas.empty:
        top = float(areas[value].max())
        folium.GeoJson(
            feature_collection(
                areas,
                text=["name"],
                values={
                    "colour": [_shade(float(v), top) for v in areas[value]],
                    "shown": [f"{v:,}" for v in areas[value]],
                },
            ),
            name=label,
            style_function=lambda feature: {
                "color": "#ffffff",
                "weight": 1,
                "fillOpacity": 0.8,
                "fillColor": feature["properties"]["colour"],
            },
            tooltip=folium.GeoJsonTooltip(fields=["name", "shown"], aliases=["Area", label]),
        ).add_to(m)
        west, south, east, north = areas.total_bounds
        m.fit_bounds([[south, west], [north, east]])
        style.Legend(
            label,
            [(_shade(top * q, top), f"{round(top * q):,}", "square") for q in (0.1, 0.4, 0.7, 1.0)],
        ).add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def location_picker_map(
    *, center: tuple[float, float], picked: tuple[float, float] | None, attribution: list[str]
) -> folium.Map:
    """A map to click a place on (the page reads the click); ``picked`` is marked."""
    m = base_map(center, zoom=14 if picked is None else 16)
    if picked is not None:
        folium.CircleMarker(
            list(picked), radius=10, color=style.REPORT_COLOUR, weight=3, tooltip="Chosen place"
        ).add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)
