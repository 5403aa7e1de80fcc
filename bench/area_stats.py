"""Benchmark: focus-area statistics at 1,000,000 businesses for a ward-sized area, PostGIS (the
GiST index on business.geom) against the baseline of a geopandas spatial join over the same
rows already held in memory.

Loads the demo at the given size, makes a focus area of the ward with the most businesses, then
times ``dashboard.summary`` (businesses, employees, low, high) and the same numbers from
``geopandas.sjoin``; prints p50 and p95 of each and the ratio. Then times the focus-area list
(``focus_areas.all_areas``, whose counts come from the same summaries) against counting each
area's businesses with ``ST_Intersects`` on the GiST index; and the whole dashboard
(``dashboard.stats``, its places ranked by stored risk in the database, its reads side by side
on the engine), against its reads in turn on one connection, against ranking every business
inside in pandas and against computing their risk on demand, as it did before.

    python -m bench.area_stats [--businesses 1000000] [--runs 25]
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from layers.areas import dashboard, focus_areas
from layers.core import migrate
from layers.core.db import read_frame
from layers.core.settings import get_settings
from layers.demo import generator, populate
from layers.register import risk
from tests.support import fresh_database, make_user


def _times(run, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    engine = create_engine(fresh_database(f"{get_settings().db_name}_bench_area"))
    migrate.upgrade(engine)
    started = time.perf_counter()
    populate.load(engine, seed=1, scale=args.businesses / generator.BASE_BUSINESSES)
    print(f"loaded {args.businesses:,} businesses in {time.perf_counter() - started:.1f} s")
    # What autovacuum does after a bulk load: statistics, and the visibility map that lets the
    # covering indexes answer without reading the table.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(
            text("VACUUM ANALYZE business, business_grid_summary, business_risk, visit, report")
        )
    with engine.begin() as conn:
        ward, name, inside = conn.execute(
            text(
                "SELECT w.code, w.name, count(*) FROM boundary w JOIN business b "
                "ON ST_Intersects(w.geom, b.geom) WHERE w.kind = 'ward' "
                "GROUP BY w.code, w.name ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        planner = make_user(conn, "bench_planner", "planner")
        area_id = focus_areas.create(
            conn,
            planner,
            focus_areas.AreaDetails(name=f"Bench ward {name}"),
            focus_areas.from_boundaries(conn, "ward", [ward]),
        ).id
    print(f"area: the ward {name} ({ward}), {inside:,} businesses inside")

    with engine.connect() as conn:
        businesses = gpd.read_postgis(
            "SELECT status, employees_estimate, employees_low, employees_high, geom FROM business",
            conn,
            geom_col="geom",
        )
        area = gpd.read_postgis(
            "SELECT id, geom FROM focus_area WHERE id = %(id)s",
            conn,
            geom_col="geom",
            params={"id": area_id},
        )

    def baseline() -> dict[str, int]:
        current = businesses[businesses["status"].isin(["active", "dormant"])]
        joined = gpd.sjoin(current, area, predicate="intersects")
        estimate = joined["employees_estimate"]
        return {
            "businesses": len(joined),
            "employees": int(estimate.fillna(0).sum()),
            "employees_low": int(joined["employees_low"].fillna(estimate).fillna(0).sum()),
            "employees_high": int(joined["employees_high"].fillna(estimate).fillna(0).sum()),
        }

    ours = dashboard.summary(engine, area_id)
    theirs = baseline()
    assert ours == theirs, (ours, theirs)
    print(f"both give {ours}")
    postgis = _times(lambda: dashboard.summary(engine, area_id), args.runs)
    joined = _times(baseline, max(5, args.runs // 5))
    for label, times in (
        ("sectormap dashboard.summary (PostGIS grid summaries)", postgis),
        ("baseline, geopandas sjoin in memory", joined),
    ):
        print(
            f"{label}: p50 {statistics.median(times):.1f} ms, "
            f"p95 {np.percentile(times, 95):.1f} ms over {len(times)} runs"
        )
    print(
        f"p50 is {statistics.median(joined) / statistics.median(postgis):.1f}x faster than the "
        "baseline (goal: at most 150 ms and at least 5x)"
    )
    _listing(engine, max(5, args.runs // 5))
    _dashboard(engine, area_id)
    engine.dispose()


#: The baseline's reading: every current business inside the area, with its stored risk.
_EVERY_BUSINESS = (
    "SELECT b.id, b.name, b.site_id, coalesce(k.score, 0) AS score FROM business b "
    "JOIN focus_area f ON f.id = :area AND ST_Intersects(f.geom, b.geom) "
    "LEFT JOIN business_risk k ON k.business_id = b.id WHERE b.status IN ('active', 'dormant')"
)


def _dashboard(engine, area_id: int) -> None:  # type: ignore[no-untyped-def]
    """The whole dashboard, ranking its places in the database, against the two ways it
    worked before: every business inside brought to pandas with its stored score and ranked
    there, and (before the risk was stored) the risk computed on demand for every business."""
    with engine.connect() as conn:
        officer = make_user(conn, "bench_officer", "officer")
        conn.commit()
        found = dashboard.stats(engine, officer, area_id)
        # As the app and the command line call it (its reads side by side on the engine's
        # connections), and its reads in turn on one connection (as inside a transaction).
        whole = _times(lambda: dashboard.stats(engine, officer, area_id), 9)
        in_turn = _times(lambda: dashboard.stats(conn, officer, area_id), 9)

        def in_pandas() -> pd.Series:
            """Rank every place in memory: a site by its highest tenant."""
            every = read_frame(conn, _EVERY_BUSINESS, {"area": area_id})
            place = np.where(every["site_id"].isna(), -every["id"], every["site_id"])
            return every.groupby(place)["score"].max().sort_values(ascending=False)

        ranked = in_pandas()
        assert len(ranked) == found.places.total, (len(ranked), found.places.total)
        shown = len(found.places.top)
        assert list(found.places.top["score"]) == list(ranked.iloc[:shown]), "rankings differ"
        ids = read_frame(conn, _EVERY_BUSINESS, {"area": area_id})["id"].astype(int).tolist()
        pandas_ms = statistics.median(_times(in_pandas, 5))
        demand_ms = statistics.median(_times(lambda: risk.compute_factors(conn, ids), 3))
    view = statistics.median(whole)
    print(
        f"area dashboard ({found.places.total:,} places ranked in the database, the first "
        f"{shown:,} shown), risk stored, its reads side by side: p50 {view / 1000:.2f} s over "
        f"{len(whole)} runs (goal: at most 1 s); its reads in turn on one connection: p50 "
        f"{statistics.median(in_turn) / 1000:.2f} s"
    )
    print(
        f"baseline, every one of its {len(ids):,} businesses ranked in pandas: the ranking alone "
        f"p50 {pandas_ms / 1000:.2f} s; their risk computed on demand (before it was stored): "
        f"{demand_ms / 1000:.2f} s"
    )


_DIRECT_COUNTS = (
    "SELECT f.id, (SELECT count(*) FROM business b WHERE ST_Intersects(f.geom, b.geom) "
    "AND b.status IN ('active', 'dormant')) AS businesses FROM focus_area f"
)


def _listing(engine, runs: int) -> None:  # type: ignore[no-untyped-def]
    """The focus-area list with its business counts, against direct ST_Intersects counts."""
    listed = focus_areas.all_areas(engine).set_index("id")["businesses"].to_dict()
    with engine.connect() as conn:
        direct = {area: count for area, count in conn.execute(text(_DIRECT_COUNTS))}
    assert listed == direct, (listed, direct)

    def baseline() -> None:
        with engine.connect() as conn:
            conn.execute(text(_DIRECT_COUNTS)).all()

    ours = _times(lambda: focus_areas.all_areas(engine), runs)
    theirs = _times(baseline, runs)
    print(
        f"focus-area list ({len(listed)} areas, {sum(listed.values()):,} businesses inside): "
        f"p50 {statistics.median(ours):.1f} ms; baseline, ST_Intersects counts: "
        f"p50 {statistics.median(theirs):.1f} ms"
    )


if __name__ == "__main__":
    main()
