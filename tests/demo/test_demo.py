"""The fictional demo data: deterministic, big enough, placed in the real clusters."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.casework import rating
from layers.core.errors import ValidationError
from layers.demo import generator, populate

OFFICERS = {"COUNCIL": 1, "GLAA": 2, "HMRC": 3}


def _scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar_one()


@pytest.fixture(scope="module")
def cluster_postcodes(engine) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return populate.cluster_postcodes(conn)


def test_same_seed_same_rows(cluster_postcodes: dict[str, pd.DataFrame]) -> None:
    first = generator.generate(7, 1.0, cluster_postcodes, OFFICERS, 4)
    second = generator.generate(7, 1.0, cluster_postcodes, OFFICERS, 4)
    for name in ("businesses", "sites", "units", "tenancies", "visits", "reports"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    assert first.population_size == second.population_size


def test_another_seed_other_rows(cluster_postcodes: dict[str, pd.DataFrame]) -> None:
    first = generator.generate(7, 1.0, cluster_postcodes, OFFICERS, 4)
    other = generator.generate(8, 1.0, cluster_postcodes, OFFICERS, 4)
    assert not first.businesses["name"].equals(other.businesses["name"])


def test_scale_multiplies_businesses(cluster_postcodes: dict[str, pd.DataFrame]) -> None:
    assert len(generator.generate(1, 2.5, cluster_postcodes, OFFICERS, 4).businesses) == 3_000


def test_joint_inspections_that_got_in_are_scored_and_rated(
    cluster_postcodes: dict[str, pd.DataFrame],
) -> None:
    visits = generator.generate(3, 1.0, cluster_postcodes, OFFICERS, 4).visits
    scored = (visits["visit_type"] == "joint_inspection") & (visits["outcome"] != "no_access")
    assert scored.sum() >= 100
    assert visits.loc[~scored, "rating"].isna().all()
    for _, visit in visits[scored].iterrows():
        scores = {name: int(visit[name]) for name in rating.COMPONENTS}
        assert rating.check_scores(scores) == scores
        assert visit["rating"] == rating.combine(scores).rating
    # Worse outcomes come with worse ratings.
    mean = visits[scored].groupby("outcome")["rating"].mean()
    assert mean["no_issues"] > mean["exploitation_indicators"]


def test_businesses_are_seen_by_some_list_and_some_are_hidden(
    cluster_postcodes: dict[str, pd.DataFrame],
) -> None:
    data = generator.generate(3, 1.0, cluster_postcodes, OFFICERS, 4)
    assert set(data.business_sources["business_id"]) == set(data.businesses["id"])
    assert 0.05 < data.hidden_share < 0.5
    registered = set(data.business_sources.query("source == 'companies_register'")["business_id"])
    assert registered == set(data.businesses.dropna(subset=["company_number"])["id"])


@pytest.fixture(scope="module")
def demo_conn(engine):  # type: ignore[no-untyped-def]
    """One demo load for the module, in a transaction rolled back at its end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        counts = populate.load(connection, seed=2020, reset=True)
        yield connection, counts
        transaction.rollback()


@pytest.fixture
def conn(demo_conn):  # type: ignore[no-untyped-def]
    """The demo's connection, each test inside a savepoint rolled back after it."""
    connection, _ = demo_conn
    savepoint = connection.begin_nested()
    yield connection
    savepoint.rollback()


@pytest.fixture
def loaded(demo_conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return demo_conn[1]


def test_minimum_counts(conn: Connection, loaded: dict[str, int]) -> None:
    assert loaded["businesses"] >= 1_200
    assert _scalar(conn, "SELECT count(*) FROM business") == loaded["businesses"]
    assert _scalar(conn, "SELECT count(*) FROM site") >= 25
    assert (
        _scalar(
            conn,
            "SELECT count(*) FROM visit WHERE visit_date BETWEEN '2019-01-01' AND '2021-12-31'",
        )
        >= 400
    )
    assert (
        _scalar(
            conn,
            "SELECT count(*) FROM report WHERE status = 'new' OR source_evaluation IS NOT NULL",
        )
        >= 250
    )
    assert _scalar(conn, "SELECT count(*) FROM focus_area") == 3
    assert set(conn.execute(text("SELECT username FROM app_user")).scalars()) >= {
        "admin",
        "viewer",
        "analyst",
        "planner",
        "officer",
        "glaa_officer",
        "hmrc_officer",
    }


def test_businesses_sit_in_at_least_six_real_clusters(
    conn: Connection, loaded: dict[str, int]
) -> None:
    clusters = 0
    for cluster in generator.CLUSTERS:
        near = conn.execute(
            text(
                "SELECT count(*) FROM business WHERE ST_DWithin(geom::geography, "
                "ST_MakePoint(:lon, :lat)::geography, :r * 1.5)"
            ),
            {"lon": cluster.lon, "lat": cluster.lat, "r": cluster.radius_m},
        ).scalar_one()
        clusters += near >= 20
    assert clusters >= 6


def test_every_business_postcode_is_a_real_le_postcode(
    conn: Connection, loaded: dict[str, int]
) -> None:
    assert _scalar(conn, "SELECT count(*) FROM business WHERE postcode IS NULL") == 0
    assert (
        _scalar(
            conn,
            "SELECT count(*) FROM business b WHERE NOT EXISTS "
            "(SELECT 1 FROM postcode p WHERE p.postcode = b.postcode)",
        )
        == 0
    )
    assert _scalar(conn, "SELECT count(*) FROM business WHERE postcode NOT LIKE 'LE%'") == 0


def test_the_imperial_typewriter_building(conn: Connection, loaded: dict[str, int]) -> None:
    site = (
        conn.execute(
            text(
                "SELECT id, address, postcode, floors, ST_Area(ST_Transform(geom, 27700)) AS area "
                "FROM site WHERE name = 'Imperial Typewriter Building'"
            )
        )
        .mappings()
        .one()
    )
    assert "East Park Road" in site["address"] and site["postcode"].startswith("LE5 ")
    assert site["floors"] >= 4 and site["area"] > 2_000
    units = (
        "SELECT count(DISTINCT t.unit_id) FROM tenancy t JOIN unit u ON u.id = t.unit_id "
        "WHERE u.site_id = :s AND (t.end_date IS NULL) = :current"
    )
    occupied = _scalar(conn, units, s=site["id"], current=True)
    with_history = _scalar(conn, units, s=site["id"], current=False)
    floors = _scalar(
        conn, "SELECT count(DISTINCT floor) FROM unit WHERE site_id = :s", s=site["id"]
    )
    assert occupied >= 40 and with_history >= 40 and floors >= 4
    inside = _scalar(
        conn,
        "SELECT bool_and(ST_Contains(s.geom, b.geom)) FROM business b "
        "JOIN site s ON s.id = b.site_id WHERE s.id = :s",
        s=site["id"],
    )
    assert inside is True


def test_the_joint_operation(conn: Connection, loaded: dict[str, int]) -> None:
    count, first, last, joint = conn.execute(
        text(
            "SELECT count(*), min(visit_date), max(visit_date), "
            "bool_and(cardinality(agencies) >= 2) FROM visit WHERE operation_name = :op"
        ),
        {"op": generator.OPERATION_NAME},
    ).one()
    assert 150 <= count <= 190
    assert (first.year, first.month) >= (2020, 7) and (last.year, last.month) <= (2020, 11)
    assert joint is True


def test_restricted_reports_are_owned_by_several_agencies(
    conn: Connection, loaded: dict[str, int]
) -> None:
    owners = _scalar(
        conn, "SELECT count(DISTINCT owning_agency) FROM report WHERE handling_code = 'C'"
    )
    assert owners >= 3
    assert (
        _scalar(
            conn, "SELECT count(*) FROM report WHERE narrative NOT LIKE '%(fictional demo report)'"
        )
        == 0
    )


def test_loaded_rows_are_the_same_every_time(conn: Connection, loaded: dict[str, int]) -> None:
    checksum = (
        "SELECT md5(string_agg(concat_ws('|', id, name, company_number, postcode, "
        "ST_AsText(geom), site_id, unit_id, employees_estimate), ',' ORDER BY id)) "
        "FROM business"
    )
    first = _scalar(conn, checksum)
    populate.load(conn, seed=2020, reset=True)
    assert _scalar(conn, checksum) == first


def test_loading_over_existing_data_needs_reset(conn: Connection, loaded: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="--reset"):
        populate.load(conn, seed=2020)
    assert populate.has_data(conn)


def test_without_postcodes_businesses_are_placed_near_the_clusters() -> None:
    empty = {
        c.key: pd.DataFrame({"postcode": [], "lon": [], "lat": []}) for c in generator.CLUSTERS
    }
    data = generator.generate(5, 0.5, empty, OFFICERS, 4)
    outside_sites = data.businesses[data.businesses["site_id"].isna()]
    assert set(outside_sites["location_precision"]) == {"approximate"}
    assert outside_sites["postcode"].isna().all()
    assert data.sites["postcode"].isna().all()
    west, south, east, north = -1.62, 52.38, -0.65, 52.99
    assert data.businesses["lon"].between(west, east).all()
    assert data.businesses["lat"].between(south, north).all()


def test_the_demo_has_fictional_networks_and_one_phoenix_pair(conn) -> None:  # type: ignore[no-untyped-def]
    shared = _scalar(
        conn,
        "SELECT count(*) FROM (SELECT person_id FROM psc_control GROUP BY person_id "
        "HAVING count(*) > 1) s",
    )
    assert shared >= 5
    assert _scalar(conn, "SELECT bool_and(is_demo) FROM person") is True
    assert _scalar(conn, "SELECT bool_and(is_demo) FROM brand") is True
    pair = conn.execute(
        text(
            "SELECT s.name, p.place, p.shares FROM phoenix_pair p JOIN business b "
            "ON b.id = p.successor_id JOIN site s ON s.id = b.site_id"
        )
    ).all()
    assert len(pair) == 1
    assert pair[0].name == "Imperial Typewriter Building" and pair[0].place == "same_unit"
    assert any(share.startswith("controller ") for share in pair[0].shares)
    assert _scalar(conn, "SELECT count(*) FROM osh_facility WHERE match = 'proposed'") == 1
