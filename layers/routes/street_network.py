"""The street network for routing: the OpenStreetMap edges loaded by ``sectormap import osm``
(one row per directed edge between junctions, with its geometry and length), held as a
sparse matrix for scipy's shortest paths and a k-d tree of junctions for snapping.

With ``SECTORMAP_OVERPASS=true`` and internet, a missing network is fetched from Overpass by
osmnx and cached under data/osmnx-cache.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from layers.core.db import Bind, reading
from layers.core.settings import get_settings

log = logging.getLogger(__name__)

#: Ways a car may not use.
NOT_FOR_CARS = frozenset(
    {"footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor", "track"}
)
#: How far (metres) beyond the stops the network is read.
MARGIN_M = 1_000.0
_TO_GRID = Transformer.from_crs(4326, 27700, always_xy=True)


def to_grid(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """WGS84 longitudes and latitudes as British National Grid metres, shape (n, 2)."""
    x, y = _TO_GRID.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.column_stack([x, y])


@dataclass(frozen=True)
class StreetNetwork:
    """Junctions, the metres between neighbouring ones, and each edge's line."""

    lonlat: np.ndarray
    lengths: csr_array
    lines: dict[tuple[int, int], np.ndarray]
    reachable: np.ndarray

    def snap(self, lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each point's nearest junction of the connected core (so every stop can reach every
        other) and its distance from it in metres."""
        core = np.flatnonzero(self.reachable)
        tree = cKDTree(to_grid(*self.lonlat[core].T))
        distances, nearest = tree.query(to_grid(lons, lats))
        return core[nearest], distances

    def distances(self, junctions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metres along the streets from each of ``junctions`` to each other, and the
        shortest-path predecessors to trace the way."""
        metres, predecessors = dijkstra(
            self.lengths, directed=True, indices=junctions, return_predecessors=True
        )
        return metres[:, junctions], predecessors

    def path(self, predecessors: np.ndarray, source: int, target: int) -> list[tuple[float, float]]:
        """The (lat, lon) points along the shortest way from ``source`` to ``target``, given the
        predecessors row of ``source``."""
        junctions = [target]
        while junctions[-1] != source:
            junctions.append(int(predecessors[junctions[-1]]))
        junctions.reverse()
        points: list[tuple[float, float]] = []
        for u, v in itertools.pairwise(junctions):
            line = self.lines[(u, v)]
            points.extend((float(lat), float(lon)) for lon, lat in line)
        return points


def from_edges(edges: gpd.GeoDataFrame, mode: str) -> StreetNetwork | None:
    """The network for ``mode`` ('walk' or 'drive') from directed edges: u, v, highway, length
    (metres) and a WGS84 line from u to v. Walkers go both ways along every street; drivers keep
    to the ways cars may use, in the directions OSM allows."""
    if mode == "drive":
        edges = edges[~edges["highway"].isin(NOT_FOR_CARS)]
    if edges.empty:
        return None
    lines = [np.asarray(line.coords)[:, :2] for line in edges.geometry]
    frame = pd.DataFrame({"u": edges["u"].to_numpy(), "v": edges["v"].to_numpy()})
    frame["length"] = edges["length"].astype(float).to_numpy()
    frame["line"] = lines
    if mode == "walk":
        backwards = frame.rename(columns={"u": "v", "v": "u"})
        backwards["line"] = [line[::-1] for line in lines]
        frame = pd.concat([frame, backwards], ignore_index=True)
    # Of parallel edges between two junctions, the shortest.
    frame = frame.sort_values("length").drop_duplicates(["u", "v"])
    codes, osm_ids = pd.factorize(pd.concat([frame["u"], frame["v"]], ignore_index=True))
    u, v = codes[: len(frame)], codes[len(frame) :]
    lonlat = np.zeros((len(osm_ids), 2))
    lonlat[u] = [line[0] for line in frame["line"]]
    lonlat[v] = [line[-1] for line in frame["line"]]
    lengths = csr_array(
        (np.maximum(frame["length"].to_numpy(), 0.01), (u, v)), shape=(len(osm_ids),) * 2
    )
    _, labels = connected_components(
        lengths, directed=True, connection="strong" if mode == "drive" else "weak"
    )
    core = labels == np.bincount(labels).argmax()
    return StreetNetwork(
        lonlat, lengths, dict(zip(zip(u, v, strict=True), frame["line"], strict=True)), core
    )


def load(bind: Bind, lons: np.ndarray, lats: np.ndarray, mode: str) -> StreetNetwork | None:
    """The loaded street network within a kilometre of the points, or None when none is
    loaded there."""
    grid = to_grid(lons, lats)
    (west, south), (east, north) = grid.min(axis=0) - MARGIN_M, grid.max(axis=0) + MARGIN_M
    with reading(bind) as conn:
        edges = gpd.read_postgis(
            "SELECT u, v, highway, length_m::float AS length, geom FROM street_edge "
            "WHERE geom && ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 27700), 4326)",
            conn,
            geom_col="geom",
            params={"w": west, "s": south, "e": east, "n": north},
        )
    return from_edges(edges, mode)


def from_overpass(lons: np.ndarray, lats: np.ndarray, mode: str) -> StreetNetwork | None:
    """The street network around the points from Overpass (osmnx, cached under data/); None
    when it cannot be reached."""
    import osmnx as ox  # only here (Overpass is optional): it takes half a second to load

    ox.settings.use_cache = True
    ox.settings.cache_folder = str(get_settings().data_dir / "osmnx-cache")
    bbox = (min(lons) - 0.01, min(lats) - 0.01, max(lons) + 0.01, max(lats) + 0.01)
    try:
        graph = ox.graph_from_bbox(bbox, network_type=mode)
    except Exception as exc:
        log.warning("Overpass could not be reached (%s): planning on straight lines", exc)
        return None
    edges = ox.convert.graph_to_gdfs(graph, nodes=False).reset_index()
    edges["highway"] = edges["highway"].map(lambda h: h[0] if isinstance(h, list) else h)
    edges["geometry"] = shapely.force_2d(edges.geometry.values)
    return from_edges(edges, mode)
