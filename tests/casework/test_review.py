"""Review and disposal of intelligence: review dates per category, the list of reports due to
those who may read them, retaining, and disposal that keeps a tombstone and the counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Connection, text

from layers.casework import referrals, review
from layers.core.errors import AccessDeniedError, ValidationError
from layers.core.settings import get_settings
from tests.support import make_user

TODAY = dt.date(2026, 12, 2)


def test_review_dates_follow_the_category_and_the_last_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert review.review_date(dt.date(2019, 3, 4), "minimum_wage") == dt.date(2025, 3, 4)
    assert review.review_date(dt.date(2020, 2, 29), "other") == dt.date(2026, 2, 28)
    assert review.review_date(dt.date(2019, 3, 4), "other", dt.date(2030, 1, 1)) == dt.date(
        2030, 1, 1
    )
    monkeypatch.setattr(get_settings(), "retention_years_by_category", {"modern_slavery": 10})
    assert review.review_date(dt.date(2019, 3, 4), "modern_slavery") == dt.date(2029, 3, 4)


def _report(conn: Connection, received: str, *, agency: str = "COUNCIL", code: str = "P") -> int:
    return conn.execute(
        text(
            "INSERT INTO report (received_date, source_type, category, narrative, geom, "
            "owning_agency, handling_code, handling_conditions, subject_description, "
            "status, source_evaluation, intelligence_assessment) VALUES (:d, 'charity', "
            "'minimum_wage', 'Named person said X', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), "
            ":a, :c, :cond, '12 Fictional Street', 'triaged', '2', 'B') RETURNING id"
        ),
        {"d": received, "a": agency, "c": code, "cond": "agency only" if code == "C" else ""},
    ).scalar_one()


def test_reports_due_are_listed_oldest_first_to_those_who_may_read_them(conn: Connection) -> None:
    conn.execute(text("UPDATE report SET retain_until = '2099-01-01'"))  # others are not due
    older, old, recent = (_report(conn, d) for d in ("2019-01-10", "2020-06-01", "2024-01-01"))
    hidden = _report(conn, "2018-01-01", agency="HMRC", code="C")
    officer = make_user(conn, "t_reviewer")
    listed = review.due(conn, officer, today=TODAY)
    assert list(listed["id"]) == [older, old]
    assert listed.iloc[0]["review_date"] == dt.date(2025, 1, 10)
    assert hidden not in set(listed["id"]) and recent not in set(listed["id"])
    review.retain(conn, officer, older, until=dt.date(2028, 1, 1), reason="Operation Fictional",
                  today=TODAY)  # fmt: skip
    assert list(review.due(conn, officer, today=TODAY)["id"]) == [old]
    # Retained until 2028, it comes after the one due since June 2026.
    assert list(review.due(conn, officer, today=dt.date(2028, 1, 1))["id"]) == [old, older]
    with pytest.raises(ValidationError, match="after today"):
        review.retain(conn, officer, old, until=TODAY, reason="r", today=TODAY)
    with pytest.raises(AccessDeniedError):
        review.retain(conn, officer, hidden, until=dt.date(2030, 1, 1), reason="r", today=TODAY)
    partner = make_user(conn, "t_review_partner", "partner", "VCS")
    with pytest.raises(AccessDeniedError):
        review.due(conn, partner)


def test_disposal_keeps_a_tombstone_and_the_counts(conn: Connection) -> None:
    report_id = _report(conn, "2019-01-10")
    officer = make_user(conn, "t_disposer")
    referrals.refer(conn, officer, agency_code="HMRC", reason="Named person unpaid",
                    report_id=report_id)  # fmt: skip
    reports_before = conn.execute(text("SELECT count(*) FROM report")).scalar_one()
    with pytest.raises(ValidationError, match="say why"):
        review.dispose(conn, officer, report_id, reason=" ", today=TODAY)
    review.dispose(conn, officer, report_id, reason="No further value after review", today=TODAY)
    row = conn.execute(
        text(
            "SELECT narrative, subject_description, submitted_by, status, category, "
            "received_date, source_evaluation, owning_agency, disposed_by, disposal_reason "
            "FROM report WHERE id = :i"
        ),
        {"i": report_id},
    ).one()
    assert row.narrative == "[Disposed of on 02/12/2026 after review: the content was removed.]"
    assert (row.subject_description, row.submitted_by, row.status) == ("", None, "closed")
    assert (row.category, row.received_date, row.source_evaluation, row.owning_agency) == (
        "minimum_wage", dt.date(2019, 1, 10), "2", "COUNCIL",
    )  # fmt: skip
    assert (row.disposed_by, row.disposal_reason) == (officer.id, "No further value after review")
    assert conn.execute(text("SELECT count(*) FROM report")).scalar_one() == reports_before
    referral = conn.execute(
        text("SELECT reason FROM referral WHERE report_id = :i"), {"i": report_id}
    ).scalar_one()
    assert "Named person" not in referral
    logged = conn.execute(
        text("SELECT detail::text FROM audit_log WHERE action = 'dispose' AND object_id = :i"),
        {"i": str(report_id)},
    ).scalar_one()
    assert json.loads(logged) == {"reason": "No further value after review"}
    assert report_id not in set(review.due(conn, officer, today=TODAY)["id"])
    with pytest.raises(ValidationError, match="disposed of already"):
        review.dispose(conn, officer, report_id, reason="again", today=TODAY)


def test_an_ungraded_report_can_be_disposed_of(conn: Connection) -> None:
    report_id = conn.execute(
        text(
            "INSERT INTO report (received_date, source_type, category, narrative, geom, "
            "owning_agency, handling_code) VALUES ('2018-05-05', 'public', 'other', 'x', "
            "ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), 'COUNCIL', 'P') RETURNING id"
        )
    ).scalar_one()
    review.dispose(conn, make_user(conn, "t_dispose_new"), report_id, reason="unfounded")
    status = conn.execute(text("SELECT status FROM report WHERE id = :i"), {"i": report_id})
    assert status.scalar_one() == "closed"
