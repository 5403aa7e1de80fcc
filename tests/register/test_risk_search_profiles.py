"""Risk factors, search, map filters and profiles against PostGIS."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from layers.register import profiles, risk
from layers.register.businesses.filters import MapFilters, filtered_points
from layers.register.search import search

W = risk.WEIGHTS
SQUARE = "SRID=4326;MULTIPOLYGON(((-1.1 52.63,-1.099 52.63,-1.099 52.631,-1.1 52.631,-1.1 52.63)))"


@pytest.fixture
def mill(conn: Connection) -> dict[str, int]:
    """A six-unit mill with one tenant who has two open reports and one closed."""
    site = conn.execute(
        text(
            "INSERT INTO site (name, geom, postcode, floors) VALUES "
            "('Quarrington Mill', ST_GeomFromEWKT(:g), 'LE5 4GD', 2) "
            "RETURNING id"
        ),
        {"g": SQUARE},
    ).scalar_one()
    units = [
        conn.execute(
            text(
                "INSERT INTO unit (site_id, label, floor, floor_area_m2) "
                "VALUES (:s, :l, :f, 40) RETURNING id"
            ),
            {"s": site, "l": f"{f}.{k}", "f": f},
        ).scalar_one()
        for f in (0, 1)
        for k in (1, 2, 3)
    ]
    tenant = conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom, site_id, unit_id, postcode, "
            "employees_estimate) VALUES ('Quarvel Garments', '14', 'cmt', "
            "ST_SetSRID(ST_MakePoint(-1.0995, 52.6305), 4326), :s, :u, 'LE5 4GD', 12) RETURNING id"
        ),
        {"s": site, "u": units[0]},
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO tenancy (unit_id, business_id, start_date) VALUES (:u, :b, '2024-01-01')"
        ),
        {"u": units[0], "b": tenant},
    )
    for status, category in (
        ("new", "modern_slavery"),
        ("triaged", "minimum_wage"),
        ("closed", "minimum_wage"),
    ):
        conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, business_id, "
                "owning_agency, handling_code, handling_conditions, status, source_evaluation, "
                "intelligence_assessment) VALUES ('2026-01-01', 'public', :c, 'x', :b, 'GLAA', "
                "'C', 'GLAA only', :s, :e, :a)"
            ),
            {
                "c": category,
                "b": tenant,
                "s": status,
                "e": None if status == "new" else "1",
                "a": None if status == "new" else "B",
            },
        )
    return {"site": site, "tenant": tenant}


def test_the_factors_and_their_points(conn: Connection, mill: dict[str, int]) -> None:
    factors = risk.business_factors(conn, [mill["tenant"]]).set_index("factor")
    expected_reports = (
        W.report_base * 0.5 * 0.5 * W.category["modern_slavery"]
        + W.report_base * 1.0 * 0.9 * W.category["minimum_wage"]
    )
    assert factors.loc["open_reports", "points"] == pytest.approx(expected_reports, abs=0.05)
    assert factors.loc["open_reports", "detail"] == "2"
    assert factors.loc["visit_gap", "points"] == W.never_visited
    assert factors.loc["multi_occupancy", "points"] == W.multi_occupancy
    assert factors.loc["no_company_number", "points"] == W.no_company_number
    # 12 employees in 40 m² is 3.3 m² each, under the 5 m² a worker needs.
    assert factors.loc["crowding", "points"] == W.crowding
    assert "recent_outcome" not in factors.index and "churn" not in factors.index
    score = risk.stored_risk(conn, [mill["tenant"]]).iloc[0]["score"]
    assert score == pytest.approx(factors["points"].sum())
    assert risk.band(score) == "high"


def test_a_recent_visit_changes_the_score_at_once(conn: Connection, mill: dict[str, int]) -> None:
    conn.execute(
        text(
            "INSERT INTO visit (visit_date, business_id, visit_type, outcome) VALUES "
            "(current_date - 30, :b, 'joint_inspection', 'exploitation_indicators')"
        ),
        {"b": mill["tenant"]},
    )
    factors = risk.business_factors(conn, [mill["tenant"]]).set_index("factor")
    assert factors.loc["recent_outcome", "points"] == W.outcome["exploitation_indicators"]
    assert "visit_gap" not in factors.index


def test_the_factor_table_reveals_no_report_content(conn: Connection, mill: dict[str, int]) -> None:
    table = risk.explain(risk.business_factors(conn, [mill["tenant"]]))
    text_of_table = table.to_string()
    assert "modern_slavery" not in text_of_table and "GLAA" not in text_of_table
    assert "2 open report(s)" in text_of_table


def test_building_risk_comes_from_its_tenants(conn: Connection, mill: dict[str, int]) -> None:
    factors = risk.site_factors(conn, mill["site"]).set_index("factor")
    tenant = risk.business_factors(conn, [mill["tenant"]]).set_index("factor")
    assert factors.loc["open_reports", "points"] == pytest.approx(
        tenant.loc["open_reports", "points"]
    )
    assert factors.loc["multi_occupancy", "detail"] == "1 of 1 tenants"


@pytest.mark.parametrize("query", ["Quarrington Mill", "quarington mil", "QUARRINGTON"])
def test_search_finds_a_building_despite_typos(
    conn: Connection, mill: dict[str, int], query: str
) -> None:
    found = search(conn, query)
    assert (found.iloc[0]["kind"], found.iloc[0]["id"]) == ("site", mill["site"])


def test_search_by_company_number_and_postcode(conn: Connection, mill: dict[str, int]) -> None:
    conn.execute(
        text("UPDATE business SET company_number = '90001234' WHERE id = :b"), {"b": mill["tenant"]}
    )
    assert search(conn, "90001234").iloc[0]["id"] == mill["tenant"]
    by_postcode = search(conn, "le5 4gd")
    assert {("business", mill["tenant"]), ("site", mill["site"])} <= set(
        zip(by_postcode["kind"], by_postcode["id"], strict=True)
    )
    assert search(conn, "q").empty


def test_filters(conn: Connection, mill: dict[str, int]) -> None:
    def ids(**kwargs: object) -> set[int]:
        return set(filtered_points(conn, MapFilters(**kwargs))["id"])  # type: ignore[arg-type]

    tenant = mill["tenant"]
    assert tenant in ids(sectors=("14",)) and tenant not in ids(sectors=("13",))
    assert tenant in ids(open_reports=True) and tenant not in ids(open_reports=False)
    assert tenant in ids(risk_bands=("high",)) and tenant not in ids(risk_bands=("low",))
    assert tenant in ids(last_visit_older_than_months=6)
    assert tenant in ids(boundary=("district", "E06000016"))
    assert tenant not in ids(boundary=("district", "E07000131"))  # Harborough


def test_the_site_profile_and_its_units_grid(conn: Connection, mill: dict[str, int]) -> None:
    profile = profiles.site_profile(conn, mill["site"])
    assert profile.details["name"] == "Quarrington Mill"
    grid = profiles.units_grid(profile.units)
    assert list(grid.index) == ["Floor 1", "Ground"]
    assert grid.loc["Ground", "Unit 1"] == "0.1 · Quarvel Garments"
    assert grid.loc["Floor 1", "Unit 3"] == "1.3 · vacant"
    assert profile.reports == {"total": 3, "open": 2}
    assert len(profile.history) == 1


def test_a_click_finds_the_business_or_the_building(conn: Connection, mill: dict[str, int]) -> None:
    assert profiles.nearest(conn, 52.6305, -1.0995) == ("business", mill["tenant"])
    assert profiles.nearest(conn, 52.6308, -1.0992) == ("site", mill["site"])
    assert profiles.nearest(conn, 52.7, -1.3) is None
