"""Journeys in real headless Chromium against the running Streamlit app on a demo database."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import gpxpy
import pyogrio
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import create_engine, make_url, text

from layers.core import migrate
from layers.core.db import database_url
from layers.core.settings import REPO_ROOT, get_settings
from layers.demo import populate
from layers.reference import osm
from tests import companies_house_file as ch
from tests import osm_file
from tests.app import accessibility
from tests.app.browser import map_frame, serve_app, settle, sign_in
from tests.support import IMPORTER, fresh_database, worker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# The app shares two cores with the other test worker: give assertions time to come true.
expect.set_options(timeout=20_000)
SCREENSHOTS = REPO_ROOT / "data" / "screenshots"
#: A building around Lockvel Browser Fashions (-1.0992, 52.6362), for the streets base layer.
LOCKVEL_WORKS = (
    9101,
    "Lockvel Works",
    [(52.63605, -1.09945), (52.63605, -1.09895), (52.63635, -1.09895), (52.63635, -1.09945)],
)
HOSTILE = '<img src=x onerror="alert(1)">Evil **Stitch** [link](http://x) :red[red]'


@pytest.fixture(scope="module")
def app_database(app_url: str) -> str:
    """The name of the database behind the running app (the app fixture made it)."""
    return f"{get_settings().db_name}_browser_{worker()}"


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The real app, served by Streamlit on a free port, on a database loaded with the demo."""
    url = fresh_database(f"{get_settings().db_name}_browser_{worker()}")
    engine = create_engine(url)
    migrate.upgrade(engine)
    populate.load(engine, seed=2020)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, postcode, geom) VALUES "
                "(:name, '14', 'cmt', 'LE1 1AA', ST_SetSRID(ST_MakePoint(-1.1249, 52.6323), 4326))"
            ),
            {"name": HOSTILE},
        )
        conn.execute(
            text(
                "INSERT INTO business (name, sector, activity, postcode, geom) VALUES "
                "('Lockvel Browser Fashions', '14', 'cmt', 'LE5 4GD', "
                "ST_SetSRID(ST_MakePoint(-1.0992, 52.6362), 4326))"
            )
        )
    # Streets around the map's centre, for the planner's route, and one building (around the
    # Lockvel business) for the base layer under a profile.
    streets = REPO_ROOT / "data" / f"browser-streets-{worker()}.osm"
    streets.parent.mkdir(parents=True, exist_ok=True)
    osm.import_osm(
        engine,
        IMPORTER,
        osm_file.write(
            streets, buildings=[LOCKVEL_WORKS], grid=(52.622, -1.146), streets=28, spacing=0.0015
        ),
    )
    engine.dispose()
    with serve_app(url, name="journeys") as served:
        yield served


def open_from_search(page: Page, query: str) -> None:
    """Type a search, wait for its results, and open the best match's profile."""
    page.get_by_role("textbox", name="Find a business or building").fill(query)
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name=re.compile(r"\d+ found"))).to_be_visible()
    page.get_by_role("button", name="Open the profile").click()
    expect(page.get_by_role("button", name="Close the profile")).to_be_visible()


def test_a_wrong_password_is_refused(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "officer", "not-the-password")
    expect(page.get_by_text("Unknown username or wrong password.")).to_be_visible()
    expect(page.get_by_role("heading", name="Map", exact=True)).to_have_count(0)


def test_an_officer_signs_in_and_sees_the_map_with_its_layers(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "officer")
    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    expect(page.get_by_text("fictional").first).to_be_visible()
    frame = map_frame(page)
    # Tiles cannot load here; the vector layers must draw all the same.
    expect(frame.locator(".marker-cluster").first).to_be_visible(timeout=30_000)
    assert frame.locator(".marker-cluster").count() >= 5
    assert frame.locator("path.leaflet-interactive").count() >= 10  # districts, sites, areas
    control = frame.locator(".leaflet-control-layers")
    expect(control).to_contain_text("Businesses (1,202)")
    expect(control).to_contain_text("Sites (25)")
    expect(control).to_contain_text("Focus areas")
    expect(frame.locator(".sectormap-legend")).to_contain_text("Businesses by risk")
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("Fictional demo data")
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    expect(page.get_by_text("Contains OS data © Crown copyright")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1_000)
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)


def test_zooming_in_splits_clusters_into_businesses(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "officer")
    frame = map_frame(page)
    clusters = frame.locator(".marker-cluster")
    expect(clusters.first).to_be_visible(timeout=30_000)
    before = sorted(clusters.all_inner_texts())
    largest = max(int(t) for t in before)
    for _ in range(4):
        frame.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)
    after = sorted(clusters.all_inner_texts())
    # Closer in, the clusters break up: what remains on screen is smaller than the biggest was.
    assert after != before
    assert all(int(t) < largest for t in after)


@pytest.mark.parametrize(
    ("username", "visible", "hidden"),
    [
        ("viewer", ["Map", "Sector sizing"], ["Reports", "Export", "Import", "Admin"]),
        ("analyst", ["Map", "Reports", "Export", "Import"], ["Admin"]),
        ("admin", ["Map", "Export", "Admin"], []),
    ],
)
def test_navigation_follows_the_role(
    page: Page, app_url: str, username: str, visible: list[str], hidden: list[str]
) -> None:
    sign_in(page, app_url, username)
    navigation = page.get_by_test_id("stSidebarNav")
    for title in visible:
        expect(navigation.get_by_role("link", name=title, exact=True)).to_be_visible()
    for title in hidden:
        expect(navigation.get_by_role("link", name=title, exact=True)).to_have_count(0)


def test_the_admin_sees_logins_in_the_audit_log(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "admin")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Admin").click()
    page.get_by_role("tab", name="Audit log").click()
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    assert Path(SCREENSHOTS).parent.exists()


def test_an_analyst_imports_a_companies_house_file(
    page: Page, app_url: str, tmp_path: Path
) -> None:
    path = ch.write(
        tmp_path / "BasicCompanyData-2026-11-01.csv",
        [
            ch.company("BROWSEVEL FASHIONS LIMITED", "90000201", "LE5 4GD", ch.SIC_TEXTS["14190"]),
            ch.company("NOWHERE STITCH LTD", "90000202", "LE1 ZZZ", ch.SIC_TEXTS["14190"]),
            ch.company("LEICESTER CAFE LTD", "90000203", "LE1 1AA", ch.SIC_TEXTS["56101"]),
        ],
    )
    sign_in(page, app_url, "analyst")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Import").click()
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_role("combobox", name="Format")).to_have_value(
        "Companies House free company data (CSV)"
    )
    page.get_by_role("button", name="Check (dry run)").click()
    expect(page.get_by_text("1 businesses would be added")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("1 businesses were added")).to_be_visible()
    expect(
        page.get_by_text("1 skipped (not of the sector or the area); 1 rejected")
    ).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the rejected rows (CSV)").click()
    report = Path(download.value.path()).read_text()
    assert "3,RegAddress.PostCode,LE1 ZZZ,not a well-formed UK postcode" in report


def test_an_officer_finds_the_imperial_typewriter_building_and_a_tenant(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "officer")
    open_from_search(page, "imperial typwriter")
    expect(page.get_by_role("heading", name="Imperial Typewriter Building")).to_be_visible()
    expect(page.get_by_text("5 floors · 50 units")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").filter(has_text="Floor 4")
    expect(grid).to_be_visible()
    expect(grid).to_contain_text("Ground")
    page.get_by_role("button", name="Open the tenant's profile").click()
    expect(
        page.get_by_role("button", name="Open the building: Imperial Typewriter Building")
    ).to_be_visible()
    expect(page.get_by_text("Risk score")).to_be_visible()
    expect(page.get_by_text("Fictional demo business.")).to_be_visible()


def test_an_officer_accepts_a_multi_occupancy_proposal_and_the_building_shows_its_new_tenant(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "officer", path="registers")
    page.get_by_role("tab", name="Multi-occupancy proposals").click()
    page.get_by_role("button", name="Look for multi-occupancy buildings").click()
    # The innermost block that holds both the proposal's text and its buttons: its own box.
    proposal = (
        page.get_by_test_id("stVerticalBlock")
        .filter(has_text="inside the footprint of Farrow")
        .filter(has=page.get_by_role("button", name="Accept"))
        .last
    )
    expect(proposal).to_contain_text("1 business inside the footprint of Farrow")
    tenant = proposal.get_by_test_id("stCaptionContainer").inner_text()
    proposal.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(re.compile(r"Accepted: site \d+, with its businesses"))).to_be_visible()
    expect(page.get_by_text("inside the footprint of Farrow")).to_have_count(0)
    page.get_by_role("link", name="Map").click()
    open_from_search(page, "Farrow Works")
    expect(page.locator("[data-stale='true']")).to_have_count(0)  # the profile is drawn
    # Typing filters the building's tenants, so the new one is in the (scrolling) list.
    page.get_by_role("combobox", name="Tenant").click()
    page.keyboard.type(tenant)
    expect(page.get_by_role("option", name=f"Unit of {tenant} · {tenant}")).to_be_visible()


def test_hostile_names_show_as_text(page: Page, app_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, app_url, "officer")
    open_from_search(page, "Evil Stitch")
    heading = page.get_by_role("heading", name="Evil")
    expect(heading).to_contain_text('<img src=x onerror="alert(1)">Evil **Stitch** [link]')
    expect(heading.locator("img, strong, a[href='http://x']")).to_have_count(0)
    frame = map_frame(page)
    expect(frame.locator(".leaflet-control-layers")).to_be_visible()
    assert frame.locator("img[src=x]").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def _open_for_editing(page: Page, app_url: str, name: str) -> None:
    sign_in(page, app_url, "officer")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Businesses & sites").click()
    page.get_by_role("textbox", name="Filter the table").fill(name)
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 business.")).to_be_visible()
    # The filtered table replaces the full one when the rerun ends: wait for it.
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 12, box["y"] + 55)  # the row's selection box
    expect(page.get_by_text(f"Edit {name} (version 1)")).to_be_visible()


def test_the_second_of_two_officers_saving_the_same_business_is_refused(
    browser: Browser, app_url: str
) -> None:
    first, second = (
        browser.new_context(viewport={"width": 1400, "height": 1400}).new_page() for _ in range(2)
    )
    for page in (first, second):
        page.set_default_timeout(30_000)
        _open_for_editing(page, app_url, "Lockvel Browser Fashions")
    first.get_by_test_id("stForm").first.get_by_label("Employees (estimate)").fill("14")
    first.get_by_test_id("stForm").first.get_by_role("button", name="Save").click()
    expect(first.get_by_text("Saved.")).to_be_visible()
    second.get_by_test_id("stForm").first.get_by_label("Trading name").fill("Lockvel Collections")
    second.get_by_test_id("stForm").first.get_by_role("button", name="Save").click()
    expect(
        second.get_by_text("Someone else saved this business after you opened it")
    ).to_be_visible()
    for page in (first, second):
        page.context.close()


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    # Typing filters the options (an option list below the fold cannot be clicked).
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_have_count(1)
    page.keyboard.press("Enter")
    expect(box).to_have_value(option)


def test_an_officer_logs_a_visit_the_map_shows_it_and_the_admin_sees_it_audited_with_a_refusal(
    page: Page, app_url: str, app_database: str
) -> None:
    engine = create_engine(make_url(database_url()).set(database=app_database))
    with engine.connect() as conn:
        site_id = conn.execute(
            text("SELECT id FROM site WHERE name LIKE 'Imperial Typewriter%'")
        ).scalar_one()
        restricted = conn.execute(
            text(
                "SELECT id FROM report WHERE handling_code = 'C' AND owning_agency = 'HMRC' "
                "ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    sign_in(page, app_url, "officer")
    open_from_search(page, "Imperial Typewriter")
    page.get_by_text("Log a visit to this building").click()
    choose(page, "Outcome", "Indicators of exploitation found")
    page.get_by_label("Findings").fill(
        "Locked fire exit on the third floor; workers sleep on site."
    )
    page.get_by_role("button", name="Save the visit").click()
    expect(
        page.get_by_text(re.compile(r"Visit \d+ logged, referred to GLAA, POLICE"))
    ).to_be_visible()
    with engine.connect() as conn:
        visit_id, outcome, total, referred = conn.execute(
            text(
                "SELECT v.id, v.outcome, (SELECT count(*) FROM visit), "
                "(SELECT array_agg(agency_code ORDER BY agency_code) FROM referral r "
                " WHERE r.visit_id = v.id) FROM visit v WHERE v.site_id = :s "
                "ORDER BY v.id DESC LIMIT 1"
            ),
            {"s": site_id},
        ).one()
    assert outcome == "exploitation_indicators" and referred == ["GLAA", "POLICE"]
    page.get_by_text("Visits, coloured by outcome").click()
    expect(page.get_by_text("Visits between")).to_be_visible()
    control = map_frame(page).locator(".leaflet-control-layers")
    expect(control).to_contain_text(f"Visits ({total:,})")
    expect(map_frame(page).locator(".sectormap-legend")).to_contain_text("Visits by outcome")
    assert map_frame(page).locator(".sectormap-visit").count() >= 1

    # A crafted link to an HMRC report with handling code C (a new page load signs in again):
    # refused and audited.
    sign_in(page, app_url, "officer", path=f"reports?report={restricted}")
    expect(page.get_by_text(f"You may not read report {restricted}")).to_be_visible()
    with engine.connect() as conn:
        denied = conn.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = 'denied' AND username = 'officer' "
                "AND object_id = :id"
            ),
            {"id": str(restricted)},
        ).scalar_one()
    engine.dispose()
    assert denied >= 1

    sign_in(page, app_url, "admin", path="admin")
    page.get_by_role("tab", name="Audit log").click()
    choose(page, "User", "officer")
    log = page.get_by_test_id("stDataFrame").last
    expect(log).to_contain_text("Access denied")
    expect(log).to_contain_text("Create")
    choose(page, "About", "visit")
    page.get_by_role("textbox", name="Object number").fill(str(visit_id))
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 entries")).to_be_visible()
    choose(page, "About", "report")
    page.get_by_role("textbox", name="Object number").fill(str(restricted))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("Access denied")


def test_a_submitted_narrative_with_html_renders_as_text(
    page: Page, app_url: str, app_database: str
) -> None:
    narrative = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b> **not bold**"
    sign_in(page, app_url, "hmrc_officer", path="reports")
    page.get_by_role("tab", name="Submit a report").click()
    page.get_by_role("textbox", name="Conditions").fill("HMRC only")
    page.get_by_label("Narrative: what was reported").fill(narrative)
    page.get_by_text("A place on the map").click()
    expect(page.get_by_text("Click the map where the report places it.")).to_be_visible()
    map_frame(page).locator(".leaflet-container").click()
    expect(page.get_by_text(re.compile(r"Chosen place: 52\.\d+, -1\.\d+"))).to_be_visible()
    page.get_by_role("button", name="Submit the report").click()
    expect(
        page.get_by_text(re.compile(r"Report \d+ submitted; it waits for triage"))
    ).to_be_visible()
    page.get_by_role("tab", name="Reports").click()
    # It is restricted (handling code C): opening it asks why first, and nothing shows before.
    expect(page.get_by_text(re.compile(r"Report \d+ is restricted"))).to_be_visible()
    expect(page.get_by_test_id("stText")).to_have_count(0)
    page.get_by_role("button", name="Open the report").click()
    expect(page.get_by_text("Say why you are opening it.")).to_be_visible()
    page.get_by_role("textbox", name="Why you are opening it").fill("Operation Browser")
    page.get_by_role("button", name="Open the report").click()
    # The opened report shows the narrative as plain text (the table lists it too).
    expect(page.get_by_test_id("stText").get_by_text(narrative, exact=True)).to_be_visible()
    engine = create_engine(make_url(database_url()).set(database=app_database))
    with engine.connect() as conn:
        reasons = (
            conn.execute(
                text(
                    "SELECT detail->>'justification' FROM audit_log WHERE action = "
                    "'view_restricted' AND username = 'hmrc_officer'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert "Operation Browser" in reasons
    assert page.locator("img[src='x']").count() == 0
    assert page.title() != "pwned"
    # Triage it: the grading is explained where it is chosen.
    page.get_by_role("tab", name="Triage and status").click()
    expect(
        page.get_by_text("Known directly to the source: seen or heard first-hand.")
    ).to_be_visible()
    page.get_by_role("button", name="Save the grading").click()
    expect(page.get_by_text(re.compile(r"Report \d+ graded\."))).to_be_visible()
    page.get_by_role("button", name="Mark actioned").click()
    expect(page.get_by_text(re.compile(r"Report \d+ is now actioned\."))).to_be_visible()


def test_a_planner_draws_an_area_sees_its_dashboard_and_takes_a_route_away_as_gpx(
    page: Page, app_url: str, app_database: str, tmp_path: Path
) -> None:
    sign_in(page, app_url, "planner", path="focus_areas")
    page.get_by_role("tab", name="New area").click()
    frame = map_frame(page)
    frame.locator(".leaflet-draw-draw-rectangle").click()
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(middle_x - 120, middle_y - 100)
    page.mouse.down()
    page.mouse.move(middle_x, middle_y, steps=5)
    page.mouse.move(middle_x + 120, middle_y + 100, steps=5)
    page.mouse.up()
    expect(page.get_by_text(re.compile(r"The area covers \d+\.\d{3} km²"))).to_be_visible()
    page.get_by_role("textbox", name="Name").fill("Browser drawn area")
    page.get_by_role("textbox", name="Purpose").fill("Joint visits before Christmas")
    page.get_by_role("button", name="Save the area").click()
    expect(page.get_by_text("Focus area 'Browser drawn area' saved.")).to_be_visible()

    engine = create_engine(make_url(database_url()).set(database=app_database))
    with engine.connect() as conn:
        inside, created = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM business b WHERE ST_Intersects(f.geom, b.geom) "
                "AND b.status IN ('active', 'dormant')), (SELECT count(*) FROM audit_log a "
                "WHERE a.object_type = 'focus_area' AND a.object_id = f.id::text "
                "AND a.action = 'create' AND a.username = 'planner') "
                "FROM focus_area f WHERE f.name = 'Browser drawn area'"
            )
        ).one()
    engine.dispose()
    assert inside > 5 and created == 1

    page.get_by_role("tab", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Browser drawn area")).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_contain_text(f"{inside:,}")
    expect(page.get_by_role("heading", name="Places by risk")).to_be_visible()

    page.get_by_role("tab", name="Plan a route").click()
    page.get_by_role("button", name="Plan the route (5 places)").click()
    expect(page.get_by_text(re.compile(r"5 stops, \d+\.\d\d km"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile("Distances follow the streets"))).to_be_visible()
    # The places to choose from, then the route.
    expect(map_frame(page, maps=2, nth=1).locator(".sectormap-stop")).to_have_count(5)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download GPX").click()
    saved = tmp_path / "route.gpx"
    download.value.save_as(saved)
    route = gpxpy.parse(saved.read_text(encoding="utf-8"))
    assert len(route.waypoints) == 5
    assert [w.name.split(".")[0] for w in route.waypoints] == ["1", "2", "3", "4", "5"]
    assert "follow the streets" in route.description
    assert len(route.tracks[0].segments[0].points) > 5  # along the streets, not 5 straight legs


def test_a_planner_moves_a_corner_of_an_outline_and_saves_it(
    page: Page, app_url: str, app_database: str
) -> None:
    engine = create_engine(make_url(database_url()).set(database=app_database))
    square = (
        "SRID=4326;MULTIPOLYGON(((-1.11 52.63,-1.10 52.63,-1.10 52.636,-1.11 52.636,-1.11 52.63)))"
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO focus_area (name, geom) "
                "VALUES ('Outline to move', ST_GeomFromEWKT(:g))"
            ),
            {"g": square},
        )
    sign_in(page, app_url, "planner", path="focus_areas")
    page.get_by_role("tab", name="Edit or delete").click()
    page.get_by_role("combobox", name="Focus area").click()
    page.get_by_role("option", name="Outline to move").click()
    # The chosen area's own form is drawn (its parts are chosen afresh for each area).
    expect(page.get_by_role("textbox", name="Name")).to_have_value("Outline to move")
    page.get_by_role("radiogroup", name="Change").get_by_text("Its outline").click()
    frame = map_frame(page)
    frame.locator(".leaflet-draw-edit-edit").click()
    corner = frame.locator(".leaflet-editing-icon").first
    corner.hover()  # waits until the corner stands still (the map may still be fitting)
    spot = corner.bounding_box()
    assert spot is not None
    x, y = spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y + 60, steps=5)
    page.mouse.up()
    frame.get_by_role("link", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"The outline on the map covers"))).to_be_visible()
    page.get_by_role("button", name="Save the new outline").click()
    expect(page.get_by_text("The new outline is saved.")).to_be_visible()
    with engine.connect() as conn:
        before, after, audited = conn.execute(
            text(
                "SELECT ST_Area(ST_GeomFromEWKT(:g)::geography), ST_Area(f.geom::geography), "
                "(SELECT count(*) FROM audit_log a WHERE a.object_type = 'focus_area' "
                "AND a.object_id = f.id::text AND a.action = 'edit' AND a.username = 'planner') "
                "FROM focus_area f WHERE f.name = 'Outline to move'"
            ),
            {"g": square},
        ).one()
    engine.dispose()
    assert after != pytest.approx(before, rel=0.01) and audited == 1


def test_an_analyst_sizes_by_ward_sees_the_hidden_sector_and_downloads_a_geopackage_and_a_pdf(
    page: Page, app_url: str, tmp_path: Path
) -> None:
    sign_in(page, app_url, "analyst", path="sizing")
    page.get_by_text("Wards", exact=True).click()
    expect(map_frame(page).locator(".sectormap-legend")).to_contain_text("Businesses")
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("E05")  # ward codes
    # The official figure with its source and the apportionment note, and its trend as a chart.
    expect(page.get_by_text("Official economic contribution (ONS)")).to_be_visible()
    expect(
        page.get_by_test_id("stMetric").filter(has_text="Leicester (TLF21), 2022")
    ).to_contain_text("£467m")
    expect(
        page.get_by_text(re.compile(r"Apportioned: the ONS GVA of SIC 13-15")).first
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Source: ONS, Regional gross value added")).first
    ).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()

    page.get_by_role("tab", name="Hidden sector").click()
    expect(page.get_by_text("Estimated sector, seen and unseen")).to_be_visible(timeout=60_000)
    expect(
        page.get_by_text(re.compile(r"the fictional population .* has [\d,]+ businesses"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Assumptions")).to_be_visible()

    sign_in(page, app_url, "analyst", path="export")  # a new page load signs in again
    page.get_by_role("button", name="Prepare the export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"Download sectormap-gpkg-.*\.zip")).click()
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        assert "METADATA.txt" in opened.namelist()
        opened.extract("sectormap.gpkg", tmp_path)
    frame = pyogrio.read_dataframe(tmp_path / "sectormap.gpkg", layer="businesses")
    assert len(frame) > 1000 and frame.crs.to_epsg() == 4326

    page.get_by_role("button", name="Make the report").click()
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Download the report (PDF)").click(timeout=90_000)
    report = tmp_path / "report.pdf"
    download.value.save_as(report)
    assert report.read_bytes().startswith(b"%PDF")


def test_a_reviewer_disposes_of_a_report_from_the_review_tab(
    page: Page, app_url: str, app_database: str
) -> None:
    sign_in(page, app_url, "glaa_officer", path="reports")
    page.get_by_role("tab", name="Review").click()
    expect(page.get_by_text(re.compile(r"\d+ reports due for review"))).to_be_visible()
    chosen = page.get_by_role("combobox", name="Report to review")
    report_id = int(re.search(r"Report (\d+)", chosen.input_value() or chosen.inner_text())[1])  # type: ignore[index]
    page.get_by_role("radiogroup", name="Decision").get_by_text("Dispose of it").click()
    page.get_by_role("textbox", name="Because").fill("No further value: reviewed by the GLAA")
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text(f"Report {report_id} disposed of; its tombstone stays.")
    ).to_be_visible()
    engine = create_engine(make_url(database_url()).set(database=app_database))
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT narrative, disposal_reason FROM report WHERE id = :i"), {"i": report_id}
        ).one()
    engine.dispose()
    assert row.narrative.startswith("[Disposed of on ")
    assert row.disposal_reason == "No further value: reviewed by the GLAA"


def test_an_officer_follows_a_phoenix_pair_through_the_network(
    page: Page, app_url: str, app_database: str
) -> None:
    engine = create_engine(make_url(database_url()).set(database=app_database))
    with engine.connect() as conn:
        successor, predecessor = conn.execute(
            text(
                "SELECT s.name, p.name FROM phoenix_pair pp JOIN business s "
                "ON s.id = pp.successor_id JOIN business p ON p.id = pp.predecessor_id"
            )
        ).one()
    engine.dispose()
    sign_in(page, app_url, "officer", path="networks")
    expect(page.get_by_text("1 found")).to_be_visible()
    page.get_by_role("button", name="Open the successor's profile on the map").click()
    expect(page.get_by_role("heading", name=successor)).to_be_visible()
    heading = page.get_by_text("Connected businesses (1 within 1 step)")
    expect(heading).to_be_visible()
    heading.scroll_into_view_if_needed()
    listed = (
        page.get_by_test_id("stDataFrame").filter(has_text="Reasons").filter(has_text=predecessor)
    )
    expect(listed).to_contain_text("Phoenix pattern")
    factors = page.get_by_test_id("stDataFrame").filter(has_text="Successor of a phoenix pattern")
    expect(factors).to_contain_text(predecessor)
    expect(page.get_by_text("People with significant control (1)")).to_be_visible()
    page.get_by_role("button", name="Expand one step").click()
    expect(
        page.get_by_text(re.compile(r"Connected businesses \(\d+ within 2 steps\)"))
    ).to_be_visible()
    drawing = map_frame(page, maps=3, nth=1)
    node = drawing.locator("path.sectormap-network-node:not(.sectormap-network-centre)").first
    expect(node).to_be_visible()
    node.click(force=True)
    expect(page.get_by_role("heading", name=predecessor)).to_be_visible()
    expect(page.get_by_role("heading", name=successor)).to_have_count(0)


def test_an_officer_accepts_an_open_supply_hub_match(
    page: Page, app_url: str, app_database: str
) -> None:
    sign_in(page, app_url, "officer", path="networks")
    page.get_by_role("tab", name="Open Supply Hub matches").click()
    expect(page.get_by_text("1 near matches wait for a decision")).to_be_visible()
    page.get_by_role("button", name="Accept the match").click()
    expect(page.get_by_text(re.compile(r"Match accepted: GB2026DEMO90001"))).to_be_visible()
    expect(page.get_by_text("0 near matches wait for a decision")).to_be_visible()
    engine = create_engine(make_url(database_url()).set(database=app_database))
    with engine.connect() as conn:
        decided = conn.execute(
            text("SELECT decision, decided_by FROM osh_decision WHERE os_id = 'GB2026DEMO90001'")
        ).one()
    engine.dispose()
    assert tuple(decided) == ("accepted", "officer")


def _scan(page: Page, where: str) -> list[str]:
    found = accessibility.violations(page)
    return [f"{where}: {line}" for line in accessibility.described(found).splitlines() if found]


def _scan_pages(page: Page, *, tabs: bool) -> list[str]:
    """Every page of the sidebar (and, with ``tabs``, each of its tabs), scanned."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    problems = _scan(page, "first page")
    navigation = page.get_by_test_id("stSidebarNav")
    if navigation.count() == 0:  # one page only (a partner's): no navigation is shown
        return problems
    titles = [t.splitlines()[-1] for t in navigation.get_by_role("link").all_inner_texts()]
    for title in titles:
        navigation.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        problems += _scan(page, title)
        if not tabs:
            continue
        names = page.get_by_role("tab").all_inner_texts()
        for name in names[1:]:
            tab = page.get_by_role("tab", name=name, exact=True).first
            if tab.is_visible():  # a tab inside another tab shows only with it
                tab.click()
                problems += _scan(page, f"{title} · {name}")
    return problems


@pytest.mark.xdist_group("scan")
def test_the_sign_in_page_meets_wcag_22_aa(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    problems = _scan(page, "sign-in")
    assert problems == [], "\n".join(problems)


# Each role sees its own pages and controls: every one is scanned, the admin's tabs too. The
# scans are split between two groups so that both test workers share them.
@pytest.mark.parametrize(
    ("username", "tabs"),
    [
        pytest.param("admin", True, marks=pytest.mark.xdist_group("scan")),
        pytest.param("officer", False, marks=pytest.mark.xdist_group("scan")),
        pytest.param("planner", False, marks=pytest.mark.xdist_group("scan-roles")),
        pytest.param("analyst", False, marks=pytest.mark.xdist_group("scan-roles")),
        pytest.param("viewer", False, marks=pytest.mark.xdist_group("scan-roles")),
        pytest.param("partner", False, marks=pytest.mark.xdist_group("scan-roles")),
    ],
)
def test_every_page_of_each_role_meets_wcag_22_aa(
    page: Page, app_url: str, username: str, tabs: bool
) -> None:
    sign_in(page, app_url, username)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    problems = [f"{username} · {p}" for p in _scan_pages(page, tabs=tabs)]
    assert problems == [], "\n".join(problems)


def test_an_open_profile_and_its_network_meet_wcag_22_aa(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "officer", path="networks")
    page.get_by_role("button", name="Open the successor's profile on the map").click()
    expect(
        page.get_by_text(re.compile(r"Connected businesses \(\d+ within 1 step\)"))
    ).to_be_visible()
    problems = _scan(page, "business profile")
    open_from_search(page, "imperial typwriter")
    expect(page.get_by_role("heading", name="Imperial Typewriter Building")).to_be_visible()
    problems += _scan(page, "building profile")
    assert problems == [], "\n".join(problems)


def tab_to(page: Page, target: Locator, *, presses: int = 400) -> None:
    """Press Tab (only the keyboard) until ``target`` has the focus."""
    target.first.wait_for()
    for _ in range(presses):
        if target.first.evaluate(
            "e => e === document.activeElement || e.contains(document.activeElement)"
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} was not reached with Tab in {presses} presses")


def keyboard_sign_in(page: Page, app_url: str, username: str, path: str = "") -> None:
    page.goto(app_url + path)
    tab_to(page, page.get_by_role("textbox", name="Username"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("sectormap-demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_officer_finds_a_business_and_logs_a_visit_with_the_keyboard_alone(
    page: Page, app_url: str
) -> None:
    keyboard_sign_in(page, app_url, "officer")
    tab_to(page, page.get_by_role("textbox", name="Find a business or building"))
    page.keyboard.type("Lockvel Browser Fashions")
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name=re.compile(r"\d+ found"))).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Open the profile"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Lockvel Browser Fashions")).to_be_visible()
    tab_to(page, page.locator("summary").filter(has_text="Log a visit to this business"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("textbox", name="Findings"))
    page.keyboard.type("Keyboard visit: fire exit clear, workers' rights leaflets left.")
    tab_to(page, page.get_by_role("button", name="Save the visit"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Visit \d+ logged"))).to_be_visible()


def test_a_partner_submits_a_report_with_the_keyboard_alone(page: Page, app_url: str) -> None:
    keyboard_sign_in(page, app_url, "partner")
    tab_to(page, page.get_by_role("radio", name="Find it in the register"))
    page.keyboard.press("ArrowRight")  # "It is not listed: describe it"
    tab_to(page, page.get_by_role("textbox", name="Name and address"))
    page.keyboard.type("Top floor, 7 Keyboard Street")
    page.keyboard.press("Tab")
    page.keyboard.type("LE5 4GD")
    tab_to(page, page.get_by_role("textbox", name="What you know"))
    page.keyboard.type("Workers said they are paid £4 an hour, cash, six days a week.")
    tab_to(page, page.get_by_role("button", name="Submit the report"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Report \d+ submitted"))).to_be_visible()


def test_a_planner_makes_a_focus_area_from_wards_with_the_keyboard_alone(
    page: Page, app_url: str
) -> None:
    keyboard_sign_in(page, app_url, "planner", path="focus_areas")
    # Tabs are one Tab stop; arrow keys move along them, each choosing its tab (and the page
    # runs again, so the focus is found again each time).
    new_area = page.get_by_role("tab", name="New area")
    for _ in range(6):
        if new_area.get_attribute("aria-selected") == "true":
            break
        tab_to(page, page.get_by_role("tab", selected=True))
        page.keyboard.press("ArrowRight")
        expect(page.locator("[data-stale='true']")).to_have_count(0)
    expect(new_area).to_have_attribute("aria-selected", "true")
    tab_to(page, page.get_by_role("radio", name="Draw it on the map"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # "From wards or MSOAs"
    tab_to(page, page.get_by_role("combobox", name="Wards"))
    page.keyboard.type("North Evington")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_text(re.compile(r"The area covers \d+\.\d{3} km²"))).to_be_visible()
    tab_to(page, page.get_by_role("textbox", name="Name"))
    page.keyboard.type("Keyboard ward area")
    tab_to(page, page.get_by_role("button", name="Save the area"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Focus area 'Keyboard ward area' saved.")).to_be_visible()


def test_the_maps_content_is_reachable_as_tables_without_pointing(page: Page, app_url: str) -> None:
    keyboard_sign_in(page, app_url, "officer")
    tab_to(page, page.get_by_role("switch", name="Show the map as tables"))
    page.keyboard.press("Space")
    expect(page.get_by_role("tab", name="Businesses shown")).to_be_visible()
    tab_to(page, page.get_by_role("tab", name="Businesses shown"))
    page.keyboard.press("ArrowRight")  # Multi-occupancy sites
    page.keyboard.press("Enter")
    sites_list = page.get_by_role("combobox", name="Open the profile of")
    tab_to(page, sites_list)
    page.keyboard.type("Imperial Typewriter")
    # As a person would: Enter once the list shows the building typed (on a busy machine the
    # list filters a moment after the typing).
    expect(page.get_by_role("option", name="Imperial Typewriter Building")).to_be_visible()
    page.keyboard.press("Enter")
    settle(page)  # the choice reruns the page: the button must act on the new choice
    expect(sites_list).to_have_value(re.compile("Imperial Typewriter Building"))
    tab_to(page, page.get_by_role("button", name="Open the chosen profile"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Imperial Typewriter Building")).to_be_visible()


def test_a_profile_at_street_zoom_shows_the_imported_street_and_building_under_it(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "officer")
    open_from_search(page, "Lockvel Browser Fashions")
    expect(page.get_by_role("heading", name="Lockvel Browser Fashions")).to_be_visible()
    frame = map_frame(page)  # the business has no connections: the sector map alone
    expect(frame.locator("path.sectormap-building")).to_have_count(1)
    expect(frame.locator("path.sectormap-street").first).to_be_attached()
    assert frame.locator("path.sectormap-street").count() > 3
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
