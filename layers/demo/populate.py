"""Load the fictional demo data set (and the reference data it stands on) into the database."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from layers.core.bulk import analyze, copy_frame, pg_array
from layers.core.db import Bind, read_frame, reading, transaction
from layers.core.errors import ValidationError
from layers.core.progress import Progress, no_progress
from layers.core.settings import get_settings
from layers.demo import generator, networks
from layers.people import audit, identity, users
from layers.reference import pack

log = logging.getLogger(__name__)

#: Tables the demo fills, children first (the order a reset empties them in).
DEMO_TABLES = (
    "phoenix_pair",
    "facility_brand",
    "osh_decision",
    "osh_facility",
    "brand",
    "psc_statement",
    "psc_control",
    "person",
    "report_visit",
    "report_review",
    "clearance",
    "referral",
    "visit",
    "report",
    "tenancy",
    "business_source",
    "site_proposal",
    "business_risk",
    "risk_pending",
    "business",
    "unit",
    "site",
    "focus_area_run",
    "focus_area",
    "demo_run",
)


def has_data(bind: Bind) -> bool:
    """True when the database already has a demo data set or any business (real or not)."""
    with reading(bind) as conn:
        return bool(
            conn.execute(
                text("SELECT EXISTS (SELECT 1 FROM demo_run) OR EXISTS (SELECT 1 FROM business)")
            ).scalar_one()
        )


def _ewkb(geometries: Any) -> np.ndarray:
    return shapely.to_wkb(
        shapely.set_srid(np.asarray(geometries, dtype=object), 4326), hex=True, include_srid=True
    )


def _points(frame: pd.DataFrame) -> np.ndarray:
    return _ewkb(shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)))


def _arrays(values: pd.Series) -> list[str]:
    return [pg_array(v) for v in values]


def cluster_postcodes(bind: Bind) -> dict[str, pd.DataFrame]:
    """For each demo cluster, the loaded live postcodes within its radius (postcode, lon, lat),
    sorted; empty frames when no postcodes are loaded."""
    return {
        cluster.key: read_frame(
            bind,
            "SELECT postcode, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM postcode "
            "WHERE NOT terminated "
            "AND ST_DWithin(geom::geography, ST_MakePoint(:lon, :lat)::geography, :r) "
            "ORDER BY postcode",
            {"lon": cluster.lon, "lat": cluster.lat, "r": cluster.radius_m},
        )
        for cluster in generator.CLUSTERS
    }


def _create_users(conn: Connection) -> dict[str, int]:
    password = get_settings().demo_password
    return {
        username: users.upsert_user(
            conn,
            username=username,
            full_name=full_name,
            role=role,
            agency_code=agency,
            password=password,
        )
        for username, full_name, role, agency in generator.DEMO_USERS
    }


def _copy_all(
    conn: Connection, data: generator.DemoData, progress: Progress, step: int, total: int
) -> None:
    sites = data.sites.assign(geom=_ewkb(data.sites["geom"]), is_demo=True)
    businesses = data.businesses.assign(
        geom=_points(data.businesses),
        is_demo=True,
        sic_codes=_arrays(data.businesses["sic_codes"]),
        accreditations=_arrays(data.businesses["accreditations"]),
    ).drop(columns=["lon", "lat", "cluster"])
    visits = data.visits.assign(agencies=_arrays(data.visits["agencies"]), is_demo=True)
    reports = data.reports.assign(geom=_points(data.reports), is_demo=True).drop(
        columns=["lon", "lat"]
    )
    focus = data.focus_areas.assign(geom=_ewkb(data.focus_areas["geom"]), is_demo=True)
    for table, frame in (
        ("site", sites),
        ("unit", data.units),
        ("business", businesses),
        ("business_source", data.business_sources),
        ("tenancy", data.tenancies),
        ("visit", visits),
        ("report", reports),
        ("report_visit", data.report_visits),
        ("focus_area", focus),
    ):
        progress(step, total, f"{len(frame):,} {table} rows")
        copy_frame(conn, table, frame)
        step += 1
    for table in ("site", "unit", "business", "tenancy", "visit", "report", "focus_area"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )


def load(
    bind: Bind,
    *,
    seed: int,
    scale: float = 1.0,
    reset: bool = False,
    progress: Progress = no_progress,
) -> dict[str, int]:
    """Load reference data (when the directory exists) and the fictional demo data.

    With ``reset`` the demo's tables are emptied first; without it, loading into a database that
    already has businesses is refused. All or nothing: the demo is one transaction.
    Returns the row counts.
    """
    total = 14
    progress(0, total, "reference data")
    pack.load_reference_data(bind, identity.command_line("admin"))
    with transaction(bind) as conn:
        if reset:
            conn.execute(text(f"TRUNCATE {', '.join(DEMO_TABLES)} RESTART IDENTITY"))
        elif conn.execute(text("SELECT EXISTS (SELECT 1 FROM business)")).scalar_one():
            raise ValidationError(
                "the database already has businesses; load the demo with --reset to replace them"
            )
        progress(1, total, "demo users")
        ids = _create_users(conn)
        progress(2, total, "generating")
        data = generator.generate(
            seed,
            scale,
            cluster_postcodes(conn),
            officer_ids={
                "COUNCIL": ids["officer"],
                "GLAA": ids["glaa_officer"],
                "HMRC": ids["hmrc_officer"],
            },
            planner_id=ids["planner"],
        )
        _copy_all(conn, data, progress, 3, total)
        linked = networks.populate(conn, np.random.default_rng(seed + 1))
        counts = {
            # The networks add one dissolved predecessor (and its tenancy) to the register.
            "businesses": len(data.businesses) + linked["predecessors"],
            "sites": len(data.sites),
            "units": len(data.units),
            "tenancies": len(data.tenancies) + linked["predecessors"],
            "visits": len(data.visits),
            "reports": len(data.reports),
            "focus_areas": len(data.focus_areas),
            "users": len(ids),
        }
        conn.execute(
            text(
                "INSERT INTO demo_run (seed, scale, population_size, hidden_share, counts) "
                "VALUES (:seed, :scale, :population, :hidden, CAST(:counts AS jsonb))"
            ),
            {
                "seed": seed,
                "scale": scale,
                "population": data.population_size,
                "hidden": round(data.hidden_share, 4),
                "counts": pd.Series(counts).to_json(),
            },
        )
        audit.record(
            conn,
            user_id=None,
            username="sectormap demo",
            action="import",
            object_type="demo",
            detail={"seed": seed, "scale": scale, **counts},
        )
        # In the transaction that commits the rows: statistics gathered in one that is rolled
        # back (a plain connection's implicit transaction) are thrown away with it.
        analyze(conn, *DEMO_TABLES, "business_grid_summary", "app_user", "audit_log")
    progress(total, total, "demo loaded")
    log.info("demo data loaded: %s", ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return counts
