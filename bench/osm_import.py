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
#: Nodes that shape a street between two junctions (bends, as real streets have).
SHAPE_NODES = 9


def generate(folder: Path, nodes: int) -> tuple[Path, Path]:
    """The same extract as OSM XML and as PBF: half its nodes a street grid (junctions with
    shape nodes between them), half the corners of four-node buildings between the streets."""
    # junctions² + 2 · junctions · (junctions - 1) · SHAPE_NODES street nodes.
    junctions = int(math.sqrt(nodes * STREET_SHARE / (1 + 2 * SHAPE_NODES)))
    # Within the region's bounds (west -1.62, south 52.38, east -0.65, north 52.99).
    block = 0.0025
    west, south = -1.55, 52.40
    xml, pbf = folder / "county.osm", folder / "county.osm.pbf"
    writers = [osmium.SimpleWriter(str(xml)), osmium.SimpleWriter(str(pbf))]
    ids = iter(range(1, 10**9))

    def node(lon: float, lat: float) -> int:
        node_id = next(ids)
        location = osmium.osm.Location(lon, lat)
        for writer in writers:
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location))
        return node_id

    corner = {
        (i, j): node(west + j * block, south + i * block)
        for i in range(junctions)
        for j in range(junctions)
    }
    streets = []
    for i in range(junctions):
        for along in ("row", "column"):
            line = []
            for k in range(junctions):
                at = (i, k) if along == "row" else (k, i)
                line.append(corner[at])
                if k < junctions - 1:
                    lat, lon = south + at[0] * block, west + at[1] * block
                    for s in range(1, SHAPE_NODES + 1):
                        step = block * s / (SHAPE_NODES + 1)
                        wiggle = block * 0.05 * (-1) ** s
                        line.append(
                            node(lon + step, lat + wiggle)
                            if along == "row"
                            else node(lon + wiggle, lat + step)
                        )
            streets.append(line)
    buildings = (nodes - next(ids) + 1) // 4
    per_side = (junctions - 1) * 8
    rings = []
    for b in range(buildings):
        row, column = divmod(b % (per_side * per_side), per_side)
        x, y = west + (column + 0.5) * block / 8, south + (row + 0.5) * block / 8
        size = block / 40
        rings.append(
            [node(x + dx * size, y + dy * size) for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1))]
        )
    way_id = 0
    for line in streets:
        way_id += 1
        way = osmium.osm.mutable.Way(
            id=way_id, nodes=line, tags={"highway": "residential", "name": f"Street {way_id}"}
        )
        for writer in writers:
            writer.add_way(way)
    for b, ring in enumerate(rings):
        way_id += 1
        way = osmium.osm.mutable.Way(
            id=way_id, nodes=[*ring, ring[0]],
            tags={"building": "yes", "building:levels": str(1 + b % 4)},
        )  # fmt: skip
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
