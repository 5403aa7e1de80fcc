"""Benchmark: search latency at 100,000 businesses, against the same search with the trigram
indexes unused (the baseline: PostgreSQL told not to use index scans in that transaction).

Loads the demo at 100,000 businesses into a benchmark database, then times a mix of queries
(names with typos, trading names, postcodes, company numbers) and prints p50 and p95.

    python -m bench.search [--businesses 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from sqlalchemy import Connection, create_engine, text

from layers.core import migrate
from layers.core.settings import get_settings
from layers.demo import generator, populate
from layers.register.search import search
from tests.support import fresh_database


def _queries(conn: Connection, count: int) -> list[str]:
    rng = np.random.default_rng(3)
    rows = conn.execute(
        text("SELECT name, postcode, company_number FROM business ORDER BY id LIMIT 5000")
    ).all()
    queries = []
    for i in range(count):
        name, postcode, number = rows[int(rng.integers(0, len(rows)))]
        kind = i % 4
        if kind == 0:  # a name with one letter dropped
            cut = int(rng.integers(1, max(2, len(name) - 1)))
            queries.append(name[:cut] + name[cut + 1 :])
        elif kind == 1:
            queries.append(name.split()[0].lower())
        elif kind == 2:
            queries.append(postcode.lower().replace(" ", ""))
        else:
            queries.append(number or name)
    return queries


def _timed(conn: Connection, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        search(conn, query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine(fresh_database(f"{get_settings().db_name}_bench_search"))
    migrate.upgrade(engine)
    started = time.perf_counter()
    populate.load(engine, seed=1, scale=args.businesses / generator.BASE_BUSINESSES)
    print(f"loaded {args.businesses:,} businesses in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        queries = _queries(conn, args.queries)
        _timed(conn, queries[:20])  # warm the caches
        ours = _timed(conn, queries)
        conn.execute(text("SET enable_indexscan = off"))
        conn.execute(text("SET enable_bitmapscan = off"))
        base = _timed(conn, queries[: max(20, args.queries // 10)])
    for label, times in (
        ("sectormap search (trigram GIN indexes)", ours),
        ("baseline, the same query without index scans", base),
    ):
        print(
            f"{label}: p50 {statistics.median(times):.1f} ms, "
            f"p95 {np.percentile(times, 95):.1f} ms over {len(times)} queries"
        )
    print(
        f"p50 is {statistics.median(base) / statistics.median(ours):.1f}x faster than the baseline"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
