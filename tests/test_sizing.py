"""Sizing by H3 hexagon: needs no boundary data."""

from __future__ import annotations

import h3
import pytest
from sqlalchemy import Connection, text

from layers import sizing
from layers.errors import ValidationError


@pytest.fixture
def three_businesses(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom, employees_estimate) VALUES "
            "('A', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.1000, 52.6360), 4326), 10), "
            "('B', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.1001, 52.6361), 4326), 5), "
            "('C', '13', 'knitting', ST_SetSRID(ST_MakePoint(-1.2000, 52.7000), 4326), NULL)"
        )
    )


def test_counts_match_an_independent_computation(conn: Connection, three_businesses: None) -> None:
    frame = sizing.count_by_h3(conn, 8)
    together = h3.latlng_to_cell(52.6360, -1.1000, 8)
    assert together == h3.latlng_to_cell(52.6361, -1.1001, 8)
    row = frame.set_index("cell").loc[together]
    assert (row["businesses"], row["employees"]) == (2, 15)
    assert frame["businesses"].sum() == 3 and len(frame) == 2
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].contains(frame.geometry.iloc[0].centroid)


def test_an_unsupported_resolution_is_refused(conn: Connection) -> None:
    with pytest.raises(ValidationError, match="resolution 12"):
        sizing.count_by_h3(conn, 12)
