"""Visits, reports, referrals, ratings and the audit log against PostGIS."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.casework import rating, referrals, reports, visits
from layers.core import vocab
from layers.core.errors import AccessDeniedError, ValidationError
from layers.exports import tables
from layers.people import audit
from layers.register import risk
from layers.register.businesses.filters import MapFilters, filtered_points
from tests.support import make_user

TODAY = dt.date(2026, 11, 23)
GOOD = {name: 0 for name in rating.COMPONENTS}


@pytest.fixture
def place(conn: Connection) -> dict[str, object]:
    """A business in a one-unit site, an officer of the council and one of HMRC."""
    site = conn.execute(
        text(
            "INSERT INTO site (name, geom, postcode, floors) VALUES ('Fenwick Works', "
            "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-1.12, 52.64), 4326), 0.0005)), "
            "'LE1 1AA', 1) RETURNING id"
        )
    ).scalar_one()
    business = conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom, site_id) VALUES "
            "('Ardent Stitch Ltd', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.12, 52.64), 4326), :s) "
            "RETURNING id"
        ),
        {"s": site},
    ).scalar_one()
    return {
        "site": site,
        "business": business,
        "council": make_user(conn, "t_council", "officer", "COUNCIL"),
        "hmrc": make_user(conn, "t_hmrc", "officer", "HMRC"),
        "viewer": make_user(conn, "t_viewer", "viewer", "COUNCIL"),
    }


def _visit(place: dict[str, object], **changes: object) -> visits.NewVisit:
    values: dict[str, object] = {
        "visit_date": dt.date(2026, 11, 2),
        "visit_type": "joint_inspection",
        "outcome": "advice",
        "business_id": place["business"],
        "site_id": place["site"],
        "agencies": ("COUNCIL", "HMRC"),
        "operation_name": "Operation Test",
        "workers_present": 9,
        "findings": "Payslips missing.",
    }
    values = {**values, **changes}
    # The follow-up four weeks on from whichever day the visit was (a fixed date would fall
    # before a visit dated from today once today passed it).
    values.setdefault("follow_up_date", values["visit_date"] + dt.timedelta(days=28))
    return visits.NewVisit(**values)  # type: ignore[arg-type]


def _submit(conn: Connection, user: object, **fields: object) -> int:
    """Submit a report by ``user``: a C report about a place unless ``fields`` say otherwise."""
    values: dict[str, object] = {
        "received_date": dt.date(2026, 11, 1),
        "source_type": "charity",
        "category": "minimum_wage",
        "narrative": "Paid in cash below the minimum wage.",
        "handling_code": "C",
        "handling_conditions": "Owning agency only",
    }
    report = reports.NewReport(**{**values, **fields})  # type: ignore[arg-type]
    return reports.submit(conn, user, report, today=TODAY)  # type: ignore[arg-type]


def _audit_count(conn: Connection, action: str, object_type: str, object_id: int) -> int:
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = :a AND object_type = :t "
                "AND object_id = :i"
            ),
            {"a": action, "t": object_type, "i": str(object_id)},
        ).scalar_one()
    )


def test_a_logged_visit_is_stored_listed_audited_and_on_the_map(
    conn: Connection, place: dict[str, object]
) -> None:
    officer = place["council"]
    visit_id = visits.log_visit(conn, officer, _visit(place), today=TODAY)  # type: ignore[arg-type]
    listed = visits.register(conn, visits.VisitFilters(operation_name="Operation Test"))
    assert listed["id"].tolist() == [visit_id]
    row = listed.iloc[0]
    assert (row["business"], row["site"], row["agencies"]) == (
        "Ardent Stitch Ltd",
        "Fenwick Works",
        "COUNCIL, HMRC",
    )
    assert row["outcome"] == vocab.VISIT_OUTCOMES["advice"]
    assert _audit_count(conn, "create", "visit", visit_id) == 1
    on_map = visits.points(conn, visits.VisitFilters(date_from=dt.date(2026, 11, 1)))
    spot = on_map.set_index("id").loc[visit_id]
    assert spot["outcome"] == "advice"
    assert spot["lat"] == pytest.approx(52.64) and spot["lon"] == pytest.approx(-1.12)
    assert visits.points(conn, visits.VisitFilters(date_to=dt.date(2026, 10, 31))).empty


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"visit_date": dt.date(2026, 12, 1), "follow_up_date": None}, "visit_date"),
        ({"follow_up_date": dt.date(2026, 10, 1)}, "follow_up_date"),
        ({"business_id": None, "site_id": None}, "business_id"),
        ({"agencies": ("MI5",)}, "agencies"),
        ({"workers_present": -1}, "workers_present"),
        ({"scores": {**GOOD, "score_contracts": None}}, "score_contracts"),
        ({"scores": {**GOOD, "score_pay_hours": 7}}, "score_pay_hours"),
        ({"business_id": 99_999_999}, "business_id"),
    ],
)
def test_a_bad_visit_is_refused_naming_the_field(
    conn: Connection, place: dict[str, object], changes: dict[str, object], column: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        visits.log_visit(conn, place["council"], _visit(place, **changes), today=TODAY)  # type: ignore[arg-type]
    assert refused.value.column == column
    assert conn.execute(text("SELECT count(*) FROM visit")).scalar_one() == 0


def test_a_viewer_cannot_log_a_visit(conn: Connection, place: dict[str, object]) -> None:
    with pytest.raises(AccessDeniedError):
        visits.log_visit(conn, place["viewer"], _visit(place), today=TODAY)  # type: ignore[arg-type]


def test_follow_ups_due_until_a_later_visit(conn: Connection, place: dict[str, object]) -> None:
    officer = place["council"]
    first = visits.log_visit(conn, officer, _visit(place), today=TODAY)  # type: ignore[arg-type]
    due = visits.follow_ups_due(conn, officer, within_days=14, today=TODAY)  # type: ignore[arg-type]
    assert due["id"].tolist() == [first] and not due.iloc[0]["overdue"]
    # Not due yet when the window ends before the follow-up date.
    assert visits.follow_ups_due(conn, officer, within_days=3, today=TODAY).empty  # type: ignore[arg-type]
    # Someone else's follow-ups are not mine.
    assert visits.follow_ups_due(conn, place["hmrc"], today=TODAY).empty  # type: ignore[arg-type]
    visits.log_visit(
        conn,
        place["hmrc"],  # type: ignore[arg-type]
        _visit(place, visit_date=dt.date(2026, 11, 20), follow_up_date=None),
        today=TODAY,
    )
    assert visits.follow_ups_due(conn, officer, today=TODAY).empty  # type: ignore[arg-type]


def test_an_operation_and_its_outcome_counts(conn: Connection, place: dict[str, object]) -> None:
    for outcome in ("advice", "advice", "no_access"):
        visits.log_visit(conn, place["council"], _visit(place, outcome=outcome), today=TODAY)  # type: ignore[arg-type]
    ops = visits.operations(conn).set_index("name")
    assert ops.loc["Operation Test", "visits"] == 3
    chosen = visits.points(conn, visits.VisitFilters(operation_name="Operation Test"))
    counts = visits.outcome_counts(chosen).set_index("outcome")["visits"]
    assert counts[vocab.VISIT_OUTCOMES["advice"]] == 2
    assert counts[vocab.VISIT_OUTCOMES["no_access"]] == 1
    assert counts[vocab.VISIT_OUTCOMES["enforcement"]] == 0
    assert len(counts) == len(vocab.VISIT_OUTCOMES)


def test_inspection_scores_give_a_rating_that_filters_and_colours_the_map(
    conn: Connection, place: dict[str, object]
) -> None:
    scores = {**GOOD, "score_health_safety": 20}  # total 20, but one major-improvement area
    # Inspected three days ago: within the 21-day reply window, so the rating is pending.
    recent = dt.date.today() - dt.timedelta(days=3)
    visit_id = visits.log_visit(
        conn,
        place["council"],  # type: ignore[arg-type]
        _visit(place, scores=scores, visit_date=recent),
        today=dt.date.today(),
    )
    latest = visits.latest_ratings(conn, place["business"]).iloc[0]  # type: ignore[arg-type]
    assert (latest["rating"], latest["rating_pending"]) == (1, True)
    # A pending rating does not count towards risk until the right to reply is heard.
    factors = risk.business_factors(conn, [place["business"]]).set_index("factor")  # type: ignore[list-item]
    assert "poor_rating" not in factors.index
    points = filtered_points(conn, MapFilters(ratings=("pending",)))
    assert place["business"] in set(points["id"])
    visits.answer_rating(
        conn,
        place["council"],  # type: ignore[arg-type]
        visit_id,
        right_to_reply="Fire exits cleared the next day.",
        confirm=True,
    )
    points = filtered_points(conn, MapFilters(ratings=("1",))).set_index("id")
    assert points.loc[place["business"], "rating"] == "1"
    factors = risk.business_factors(conn, [place["business"]]).set_index("factor")  # type: ignore[list-item]
    assert factors.loc["poor_rating", "points"] == risk.WEIGHTS.poor_rating["1"]
    assert factors.loc["poor_rating", "detail"] == f"rated 1 on {recent}"
    assert place["business"] not in set(
        filtered_points(conn, MapFilters(ratings=("pending",)))["id"]
    )
    assert _audit_count(conn, "edit", "visit", visit_id) == 1


def test_a_visit_links_reports_and_refers_in_one_transaction(
    conn: Connection, place: dict[str, object]
) -> None:
    hmrc = place["hmrc"]
    report_id = _submit(conn, hmrc, business_id=place["business"])
    # The council officer cannot read the HMRC report, so cannot link it: nothing is written.
    with pytest.raises(AccessDeniedError):
        visits.log_visit(
            conn,
            place["council"],  # type: ignore[arg-type]
            _visit(place, report_ids=(report_id,), refer_to=("HMRC",)),
            today=TODAY,
        )
    assert conn.execute(text("SELECT count(*) FROM visit")).scalar_one() == 0
    assert conn.execute(text("SELECT count(*) FROM referral")).scalar_one() == 0
    visit_id = visits.log_visit(
        conn,
        hmrc,  # type: ignore[arg-type]
        _visit(place, outcome="referral", report_ids=(report_id,), refer_to=("GLAA",)),
        today=TODAY,
    )
    assert reports.linked_visits(conn, hmrc, report_id)["id"].tolist() == [visit_id]  # type: ignore[arg-type]
    assert reports.linked_visits(conn, place["council"], report_id).empty  # type: ignore[arg-type]
    made = referrals.listing(conn, hmrc, visit_id=visit_id)  # type: ignore[arg-type]
    assert made["agency"].tolist() == [vocab.AGENCIES["GLAA"]]
    assert made["reason"].tolist() == ["Payslips missing."]


def test_a_report_from_submission_to_closure(conn: Connection, place: dict[str, object]) -> None:
    hmrc, council = place["hmrc"], place["council"]
    report_id = _submit(
        conn,
        hmrc,
        category="modern_slavery",
        narrative="<script>alert(1)</script> workers sleep on site",
        lat=52.6365,
        lon=-1.1300,
    )
    why = audit.Justification("triage")
    stored = reports.open_report(conn, hmrc, report_id, justification=why)  # type: ignore[arg-type]
    assert (stored["status"], stored["owning_agency"], stored["location_precision"]) == (
        "new",
        "HMRC",
        "approximate",
    )
    assert stored["narrative"].startswith("<script>")  # stored as written; escaped when shown
    with pytest.raises(ValidationError, match="grade it first"):
        reports.advance(conn, hmrc, report_id, "actioned")  # type: ignore[arg-type]

    def grade(user: object, handling_code: str, conditions: str = "") -> None:
        reports.triage(
            conn,
            user,  # type: ignore[arg-type]
            report_id,
            source_evaluation="2",
            intelligence_assessment="B",
            handling_code=handling_code,
            handling_conditions=conditions,
        )

    with pytest.raises(AccessDeniedError):
        grade(council, "P")
    # The refusal is on the record, although nothing else was written.
    assert _audit_count(conn, "denied", "report", report_id) == 1
    with pytest.raises(ValidationError, match="conditions"):
        grade(hmrc, "C")
    grade(hmrc, "C", "HMRC and GLAA only")
    reports.advance(conn, hmrc, report_id, "actioned")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="cannot become triaged"):
        reports.advance(conn, hmrc, report_id, "triaged")  # type: ignore[arg-type]
    reports.advance(conn, hmrc, report_id, "closed")  # type: ignore[arg-type]
    final = reports.open_report(conn, hmrc, report_id, justification=why)  # type: ignore[arg-type]
    assert (final["status"], final["source_evaluation"], final["intelligence_assessment"]) == (
        "closed",
        "2",
        "B",
    )
    assert _audit_count(conn, "edit", "report", report_id) == 3
    assert _audit_count(conn, "create", "report", report_id) == 1


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"narrative": "   "}, "narrative"),
        ({"lat": None, "lon": None}, "business_id"),
        ({"lat": 51.5, "lon": -0.12}, "location"),
        ({"handling_conditions": ""}, "handling_conditions"),
        ({"received_date": dt.date(2027, 1, 1)}, "received_date"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(
    conn: Connection, place: dict[str, object], changes: dict[str, object], column: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _submit(conn, place["council"], **{"lat": 52.63, "lon": -1.13, **changes})
    assert refused.value.column == column


def test_report_layers_respect_access(conn: Connection, place: dict[str, object]) -> None:
    hmrc, council = place["hmrc"], place["council"]
    restricted = _submit(conn, hmrc, business_id=place["business"])
    assert restricted in set(reports.readable_points(conn, hmrc)["id"])  # type: ignore[arg-type]
    assert restricted not in set(reports.readable_points(conn, council)["id"])  # type: ignore[arg-type]
    assert reports.readable_points(conn, place["viewer"]).empty  # type: ignore[arg-type]
    density = reports.open_density(conn, 8)
    assert (
        int(density["reports"].sum())
        == conn.execute(text("SELECT count(*) FROM report WHERE status <> 'closed'")).scalar_one()
    )
    # The risk factor counts the report for everyone, and says nothing but the count.
    factor = risk.explain(risk.business_factors(conn, [place["business"]]))  # type: ignore[list-item]
    detail = factor.set_index("factor").loc[risk.FACTOR_LABELS["open_reports"], "detail"]
    assert detail == "1 open report(s)"


def test_referral_suggestions_follow_the_remits() -> None:
    assert referrals.suggested_agencies(category="minimum_wage") == ["HMRC"]
    assert referrals.suggested_agencies(category="illegal_working") == ["IE"]
    assert referrals.suggested_agencies(category="modern_slavery")[0] == "GLAA"
    assert referrals.suggested_agencies(outcome="exploitation_indicators")[0] == "GLAA"
    assert referrals.suggested_agencies(outcome="no_issues") == []
    assert set(referrals.CATEGORY_AGENCIES) == set(vocab.REPORT_CATEGORIES)


def test_a_referral_and_its_answer(conn: Connection, place: dict[str, object]) -> None:
    council = place["council"]
    visit_id = visits.log_visit(conn, council, _visit(place), today=TODAY)  # type: ignore[arg-type]
    referral_id = referrals.refer(
        conn,
        council,  # type: ignore[arg-type]
        agency_code="HSE",
        reason="Blocked fire exit",
        visit_id=visit_id,
    )
    with pytest.raises(ValidationError, match="not 'sent'"):
        referrals.answer(conn, council, referral_id, status="sent", response="")  # type: ignore[arg-type]
    referrals.answer(conn, council, referral_id, status="accepted", response="Inspection booked")  # type: ignore[arg-type]
    row = referrals.listing(conn, council, visit_id=visit_id).iloc[0]  # type: ignore[arg-type]
    assert (row["status"], row["response"]) == ("Accepted", "Inspection booked")
    assert _audit_count(conn, "edit", "referral", referral_id) == 1
    directory = referrals.directory(conn).set_index("code")
    assert "minimum wage" in directory.loc["HMRC", "remit"].lower()
    assert "no powers inside workplaces" in directory.loc["COUNCIL", "powers"].lower()


def test_the_audit_log_filters(conn: Connection, place: dict[str, object]) -> None:
    visits.log_visit(conn, place["council"], _visit(place), today=TODAY)  # type: ignore[arg-type]
    mine = audit.recent(conn, audit.AuditFilters(username="t_council", object_type="visit"))
    assert set(mine["action"]) == {"create"} and len(mine) == 1
    assert audit.recent(
        conn, audit.AuditFilters(username="t_council", until=dt.date(2000, 1, 1))
    ).empty
    assert len(audit.recent(conn, audit.AuditFilters(since=dt.date.today()))) >= 1
    conn.execute(
        text(
            "INSERT INTO audit_log (username, action) "
            "SELECT 'guesser', 'login_failed' FROM generate_series(1, 3)"
        )
    )
    guesses = audit.recent(conn, audit.AuditFilters(username="guesser"), limit=1)
    assert len(guesses) == 1 and guesses["matching"].iloc[0] == 3
    assert "visit" in audit.logged_values(conn, "object_type")
    assert "t_council" in audit.logged_values(conn, "username")
    with pytest.raises(ValueError, match="not a filter column"):
        audit.logged_values(conn, "detail")
    with pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM audit_log WHERE username = 't_council'"))


def test_a_visits_export_is_filtered_neutralised_attributed_and_audited(
    conn: Connection, place: dict[str, object]
) -> None:
    officer = place["council"]
    visits.log_visit(conn, officer, _visit(place, findings='=HYPERLINK("x")'), today=TODAY)  # type: ignore[arg-type]
    filters = visits.VisitFilters(outcomes=("advice",), operation_name="Operation Test")
    archive = zipfile.ZipFile(
        io.BytesIO(
            tables.visits_zip(
                conn,
                officer,  # type: ignore[arg-type]
                visits.register(conn, filters),
                filters=filters.describe(),
                attribution=["Fictional demo data"],
            )
        )
    )
    frame = pd.read_csv(archive.open("visits.csv"))
    assert frame["findings"].tolist() == ['\'=HYPERLINK("x")']
    metadata = archive.read("ATTRIBUTION.txt").decode()
    assert "outcomes = advice; operation name = Operation Test" in metadata
    assert "Fictional demo data" in metadata
    exported = conn.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'export' AND object_type = 'visit'")
    ).scalar_one()
    assert exported == 1
