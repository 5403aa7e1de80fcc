"""Clearances and organisations against PostGIS: expiry stops a clearance on its own, every grant
and revocation is audited, and an organisation with history is retired, never deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, text

from layers.casework import referrals, reports
from layers.core.errors import AccessDeniedError, ValidationError
from layers.people import agencies, audit, clearances, identity, users
from tests.support import make_user

ADMIN = identity.command_line("admin")


def _restricted_report(conn: Connection) -> int:
    return conn.execute(
        text(
            "INSERT INTO report (received_date, source_type, category, narrative, geom, "
            "owning_agency, handling_code, handling_conditions) VALUES ('2026-10-01', 'charity', "
            "'tax_fraud', 'restricted narrative', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), "
            "'HMRC', 'C', 'HMRC only') RETURNING id"
        )
    ).scalar_one()


def _readable_ids(conn: Connection, username: str) -> set[int]:
    return set(reports.readable(conn, users.by_username(conn, username))["id"])


def test_a_clearance_grants_until_it_expires_or_is_revoked(conn: Connection) -> None:
    report_id = _restricted_report(conn)
    make_user(conn, "t_cleared", agency="GLAA")
    assert report_id not in _readable_ids(conn, "t_cleared")
    whole = clearances.grant(conn, ADMIN, "t_cleared", reason="Operation Fictional")
    assert users.by_username(conn, "t_cleared").cleared_restricted
    assert report_id in _readable_ids(conn, "t_cleared")
    # An expiry date that has passed stops the clearance on its own.
    conn.execute(
        text("UPDATE clearance SET expires_on = current_date - 1 WHERE id = :i"), {"i": whole}
    )
    assert report_id not in _readable_ids(conn, "t_cleared")
    assert not users.by_username(conn, "t_cleared").cleared_restricted
    one = clearances.grant(
        conn, ADMIN, "t_cleared", reason="case 42", report_id=report_id,
        expires_on=dt.date.today() + dt.timedelta(days=30),
    )  # fmt: skip
    assert report_id in _readable_ids(conn, "t_cleared")
    assert (
        reports.open_report(
            conn,
            users.by_username(conn, "t_cleared"),
            report_id,
            justification=audit.Justification("case 42"),
        )["id"]
        == report_id
    )
    clearances.revoke(conn, ADMIN, one)
    assert report_id not in _readable_ids(conn, "t_cleared")
    with pytest.raises(ValidationError, match="in force"):
        clearances.revoke(conn, ADMIN, one)
    listed = clearances.listing(conn, include_ended=True)
    assert set(listed.loc[listed["username"] == "t_cleared", "in_force"]) == {False}
    assert clearances.listing(conn)["username"].tolist().count("t_cleared") == 0
    actions = conn.execute(
        text(
            "SELECT action, detail->>'reason' FROM audit_log WHERE object_type = 'clearance' "
            "ORDER BY id"
        )
    ).all()
    assert actions == [("grant", "Operation Fictional"), ("grant", "case 42"), ("revoke", None)]


def test_clearances_need_a_reason_a_future_expiry_and_a_reader(conn: Connection) -> None:
    make_user(conn, "t_clear_me")
    make_user(conn, "t_clear_viewer", role="viewer")
    with pytest.raises(ValidationError, match="say why"):
        clearances.grant(conn, ADMIN, "t_clear_me", reason="  ")
    with pytest.raises(ValidationError, match="has passed"):
        clearances.grant(conn, ADMIN, "t_clear_me", reason="r", expires_on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="only staff who read intelligence"):
        clearances.grant(conn, ADMIN, "t_clear_viewer", reason="r")
    with pytest.raises(ValidationError, match="no report 999999"):
        clearances.grant(conn, ADMIN, "t_clear_me", reason="r", report_id=999999)
    officer = make_user(conn, "t_clear_officer")
    with pytest.raises(AccessDeniedError):
        clearances.grant(conn, officer, "t_clear_me", reason="r")


def test_an_organisation_is_added_edited_retired_and_kept(conn: Connection) -> None:
    code = agencies.add(
        conn, ADMIN,
        agencies.AgencyDetails("fic_ngo", "Fictional Workers' Charity", "partner", remit="Advice"),
    )  # fmt: skip
    assert code == "FIC_NGO"
    agencies.update(
        conn, ADMIN,
        agencies.AgencyDetails(
            "FIC_NGO", "Fictional Workers Trust", "partner",
            referral_contact="referrals@fictional.example", reports_as="advice_service",
        ),
    )  # fmt: skip
    users.add(conn, ADMIN, users.Person("t_ngo", "N", "partner", "FIC_NGO"))
    with pytest.raises(ValidationError, match="has people"):
        agencies.update(conn, ADMIN, agencies.AgencyDetails("FIC_NGO", "X", "enforcement"))
    assert "FIC_NGO" in set(referrals.directory(conn)["code"])
    agencies.retire(conn, ADMIN, "fic_ngo")
    assert "FIC_NGO" not in set(referrals.directory(conn)["code"])
    assert "FIC_NGO" not in agencies.current_names(conn)
    assert "FIC_NGO" in set(agencies.listing(conn)["code"])  # kept, retired
    with pytest.raises(ValidationError, match="retired"):
        users.add(conn, ADMIN, users.Person("t_ngo2", "N", "partner", "FIC_NGO"))
    with pytest.raises(ValidationError, match="retired"):
        users.reactivate(conn, ADMIN, "t_ngo")
    agencies.reinstate(conn, ADMIN, "FIC_NGO")
    assert "FIC_NGO" in agencies.current_names(conn)
    edits = conn.execute(
        text("SELECT count(*) FROM audit_log WHERE object_type = 'agency' AND action = 'edit'")
    ).scalar_one()
    assert edits == 4  # added, edited, retired, reinstated


def test_nothing_is_referred_to_a_retired_organisation(conn: Connection) -> None:
    officer = make_user(conn, "t_referrer")
    agencies.retire(conn, ADMIN, "EAS")
    with pytest.raises(ValidationError, match="unknown or retired agency 'EAS'"):
        # Refused before the visit is looked at: the organisation is checked first.
        referrals.refer(conn, officer, agency_code="EAS", reason="agency workers", visit_id=1)
