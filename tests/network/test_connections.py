"""Connections at depth 1 and 2, each reason once, former links as former; the phoenix list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from layers.core.db import transaction
from layers.core.errors import AccessDeniedError
from layers.network import connections, phoenix, psc
from layers.register import risk
from tests import network_files as nf
from tests.network.helpers import business
from tests.support import IMPORTER, make_user


def _unit(conn: Connection, site: int, label: str, floor: int) -> int:
    return int(
        conn.execute(
            text("INSERT INTO unit (site_id, label, floor) VALUES (:s, :l, :f) RETURNING id"),
            {"s": site, "l": label, "f": floor},
        ).scalar_one()
    )


@pytest.fixture
def world(conn: Connection, tmp_path: Path) -> dict[str, int]:
    """Businesses linked in each way, and one pair that is not."""
    site = int(
        conn.execute(
            text(
                "INSERT INTO site (name, address, postcode, geom) VALUES ('T Typewriter Works', "
                "'East Park Road', 'LE5 4QD', ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-1.101, "
                "52.6395), 4326), 0.0004))) RETURNING id"
            )
        ).scalar_one()
    )
    ground, first = _unit(conn, site, "G1", 0), _unit(conn, site, "F1", 1)
    at_site = {"site_id": site, "address": "Typewriter Works, East Park Road"}
    ids = {
        "a": business(conn, "Alder Stitch Ltd", "91200001"),
        "b": business(
            conn, "Birch Seams Ltd", "91200002", address="2 Other Road", postcode="LE2 1AA"
        ),
        "c": business(conn, "Cedar Hems Ltd", "91200003", address="3 Far Lane", postcode="LE3 1AA"),
        "d": business(
            conn, "Dogwood Holdings Ltd", "91200004", address="4 Hill St", postcode="LE4 1AA"
        ),
        "e": business(conn, "Elm Cutting Ltd", "91200005"),  # same address as a
        "old": business(
            conn,
            "Fernleaf Fashions Ltd",
            "91200006",
            unit_id=ground,
            status="dissolved",
            first_seen=dt.date(2015, 1, 5),
            last_seen=dt.date(2024, 3, 31),
            **at_site,
        ),
        "new": business(
            conn,
            "Fernleaf Fashion Limited",
            "91200007",
            unit_id=ground,
            first_seen=dt.date(2024, 6, 20),
            **at_site,
        ),
        "upstairs": business(
            conn,
            "Fernleaf Fashion (Leicester) Ltd",
            "91200008",
            unit_id=first,
            first_seen=dt.date(2024, 5, 1),
            **at_site,
        ),
    }
    path = nf.write_snapshot(
        tmp_path / "psc.txt",
        [
            nf.individual("91200001", "a1", "John Okafor", 3, 1970),
            nf.individual("91200002", "b1", "Mr JOHN OKAFOR", 3, 1970),
            nf.individual("91200002", "b2", "Ada Lin", 7, 1985, ceased_on="2022-01-01"),
            nf.individual("91200003", "c1", "Ada Lin", 7, 1985),
            nf.corporate("91200001", "a2", "Dogwood Holdings Limited", "91200004"),
            nf.totals(5, 0),
        ],
    )
    psc.import_psc(conn, IMPORTER, path)
    return ids


def _summary(conn: Connection, business_id: int, depth: int) -> dict[int, dict[str, object]]:
    network = connections.connections(conn, IMPORTER, business_id, depth)
    return {link["business_id"]: link for link in network.summary()}


def test_depth_one_has_every_reason_of_the_business(
    conn: Connection, world: dict[str, int]
) -> None:
    links = _summary(conn, world["a"], 1)
    assert set(links) == {world["b"], world["d"], world["e"]}
    assert links[world["b"]]["reasons"] == ["shared_psc"]
    assert links[world["d"]]["reasons"] == ["corporate_psc"]
    assert links[world["e"]]["reasons"] == ["same_address"]
    assert all(link["current"] and link["depth"] == 1 for link in links.values())
    assert links[world["b"]]["via"] == "91200001"


def test_depth_two_reaches_through_a_former_control(
    conn: Connection, world: dict[str, int]
) -> None:
    links = _summary(conn, world["a"], 2)
    cedar = links[world["c"]]
    assert (cedar["depth"], cedar["via"], cedar["reasons"]) == (2, "91200002", ["shared_psc"])
    assert cedar["current"] is False
    assert cedar["details"][0]["until"] == "2022-01-01"


def test_same_unit_and_phoenix_but_not_another_floor(
    conn: Connection, world: dict[str, int]
) -> None:
    links = _summary(conn, world["new"], 1)
    assert set(links) == {world["old"]}
    assert set(links[world["old"]]["reasons"]) == {"same_unit", "phoenix"}
    pairs = phoenix.pairs(conn, IMPORTER)
    assert pairs[["predecessor_id", "successor_id"]].values.tolist() == [
        [world["old"], world["new"]]
    ]
    assert (pairs["gap_days"].iloc[0], pairs["place"].iloc[0]) == (81, "same_unit")
    assert pairs["shares"].iloc[0] == ["near-identical name"]


def test_the_successor_carries_the_phoenix_risk_factor(
    conn: Connection, world: dict[str, int]
) -> None:
    with transaction(conn):
        pass  # the before-commit work: pairs detected, risk refreshed
    factors = risk.business_factors(conn, [world["new"]])
    phoenix_factor = factors[factors["factor"] == "phoenix"]
    assert phoenix_factor["points"].tolist() == [risk.WEIGHTS.phoenix]
    assert "Fernleaf Fashions Ltd" in phoenix_factor["detail"].iloc[0]
    assert risk.business_factors(conn, [world["upstairs"]]).query("factor == 'phoenix'").empty


def test_a_phoenix_pair_goes_when_the_register_changes(
    conn: Connection, world: dict[str, int]
) -> None:
    with transaction(conn) as inner:
        inner.execute(
            text("UPDATE business SET first_seen = '2025-04-01' WHERE id = :b"),
            {"b": world["new"]},
        )  # now 12 months and a day after the old one ceased
    assert phoenix.pairs(conn, IMPORTER).empty
    assert risk.business_factors(conn, [world["new"]]).query("factor == 'phoenix'").empty


def test_connections_are_refused_to_a_partner(conn: Connection, world: dict[str, int]) -> None:
    partner = make_user(conn, "t_conn_partner", "partner", "VCS")
    with pytest.raises(AccessDeniedError):
        connections.connections(conn, partner, world["a"])


def test_a_buildings_tenants_connections_outside_it(
    conn: Connection, world: dict[str, int]
) -> None:
    site = conn.execute(
        text("SELECT site_id FROM business WHERE id = :b"), {"b": world["new"]}
    ).scalar_one()
    unit = conn.execute(text("SELECT unit_id FROM business WHERE id = :b"), {"b": world["new"]})
    conn.execute(
        text("INSERT INTO tenancy (unit_id, business_id, start_date) VALUES (:u, :b, :d)"),
        {"u": unit.scalar_one(), "b": world["new"], "d": dt.date(2024, 7, 1)},
    )
    conn.execute(
        text(
            "UPDATE business SET address = '1 East Park Road', postcode = 'LE5 4QD' WHERE id = :b"
        ),
        {"b": world["old"]},
    )
    outside = connections.of_site(conn, IMPORTER, site)
    assert outside.empty  # the old tenant is still of the building
    conn.execute(
        text("UPDATE business SET site_id = NULL, unit_id = NULL WHERE id = :b"),
        {"b": world["old"]},
    )
    outside = connections.of_site(conn, IMPORTER, site)
    assert set(outside["business_id"]) == {world["old"]}
    assert "Phoenix pattern" in set(outside["reason"])


def test_a_viewer_sees_connections_with_intelligence_counted_not_shown(
    conn: Connection, world: dict[str, int]
) -> None:
    conn.execute(
        text(
            "INSERT INTO report (received_date, source_type, category, narrative, business_id, "
            "handling_code, handling_conditions, owning_agency) VALUES (current_date, "
            "'public', 'minimum_wage', 'Restricted detail about Birch', :b, 'C', 'GLAA only', "
            "'GLAA')"
        ),
        {"b": world["b"]},
    )
    viewer = make_user(conn, "t_conn_viewer", "viewer")
    network = connections.connections(conn, viewer, world["a"])
    [birch] = [link for link in network.summary() if link["business_id"] == world["b"]]
    assert birch["open_reports"] == 1
    shown = repr(network.summary()) + network.businesses.to_csv() + network.links.to_csv()
    assert "Restricted detail" not in shown and "minimum_wage" not in shown
