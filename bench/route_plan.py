"""Benchmark: planning a route for 30 stops on a city-district street network.

Writes an OSM XML street grid the size of a city district (60 x 60 streets, 0.0015 degrees
apart: about 10 km by 6.7 km), loads it with ``sectormap import osm``'s loader, then plans
routes through 30 random places. Prints the time per plan and the distance against two
baselines from the same runs: the places in the order they were chosen (unordered) and the
nearest-neighbour order alone (before 2-opt).

    python -m bench.route_plan [--stops 30] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

from layers.core import migrate
from layers.core.settings import get_settings
from layers.people import identity
from layers.reference import osm
from layers.routes import routing, stop_order, street_network
from tests import osm_file
from tests.support import fresh_database

SOUTH, WEST, STREETS, SPACING = 52.60, -1.18, 60, 0.0015


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = create_engine(fresh_database(f"{get_settings().db_name}_bench_route"))
    migrate.upgrade(engine)
    with tempfile.TemporaryDirectory() as scratch:
        extract = osm_file.write(
            Path(scratch) / "district.osm",
            buildings=[],
            grid=(SOUTH, WEST),
            streets=STREETS,
            spacing=SPACING,
        )
        loaded = osm.import_osm(engine, identity.command_line("analyst"), extract)
    print(
        f"network: {loaded.street_edges:,} street edges between {loaded.street_nodes:,} junctions"
    )
    rng = np.random.default_rng(30)
    span = SPACING * (STREETS - 1)
    timings, planned, unordered, greedy = [], [], [], []
    for run in range(args.runs):
        stops = pd.DataFrame(
            {
                "name": [f"Place {i}" for i in range(args.stops)],
                "lat": SOUTH + rng.random(args.stops) * span,
                "lon": WEST + rng.random(args.stops) * span,
            }
        )
        started = time.perf_counter()
        plan = routing.plan(engine, stops, "drive")
        timings.append(time.perf_counter() - started)
        assert plan.on_network, plan.note
        # The same network distances the plan used, for the nearest-neighbour baseline.
        lons, lats = stops["lon"].to_numpy(), stops["lat"].to_numpy()
        network = street_network.load(engine, lons, lats, "drive")
        junctions, snaps = network.snap(lons, lats)
        matrix, _ = routing.network_matrix(network, junctions, snaps)
        nearest = min(
            stop_order.path_length(stop_order.nearest_neighbour(matrix, s), matrix)
            for s in range(len(stops))
        )
        planned.append(plan.total_m)
        unordered.append(plan.unordered_m)
        greedy.append(nearest)
        print(
            f"run {run + 1}: {timings[-1]:.2f} s, {plan.total_m / 1000:.1f} km planned, "
            f"{nearest / 1000:.1f} km nearest neighbour alone, "
            f"{plan.unordered_m / 1000:.1f} km in the order chosen"
        )
    saved = 1 - np.array(planned) / np.array(unordered)
    print(
        f"{args.stops} stops: median {statistics.median(timings):.2f} s per plan "
        f"(network read, snapped, {args.stops} shortest-path trees, ordered, legs drawn)"
    )
    print(
        f"distance saved against the unordered route: median {np.median(saved):.0%} "
        f"({np.mean(np.array(unordered) - np.array(planned)) / 1000:.1f} km on average); "
        f"2-opt shortens nearest neighbour by median "
        f"{np.median(1 - np.array(planned) / np.array(greedy)):.1%}"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
