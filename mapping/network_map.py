"""Drawings of a business's connections: the network itself (businesses as discs, laid out by
force, links coloured by reason, former links dashed) and the same businesses on the map.

The network is drawn with Leaflet in its plain (non-geographic) coordinate system, so it pans,
zooms and reports clicks like every other map of the app, with no other library in the browser.
Every name is escaped: these are HTML.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import networkx as nx
import pandas as pd

from mapping import style
from mapping.assets import use_local_assets
from mapping.sector_map import base_map

#: Link colours by reason (Okabe-Ito, distinguishable with colour-blindness).
REASON_COLOURS = {
    "shared_psc": "#0072B2",
    "corporate_psc": "#009E73",
    "same_address": "#CC79A7",
    "same_unit": "#E69F00",
    "shared_brand": "#56B4E9",
    "phoenix": "#D55E00",
}
CENTRE_COLOUR = "#111111"
#: Half the width of the drawing, in its own units.
SPREAD = 100.0


def layout(
    nodes: list[int], edges: list[tuple[int, int]], centre: int
) -> dict[int, tuple[float, float]]:
    """Positions for the nodes (the centre in the middle), the same for the same network."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted(edges))
    if len(graph) == 1:
        return {centre: (0.0, 0.0)}
    placed = nx.spring_layout(graph, seed=7, center=(0, 0), scale=SPREAD)
    cx, cy = placed[centre]
    return {int(n): (float(x - cx), float(y - cy)) for n, (x, y) in placed.items()}


def _label(row: pd.Series) -> str:
    number = row["company_number"] if pd.notna(row["company_number"]) else "no company number"
    return html.escape(f"{row['name']} ({number})")


def network_drawing(
    businesses: pd.DataFrame, links: pd.DataFrame, centre: int, reason_labels: dict[str, str]
) -> tuple[folium.Map, dict[int, tuple[float, float]]]:
    """The network as a Leaflet drawing, and where each business is in it (to know which was
    clicked). ``businesses`` has business_id, name, company_number, band; ``links`` from_id,
    to_id, reason, current."""
    nodes = [int(b) for b in businesses["business_id"]]
    edges = [(int(a), int(b)) for a, b in zip(links["from_id"], links["to_id"], strict=True)]
    positions = layout(nodes, edges, centre)
    m = folium.Map(crs="Simple", tiles=None, location=[0, 0], zoom_start=1, min_zoom=-2,
                   max_zoom=5, control_scale=False, attribution_control=False)  # fmt: skip
    for link in links.itertuples(index=False):
        (x1, y1), (x2, y2) = positions[int(link.from_id)], positions[int(link.to_id)]
        folium.PolyLine(
            [[y1, x1], [y2, x2]],
            color=REASON_COLOURS.get(link.reason, "#666666"),
            weight=3 if link.current else 2,
            dash_array=None if link.current else "6 6",
            opacity=0.85,
            tooltip=html.escape(
                reason_labels.get(link.reason, link.reason)
                + ("" if link.current else " (former)")
                + (f": {link.shared}" if isinstance(link.shared, str) and link.shared else "")
            ),
        ).add_to(m)
    for row in businesses.to_dict("records"):
        x, y = positions[int(row["business_id"])]
        is_centre = int(row["business_id"]) == centre
        folium.CircleMarker(
            [y, x],
            radius=13 if is_centre else 9,
            color=CENTRE_COLOUR if is_centre else "#ffffff",
            weight=3 if is_centre else 1.5,
            fill_color=style.BAND_COLOURS.get(row["band"], "#666666"),
            fill_opacity=0.95,
            tooltip=_label(pd.Series(row)),
            class_name="sectormap-network-node"
            + (" sectormap-network-centre" if is_centre else ""),
        ).add_to(m)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    m.fit_bounds([[min(ys) - 15, min(xs) - 15], [max(ys) + 15, max(xs) + 15]])
    legend = style.Legend(
        "Links",
        [(REASON_COLOURS[r], label, "square") for r, label in reason_labels.items()],
    )
    legend.add_section(
        "Businesses by risk",
        [(style.BAND_COLOURS[b], label, "dot") for b, label in style.BAND_LABELS.items()],
    )
    legend.add_to(m)
    return use_local_assets(m), positions


def clicked_business(
    clicked: dict[str, float] | None, positions: dict[int, tuple[float, float]]
) -> int | None:
    """The business whose disc was clicked in the drawing (the nearest to the click)."""
    if not clicked or not positions:
        return None
    x, y = clicked["lng"], clicked["lat"]
    nearest = min(positions, key=lambda n: (positions[n][0] - x) ** 2 + (positions[n][1] - y) ** 2)
    px, py = positions[nearest]
    return nearest if (px - x) ** 2 + (py - y) ** 2 <= 15**2 else None


def connections_map(
    businesses: pd.DataFrame, links: pd.DataFrame, centre: int, attribution: list[str]
) -> folium.Map:
    """The connected businesses where they are, with their links as lines; ``businesses`` also
    has lat and lon."""
    at = businesses.set_index("business_id")
    start = at.loc[centre]
    m = base_map((float(start["lat"]), float(start["lon"])), zoom=13)
    for link in links.drop_duplicates(["from_id", "to_id"]).itertuples(index=False):
        a, b = at.loc[int(link.from_id)], at.loc[int(link.to_id)]
        folium.PolyLine(
            [[a["lat"], a["lon"]], [b["lat"], b["lon"]]],
            color=REASON_COLOURS.get(link.reason, "#666666"),
            weight=2,
            dash_array=None if link.current else "6 6",
            opacity=0.7,
        ).add_to(m)
    for business_id, row in at.iterrows():
        is_centre = int(business_id) == centre
        folium.CircleMarker(
            [row["lat"], row["lon"]],
            radius=10 if is_centre else 7,
            color=CENTRE_COLOUR if is_centre else "#ffffff",
            weight=3 if is_centre else 1,
            fill_color=style.BAND_COLOURS.get(row["band"], "#666666"),
            fill_opacity=0.9,
            tooltip=_label(row.rename({"business_id": "id"})),
        ).add_to(m)
    m.fit_bounds(
        [[at["lat"].min(), at["lon"].min()], [at["lat"].max(), at["lon"].max()]], max_zoom=16
    )
    style.add_attribution(m, attribution)
    return use_local_assets(m)


def footprint_map(facilities: gpd.GeoDataFrame, attribution: list[str]) -> folium.Map:
    """One brand's facilities in the region: current ones filled, former ones hollow."""
    centre = facilities.geometry.union_all().centroid
    m = base_map((centre.y, centre.x), zoom=12)
    for row in facilities.itertuples(index=False):
        place = row.geom
        folium.CircleMarker(
            [place.y, place.x],
            radius=8,
            color=REASON_COLOURS["shared_brand"] if row.current else "#666666",
            weight=2,
            fill=bool(row.current),
            fill_opacity=0.85,
            tooltip=html.escape(
                f"{row.facility}"
                + (f" — {row.business}" if isinstance(row.business, str) else "")
                + ("" if row.current else " (former)")
            ),
        ).add_to(m)
    west, south, east, north = facilities.total_bounds
    m.fit_bounds([[south, west], [north, east]], max_zoom=15)
    style.Legend(
        "Facilities",
        [
            (REASON_COLOURS["shared_brand"], "Currently sourcing", "dot"),
            ("#666666", "Formerly sourcing", "dot"),
        ],
    ).add_to(m)
    style.add_attribution(m, attribution)
    return use_local_assets(m)
