"""Businesses: the register's queries."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from layers.core import vocab
from layers.core.db import Bind, read_frame, reading
from layers.core.fragments import BUSINESS_SITE


def map_points(bind: Bind) -> pd.DataFrame:
    """Every business that is not archived, for maps: id, name, sector, employees (estimate),
    lat, lon."""
    return read_frame(
        bind,
        "SELECT id, name, sector, coalesce(employees_estimate, 0) AS employees, "
        "ST_Y(geom) AS lat, ST_X(geom) AS lon FROM business "
        "WHERE status <> 'archived' ORDER BY id",
    )


def register(bind: Bind) -> pd.DataFrame:
    """The business register as a table people read (labels, not codes)."""
    frame = read_frame(
        bind,
        "SELECT b.id, b.name, b.trading_name, b.company_number, b.sector, b.activity, "  # noqa: S608 - constant fragments, values bound
        "b.address, b.postcode, s.name AS site, u.label AS unit, "
        "b.employees_estimate AS employees, b.status, b.is_demo "
        f"FROM business b {BUSINESS_SITE} "
        "LEFT JOIN unit u ON u.id = b.unit_id ORDER BY b.name, b.id",
    )
    return vocab.labelled(
        frame, sector=vocab.SECTORS, activity=vocab.ACTIVITIES, status=vocab.BUSINESS_STATUSES
    )


def has_demo_data(bind: Bind) -> bool:
    """True when any business shown is fictional demo data."""
    with reading(bind) as conn:
        return bool(
            conn.execute(text("SELECT EXISTS (SELECT 1 FROM business WHERE is_demo)")).scalar_one()
        )
