"""Benchmark: exporting 100,000 businesses to GeoPackage, against the baseline of ``ogr2ogr``
copying the same rows and columns from the same PostGIS table.

    python -m bench.layer_export [--businesses 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pyogrio
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from layers.core import migrate
from layers.core.settings import get_settings
from layers.demo import generator, populate
from layers.exports import map_layers
from layers.exports.map_layers import ExportRequest
from layers.people import users
from tests.support import fresh_database


def _libpq(url: str) -> str:
    """A libpq connection string for GDAL's PostgreSQL driver."""
    parsed = make_url(url)
    return (
        f"PG:host={parsed.host} port={parsed.port} dbname={parsed.database} "
        f"user={parsed.username} password={parsed.password}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = fresh_database(f"{get_settings().db_name}_bench_export")
    engine = create_engine(url)
    migrate.upgrade(engine)
    populate.load(engine, seed=1, scale=args.businesses / generator.BASE_BUSINESSES)
    analyst = users.by_username(engine, "analyst")
    request = ExportRequest(layers=("businesses",), fmt="gpkg")
    # The same rows and columns for ogr2ogr: every business, no filter.
    same_rows = (
        map_layers.QUERIES["businesses"]
        .replace("CAST(:ids AS int[]) IS NULL", "true")
        .replace(" OR b.id = ANY(:ids)", "")
    )
    ours, theirs = [], []
    rows = 0
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "ogr.gpkg"
        for _ in range(args.runs):
            started = time.perf_counter()
            data, _ = map_layers.export(engine, analyst, request, attribution=["bench"])
            ours.append(time.perf_counter() - started)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extract("sectormap.gpkg", scratch)
            rows = len(pyogrio.read_dataframe(Path(scratch) / "sectormap.gpkg", layer="businesses"))
            target.unlink(missing_ok=True)
            started = time.perf_counter()
            subprocess.run(
                ["ogr2ogr", "-f", "GPKG", str(target), _libpq(url), "-nln", "businesses",
                 "-sql", same_rows],
                check=True,
            )  # fmt: skip
            theirs.append(time.perf_counter() - started)
    print(f"exported {rows:,} businesses (every column, metadata, zipped) per run")
    print(f"sectormap export: median {statistics.median(ours):.2f} s over {args.runs} runs")
    print(f"baseline, ogr2ogr from the same table: median {statistics.median(theirs):.2f} s")
    print(
        f"ratio {statistics.median(ours) / statistics.median(theirs):.2f}x the baseline "
        "(goal: at most 3 s and within 1.2x)"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
