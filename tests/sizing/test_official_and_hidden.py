"""Emerging threats, official figures and the hidden-sector estimate against PostGIS."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.areas import emerging
from layers.core.errors import AccessDeniedError, ValidationError
from layers.sizing import hidden_sector, official_figures
from tests.support import make_user

UNTIL = dt.date(2025, 6, 30)


def _business(
    conn: Connection, first_seen: dt.date, lon: float = -1.13, lat: float = 52.634
) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, geom, first_seen) VALUES ('T new', "
                "'14', 'cmt', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :d) RETURNING id"
            ),
            {"lon": lon, "lat": lat, "d": first_seen},
        ).scalar_one()
    )


def test_a_sharp_rise_in_one_district_is_flagged_and_a_steady_one_is_not(conn: Connection) -> None:
    # Leicester (the city): 2 new businesses the year before, 30 in the last year.
    for i in range(2):
        _business(conn, UNTIL - dt.timedelta(days=400 + i))
    for i in range(30):
        _business(conn, UNTIL - dt.timedelta(days=10 + i))
    # Somewhere in the county: 10 and 11, no real change.
    for i in range(10):
        _business(conn, UNTIL - dt.timedelta(days=400 + i), lon=-1.40, lat=52.75)
    for i in range(11):
        _business(conn, UNTIL - dt.timedelta(days=20 + i), lon=-1.40, lat=52.75)
    table = emerging.rises(conn, "district", until=UNTIL)
    new = table[table["measure"] == "new businesses"].set_index("name")
    city = new.loc["Leicester"]
    assert (city["recent"], city["previous"], city["change"]) == (30, 2, 28)
    assert city["flagged"] and city["q_value"] < 0.05
    county = new.drop(index="Leicester").iloc[0]
    assert (county["recent"], county["previous"]) == (11, 10) and not county["flagged"]
    with pytest.raises(ValidationError, match="not 'h3'"):
        emerging.rises(conn, "h3", until=UNTIL)


def test_official_figures_are_seeded_editable_and_checked(conn: Connection) -> None:
    seeded = official_figures.listing(conn)
    assert {1480.0, 9480.0} <= set(seeded["value"])
    beside = official_figures.beside_register(conn, {"businesses": 1000, "employees": 9000})
    row = beside[beside["measure"] == "Businesses"].iloc[0]
    assert (row["published"], row["register"], row["difference"]) == (1480.0, 1000.0, -480.0)
    analyst = make_user(conn, "t_figures_analyst", "analyst")
    edited = pd.concat(
        [
            seeded.drop(columns="id"),
            pd.DataFrame(
                [{"source": "ONS test", "year": 2023, "geography": "Leicester",
                  "measure": "employees", "value": 5000, "notes": ""}]
            ),
        ]
    )  # fmt: skip
    assert official_figures.replace(conn, analyst, edited) == len(seeded) + 1
    bad = edited.assign(measure="turnover")
    with pytest.raises(ValidationError, match=r"row 1.*measure"):
        official_figures.replace(conn, analyst, bad)
    assert len(official_figures.listing(conn)) == len(seeded) + 1  # nothing half-written
    with pytest.raises(AccessDeniedError):
        official_figures.replace(conn, make_user(conn, "t_figures_viewer", "viewer"), edited)


def test_the_hidden_sector_estimate_reads_the_lists_and_brackets_a_simulated_truth(
    conn: Connection,
) -> None:
    rng = np.random.default_rng(4)
    truth = 600
    lists = {"companies_register": 0.5, "visits": 0.3, "business_support": 0.35}
    seen = 0
    for _ in range(truth):
        on = [name for name, p in lists.items() if rng.random() < p]
        if not on:
            continue
        seen += 1
        business = _business(conn, dt.date(2024, 1, 1))
        for name in on:
            conn.execute(
                text("INSERT INTO business_source (business_id, source) VALUES (:b, :s)"),
                {"b": business, "s": name},
            )
    found = hidden_sector.estimate(conn, replicates=100)
    assert found.estimate.observed == seen
    assert found.estimate.low <= truth <= found.estimate.high
    assert set(found.lists) == {"Companies register", "Visits", "Business support programme"}
    assert found.overlaps["businesses"].sum() == seen
