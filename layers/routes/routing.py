"""Visit routes on the street network: snap each stop to the streets loaded from OpenStreetMap
(``sectormap import osm``; see ``layers.routes.street_network``), order the stops to keep the
distance short, and measure each leg.

When no street network covers the stops, the route is planned on straight-line distances and
says so (``RoutePlan.note``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from layers.core.db import Bind
from layers.core.errors import ValidationError
from layers.core.settings import get_settings
from layers.routes import stop_order, street_network

MODES = {"walk": "Walking", "drive": "Driving"}


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


def _straight_matrix(stops: pd.DataFrame) -> np.ndarray:
    xy = street_network.to_grid(stops["lon"].to_numpy(), stops["lat"].to_numpy())
    return np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))


def network_matrix(
    network: street_network.StreetNetwork, junctions: np.ndarray, snaps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Metres from each stop to each other along the streets, walking to and from the street
    included; and the shortest-path predecessors of each stop's junction."""
    metres, predecessors = network.distances(junctions)
    matrix = snaps[:, None] + metres + snaps[None, :]
    np.fill_diagonal(matrix, 0.0)
    return matrix, predecessors


def _network_for(
    bind: Bind, lons: np.ndarray, lats: np.ndarray, mode: str
) -> tuple[street_network.StreetNetwork | None, np.ndarray, np.ndarray, str]:
    """The network to plan on (None: straight lines), each stop's junction and its distance
    from it, and how the distances are measured, in a sentence."""
    settings = get_settings()
    network = street_network.load(bind, lons, lats, mode)
    source = "the OpenStreetMap street network loaded into Sectormap"
    if network is None and settings.overpass:
        network = street_network.from_overpass(lons, lats, mode)
        source = "the OpenStreetMap network from Overpass"
    none, straight = np.zeros(0, dtype=int), np.zeros(len(lons))
    if network is None:
        return (
            None,
            none,
            straight,
            (
                "No street network covers these places, so distances are straight lines "
                "(real routes are longer)."
            ),
        )
    junctions, snaps = network.snap(lons, lats)
    far = int((snaps > settings.route_snap_m).sum())
    if far:
        return (
            None,
            none,
            straight,
            (
                f"The loaded street network does not reach {far} of the {len(lons)} places "
                f"(further than {settings.route_snap_m:.0f} m from any street), so distances "
                "are straight lines (real routes are longer)."
            ),
        )
    return network, junctions, snaps, f"Distances follow the streets of {source}."


def plan(bind: Bind, stops: pd.DataFrame, mode: str = "walk") -> RoutePlan:
    """Plan a route through ``stops`` (at least name, lat, lon; in the order they were chosen)
    for ``mode`` ('walk' or 'drive')."""
    if mode not in MODES:
        raise ValidationError(f"unknown mode {mode!r}: choose walk or drive")
    if len(stops) < 2:
        raise ValidationError("choose at least two places to plan a route")
    stops = stops.reset_index(drop=True)
    lons, lats = stops["lon"].to_numpy(), stops["lat"].to_numpy()
    network, junctions, snaps, note = _network_for(bind, lons, lats, mode)
    predecessors = None
    if network is not None:
        matrix, predecessors = network_matrix(network, junctions, snaps)
    else:
        matrix = _straight_matrix(stops)
    order = stop_order.best_order(matrix)
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
    paths = []
    for a, b in itertools.pairwise(order):
        start, end = (float(lats[a]), float(lons[a])), (float(lats[b]), float(lons[b]))
        along = (
            network.path(predecessors[a], int(junctions[a]), int(junctions[b]))
            if network is not None and predecessors is not None
            else []
        )
        paths.append([start, *along, end])
    return RoutePlan(
        stops=ordered,
        legs=legs,
        paths=paths,
        mode=mode,
        on_network=network is not None,
        note=note,
        total_m=stop_order.path_length(order, matrix),
        unordered_m=stop_order.path_length(list(range(len(stops))), matrix),
    )
