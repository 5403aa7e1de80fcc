"""The disclosure bundle against PostGIS: everything held on one business, reports withheld
from the administrator listed by number and handling code only, refused without a
justification or to anyone but an administrator, and audited."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.core.errors import AccessDeniedError, JustificationRequiredError, ValidationError
from layers.exports import disclosure
from layers.people import audit
from layers.register.businesses import editing
from tests.support import make_user

WHY = audit.Justification("Subject access request 2026/17", "the business's solicitor")


def _world(conn: Connection) -> dict[str, int]:
    officer = make_user(conn, "t_disclose_officer")
    business = editing.create_business(
        conn, officer,
        editing.BusinessForm(name="Fictional Disclosure Knit", sector="13", postcode="LE5 4GD",
                             company_number="99000017"),
    )  # fmt: skip
    site = conn.execute(
        text(
            "INSERT INTO site (name, address, geom, floors) VALUES ('Fictional Mill', '', "
            "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), 0.0002)), 2) "
            "RETURNING id"
        )
    ).scalar_one()
    unit = conn.execute(
        text("INSERT INTO unit (site_id, label, floor) VALUES (:s, 'G.01', 0) RETURNING id"),
        {"s": site},
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO tenancy (unit_id, business_id, start_date) VALUES (:u, :b, '2020-01-01')"
        ),
        {"u": unit, "b": business},
    )
    conn.execute(
        text(
            "INSERT INTO visit (visit_date, business_id, agencies, visit_type, outcome, findings, "
            "rating) VALUES ('2021-03-04', :b, '{COUNCIL}', 'compliance_check', 'advice', "
            ":findings, 3)"
        ),
        {"b": business, "findings": '=HYPERLINK("x")'},
    )
    ids = {}
    owners = (("p", "P", "GLAA"), ("c_council", "C", "COUNCIL"), ("c_hmrc", "C", "HMRC"))
    for key, code, agency in owners:
        ids[key] = conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, business_id, "
                "owning_agency, handling_code, handling_conditions) VALUES ('2026-01-05', "
                "'charity', 'minimum_wage', :n, :b, :a, :c, :cond) RETURNING id"
            ),
            {"n": f"narrative {key}", "b": business, "a": agency, "c": code,
             "cond": "owner only" if code == "C" else ""},
        ).scalar_one()  # fmt: skip
    return {"business": business, **ids}


def test_a_bundle_holds_everything_and_withholds_what_the_admin_may_not_read(
    conn: Connection,
) -> None:
    world = _world(conn)
    admin = make_user(conn, "t_disclose_admin", role="admin", agency="COUNCIL")
    subject = disclosure.find_business(conn, " 99000017 ")
    assert (subject.kind, subject.id) == ("business", world["business"])
    data, name = disclosure.bundle(conn, admin, subject, justification=WHY, attribution=["© t"])
    assert name.startswith(f"sectormap-disclosure-business-{world['business']}-fictional")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert {"business.csv", "edit_history.csv", "units.csv", "tenancies.csv", "visits.csv",
            "referrals.csv", "reports.csv", "reports_withheld.csv", "disclosure.json",
            "summary.pdf", "README.txt"} == set(archive.namelist())  # fmt: skip

    def frame(member: str) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(archive.read(member)))

    assert set(frame("reports.csv")["id"]) == {world["p"], world["c_council"]}
    withheld = frame("reports_withheld.csv")
    assert list(withheld.columns) == ["id", "handling_code", "owning_agency", "withheld"]
    assert list(withheld["id"]) == [world["c_hmrc"]]
    everything = b"".join(archive.read(m) for m in archive.namelist())
    assert b"narrative c_hmrc" not in everything
    assert frame("tenancies.csv")["unit"].tolist() == ["G.01"]
    assert frame("visits.csv")["findings"].tolist() == ['\'=HYPERLINK("x")']  # neutralised
    assert frame("edit_history.csv")["action"].tolist() == ["create"]
    assert archive.read("summary.pdf").startswith(b"%PDF")
    assert "Justification: Subject access request 2026/17" in archive.read("README.txt").decode()
    bundle_json = json.loads(archive.read("disclosure.json"))
    assert bundle_json["recipient"] == "the business's solicitor"
    detail = conn.execute(
        text("SELECT detail FROM audit_log WHERE action = 'disclose' AND object_id = :i"),
        {"i": str(world["business"])},
    ).scalar_one()
    assert detail["justification"] == WHY.reason and detail["withheld"] == [world["c_hmrc"]]


def test_a_bundle_needs_an_administrator_and_a_reason(conn: Connection) -> None:
    world = _world(conn)
    subject = disclosure.find(conn, "business", world["business"])
    officer = make_user(conn, "t_disclose_not_admin")
    with pytest.raises(AccessDeniedError):
        disclosure.bundle(conn, officer, subject, justification=WHY, attribution=[])
    admin = make_user(conn, "t_disclose_admin2", role="admin")
    with pytest.raises(JustificationRequiredError):
        disclosure.bundle(conn, admin, subject, justification=None, attribution=[])
    with pytest.raises(ValidationError, match="no business has the company number"):
        disclosure.find_business(conn, "NOPE123")
    with pytest.raises(ValidationError, match="there is no site"):
        disclosure.find(conn, "site", 10**9)
