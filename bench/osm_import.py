"""Benchmark: reading an OpenStreetMap extract of 2,000,000 nodes (generated: a street grid and
small buildings across the region), streamed from ``.osm.pbf`` by ``osm_reader`` (pyosmium)
against the baseline of the osmnx XML path the import used before (``features_from_xml`` for
buildings and ``graph_from_xml`` for the streets) on the same extract as ``.osm``. Each runs in
a child process of its own, so its peak memory (maximum resident set) is its own.

    python -m bench.osm_import [--nodes 2000000]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import osmium

STREET_SHARE = 0.5


def generate(folder: Path, nodes: int) -> tuple[Path, Path]:
    """The same extract as OSM XML and as PBF: half its nodes a square street grid, half the
    corners of four-node buildings between the streets."""
    side = int(math.sqrt(nodes * STREET_SHARE))
    buildings = (nodes - side * side) // 4
    xml, pbf = folder / "county.osm", folder / "county.osm.pbf"
    writers = [osmium.SimpleWriter(str(xml)), osmium.SimpleWriter(str(pbf))]
    west, south, spacing = -1.45, 52.45, 0.0004
    node_id = 0
    for i in range(side):
        for j in range(side):
            node_id += 1
            location = osmium.osm.Location(west + j * spacing, south + i * spacing)
            for writer in writers:
                writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location))
    first_building_node = node_id + 1
    per_row = side - 1
    for b in range(buildings):
        row, column = divmod(b % (per_row * per_row), per_row)
        x, y = west + (column + 0.3) * spacing, south + (row + 0.3) * spacing
        for dx, dy in ((0, 0), (0.4, 0), (0.4, 0.4), (0, 0.4)):
            node_id += 1
            location = osmium.osm.Location(x + dx * spacing, y + dy * spacing)
            for writer in writers:
                writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location))
    way_id = 0
    for i in range(side):
        for line in (
            [i * side + j + 1 for j in range(side)],
            [j * side + i + 1 for j in range(side)],
        ):
            way_id += 1
            way = osmium.osm.mutable.Way(
                id=way_id, nodes=line, tags={"highway": "residential", "name": f"Street {way_id}"}
            )
            for writer in writers:
                writer.add_way(way)
    for b in range(buildings):
        corners = [first_building_node + 4 * b + k for k in range(4)]
        way_id += 1
        way = osmium.osm.mutable.Way(
            id=way_id,
            nodes=[*corners, corners[0]],
            tags={"building": "yes", "building:levels": str(1 + b % 4)},
        )
        for writer in writers:
            writer.add_way(way)
    for writer in writers:
        writer.close()
    return xml, pbf


def _child(kind: str, path: str) -> None:
    started = time.perf_counter()
    if kind == "pyosmium":
        from shapely.geometry import box

        from layers.reference import osm_reader

        found = osm_reader.read_extract(Path(path), box(-1.62, 52.38, -0.65, 52.99))
        counts = (len(found.buildings), len(found.streets))
    else:
        import osmnx as ox

        buildings = ox.features_from_xml(path, tags={"building": True})
        graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
        counts = (len(buildings), graph.number_of_edges())
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": took, "peak_mib": peak, "buildings": counts[0],
                      "edges": counts[1]}))  # fmt: skip


def _measure(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.osm_import", "--child", kind, str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate the extract, read it both ways and print time and peak memory of each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=2_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        xml, pbf = generate(Path(folder), args.nodes)
        print(
            f"generated {args.nodes:,} nodes in {time.perf_counter() - started:.0f} s: "
            f"{xml.stat().st_size / 2**20:,.0f} MiB of XML, {pbf.stat().st_size / 2**20:,.0f} "
            "MiB of PBF"
        )
        ours = _measure("pyosmium", pbf)
        print(
            f"pyosmium, streamed from .osm.pbf: {ours['seconds']:.1f} s, peak "
            f"{ours['peak_mib']:,.0f} MiB ({ours['buildings']:,} buildings, "
            f"{ours['edges']:,} directed street edges)"
        )
        base = _measure("osmnx", xml)
        print(
            f"baseline osmnx from .osm: {base['seconds']:.1f} s, peak {base['peak_mib']:,.0f} MiB"
            f" ({base['buildings']:,} buildings, {base['edges']:,} edges); pyosmium is "
            f"{base['seconds'] / ours['seconds']:.1f}x faster in "
            f"{ours['peak_mib'] / base['peak_mib']:.0%} of the memory"
        )


if __name__ == "__main__":
    main()
