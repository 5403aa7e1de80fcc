"""A pending inspection rating lapses after the reply window (``rating_reply_days``, 21 by
default): from then it stands, in the risk score and in the map's rating filter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, text

from layers.casework import visits
from layers.core.db import transaction
from layers.register import risk
from layers.register.businesses.filters import MapFilters, filtered_points
from tests.network.helpers import business

TODAY = dt.date.today()


def _rated(conn: Connection, days_ago: int) -> int:
    shop = business(conn, f"T reply window {days_ago}")
    with transaction(conn) as inner:
        inner.execute(
            text(
                "INSERT INTO visit (visit_date, visit_type, outcome, business_id, rating, "
                "rating_pending) VALUES (:d, 'joint_inspection', 'advice', :b, 1, true)"
            ),
            {"d": TODAY - dt.timedelta(days=days_ago), "b": shop},
        )
    return shop


@pytest.mark.parametrize(("days_ago", "pending"), [(0, True), (20, True), (21, False), (40, False)])
def test_a_pending_rating_lapses_after_21_days(
    conn: Connection, days_ago: int, pending: bool
) -> None:
    shop = _rated(conn, days_ago)
    latest = visits.latest_ratings(conn, shop).iloc[0]
    assert bool(latest["rating_pending"]) is pending
    assert bool(latest["awaiting_reply"]) is True
    assert latest["reply_by"] == TODAY - dt.timedelta(days=days_ago) + dt.timedelta(days=20)
    factors = risk.business_factors(conn, [shop])
    assert ("poor_rating" in set(factors["factor"])) is not pending
    shown = filtered_points(conn, MapFilters(ratings=("pending",)))
    assert (shop in set(shown["id"])) is pending
