"""Benchmark: loading generated businesses with COPY against row-by-row INSERT (the baseline).

Generates the demo at a scale (default 100,000 businesses), then loads the same business rows into
two empty copies of the business table: once with ``layers.core.bulk.copy_frame`` (COPY),
once with one INSERT statement per row (executemany). Prints rows per second for both and the
speed-up.

    python -m bench.demo_load [--businesses 100000]
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import create_engine, text

from layers.core import migrate
from layers.core.bulk import copy_frame
from layers.core.settings import get_settings
from layers.demo import generator, populate
from tests.support import fresh_database

COLUMNS = [
    "id",
    "name",
    "company_number",
    "sector",
    "activity",
    "address",
    "postcode",
    "geom",
    "employees_estimate",
    "status",
]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    args = parser.parse_args()
    scale = args.businesses / generator.BASE_BUSINESSES

    engine = create_engine(fresh_database(f"{get_settings().db_name}_bench"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        postcodes = populate.cluster_postcodes(conn)
    started = time.perf_counter()
    data = generator.generate(1, scale, postcodes, {"COUNCIL": None}, None)  # type: ignore[dict-item]
    generated = time.perf_counter() - started
    frame = data.businesses.assign(geom=populate._points(data.businesses))[COLUMNS]
    rows = len(frame)
    print(
        f"generated {rows:,} businesses (and {len(data.visits):,} visits, "
        f"{len(data.reports):,} reports) in {generated:.2f} s"
    )

    timings = {}
    for method in ("copy", "insert"):
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE bench_{method} (LIKE business INCLUDING DEFAULTS)"))
        started = time.perf_counter()
        with engine.begin() as conn:
            if method == "copy":
                copy_frame(conn, f"bench_{method}", frame)
            else:
                conn.execute(
                    text(
                        f"INSERT INTO bench_{method} ({', '.join(COLUMNS)}) VALUES "  # noqa: S608
                        f"({', '.join(':' + c for c in COLUMNS)})"
                    ),
                    frame.astype(object).where(frame.notna(), None).to_dict("records"),
                )
        timings[method] = time.perf_counter() - started
        with engine.connect() as conn:
            loaded = conn.execute(
                text(f"SELECT count(*) FROM bench_{method}")  # noqa: S608 - constant names
            ).scalar_one()
        assert loaded == rows, (method, loaded)
    print(
        f"COPY (layers.core.bulk.copy_frame): {timings['copy']:.2f} s, "
        f"{rows / timings['copy']:,.0f} rows/s"
    )
    print(
        f"baseline, INSERT per row (executemany): {timings['insert']:.2f} s, "
        f"{rows / timings['insert']:,.0f} rows/s"
    )
    print(f"COPY is {timings['insert'] / timings['copy']:.1f}x faster than the baseline")
    engine.dispose()


if __name__ == "__main__":
    main()
