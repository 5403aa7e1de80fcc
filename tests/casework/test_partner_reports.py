"""Partners against PostGIS: a partner submits a report through the partner route, follows the
reports their own organisation submitted, and every other reading function refuses them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.areas import dashboard
from layers.casework import referrals, reports, visits
from layers.core.errors import AccessDeniedError, ValidationError
from layers.exports import map_layers, tables
from layers.people import identity
from layers.routes import visit_sheet
from layers.sizing import sector_report
from tests.support import make_user

TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def partner(conn: Connection) -> identity.User:
    return make_user(conn, "t_partner", "partner", "VCS")


def _business(conn: Connection) -> int:
    return conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom) VALUES ('Fictional Knit Ltd', "
            "'13', 'knitting', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326)) RETURNING id"
        )
    ).scalar_one()


def _any_postcode(conn: Connection) -> str:
    return conn.execute(
        text("SELECT postcode FROM postcode ORDER BY postcode LIMIT 1")
    ).scalar_one()


def test_a_partner_submits_and_follows_their_organisations_reports(
    conn: Connection, partner: identity.User
) -> None:
    colleague = make_user(conn, "t_partner_colleague", "partner", "VCS")
    elsewhere = make_user(conn, "t_other_partner", "partner", "OTHER")
    business = _business(conn)
    about_business = reports.submit_as_partner(
        conn, partner,
        reports.PartnerReport(TODAY, "minimum_wage", "Paid £3 an hour", business_id=business),
        today=TODAY,
    )  # fmt: skip
    postcode = _any_postcode(conn)
    about_place = reports.submit_as_partner(
        conn, colleague,
        reports.PartnerReport(TODAY, "health_safety", "Fire exit locked",
                              address="Unit 9, Fictional Yard", postcode=postcode.lower()),
        today=TODAY,
    )  # fmt: skip
    reports.submit_as_partner(
        conn, elsewhere,
        reports.PartnerReport(TODAY, "modern_slavery", "Other org's report", business_id=business),
        today=TODAY,
    )  # fmt: skip
    ours = reports.organisation_reports(conn, partner)
    assert list(ours["id"]) == [about_place, about_business]  # newest first
    assert set(ours["status"]) == {"New"}
    assert set(ours["subject"]) == {"Fictional Knit Ltd", f"Unit 9, Fictional Yard, {postcode}"}
    assert "grading" not in ours.columns and "handling_code" not in ours.columns
    stored = conn.execute(
        text(
            "SELECT source_type, owning_agency, handling_code, submitting_agency, status, "
            "location_precision, geom IS NOT NULL FROM report WHERE id = :i"
        ),
        {"i": about_place},
    ).one()
    assert tuple(stored) == ("charity", "COUNCIL", "C", "VCS", "new", "postcode", True)
    # The council's triage team reads it like any other report.
    council = make_user(conn, "t_triage", "officer", "COUNCIL")
    assert about_place in set(reports.readable(conn, council)["id"])
    # Staff do not follow an organisation's reports through the partner route.
    assert reports.organisation_reports(conn, council).empty


def test_a_partners_report_is_checked(conn: Connection, partner: identity.User) -> None:
    cases = {
        "future": (reports.PartnerReport(TODAY + dt.timedelta(days=1), "other", "x", address="a",
                                         postcode="LE1 1AA"), "received_date"),
        "empty": (reports.PartnerReport(TODAY, "other", "  ", address="a", postcode="LE1 1AA"),
                  "narrative"),
        "no subject": (reports.PartnerReport(TODAY, "other", "x"), "address"),
        "not a postcode": (reports.PartnerReport(TODAY, "other", "x", address="a",
                                                 postcode="nowhere"), "postcode"),
        "far away": (reports.PartnerReport(TODAY, "other", "x", address="a", postcode="SW1A 1AA"),
                     "postcode"),
        "no business": (reports.PartnerReport(TODAY, "other", "x", business_id=10**9), "business"),
    }  # fmt: skip
    for case, (report, column) in cases.items():
        with pytest.raises(ValidationError) as refused:
            reports.submit_as_partner(conn, partner, report, today=TODAY)
        assert refused.value.column == column, case


def test_only_partners_use_the_partner_route(conn: Connection) -> None:
    officer = make_user(conn, "t_not_partner")
    with pytest.raises(AccessDeniedError):
        reports.submit_as_partner(
            conn, officer, reports.PartnerReport(TODAY, "other", "x", business_id=_business(conn))
        )


#: Every reading function that takes the reader, called as a partner.
READS: dict[str, Callable[[Connection, identity.User], object]] = {
    "reports": lambda c, u: reports.readable(c, u),
    "report points": lambda c, u: reports.readable_points(c, u),
    "report export": lambda c, u: tables.reports_zip(c, u, ["Test"]),
    "register export": lambda c, u: tables.business_register_zip(c, u, ["Test"]),
    "visits export": lambda c, u: tables.visits_zip(
        c, u, pd.DataFrame({"id": [1]}), filters="none", attribution=["Test"]
    ),
    "audit log export": lambda c, u: tables.audit_log_csv(c, u),
    "layers export": lambda c, u: map_layers.export(
        c, u, map_layers.ExportRequest(layers=("businesses",), fmt="csv"), attribution=["Test"]
    ),
    "area dashboard": lambda c, u: dashboard.stats(c, u, 1),
    "areas compared": lambda c, u: dashboard.compare(c, u, [1]),
    "visit sheet": lambda c, u: visit_sheet.gather(c, u, pd.DataFrame()),
    "follow-ups": lambda c, u: visits.follow_ups_due(c, u),
    "referrals": lambda c, u: referrals.listing(c, u, report_id=1),
    "sector report": lambda c, u: sector_report.build(c, u, attribution=["Test"]),
    "open a report": lambda c, u: reports.open_report(c, u, 1),
}


@pytest.mark.parametrize("read", list(READS))
def test_a_partner_reads_nothing_else(conn: Connection, partner: identity.User, read: str) -> None:
    with pytest.raises(AccessDeniedError):
        READS[read](conn, partner)
    denied = conn.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'denied' AND username = 't_partner'")
    ).scalar_one()
    assert denied == 1
