"""Stored risk kept current: each kind of change that moves a score is made once, and the stored
score and factors must then equal a fresh computation, in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, text

from layers.casework import reports, visits
from layers.core.db import transaction
from layers.register import risk
from tests.support import make_user

TODAY = dt.date.today()


def _business(conn: Connection, name: str, **values: object) -> int:
    columns = {"name": name, "sector": "14", "activity": "cmt", "company_number": None, **values}
    return int(
        conn.execute(
            text(
                f"INSERT INTO business ({', '.join(columns)}, geom) VALUES "  # noqa: S608 - test
                f"({', '.join(':' + c for c in columns)}, "
                "ST_SetSRID(ST_MakePoint(-1.13, 52.63), 4326)) RETURNING id"
            ),
            columns,
        ).scalar_one()
    )


def _site(conn: Connection, units: int) -> tuple[int, list[int]]:
    site = conn.execute(
        text(
            "INSERT INTO site (name, geom) VALUES ('T risk mill', ST_Multi(ST_Buffer("
            "ST_SetSRID(ST_MakePoint(-1.13, 52.63), 4326), 0.0005))) RETURNING id"
        )
    ).scalar_one()
    ids = [
        conn.execute(
            text("INSERT INTO unit (site_id, label, floor) VALUES (:s, :l, 0) RETURNING id"),
            {"s": site, "l": f"Unit {n}"},
        ).scalar_one()
        for n in range(units)
    ]
    return int(site), [int(i) for i in ids]


def stored(conn: Connection, business_id: int) -> tuple[float, list[tuple[str, float, str]]]:
    """What the table holds, read directly (no refresh on the way)."""
    row = conn.execute(
        text("SELECT score, factors FROM business_risk WHERE business_id = :b"), {"b": business_id}
    ).one_or_none()
    if row is None:
        return 0.0, []
    factors = sorted((f["factor"], float(f["points"]), str(f["detail"])) for f in row.factors)
    return float(row.score), factors


def fresh(conn: Connection, business_id: int) -> tuple[float, list[tuple[str, float, str]]]:
    found = risk.compute_factors(conn, [business_id])
    factors = sorted(
        (f, float(p), str(d))
        for f, p, d in found[["factor", "points", "detail"]].itertuples(index=False)
    )
    return round(sum(p for _, p, _ in factors), 1), factors


def pending(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM risk_pending")).scalar_one())


def test_a_new_business_is_stored_at_commit(conn: Connection) -> None:
    with transaction(conn) as inner:
        business = _business(inner, "T risk new")
    assert pending(conn) == 0
    assert stored(conn, business) == fresh(conn, business)
    assert {f for f, _, _ in stored(conn, business)[1]} == {"visit_gap", "no_company_number"}


def _visit_logged(conn: Connection, business: int) -> None:
    officer = make_user(conn, "t_risk_officer", "officer")
    visits.log_visit(
        conn, officer,
        visits.NewVisit(visit_date=TODAY - dt.timedelta(days=3), visit_type="joint_inspection",
                        outcome="exploitation_indicators", business_id=business),
    )  # fmt: skip


def _report_submitted(conn: Connection, business: int) -> None:
    officer = make_user(conn, "t_risk_reporter", "officer")
    reports.submit(
        conn, officer,
        reports.NewReport(received_date=TODAY, source_type="public", category="modern_slavery",
                          narrative="T risk report", business_id=business, handling_code="P"),
    )  # fmt: skip


def _report_closed(conn: Connection, business: int) -> None:
    _report_submitted(conn, business)
    with transaction(conn) as inner:
        inner.execute(text("UPDATE report SET status = 'closed', source_evaluation = '2', "
                 "intelligence_assessment = 'C' WHERE business_id = :b"),
                      {"b": business})  # fmt: skip


def _rating_confirmed(conn: Connection, business: int) -> None:
    with transaction(conn) as inner:
        inner.execute(
            text(
                "INSERT INTO visit (visit_date, visit_type, outcome, business_id, rating, "
                "rating_pending) VALUES (:d, 'joint_inspection', 'advice', :b, 1, false)"
            ),
            {"d": TODAY - dt.timedelta(days=30), "b": business},
        )


def _register_edited(conn: Connection, business: int) -> None:
    with transaction(conn) as inner:
        inner.execute(text("UPDATE business SET company_number = NULL WHERE id = :b"),
                      {"b": business})  # fmt: skip


def _tenancies_churned(conn: Connection, business: int) -> None:
    with transaction(conn) as inner:
        site, (unit, *_) = _site(inner, 1)
        inner.execute(text("UPDATE business SET site_id = :s, unit_id = :u WHERE id = :b"),
                      {"s": site, "u": unit, "b": business})  # fmt: skip
    with transaction(conn) as inner:
        others = [_business(inner, f"T risk earlier tenant {n}") for n in range(3)]
        for n, other in enumerate(others):
            inner.execute(
                text("INSERT INTO tenancy (unit_id, business_id, start_date, end_date) "
                     "VALUES (:u, :b, :s, :e)"),
                {"u": unit, "b": other, "s": TODAY - dt.timedelta(days=400 - 100 * n),
                 "e": TODAY - dt.timedelta(days=350 - 100 * n)},
            )  # fmt: skip


def _site_grew(conn: Connection, business: int) -> None:
    with transaction(conn) as inner:
        site, _ = _site(inner, 1)
        inner.execute(text("UPDATE business SET site_id = :s WHERE id = :b"),
                      {"s": site, "b": business})  # fmt: skip
    with transaction(conn) as inner:
        for n in range(5):
            inner.execute(text("INSERT INTO unit (site_id, label, floor) VALUES (:s, :l, 1)"),
                          {"s": site, "l": f"Unit 1{n}"})  # fmt: skip


def _unit_crowded(conn: Connection, business: int) -> None:
    with transaction(conn) as inner:
        site, (unit, *_) = _site(inner, 1)
        inner.execute(
            text("UPDATE business SET site_id = :s, unit_id = :u, employees_estimate = 20 "
                 "WHERE id = :b"),
            {"s": site, "u": unit, "b": business},
        )  # fmt: skip
    with transaction(conn) as inner:
        inner.execute(text("UPDATE unit SET floor_area_m2 = 40 WHERE id = :u"), {"u": unit})


CHANGES: dict[str, tuple[Callable[[Connection, int], None], str]] = {
    "a visit": (_visit_logged, "recent_outcome"),
    "a report": (_report_submitted, "open_reports"),
    "a report closed": (_report_closed, ""),
    "a rating": (_rating_confirmed, "poor_rating"),
    "a register edit": (_register_edited, "no_company_number"),
    "tenancies": (_tenancies_churned, "churn"),
    "units of a site": (_site_grew, "multi_occupancy"),
    "a unit's floor area": (_unit_crowded, "crowding"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_keeps_the_stored_score_equal_to_a_fresh_one(
    conn: Connection, change: str
) -> None:
    with transaction(conn) as inner:
        business = _business(inner, f"T risk {change}", company_number="99000002")
    before = stored(conn, business)
    make, factor = CHANGES[change]
    make(conn, business)
    assert pending(conn) == 0  # recomputed before the change's own transaction ended
    after = stored(conn, business)
    assert after == fresh(conn, business)
    assert after != before or change == "a report closed"
    if factor:
        assert factor in {f for f, _, _ in after[1]}


def test_a_change_written_outside_a_transaction_block_is_refreshed_before_it_is_read(
    conn: Connection,
) -> None:
    with transaction(conn) as inner:
        business = _business(inner, "T risk raw", company_number="99000003")
    conn.execute(
        text("INSERT INTO report (received_date, source_type, category, narrative, business_id, "
             "handling_code, owning_agency) VALUES (:d, 'public', 'illegal_working', 'T raw', "
             ":b, 'P', 'COUNCIL')"),
        {"d": TODAY, "b": business},
    )  # fmt: skip
    assert pending(conn) == 1
    factors = risk.business_factors(conn, [business])
    assert "open_reports" in set(factors["factor"])
    assert pending(conn) == 0 and stored(conn, business) == fresh(conn, business)


def test_the_daily_refresh_renews_what_time_alone_moves(conn: Connection) -> None:
    with transaction(conn) as inner:
        business = _business(inner, "T risk old visit", company_number="99000004")
    # As if computed a year and a half ago, when the last visit was recent.
    conn.execute(
        text("UPDATE business_risk SET score = 0, factors = '[]', top_factors = '{}' "
             "WHERE business_id = :b"),
        {"b": business},
    )  # fmt: skip
    assert stored(conn, business) != fresh(conn, business)
    assert risk.refresh_all(conn) >= 1
    assert stored(conn, business) == fresh(conn, business)


def test_a_deleted_business_takes_its_stored_risk_with_it(conn: Connection) -> None:
    with transaction(conn) as inner:
        business = _business(inner, "T risk gone")
    with transaction(conn) as inner:
        inner.execute(text("DELETE FROM business WHERE id = :b"), {"b": business})
    assert stored(conn, business) == (0.0, [])
    assert risk.stored_risk(conn, [business]).empty


def test_the_stored_top_factors_are_the_largest_with_ties_in_label_order(
    conn: Connection,
) -> None:
    with transaction(conn) as inner:
        business = _business(inner, "T risk many factors")  # never visited (10), no number (5)
        site, (unit, *_) = _site(inner, 6)  # a multi-occupancy site (5 points)
        inner.execute(
            text("UPDATE business SET site_id = :s, unit_id = :u WHERE id = :b"),
            {"s": site, "u": unit, "b": business},
        )
    top = conn.execute(
        text("SELECT top_factors FROM business_risk WHERE business_id = :b"), {"b": business}
    ).scalar_one()
    labels = risk.FACTOR_LABELS
    # 10 points, then the two 5-point factors in the order of their labels.
    expected = [labels["visit_gap"], *sorted([labels["no_company_number"],
                                              labels["multi_occupancy"]])]  # fmt: skip
    assert top == expected[: risk.TOP_FACTORS]


def test_the_sql_band_is_the_same_rule_as_the_python_band(conn: Connection) -> None:
    scores = [0.0, 14.99, 15.0, 29.99, 30.0, 80.0]
    band, params = risk.band_case("s")
    found = conn.execute(
        text(f"SELECT {band} FROM unnest(CAST(:scores AS float8[])) AS t(s)"),  # noqa: S608 - built from bound parameters
        {**params, "scores": scores},
    ).scalars()
    assert list(found) == [risk.band(s) for s in scores] == [
        "low", "low", "medium", "medium", "high", "high"
    ]  # fmt: skip
