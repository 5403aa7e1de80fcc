"""Rights where data changes: every function of layers/ that changes a record refuses a viewer
itself, and audits the refusal, whatever page or command called it; the versioned-edit helper
refuses a stale save and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box
from sqlalchemy import Connection, text

from layers.areas import focus_areas
from layers.casework import referrals, reports, visits
from layers.core.errors import AccessDeniedError, ConflictError
from layers.people import edits, identity
from layers.reference import boundaries, osm, pack, postcodes
from layers.register import multi_occupancy, sites
from layers.register.businesses import editing, importing, mappings
from layers.sizing import official_figures
from tests.support import make_user

FORM = editing.BusinessForm(name="Refused Knitwear", sector="13", postcode="LE5 4GD")
SHAPE = box(-1.11, 52.63, -1.10, 52.64)
TODAY = dt.date(2026, 11, 2)

#: Every changing function, called as a viewer would call it; the argument values do not
#: matter, since rights are checked before anything else.
CHANGES: dict[str, Callable[[Connection, identity.User], object]] = {
    "create a business": lambda c, u: editing.create_business(c, u, FORM),
    "edit a business": lambda c, u: editing.update_business(c, u, 1, 1, FORM),
    "archive a business": lambda c, u: editing.archive_business(c, u, 1, 1),
    "add a unit": lambda c, u: sites.add_unit(c, u, 1, "G.01", 0),
    "edit a site": lambda c, u: sites.update_site(
        c, u, 1, 1, name="Mill", address="", postcode="", floors=2
    ),
    "archive a site": lambda c, u: sites.archive_site(c, u, 1, 1),
    "look for multi-occupancy": lambda c, u: multi_occupancy.detect(c, u),
    "accept a proposal": lambda c, u: multi_occupancy.accept(c, u, 1),
    "merge a proposal": lambda c, u: multi_occupancy.merge(c, u, 1, 1),
    "dismiss a proposal": lambda c, u: multi_occupancy.dismiss(c, u, 1),
    "import businesses": lambda c, u: importing.import_businesses(c, u, Path("firms.csv")),
    "save a column mapping": lambda c, u: mappings.save_mapping(c, u, "m", {"name": "Name"}),
    "create a focus area": lambda c, u: focus_areas.create(
        c, u, focus_areas.AreaDetails(name="Refused"), SHAPE
    ),
    "edit a focus area": lambda c, u: focus_areas.update_details(
        c, u, 1, 1, focus_areas.AreaDetails(name="Refused")
    ),
    "redraw a focus area": lambda c, u: focus_areas.update_shape(c, u, 1, 1, SHAPE),
    "delete a focus area": lambda c, u: focus_areas.delete(c, u, 1),
    "log a visit": lambda c, u: visits.log_visit(
        c, u, visits.NewVisit(TODAY, "compliance_check", "no_issues", business_id=1)
    ),
    "answer a rating": lambda c, u: visits.answer_rating(c, u, 1, right_to_reply="", confirm=True),
    "link a report to a visit": lambda c, u: visits.link_report(c, u, 1, 1),
    "submit a report": lambda c, u: reports.submit(
        c, u, reports.NewReport(TODAY, "public", "minimum_wage", "narrative", business_id=1)
    ),
    "grade a report": lambda c, u: reports.triage(
        c, u, 1, source_evaluation="1", intelligence_assessment="A", handling_code="P"
    ),
    "advance a report": lambda c, u: reports.advance(c, u, 1, "actioned"),
    "make a referral": lambda c, u: referrals.refer(
        c, u, agency_code="GLAA", reason="pay", visit_id=1
    ),
    "answer a referral": lambda c, u: referrals.answer(c, u, 1, status="accepted", response="ok"),
    "import boundaries": lambda c, u: boundaries.import_boundaries(
        c, u, Path("wards.geojson"), kind="ward"
    ),
    "import postcodes": lambda c, u: postcodes.import_postcodes(c, u, Path("le.csv")),
    "import OpenStreetMap": lambda c, u: osm.import_osm(c, u, Path("city.osm")),
    "import building footprints": lambda c, u: osm.import_polygons(c, u, Path("b.gpkg")),
    "load the reference pack": lambda c, u: pack.load_reference_data(c, u),
    "replace official figures": lambda c, u: official_figures.replace(c, u, pd.DataFrame()),
}


def _denials(conn: Connection, username: str) -> int:
    return int(
        conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'denied' AND username = :u"),
            {"u": username},
        ).scalar_one()
    )


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_viewer_is_refused_and_the_refusal_is_audited(conn: Connection, change: str) -> None:
    viewer = make_user(conn, "t_rights_viewer", role="viewer")
    businesses = conn.execute(text("SELECT count(*) FROM business")).scalar_one()
    with pytest.raises(AccessDeniedError):
        CHANGES[change](conn, viewer)
    assert _denials(conn, viewer.username) == 1
    assert conn.execute(text("SELECT count(*) FROM business")).scalar_one() == businesses


def test_an_officer_passes_the_same_check(conn: Connection) -> None:
    officer = make_user(conn, "t_rights_officer")
    business_id = editing.create_business(conn, officer, FORM)
    editing.update_business(conn, officer, business_id, 1, FORM)
    assert _denials(conn, officer.username) == 0


def _snapshot(conn: Connection, site_id: int) -> dict[str, object] | None:
    row = (
        conn.execute(text("SELECT name, floors FROM site WHERE id = :i"), {"i": site_id})
        .mappings()
        .first()
    )
    return dict(row) if row else None


def test_the_versioned_edit_refuses_a_stale_save_and_writes_nothing(conn: Connection) -> None:
    officer = make_user(conn, "t_versioned")
    site_id = conn.execute(
        text(
            "INSERT INTO site (name, address, geom, floors) VALUES ('Versioned Mill', '', "
            "ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), 0.0002)), 2) "
            "RETURNING id"
        )
    ).scalar_one()

    def save(expected: int, floors: int) -> int:
        return edits.save_versioned(
            conn,
            officer,
            table="site",
            row_id=site_id,
            expected_version=expected,
            update="UPDATE site SET floors = :floors WHERE id = :id AND version = :version "
            "RETURNING version",
            params={"floors": floors},
            snapshot=_snapshot,
        )

    assert save(1, 3) == 2
    with pytest.raises(ConflictError, match="you edited version 1; it is now at version 2"):
        save(1, 9)
    assert _snapshot(conn, site_id) == {"name": "Versioned Mill", "floors": 3}
    entries = (
        conn.execute(
            text(
                "SELECT detail FROM audit_log WHERE object_type = 'site' AND object_id = :i "
                "AND action = 'edit'"
            ),
            {"i": str(site_id)},
        )
        .scalars()
        .all()
    )
    assert entries == [
        {"before": {"name": "Versioned Mill", "floors": 2},
         "after": {"name": "Versioned Mill", "floors": 3}}
    ]  # fmt: skip
