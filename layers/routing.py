"""Visit routes on the street network: snap each stop to the streets loaded from OpenStreetMap
(``sectormap import osm``), order the stops to keep the distance short, and measure each leg.

When no loaded network covers the stops, the route is planned on straight-line distances and
says so (``RoutePlan.note``). With ``SECTORMAP_OVERPASS=true`` and internet, a missing network is
fetched from Overpass by osmnx and cached under data/osmnx-cache.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import shapely
from pyproj import Transformer

from layers import route_order
from layers.db import Bind, reading
from layers.errors import ValidationError
from layers.settings import get_settings

log = logging.getLogger(__name__)

MODES = {"walk": "Walking", "drive": "Driving"}
#: Ways a car may not use.
NOT_FOR_CARS = frozenset(
    {"footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor", "track"}
)
#: How far (metres) beyond the stops the network is read.
MARGIN_M = 1_000.0
_TO_GRID = Transformer.from_crs(4326, 27700, always_xy=True)


@dataclass(frozen=True)
class RoutePlan:
    """A planned route: the stops in visiting order, its legs, and how it was planned."""

    stops: pd.DataFrame
    legs: pd.DataFrame
    paths: list[list[tuple[float, float]]] = field(repr=False)
    mode: str
    on_network: bool
    note: str
    total_m: float
    unordered_m: float

    @property
    def saved_m(self) -> float:
        """Metres saved against visiting the stops in the order they were chosen."""
        return self.unordered_m - self.total_m

    @property
    def minutes(self) -> float:
        """Travel time of the whole route, in minutes."""
        return float(self.legs["minutes"].sum()) if len(self.legs) else 0.0

    def summary(self) -> str:
        """One plain sentence: stops, distance, time, saving and how distances were measured."""
        saving = (
            f", {self.saved_m / 1000:.2f} km ({self.saved_m / self.unordered_m:.0%}) shorter "
            "than the order they were chosen in"
            if self.unordered_m > 0 and self.saved_m > 0.5
            else ""
        )
        return (
            f"{len(self.stops)} stops, {self.total_m / 1000:.2f} km, about "
            f"{self.minutes:.0f} min {MODES[self.mode].lower()}{saving}. {self.note}"
        )


def _grid(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_GRID.transform(lons, lats)
    return np.asarray(x), np.asarray(y)


def load_network(bind: Bind, stops: pd.DataFrame, mode: str) -> nx.MultiDiGraph | None:
    """The loaded street network around ``stops`` (lat, lon) as an osmnx graph for ``mode``,
    kept to its largest connected part (so every stop can reach every other); None when no
    street is loaded there."""
    x, y = _grid(stops["lon"].to_numpy(), stops["lat"].to_numpy())
    with reading(bind) as conn:
        edges = gpd.read_postgis(
            "SELECT u, v, key, highway, name, length_m::float AS length, geom FROM street_edge "
            "WHERE geom && ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 27700), 4326)",
            conn,
            geom_col="geom",
            params={
                "w": x.min() - MARGIN_M,
                "s": y.min() - MARGIN_M,
                "e": x.max() + MARGIN_M,
                "n": y.max() + MARGIN_M,
            },
        )
    return graph_from_edges(edges, mode)


def graph_from_edges(edges: gpd.GeoDataFrame, mode: str) -> nx.MultiDiGraph | None:
    """An osmnx graph from street edges (u, v, key, highway, length, geometry in WGS84)."""
    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r}: choose walk or drive")
    if mode == "drive":
        edges = edges[~edges["highway"].isin(NOT_FOR_CARS)]
    edges = edges.drop_duplicates(["u", "v", "key"])
    if edges.empty:
        return None
    starts = shapely.get_point(edges.geometry.values, 0)
    ends = shapely.get_point(edges.geometry.values, -1)
    nodes = pd.concat(
        [
            pd.DataFrame(
                {"osmid": edges["u"], "x": shapely.get_x(starts), "y": shapely.get_y(starts)}
            ),
            pd.DataFrame({"osmid": edges["v"], "x": shapely.get_x(ends), "y": shapely.get_y(ends)}),
        ]
    ).drop_duplicates("osmid")
    node_frame = gpd.GeoDataFrame(
        nodes.set_index("osmid"), geometry=gpd.points_from_xy(nodes["x"], nodes["y"]), crs=4326
    )
    edge_frame = gpd.GeoDataFrame(
        edges.rename_geometry("geometry").set_index(["u", "v", "key"]), crs=4326
    )
    graph = ox.convert.graph_from_gdfs(node_frame, edge_frame)
    if mode == "walk":  # people walk both ways along one-way streets
        graph = nx.MultiDiGraph(ox.convert.to_undirected(graph))
    return ox.truncate.largest_component(graph, strongly=mode == "drive")


def overpass_network(stops: pd.DataFrame, mode: str) -> nx.MultiDiGraph | None:
    """The street network around ``stops`` from Overpass (osmnx, cached under data/); None when
    it cannot be reached."""
    settings = get_settings()
    ox.settings.use_cache = True
    ox.settings.cache_folder = str(settings.data_dir / "osmnx-cache")
    west, east = stops["lon"].min(), stops["lon"].max()
    south, north = stops["lat"].min(), stops["lat"].max()
    try:
        graph = ox.graph_from_bbox(
            (west - 0.01, south - 0.01, east + 0.01, north + 0.01), network_type=mode
        )
    except Exception as exc:
        log.warning("Overpass could not be reached (%s): planning on straight lines", exc)
        return None
    return ox.truncate.largest_component(graph, strongly=mode == "drive")


def _straight_matrix(stops: pd.DataFrame) -> np.ndarray:
    x, y = _grid(stops["lon"].to_numpy(), stops["lat"].to_numpy())
    return np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])


def snap(graph: nx.MultiDiGraph, stops: pd.DataFrame) -> tuple[list[int], np.ndarray]:
    """Each stop's nearest junction on ``graph`` and its distance from it in metres."""
    projected = ox.projection.project_graph(graph, to_crs="EPSG:27700")
    x, y = _grid(stops["lon"].to_numpy(), stops["lat"].to_numpy())
    nodes, distances = ox.distance.nearest_nodes(projected, x, y, return_dist=True)
    return [int(n) for n in nodes], np.asarray(distances, dtype=float)


def network_matrix(graph: nx.MultiDiGraph, nodes: list[int], snaps: np.ndarray) -> np.ndarray:
    """Network metres from each stop to each other, walking to and from the street included."""
    n = len(nodes)
    matrix = np.zeros((n, n))
    for i, source in enumerate(nodes):
        reach = nx.single_source_dijkstra_path_length(graph, source, weight="length")
        for j, target in enumerate(nodes):
            if i != j:
                matrix[i, j] = snaps[i] + reach.get(target, np.inf) + snaps[j]
    return matrix


def _leg_path(
    graph: nx.MultiDiGraph | None, a: int | None, b: int | None, start: tuple, end: tuple
) -> list[tuple[float, float]]:
    """The leg's line as (lat, lon) points: along the streets when planned on the network."""
    if graph is None or a is None or b is None or a == b:
        return [start, end]
    route = nx.shortest_path(graph, a, b, weight="length")
    points = [start]
    for u, v in itertools.pairwise(route):
        data = min(graph.get_edge_data(u, v).values(), key=lambda d: d.get("length", 0))
        here = (graph.nodes[u]["x"], graph.nodes[u]["y"])
        there = (graph.nodes[v]["x"], graph.nodes[v]["y"])
        coords = list(data["geometry"].coords) if "geometry" in data else [here, there]
        if shapely.Point(coords[0]).distance(shapely.Point(here)) > shapely.Point(
            coords[-1]
        ).distance(shapely.Point(here)):
            coords.reverse()  # an edge drawn the other way round
        points.extend((lat, lon) for lon, lat in coords)
    points.append(end)
    return points


def plan(bind: Bind, stops: pd.DataFrame, mode: str = "walk") -> RoutePlan:
    """Plan a route through ``stops`` (at least name, lat, lon; in the order they were chosen)
    for ``mode`` ('walk' or 'drive')."""
    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r}: choose walk or drive")
    if len(stops) < 2:
        raise ValidationError("choose at least two places to plan a route")
    stops = stops.reset_index(drop=True)
    graph = load_network(bind, stops, mode)
    source = "the OpenStreetMap street network loaded into Sectormap"
    if graph is None and get_settings().overpass:
        graph, source = overpass_network(stops, mode), "the OpenStreetMap network from Overpass"
    nodes: list[int | None] = [None] * len(stops)
    snaps = np.zeros(len(stops))
    on_network = False
    if graph is None:
        note = (
            "No street network covers these places, so distances are straight lines "
            "(real routes are longer)."
        )
    else:
        snapped, snaps = snap(graph, stops)
        far = int((snaps > get_settings().route_snap_m).sum())
        if far:
            note = (
                f"The loaded street network does not reach {far} of the {len(stops)} places "
                "(further than "
                f"{get_settings().route_snap_m:.0f} m from any street), so distances are "
                "straight lines (real routes are longer)."
            )
            snaps = np.zeros(len(stops))
        else:
            nodes, on_network = list(snapped), True
            note = f"Distances follow the streets of {source}."
    matrix = (
        network_matrix(graph, nodes, snaps) if on_network else _straight_matrix(stops)  # type: ignore[arg-type]
    )
    order = route_order.best_order(matrix)
    ordered = stops.loc[order].reset_index(drop=True)
    ordered.insert(0, "stop", range(1, len(ordered) + 1))
    ordered["snap_m"] = snaps[order].round(1)
    speed = get_settings().walk_kmh if mode == "walk" else get_settings().drive_kmh
    metres = [float(matrix[a, b]) for a, b in itertools.pairwise(order)]
    legs = pd.DataFrame(
        {
            "leg": range(1, len(order)),
            "from": ordered["name"].iloc[:-1].to_numpy(),
            "to": ordered["name"].iloc[1:].to_numpy(),
            "metres": np.round(metres, 0),
            "minutes": np.round(np.array(metres) / (speed * 1000 / 60), 1),
        }
    )
    paths = [
        _leg_path(
            graph if on_network else None,
            nodes[a],
            nodes[b],
            (stops.at[a, "lat"], stops.at[a, "lon"]),
            (stops.at[b, "lat"], stops.at[b, "lon"]),
        )
        for a, b in itertools.pairwise(order)
    ]
    return RoutePlan(
        stops=ordered,
        legs=legs,
        paths=paths,
        mode=mode,
        on_network=on_network,
        note=note,
        total_m=route_order.path_length(order, matrix),
        unordered_m=route_order.path_length(list(range(len(stops))), matrix),
    )
