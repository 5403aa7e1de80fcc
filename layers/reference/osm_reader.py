"""Reading OpenStreetMap extracts as Geofabrik and the OSM planet publish them (``.osm.pbf``,
``.osm.bz2``, ``.osm``) with pyosmium, streamed: libosmium keeps only node locations (in a
compact index) while the file goes by, so a whole county reads on a small machine.

pyosmium rather than pyrosm: it streams every format OSM publishes (pyrosm reads PBF only, and
whole into memory), assembles multipolygon buildings from relations, and its filters drop
every object that is neither a building nor a street before Python sees it.

What comes out, clipped to the region:

- buildings with their OSM id, ``name``, ``building:levels`` and ``addr:*`` address;
- the street network as directed edges between junctions (a junction is where streets meet or
  a street ends), one row per direction a vehicle may travel (both for a two-way street), with
  its length in metres on the ellipsoid, as osmnx's graph gives them.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from layers.core.progress import Progress, no_progress
from layers.core.spatial_files import polygonal

#: The formats read, by how a file's name ends.
SUFFIXES = (".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz", ".osm")

#: Values of ``oneway`` that keep traffic to the way's direction, or against it.
_ONE_WAY = frozenset({"yes", "true", "1"})
_AGAINST = frozenset({"-1", "reverse"})
#: Ways one-way unless tagged otherwise (roundabouts and motorways, as OSM's wiki says).
_IMPLIED_ONE_WAY_JUNCTIONS = frozenset({"roundabout", "circular"})
_IMPLIED_ONE_WAY_HIGHWAYS = frozenset({"motorway"})

_FIRST_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_GEOD = Geod(ellps="WGS84")
_REPORT_EVERY = 100_000


@dataclass(frozen=True)
class Extract:
    """What an extract holds within the region."""

    buildings: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    junctions: int


def levels(value: str | None) -> int | None:
    """The number of storeys above ground from a ``building:levels`` value ('3', '2.5',
    '3;4' take the first number, rounded up), or None when it gives none or an absurd one."""
    if not value:
        return None
    found = _FIRST_NUMBER.search(value)
    if found is None:
        return None
    storeys = int(np.ceil(float(found.group())))
    return storeys if 1 <= storeys <= 60 else None


def address(tags: dict[str, str]) -> str | None:
    """An address line from ``addr:*`` tags: unit, house name or number and street, place."""
    unit = tags.get("addr:unit") or tags.get("addr:flats")
    line = " ".join(p for p in (tags.get("addr:housenumber"), tags.get("addr:street")) if p)
    parts = [
        f"Unit {unit}" if unit else "",
        tags.get("addr:housename", ""),
        line,
        tags.get("addr:city") or tags.get("addr:place") or "",
    ]
    text = ", ".join(p.strip() for p in parts if p and p.strip())
    return text or None


def one_way(tags: dict[str, str]) -> int:
    """1 if traffic may go only the way's direction, -1 only against it, 0 both ways."""
    oneway = tags.get("oneway", "").lower()
    if oneway in _ONE_WAY:
        return 1
    if oneway in _AGAINST:
        return -1
    if oneway == "no":
        return 0
    implied = (
        tags.get("junction") in _IMPLIED_ONE_WAY_JUNCTIONS
        or tags.get("highway") in _IMPLIED_ONE_WAY_HIGHWAYS
    )
    return 1 if implied else 0


class _Ways:
    """Street ways held flat (node ids, longitudes, latitudes and offsets in compact arrays),
    so a county's streets cost a few bytes a node instead of a Python object each."""

    def __init__(self) -> None:
        self.refs, self.lons, self.lats = array("q"), array("d"), array("d")
        self.starts = array("q", [0])
        self.ids: list[int] = []
        self.tags: list[tuple[str | None, str, int]] = []

    def add(self, way: osmium.osm.Way) -> None:
        try:
            points = [(n.ref, n.lon, n.lat) for n in way.nodes]
        except osmium.InvalidLocationError:
            return  # a way cut by the extract's edge, its far nodes not in the file
        if len(points) < 2:
            return
        for ref, lon, lat in points:
            self.refs.append(ref)
            self.lons.append(lon)
            self.lats.append(lat)
        self.starts.append(len(self.refs))
        tags = dict(way.tags)
        self.ids.append(way.id)
        self.tags.append((tags.get("name"), tags["highway"], one_way(tags)))


def read_extract(path: Path, region: BaseGeometry, progress: Progress = no_progress) -> Extract:
    """The buildings and street network of the extract at ``path`` that touch ``region``
    (WGS84). Raises ValueError, with libosmium's reason, for a file it cannot read."""
    try:
        return _read(path, region, progress)
    except (RuntimeError, osmium.InvalidLocationError) as exc:
        raise ValueError(str(exc)) from exc


def _read(path: Path, region: BaseGeometry, progress: Progress) -> Extract:
    buildings: list[dict[str, object]] = []
    ways = _Ways()
    wkb = osmium.geom.WKBFactory()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(osmium.filter.KeyFilter("building"))
        .with_filter(osmium.filter.KeyFilter("building", "highway"))
    )
    for seen, item in enumerate(processor, start=1):
        if seen % _REPORT_EVERY == 0:
            progress(seen, 0, f"{seen:,} buildings and streets read")
        if item.is_area():
            if "building" in item.tags:
                buildings.append(_building(item, wkb))
        elif _is_street(item):
            ways.add(item)
    found = _buildings_frame(buildings)
    inside = gpd.GeoDataFrame(found[shapely.intersects(found.geometry.values, region)])
    streets, junctions = _network(ways, region)
    return Extract(inside.reset_index(drop=True), streets, junctions)


def _is_street(item: osmium.osm.OSMObject) -> bool:
    tags = item.tags
    return bool(
        item.is_way() and "highway" in tags and "building" not in tags
        and tags.get("area") != "yes"
    )  # fmt: skip


def _building(area: osmium.osm.Area, wkb: osmium.geom.WKBFactory) -> dict[str, object]:
    tags = dict(area.tags)
    return {
        "source_id": f"{'way' if area.from_way() else 'relation'}/{area.orig_id()}",
        "name": tags.get("name"),
        "levels": levels(tags.get("building:levels")),
        "address": address(tags),
        "postcode": (tags.get("addr:postcode") or "").strip().upper() or None,
        "wkb": bytes.fromhex(wkb.create_multipolygon(area)),
    }


def _buildings_frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    columns = ["source_id", "name", "levels", "address", "postcode", "wkb"]
    frame = pd.DataFrame(rows, columns=columns)
    shapes = [polygonal(g)[0] for g in shapely.from_wkb(frame["wkb"].to_numpy())]
    frame = frame.drop(columns="wkb").assign(levels=frame["levels"].astype("Int16"))
    found = gpd.GeoDataFrame(frame, geometry=shapes, crs=4326)
    return found[found.geometry.notna()]


def _network(ways: _Ways, region: BaseGeometry) -> tuple[gpd.GeoDataFrame, int]:
    """Directed edges between junctions, from the street ways."""
    columns = ["u", "v", "key", "osmid", "name", "highway", "length_m", "geometry"]
    if not ways.ids:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=4326), 0
    refs = np.frombuffer(ways.refs, dtype=np.int64)
    lons, lats = np.frombuffer(ways.lons), np.frombuffer(ways.lats)
    starts = np.frombuffer(ways.starts, dtype=np.int64)
    # A junction: a node that two ways share (or one way twice), or the end of a way.
    unique, counts = np.unique(refs, return_counts=True)
    junction = counts[np.searchsorted(unique, refs)] > 1
    junction[starts[:-1]] = True
    junction[starts[1:] - 1] = True
    # Segments: consecutive junctions of one way (vectorised: a county has a million).
    way_of = np.repeat(np.arange(len(ways.ids)), np.diff(starts))
    cut = np.flatnonzero(junction)
    same_way = way_of[cut[:-1]] == way_of[cut[1:]]
    a, b = cut[:-1][same_way], cut[1:][same_way]
    along = np.concatenate([[0.0], np.cumsum(_metres(lons[:-1], lats[:-1], lons[1:], lats[1:]))])
    owner = way_of[a]
    names, highways, directions = (
        np.array(column, dtype=object) for column in zip(*ways.tags, strict=True)
    )
    frame = pd.DataFrame(
        {
            "u": refs[a],
            "v": refs[b],
            "osmid": np.array(ways.ids, dtype=np.int64)[owner].astype(str),
            "name": names[owner],
            "highway": highways[owner],
            "dir": directions[owner].astype(int),
            "length_m": np.round(along[b] - along[a], 2),
        }
    )
    # The points of each segment, a to b inclusive, as one index array.
    sizes = b - a + 1
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)
    points = np.arange(sizes.sum()) - first + np.repeat(a, sizes)
    geometry = shapely.linestrings(
        np.column_stack([lons[points], lats[points]]), indices=np.repeat(np.arange(len(a)), sizes)
    )
    keep = shapely.intersects(geometry, region)
    frame, geometry = frame[keep].reset_index(drop=True), geometry[keep]
    forward = frame["dir"] >= 0
    backward = frame["dir"] <= 0
    ahead = frame[forward].assign(geometry=geometry[forward.to_numpy()])
    behind = frame[backward].rename(columns={"u": "v", "v": "u"})
    behind = behind.assign(geometry=shapely.reverse(geometry[backward.to_numpy()]))
    directed = pd.concat([ahead, behind], ignore_index=True).drop(columns="dir")
    directed["key"] = directed.groupby(["u", "v"]).cumcount()
    junctions = int(pd.unique(directed[["u", "v"]].to_numpy().ravel()).size)
    streets = gpd.GeoDataFrame(directed[columns], geometry="geometry", crs=4326)
    return streets, junctions


def _metres(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Distances in metres on the WGS84 ellipsoid."""
    return np.asarray(_GEOD.inv(lon1, lat1, lon2, lat2)[2])
