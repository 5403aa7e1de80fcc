"""Benchmark: importing a 1,000,000-row Companies House file, against ogr2ogr (the baseline).

Writes a file in the product's exact format (most companies outside the sector and the area, as in
the national register) to bench/out/, then, on a fresh benchmark database with the reference data:

- ``sectormap import businesses FILE --json`` in a child process: wall time, rows per second, and
  the child's peak memory (the goal: at least 100,000 rows/s, within 1 GiB);
- baseline: ``ogr2ogr`` (GDAL, Debian's gdal-bin) loading the same CSV into a PostGIS table.

    python -m bench.companies_house_import [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from layers.core import migrate
from layers.core.settings import REPO_ROOT, get_settings
from layers.people import identity
from layers.reference import pack
from tests import companies_house_file as ch
from tests.support import fresh_database

OUT = REPO_ROOT / "bench" / "out"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise SystemExit("ogr2ogr is missing: install Debian's gdal-bin (make bench does)")

    url = fresh_database(f"{get_settings().db_name}_bench_import")
    engine = create_engine(url)
    migrate.upgrade(engine)
    pack.load_reference_data(engine, identity.command_line("analyst"))
    with engine.connect() as conn:
        postcodes = list(
            conn.execute(
                text(
                    "SELECT postcode FROM postcode WHERE district_code = 'E06000016' "
                    "ORDER BY postcode"
                )
            ).scalars()
        )
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"BasicCompanyData-{args.rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        ch.write_large(path, args.rows, postcodes)
        print(
            f"wrote {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )

    sectormap = str(Path(sys.executable).with_name("sectormap"))
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run(
        [
            sectormap,
            "import",
            "businesses",
            str(path),
            "--json",
            "--rejects",
            str(OUT / "rejects.csv"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    ours = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    counts = json.loads(done.stdout)

    pg = make_url(url)
    started = time.perf_counter()
    subprocess.run(
        [
            ogr2ogr,
            "-f",
            "PostgreSQL",
            f"PG:host={pg.host} port={pg.port} dbname={pg.database} user={pg.username} "
            f"password={pg.password}",
            str(path),
            "-nln",
            "ch_ogr2ogr",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
            "--config",
            "PG_USE_COPY",
            "YES",
        ],
        check=True,
        capture_output=True,
    )
    baseline = time.perf_counter() - started
    with engine.connect() as conn:
        loaded = conn.execute(text("SELECT count(*) FROM ch_ogr2ogr")).scalar_one()
    assert loaded == args.rows, loaded

    print(
        f"sectormap import businesses: {ours:.1f} s, {args.rows / ours:,.0f} rows/s, "
        f"peak memory {peak_mib:,.0f} MiB; {counts['inserted']:,} inserted, "
        f"{counts['skipped']:,} skipped, {counts['rejected']:,} rejected"
    )
    print(
        f"baseline, ogr2ogr (raw load, no filtering or geocoding): {baseline:.1f} s, "
        f"{args.rows / baseline:,.0f} rows/s"
    )
    print(f"sectormap is {baseline / ours:.2f}x the speed of ogr2ogr")
    engine.dispose()


if __name__ == "__main__":
    main()
