"""Benchmark: the connections of one business at depth 2 with 1,000,000 businesses and
2,000,000 controls (generated: people controlling one to a few companies, registered addresses
shared by a few companies each), ``connections.connections`` in PostGIS against the baseline
of a networkx ego graph over the same data held in memory (businesses, people and addresses as
nodes, so depth 2 between businesses is radius 4).

    python -m bench.connections [--businesses 1000000] [--controls 2000000] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx
import numpy as np
from sqlalchemy import create_engine, text

from layers.core import migrate
from layers.core.db import read_frame
from layers.network import connections
from tests.support import IMPORTER, fresh_database

_BUSINESSES = """
INSERT INTO business (name, sector, company_number, address, postcode, geom)
SELECT 'Bench ' || i, '14', lpad(i::text, 8, '0'), (i / 3) || ' Bench Street', 'LE1 1AA',
    ST_SetSRID(ST_MakePoint(-1.13 + (i % 1000) * 1e-4, 52.63 + (i / 1000) * 1e-5), 4326)
FROM generate_series(1, :n) i
"""
# Controllers: person p controls business (p * 7919 + k * 104729) mod n for k < its count; the
# counts give 2 controls per business on average.
_PEOPLE = """
INSERT INTO person (kind, person_key, name)
SELECT 'individual', 'individual:bench ' || p, 'Bench Person ' || p
FROM generate_series(1, :people) p
"""
_CONTROLS = """
INSERT INTO psc_control (psc_id, business_id, person_id, notified_on)
SELECT 'c' || row_number() OVER (), b.id, p.id, DATE '2018-01-01'
FROM person p CROSS JOIN LATERAL generate_series(0, (p.id % 3)) k
JOIN business b ON b.id = 1 + ((p.id::bigint * 7919 + k * 104729) % :n)
LIMIT :controls
"""


def _load(url: str, businesses: int, controls: int) -> None:
    engine = create_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(_BUSINESSES), {"n": businesses})
        conn.execute(text(_PEOPLE), {"people": controls // 2})
        conn.execute(text(_CONTROLS), {"n": businesses, "controls": controls})
        conn.execute(text("DELETE FROM risk_pending"))
        conn.execute(text("ANALYZE business, person, psc_control"))
    engine.dispose()


def _graph(engine) -> nx.Graph:  # type: ignore[no-untyped-def]
    graph = nx.Graph()
    controls = read_frame(engine, "SELECT business_id, person_id FROM psc_control")
    graph.add_edges_from(
        zip(controls["business_id"], ("p" + controls["person_id"].astype(str)), strict=True)
    )
    places = read_frame(
        engine, "SELECT id, sectormap_address_key(address, postcode) AS place FROM business"
    )
    graph.add_edges_from(zip(places["id"], "a" + places["place"], strict=True))
    return graph


def main() -> None:
    """Load the data, time both ways for the same businesses, print p50 and p95."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--businesses", type=int, default=1_000_000)
    parser.add_argument("--controls", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    url = fresh_database("sectormap_bench_connections")
    started = time.perf_counter()
    _load(url, args.businesses, args.controls)
    engine = create_engine(url)
    total = read_frame(engine, "SELECT count(*) AS n FROM psc_control")["n"].iloc[0]
    print(
        f"loaded {args.businesses:,} businesses and {total:,} controls in "
        f"{time.perf_counter() - started:.0f} s"
    )
    chosen = np.random.default_rng(3).integers(1, args.businesses, args.runs)
    ours, found = [], []
    for business_id in chosen:
        begun = time.perf_counter()
        network = connections.connections(engine, IMPORTER, int(business_id), 2)
        ours.append((time.perf_counter() - begun) * 1000)
        found.append(len(network.businesses) - 1)
    started = time.perf_counter()
    graph = _graph(engine)
    print(
        f"networkx graph of {graph.number_of_nodes():,} nodes and "
        f"{graph.number_of_edges():,} edges built in {time.perf_counter() - started:.0f} s"
    )
    base = []
    for business_id in chosen:
        begun = time.perf_counter()
        ego = nx.ego_graph(graph, int(business_id), radius=4)
        base.append((time.perf_counter() - begun) * 1000)
        assert ego.number_of_nodes() > 0

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(
        f"connections at depth 2 (PostGIS): p50 {statistics.median(ours):.1f} ms, "
        f"p95 {p(ours, 95):.1f} ms; {statistics.median(found):.0f} businesses reached (median)"
    )
    print(
        f"baseline networkx ego_graph (radius 4, in memory): p50 {statistics.median(base):.1f} "
        f"ms, p95 {p(base, 95):.1f} ms"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
