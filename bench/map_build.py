"""Benchmark: building the officers' map with 20,000 businesses, against one folium.Marker with a
popup per business (the baseline).

Both maps are built and rendered to HTML on the server; prints the time and the HTML size of each.
Goals: at most 0.5 s, and at least 10x smaller than the baseline.

    python -m bench.map_build [--businesses 20000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import folium
import geopandas as gpd
import pandas as pd

from layers.demo import generator
from layers.register import risk
from mapping.sector_map import build_sector_map, business_points

EMPTY = gpd.GeoDataFrame({"name": [], "code": []}, geometry=[], crs=4326)


def _points(count: int) -> pd.DataFrame:
    empty = {
        c.key: pd.DataFrame({"postcode": [], "lon": [], "lat": []}) for c in generator.CLUSTERS
    }
    data = generator.generate(1, count / generator.BASE_BUSINESSES, empty, {"COUNCIL": 1}, None)
    points = data.businesses[["id", "name", "sector", "lat", "lon"]].copy()
    points["band"] = [risk.band(s) for s in (points["id"] * 7919 % 45)]
    return points


def ours(points: pd.DataFrame) -> str:
    """The map as the Map page builds it."""
    sites = gpd.GeoDataFrame(
        {"id": [], "name": [], "address": [], "tenants": [], "units": []}, geometry=[], crs=4326
    )
    areas = gpd.GeoDataFrame({"name": [], "purpose": [], "priority": []}, geometry=[], crs=4326)
    m = build_sector_map(
        center=(52.636, -1.125),
        businesses=business_points(points, "band"),
        sites=sites,
        focus_areas=areas,
        districts=EMPTY,
        wards=EMPTY,
        attribution=["Fictional demo data"],
        colour_by="band",
    )
    return m.get_root().render()


def baseline(points: pd.DataFrame) -> str:
    """One folium.Marker with a popup per business."""
    m = folium.Map(location=[52.636, -1.125], zoom_start=13)
    for lat, lon, name in zip(points["lat"], points["lon"], points["name"], strict=True):
        folium.Marker([lat, lon], popup=folium.Popup(name, parse_html=True)).add_to(m)
    return m.get_root().render()


def _timed(build, points: pd.DataFrame, repeats: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, size = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        size = len(build(points).encode())
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=20_000)
    args = parser.parse_args()
    points = _points(args.businesses)
    our_time, our_bytes = _timed(ours, points, 5)
    base_time, base_bytes = _timed(baseline, points, 1)
    print(f"{len(points):,} businesses")
    print(
        f"sectormap map (browser-built clustered markers): {our_time:.3f} s, "
        f"{our_bytes / 1e6:.2f} MB of HTML"
    )
    print(
        f"baseline, one folium.Marker with popup each: {base_time:.3f} s, "
        f"{base_bytes / 1e6:.2f} MB of HTML"
    )
    print(
        f"sectormap is {base_time / our_time:.1f}x faster and {base_bytes / our_bytes:.1f}x smaller"
    )


if __name__ == "__main__":
    main()
