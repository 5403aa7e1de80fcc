"""Benchmark: the streets-and-buildings base layer of one map view at a whole-city extract
(generated: 1,000,000 OSM nodes of street grid and buildings across the city, imported with
``sectormap import osm``): reading the view from PostGIS (``base_layer.around``) and drawing it
into the map's HTML, against the baseline of drawing the same layer whole. Prints time and
HTML size per view.

    python -m bench.base_layer [--nodes 1000000] [--views 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
from sqlalchemy import create_engine, text

from bench.osm_import import generate
from layers.core import migrate
from layers.reference import base_layer, osm
from mapping.sector_map import add_streets_and_buildings
from tests.support import IMPORTER, fresh_database


def _drawn(buildings: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> int:
    """Draw the layer on an empty map and render it; the HTML's size in bytes."""
    m = folium.Map(location=[52.63, -1.13], zoom_start=17, tiles=None)
    add_streets_and_buildings(m, buildings, streets)
    return len(m.get_root().render())


def main() -> None:
    """Generate and import the extract, then time views against the whole layer."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--views", type=int, default=30)
    args = parser.parse_args()
    engine = create_engine(fresh_database("sectormap_bench_base_layer"))
    migrate.upgrade(engine)
    with tempfile.TemporaryDirectory() as folder:
        _, pbf = generate(Path(folder), args.nodes)
        started = time.perf_counter()
        found = osm.import_osm(engine, IMPORTER, pbf)
    print(
        f"imported {found.buildings:,} buildings and {found.street_edges:,} street edges in "
        f"{time.perf_counter() - started:.0f} s"
    )
    with engine.connect() as conn:
        west, south, east, north = conn.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                "(SELECT ST_Extent(geom) AS e FROM street_edge) x"
            )
        ).one()
    rng = np.random.default_rng(5)
    times, sizes = [], []
    for _ in range(args.views):
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        begun = time.perf_counter()
        view = base_layer.around(engine, float(lat), float(lon))
        sizes.append(_drawn(view.buildings, view.streets))
        times.append(time.perf_counter() - begun)
    median_ms = statistics.median(times) * 1000
    print(
        f"one view (450 m around a place, read and drawn): median {median_ms:.0f} ms, "
        f"{statistics.median(sizes) / 1e6:.2f} MB of HTML"
    )
    begun = time.perf_counter()
    with engine.connect() as conn:
        buildings = gpd.read_postgis(text("SELECT geom FROM building"), conn, geom_col="geom")
        streets = gpd.read_postgis(text("SELECT geom FROM street_edge"), conn, geom_col="geom")
    whole = _drawn(buildings, streets)
    print(
        f"baseline, the whole layer read and drawn: {time.perf_counter() - begun:.1f} s, "
        f"{whole / 1e6:.1f} MB of HTML"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
