"""Need to know, as a matrix: role x agency x handling code x path, each cell allowed or denied."""

from __future__ import annotations

import io
import itertools
import zipfile
from dataclasses import dataclass

import pandas as pd
import pytest
from sqlalchemy import Connection, text

from layers.areas import dashboard
from layers.casework import referrals, reports
from layers.core import vocab
from layers.core.errors import AccessDeniedError, JustificationRequiredError
from layers.exports import map_layers, tables
from layers.people import access, audit, clearances, identity
from layers.register import risk
from layers.routes import visit_sheet
from tests.support import make_user

#: (username, role, agency, cleared for all restricted intelligence)
PEOPLE = {
    "council_officer": ("officer", "COUNCIL", False),
    "glaa_officer": ("officer", "GLAA", False),
    "hmrc_analyst": ("analyst", "HMRC", False),
    "council_admin": ("admin", "COUNCIL", False),
    "cleared_planner": ("planner", "COUNCIL", True),
    "glaa_viewer": ("viewer", "GLAA", False),
    "vcs_partner": ("partner", "VCS", False),
}
#: (handling code, owning agency, category) of the reports in the matrix, all about one business
#: inside one focus area. Each has its own category, so a count by category names the report.
REPORTS = {
    "p_glaa": ("P", "GLAA", "minimum_wage"),
    "c_glaa": ("C", "GLAA", "modern_slavery"),
    "c_hmrc": ("C", "HMRC", "tax_fraud"),
}
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
    ("vcs_partner", "p_glaa"): False,
    ("vcs_partner", "c_glaa"): False,
    ("vcs_partner", "c_hmrc"): False,
}
#: The paths a partner is refused outright (audited): they are for the partnership's staff.
#: Why the matrix opens and exports reports (a justification is needed for both).
WHY = audit.Justification("Operation Matrix", "the test")
PARTNER_REFUSED = frozenset({"list", "profile", "map", "export", "layers", "area", "sheet"})
#: Every way report content can be reached: the rule itself, the list, opening one, the map
#: layer, the reports export, the layers export, the business profile, the risk factor table,
#: a focus area's dashboard, a route's visit sheet, grading it (triage) and referring it.
#: The command line is in test_cli.
PATHS = (
    "rule",
    "list",
    "open",
    "map",
    "export",
    "layers",
    "profile",
    "risk",
    "area",
    "sheet",
    "triage",
    "refer",
)


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


@dataclass(frozen=True)
class World:
    """The matrix's people, its reports' ids, and the business and focus area they are about."""

    people: dict[str, identity.User]
    reports: dict[str, int]
    business: int
    area: int


def _make_world(conn: Connection) -> World:
    conn.execute(text("DELETE FROM report_visit"))
    conn.execute(text("DELETE FROM referral"))
    conn.execute(text("DELETE FROM clearance"))
    people = {}
    for username, (role, agency, cleared) in PEOPLE.items():
        people[username] = make_user(conn, username, role, agency, cleared=cleared)
    conn.execute(text("DELETE FROM report"))
    business = conn.execute(
        text(
            "INSERT INTO business (name, sector, activity, geom) VALUES "
            "('Subject Ltd', '14', 'cmt', ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326)) RETURNING id"
        )
    ).scalar_one()
    area = conn.execute(
        text(
            "INSERT INTO focus_area (name, geom) VALUES ('Matrix area', "
            "ST_Multi(ST_MakeEnvelope(-1.101, 52.629, -1.099, 52.631, 4326))) RETURNING id"
        )
    ).scalar_one()
    ids = {}
    for key, (code, agency, category) in REPORTS.items():
        ids[key] = conn.execute(
            text(
                "INSERT INTO report (received_date, source_type, category, narrative, geom, "
                "business_id, owning_agency, handling_code, handling_conditions, status, "
                "source_evaluation, intelligence_assessment) VALUES ('2026-10-01', 'charity', "
                ":cat, :n, ST_SetSRID(ST_MakePoint(-1.1, 52.63), 4326), :b, :a, :c, :cond, "
                "'triaged', '2', 'B') RETURNING id"
            ),
            {
                "cat": category,
                "n": f"narrative of {key}",
                "b": business,
                "a": agency,
                "c": code,
                "cond": "owning agency only" if code == "C" else "",
            },
        ).scalar_one()
    return World(people, ids, business, area)


def _shown(conn: Connection, user: identity.User, world: World, path: str) -> str:
    """Everything ``user`` is shown of the reports along one read-only path, as text."""
    if path == "list":
        return " ".join(reports.readable(conn, user, justification=WHY)["narrative"].astype(str))
    if path == "profile":
        return " ".join(
            reports.readable(conn, user, business_id=world.business, justification=WHY)[
                "narrative"
            ].astype(str)
        )
    if path == "export":
        archive = zipfile.ZipFile(
            io.BytesIO(tables.reports_zip(conn, user, ["Test"], justification=WHY))
        )
        return archive.read("reports.csv").decode()
    if path == "layers":
        request = map_layers.ExportRequest(layers=("reports",), fmt="csv", justification=WHY)
        archive = zipfile.ZipFile(
            io.BytesIO(map_layers.export(conn, user, request, attribution=["Test"])[0])
        )
        return archive.read("reports.csv").decode()
    if path == "area":
        stats = dashboard.stats(conn, user, world.area)
        assert stats.open_reports == len(REPORTS)  # every report counts, readable or not
        return " ".join(stats.readable_reports["category"])
    assert path == "sheet"
    stop = pd.DataFrame(
        [{"stop": 1, "kind": "business", "place_id": world.business, "name": "Subject Ltd",
          "address": "", "postcode": ""}]
    )  # fmt: skip
    (sheet,) = visit_sheet.gather(conn, user, stop)
    readable = sum(MAY_READ[user.username, key] for key in REPORTS)
    assert sheet.restricted_reports == len(REPORTS) - readable
    return " ".join(sheet.reports["narrative"].astype(str))


def _act(conn: Connection, user: identity.User, report_id: int, path: str) -> None:
    """Grade (triage) or refer one report as ``user``."""
    if path == "triage":
        code = conn.execute(
            text("SELECT handling_code FROM report WHERE id = :id"), {"id": report_id}
        ).scalar_one()
        reports.triage(
            conn,
            user,
            report_id,
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code=code,
            handling_conditions="as before",
        )
    else:
        referrals.refer(conn, user, agency_code="HSE", reason="fire exits", report_id=report_id)


def _denials(conn: Connection, user: identity.User, report_id: int) -> int:
    return conn.execute(
        text(
            "SELECT count(*) FROM audit_log WHERE action = 'denied' AND username = :u "
            "AND object_id = :id"
        ),
        {"u": user.username, "id": str(report_id)},
    ).scalar_one()


def _all_denials(conn: Connection, user: identity.User) -> int:
    return conn.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'denied' AND username = :u"),
        {"u": user.username},
    ).scalar_one()


@pytest.mark.parametrize(
    ("person", "report", "path"), list(itertools.product(PEOPLE, REPORTS, PATHS))
)
def test_the_access_matrix(
    conn: Connection, world: World, person: str, report: str, path: str
) -> None:
    user, expected = world.people[person], MAY_READ[person, report]
    code, agency, category = REPORTS[report]
    report_id = world.reports[report]
    if user.role == "partner" and path in PARTNER_REFUSED:
        before = _all_denials(conn, user)
        with pytest.raises(AccessDeniedError):
            if path == "map":
                reports.readable_points(conn, user)
            else:
                _shown(conn, user, world, path)
        assert _all_denials(conn, user) == before + 1
    elif path == "rule":
        assert access.can_read_report(user, handling_code=code, owning_agency=agency) is expected
    elif path == "map":
        assert (report_id in set(reports.readable_points(conn, user)["id"])) is expected
    elif path == "risk":
        # The points count every open report; the detail says how many, and nothing else.
        table = risk.explain(risk.business_factors(conn, [world.business]))
        details = dict(zip(table["factor"], table["detail"], strict=True))
        assert details[risk.FACTOR_LABELS["open_reports"]] == f"{len(REPORTS)} open report(s)"
        shown = table.to_string()
        assert f"narrative of {report}" not in shown
        assert vocab.REPORT_CATEGORIES[category] not in shown
    elif path == "area":
        shown = _shown(conn, user, world, path)
        assert (vocab.REPORT_CATEGORIES[category] in shown) is expected
    elif path in ("triage", "refer"):
        if expected:
            _act(conn, user, report_id, path)
        else:
            with pytest.raises(AccessDeniedError):
                _act(conn, user, report_id, path)
    elif path == "open":
        if expected:
            assert (
                reports.open_report(conn, user, report_id, justification=WHY)["narrative"]
                == f"narrative of {report}"
            )
        else:
            with pytest.raises(AccessDeniedError):
                reports.open_report(conn, user, report_id)
            assert _denials(conn, user, report_id) == 1
    elif path == "sheet" and code == "C":
        # A printed sheet never carries a restricted narrative: it says how to read it.
        shown = _shown(conn, user, world, path)
        assert f"narrative of {report}" not in shown
        assert (f"open report {report_id} and say why" in shown) is expected
    elif path == "layers" and user.role == "viewer":
        with pytest.raises(AccessDeniedError):
            _shown(conn, user, world, path)
    else:
        assert (f"narrative of {report}" in _shown(conn, user, world, path)) is expected


def test_restricted_reports_are_counted_never_shown(conn: Connection, world: World) -> None:
    people = world.people
    assert reports.restricted_count(conn, people["council_officer"]) == 2
    assert reports.restricted_count(conn, people["glaa_officer"]) == 1
    assert reports.restricted_count(conn, people["cleared_planner"]) == 0
    assert reports.restricted_count(conn, people["glaa_viewer"]) == 3
    assert reports.restricted_count(conn, people["vcs_partner"]) == 3


def test_a_clearance_for_one_report(conn: Connection, world: World) -> None:
    officer, ids = world.people["council_officer"], world.reports
    clearances.grant(
        conn, identity.command_line("admin"), officer.username, reason="case 7",
        report_id=ids["c_hmrc"],
    )  # fmt: skip
    assert ids["c_hmrc"] in set(reports.readable(conn, officer)["id"])
    assert ids["c_glaa"] not in set(reports.readable(conn, officer)["id"])
    reports.open_report(conn, officer, ids["c_hmrc"], justification=WHY)
    assert (
        conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'view_restricted' AND username = :u"
            ),
            {"u": officer.username},
        ).scalar_one()
        == 1
    )


def test_a_restricted_report_opens_only_with_a_justification_which_is_audited(
    conn: Connection, world: World
) -> None:
    officer, report_id = world.people["glaa_officer"], world.reports["c_glaa"]
    with pytest.raises(JustificationRequiredError, match="say why you are opening restricted"):
        reports.open_report(conn, officer, report_id)
    opened = reports.open_report(
        conn, officer, report_id, justification=audit.Justification("  Op Needle  ")
    )
    assert opened["narrative"] == "narrative of c_glaa"
    logged = (
        conn.execute(
            text(
                "SELECT detail->>'justification' FROM audit_log WHERE action = 'view_restricted' "
                "AND username = :u ORDER BY id"
            ),
            {"u": officer.username},
        )
        .scalars()
        .all()
    )
    assert logged == ["Op Needle"]  # the refused attempt read nothing and logged no reading
    # A P report needs no justification.
    assert reports.open_report(conn, officer, world.reports["p_glaa"])["id"]


def test_exports_of_report_content_carry_their_justification(
    conn: Connection, world: World
) -> None:
    officer = world.people["glaa_officer"]
    with pytest.raises(JustificationRequiredError):
        tables.reports_zip(conn, officer, ["Test"])
    with pytest.raises(JustificationRequiredError):
        map_layers.export(
            conn, officer, map_layers.ExportRequest(layers=("reports",), fmt="csv"),
            attribution=["Test"],
        )  # fmt: skip
    archive = zipfile.ZipFile(
        io.BytesIO(tables.reports_zip(conn, officer, ["T"], justification=WHY))
    )
    assert "Justification: Operation Matrix" in archive.read("ATTRIBUTION.txt").decode()
    detail = conn.execute(
        text(
            "SELECT detail FROM audit_log WHERE action = 'export' AND username = :u "
            "ORDER BY id DESC LIMIT 1"
        ),
        {"u": officer.username},
    ).scalar_one()
    readable = {world.reports[k] for k in REPORTS if MAY_READ[officer.username, k]}
    assert (detail["justification"], detail["recipient"]) == ("Operation Matrix", "the test")
    assert set(detail["reports"]) == readable
    # Layers without reports need no justification.
    map_layers.export(
        conn, officer, map_layers.ExportRequest(layers=("businesses",), fmt="csv"),
        attribution=["Test"],
    )  # fmt: skip


def test_lists_show_a_restricted_narrative_only_once_the_reader_says_why(
    conn: Connection, world: World
) -> None:
    officer, ids = world.people["glaa_officer"], world.reports
    unjustified = reports.readable(conn, officer).set_index("id")["narrative"]
    assert unjustified[ids["p_glaa"]] == "narrative of p_glaa"
    assert unjustified[ids["c_glaa"]] == (
        f"[Restricted (C): open report {ids['c_glaa']} and say why to read it.]"
    )
    before = conn.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'view_restricted'")
    ).scalar_one()
    justified = reports.readable(conn, officer, justification=WHY).set_index("id")["narrative"]
    assert justified[ids["c_glaa"]] == "narrative of c_glaa"
    entry = conn.execute(
        text(
            "SELECT detail FROM audit_log WHERE action = 'view_restricted' ORDER BY id DESC LIMIT 1"
        )
    ).scalar_one()
    assert entry["reports"] == [ids["c_glaa"]] and entry["justification"] == WHY.reason
    after = conn.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'view_restricted'")
    ).scalar_one()
    assert after == before + 1
