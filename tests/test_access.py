"""Need to know, as a matrix: role x agency x handling code x path, each cell allowed or denied."""

from __future__ import annotations

import io
import itertools
import zipfile

import pytest
from sqlalchemy import Connection, text

from layers import access, exports, referrals, reports, users
from layers.errors import AccessDeniedError
from tests.support import make_user

#: (username, role, agency, cleared for all restricted intelligence)
PEOPLE = {
    "council_officer": ("officer", "COUNCIL", False),
    "glaa_officer": ("officer", "GLAA", False),
    "hmrc_analyst": ("analyst", "HMRC", False),
    "council_admin": ("admin", "COUNCIL", False),
    "cleared_planner": ("planner", "COUNCIL", True),
    "glaa_viewer": ("viewer", "GLAA", False),
}
#: (handling code, owning agency) of the reports in the matrix.
REPORTS = {"p_glaa": ("P", "GLAA"), "c_glaa": ("C", "GLAA"), "c_hmrc": ("C", "HMRC")}
#: Who may read which report's content. Written out, not computed, so the test can fail.
MAY_READ = {
    ("council_officer", "p_glaa"): True,
    ("council_officer", "c_glaa"): False,
    ("council_officer", "c_hmrc"): False,
    ("glaa_officer", "p_glaa"): True,
    ("glaa_officer", "c_glaa"): True,
    ("glaa_officer", "c_hmrc"): False,
    ("hmrc_analyst", "p_glaa"): True,
    ("hmrc_analyst", "c_glaa"): False,
    ("hmrc_analyst", "c_hmrc"): True,
    ("council_admin", "p_glaa"): True,
    ("council_admin", "c_glaa"): False,
    ("council_admin", "c_hmrc"): False,
    ("cleared_planner", "p_glaa"): True,
    ("cleared_planner", "c_glaa"): True,
    ("cleared_planner", "c_hmrc"): True,
    ("glaa_viewer", "p_glaa"): False,
    ("glaa_viewer", "c_glaa"): False,
    ("glaa_viewer", "c_hmrc"): False,
}
#: Every way report content can be reached: the rule itself, the list, opening one, the map
#: layer, the export file, grading it (triage) and referring it. The command line is in test_cli.
PATHS = ("rule", "list", "open", "map", "export", "triage", "refer")


@pytest.fixture(scope="module")
def shared(engine):  # type: ignore[no-untyped-def]
    """One connection for the module: people and reports made once, rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection, _make_world(connection)
        transaction.rollback()


@pytest.fixture
def conn(shared):  # type: ignore[no-untyped-def]
    """The module's connection, each test in a savepoint rolled back after it."""
    connection, _ = shared
    savepoint = connection.begin_nested()
    yield connection
    savepoint.rollback()


@pytest.fixture
def world(shared):  # type: ignore[no-untyped-def]
    return shared[1]


def _make_world(conn: Connection) -> tuple[dict[str, users.User], dict[str, int]]:
    people = {}
    for username, (role, agency, cleared) in PEOPLE.items():
        people[username] = make_user(conn, username, role, agency, cleared=cleared)
    conn.execute(text("DELETE FROM report_visit"))
    conn.execute(text("DELETE FROM referral"))
    conn.execute(text("DELETE FROM report_clearance"))
    conn.execute(text("DELETE FROM report"))
    ids = {}
    for key, (code, agency) in REPORTS.items():
        ids[key] = conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, geom, "
                "owning_agency, handling_code, handling_conditions, status, source_evaluation, "
                "intelligence_assessment) VALUES ('2026-10-01', 'charity', 'minimum_wage', :n, "
                "ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), :a, :c, :cond, 'triaged', '2', 'B') "
                "RETURNING id"
            ),
            {
                "n": f"narrative of {key}",
                "a": agency,
                "c": code,
                "cond": "owning agency only" if code == "C" else "",
            },
        ).scalar_one()
    return people, ids


@pytest.mark.parametrize(
    ("person", "report", "path"), list(itertools.product(PEOPLE, REPORTS, PATHS))
)
def test_the_access_matrix(
    conn: Connection,
    world: tuple[dict[str, users.User], dict[str, int]],
    person: str,
    report: str,
    path: str,
) -> None:
    people, ids = world
    user, expected = people[person], MAY_READ[person, report]
    code, agency = REPORTS[report]
    if path == "rule":
        assert access.can_read_report(user, handling_code=code, owning_agency=agency) is expected
    elif path == "list":
        listed = reports.readable(conn, user)
        assert (ids[report] in set(listed["id"])) is expected
        shown = " ".join(listed["narrative"].astype(str))
        assert (f"narrative of {report}" in shown) is expected
    elif path == "map":
        assert (ids[report] in set(reports.readable_points(conn, user)["id"])) is expected
    elif path == "export":
        archive = zipfile.ZipFile(io.BytesIO(exports.reports_zip(conn, user, ["Test"])))
        assert (f"narrative of {report}" in archive.read("reports.csv").decode()) is expected
    elif path in ("triage", "refer"):

        def act() -> None:
            if path == "triage":
                reports.triage(
                    conn,
                    user,
                    ids[report],
                    source_evaluation="1",
                    intelligence_assessment="A",
                    handling_code=code,
                    handling_conditions="as before",
                )
            else:
                referrals.refer(
                    conn, user, agency_code="HSE", reason="fire exits", report_id=ids[report]
                )

        if expected:
            act()
        else:
            with pytest.raises(AccessDeniedError):
                act()
    else:
        if expected:
            assert (
                reports.open_report(conn, user, ids[report])["narrative"]
                == f"narrative of {report}"
            )
        else:
            with pytest.raises(AccessDeniedError):
                reports.open_report(conn, user, ids[report])
            denied = conn.execute(
                text(
                    "SELECT count(*) FROM audit_log WHERE action = 'denied' AND username = :u "
                    "AND object_id = :id"
                ),
                {"u": user.username, "id": str(ids[report])},
            ).scalar_one()
            assert denied == 1


def test_restricted_reports_are_counted_never_shown(
    conn: Connection, world: tuple[dict[str, users.User], dict[str, int]]
) -> None:
    people, _ = world
    assert reports.restricted_count(conn, people["council_officer"]) == 2
    assert reports.restricted_count(conn, people["glaa_officer"]) == 1
    assert reports.restricted_count(conn, people["cleared_planner"]) == 0
    assert reports.restricted_count(conn, people["glaa_viewer"]) == 3


def test_a_clearance_for_one_report(
    conn: Connection, world: tuple[dict[str, users.User], dict[str, int]]
) -> None:
    people, ids = world
    officer = people["council_officer"]
    conn.execute(
        text("INSERT INTO report_clearance (report_id, user_id) VALUES (:r, :u)"),
        {"r": ids["c_hmrc"], "u": officer.id},
    )
    assert ids["c_hmrc"] in set(reports.readable(conn, officer)["id"])
    assert ids["c_glaa"] not in set(reports.readable(conn, officer)["id"])
    reports.open_report(conn, officer, ids["c_hmrc"])
    assert (
        conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'view_restricted' AND username = :u"
            ),
            {"u": officer.username},
        ).scalar_one()
        == 1
    )


def test_a_business_profile_lists_only_readable_reports(
    conn: Connection, world: tuple[dict[str, users.User], dict[str, int]]
) -> None:
    people, ids = world
    business = conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom) VALUES "
            "('Subject Ltd', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326)) RETURNING id"
        )
    ).scalar_one()
    conn.execute(text("UPDATE report SET business_id = :b"), {"b": business})
    for person, expected in (
        ("council_officer", {"p_glaa"}),
        ("glaa_officer", {"p_glaa", "c_glaa"}),
    ):
        listed = set(reports.readable(conn, people[person], business_id=business)["id"])
        assert listed == {ids[key] for key in expected}
