"""Benchmark: sizing by H3 hexagon at resolution 8 over 1,000,000 businesses (goal: at most
1 s), against the baseline of the same counts with h3's own per-point function and the rows
fetched one Python object at a time.

    python -m bench.sizing_h3 [--businesses 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import h3
import pandas as pd
from sqlalchemy import create_engine, text

from layers.core import migrate
from layers.core.settings import get_settings
from layers.demo import generator, populate
from layers.sizing import by_area
from tests.support import fresh_database


def _baseline(engine) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = pd.read_sql(
            text(
                "SELECT ST_Y(geom) AS lat, ST_X(geom) AS lon, coalesce(employees_estimate, 0) "
                "AS employees FROM business WHERE status IN ('active', 'dormant')"
            ),
            conn,
        )
    cells = [h3.latlng_to_cell(a, b, 8) for a, b in zip(rows["lat"], rows["lon"], strict=True)]
    return rows.assign(cell=cells).groupby("cell")["employees"].agg(["size", "sum"])


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = create_engine(fresh_database(f"{get_settings().db_name}_bench_h3"))
    migrate.upgrade(engine)
    started = time.perf_counter()
    populate.load(engine, seed=1, scale=args.businesses / generator.BASE_BUSINESSES)
    print(f"loaded {args.businesses:,} businesses in {time.perf_counter() - started:.1f} s")
    ours, theirs = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        found = by_area.size(engine, "h3", resolution=8)
        ours.append(time.perf_counter() - started)
    for _ in range(max(2, args.runs // 2)):
        started = time.perf_counter()
        expected = _baseline(engine)
        theirs.append(time.perf_counter() - started)
    table = found.areas.set_index("code")
    same = (table["businesses"] == expected["size"].rename(lambda c: c).reindex(table.index)).all()
    print(
        f"{int(found.totals['businesses']):,} businesses in {len(table):,} hexagons; "
        f"same counts as the baseline: {'yes' if same else 'NO'}"
    )
    print(f"sectormap sizing by H3 resolution 8: median {statistics.median(ours):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in ours)}) (goal: at most 1 s)")  # fmt: skip
    print(f"baseline, rows fetched as objects and h3 per point: median "
          f"{statistics.median(theirs):.2f} s")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
