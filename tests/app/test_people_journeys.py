"""People in real headless Chromium: an admin adds an officer who must replace the one-time
password, a lockout, a deactivated person losing access at their next click, a partner's
narrow app, and single sign-on through a real OpenID Connect provider on 127.0.0.1."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, create_engine

from layers.core import migrate
from layers.core.settings import REPO_ROOT, get_settings
from layers.demo import populate
from layers.people import identity, users
from tests.app.browser import serve_app, settle, sign_in, wait_for
from tests.support import free_port, fresh_database, worker

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-people")]
expect.set_options(timeout=20_000)
PROVIDER = REPO_ROOT / "tests" / "oidc"
ADMIN = identity.command_line("admin")
NEW_PASSWORD = "Plum-kettle-Harbour-19"


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """The demo database behind this module's app."""
    url = fresh_database(f"{get_settings().db_name}_people_{worker()}")
    made = create_engine(url)
    migrate.upgrade(made)
    populate.load(made, seed=2020)
    yield made
    made.dispose()


@pytest.fixture(scope="module")
def app_url(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app with single sign-on configured against a real OpenID Connect provider
    (the npm package oidc-provider, run by node on 127.0.0.1)."""
    node = shutil.which("node")
    assert node, "node is needed for the single sign-on test's provider"
    assert (PROVIDER / "node_modules" / "oidc-provider").is_dir(), "run make test (npm ci)"
    app_port, idp_port = free_port(), free_port()
    client_secret = secrets.token_urlsafe(24)
    redirect = f"http://127.0.0.1:{app_port}/oauth2callback"
    secrets_file = tmp_path_factory.mktemp("sso") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect}"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "sectormap-test"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "http://127.0.0.1:{idp_port}/.well-known/openid-configuration"\n'
        'client_kwargs = { prompt = "login" }\n'
    )
    log = REPO_ROOT / "data" / "logs" / f"oidc-provider-{worker()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        provider = subprocess.Popen(
            [node, "provider.mjs", str(idp_port), "sectormap-test", client_secret, redirect],
            cwd=PROVIDER,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration")
            with serve_app(
                engine.url.render_as_string(hide_password=False),
                name="people",
                port=app_port,
                secrets=secrets_file,
            ) as served:
                yield served
        finally:
            provider.terminate()
            provider.wait(timeout=20)


def _nav(page: Page) -> object:
    return page.get_by_test_id("stSidebarNav")


def test_an_admin_adds_an_officer_who_chooses_a_password_and_lands_on_the_map(
    browser: Browser, page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "admin")
    _nav(page).get_by_role("link", name="Admin").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("tab", name="People")).to_be_visible()
    page.get_by_text("Add a person").click()
    page.get_by_role("textbox", name="New person's username").fill("New.Officer")
    page.get_by_role("textbox", name="New person's full name").fill("Nia New (fictional)")
    page.get_by_role("textbox", name="New person's work email").fill("nia.new@council.example")
    # Each field's value reaches the server in a rerun of its own: a click in the middle of one
    # was once lost in CI. Wait for them to finish first.
    settle(page)
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_text("new.officer added.")).to_be_visible()
    one_time = page.get_by_test_id("stCode").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", one_time)

    officer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(officer, app_url, "new.officer", one_time)
    expect(officer.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(_nav(officer)).to_have_count(0)  # nothing else opens first
    officer.get_by_label("One-time password").fill(one_time)
    officer.get_by_label("New password", exact=True).fill("password1234")
    officer.get_by_label("New password again").fill("password1234")
    officer.get_by_role("button", name="Change the password").click()
    expect(officer.get_by_text("too easy to guess")).to_be_visible()
    officer.get_by_label("One-time password").fill(one_time)
    officer.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    officer.get_by_label("New password again").fill(NEW_PASSWORD)
    officer.get_by_role("button", name="Change the password").click()
    expect(officer.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    expect(officer.get_by_text("Your password is changed.")).to_be_visible()
    officer.context.close()


def test_six_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
    page: Page, app_url: str
) -> None:
    for _ in range(6):
        sign_in(page, app_url, "hmrc_officer", "not-the-password")
        expect(page.get_by_test_id("stAlert")).to_be_visible()
    expect(page.get_by_text("Too many failed sign-ins for this username")).to_be_visible()
    sign_in(page, app_url, "hmrc_officer")
    expect(page.get_by_text(re.compile(r"Try again after \d\d:\d\d on"))).to_be_visible()
    expect(page.get_by_role("heading", name="Map", exact=True)).to_have_count(0)


def test_a_deactivated_persons_open_session_loses_access_at_the_next_click(
    page: Page, app_url: str, engine: Engine
) -> None:
    users.add(engine, ADMIN, users.Person("leaver", "Lee Leaver (fictional)", "officer", "GLAA"))
    users.reset_password(engine, ADMIN, "leaver", password=NEW_PASSWORD)
    with engine.begin() as conn:  # as if they had chosen it themself
        conn.exec_driver_sql(
            "UPDATE app_user SET must_change_password = false WHERE username = 'leaver'"
        )
    sign_in(page, app_url, "leaver", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    users.deactivate(engine, ADMIN, "leaver")
    _nav(page).get_by_role("link", name="Visits").click()  # type: ignore[attr-defined]
    expect(page.get_by_text("Your account is no longer active")).to_be_visible()
    expect(page.get_by_role("heading", name="Visits")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()


def test_a_partner_submits_a_report_and_follows_it_and_sees_nothing_else(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "partner")
    expect(page.get_by_role("heading", name="Our reports")).to_be_visible()
    navigation = _nav(page)
    for hidden in ("Map", "Visits", "Reports", "Export", "Sector sizing", "Businesses & sites"):
        expect(navigation.get_by_role("link", name=hidden, exact=True)).to_have_count(0)  # type: ignore[attr-defined]
    page.get_by_text("It is not listed: describe it").click()
    page.get_by_role("textbox", name="Name and address").fill("Unit 3, Fictional Mill")
    page.get_by_role("textbox", name="Postcode").fill("le5 4gd")
    page.get_by_role("textbox", name="What you know").fill("Workers say <b>no payslips</b>.")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text(re.compile(r"Report \d+ submitted"))).to_be_visible()
    page.get_by_role("tab", name="Our organisation's reports").click()
    expect(page.get_by_text("1 reports from your organisation")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_contain_text("Unit 3, Fictional Mill, LE5 4GD")
    expect(grid).to_contain_text("New")
    # A crafted link to a staff page opens nothing of it.
    page.goto(app_url + "map")
    expect(page.get_by_role("heading", name="Map", exact=True)).to_have_count(0)


def _sign_in_through_the_provider(page: Page, app_url: str, login: str) -> None:
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_single_sign_on_through_the_organisations_provider(
    page: Page, app_url: str, engine: Engine
) -> None:
    users.add(
        engine,
        ADMIN,
        users.Person("sso.officer", "Sam SSO (fictional)", "officer", "COUNCIL",
                     "sso.officer@sso.example.test"),
    )  # fmt: skip
    _sign_in_through_the_provider(page, app_url, "sso.officer")
    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Sam SSO (fictional)")
    # No local password form for a person signed in by their organisation.
    expect(page.get_by_text("Change your password")).to_have_count(0)


def test_single_sign_on_refuses_an_unknown_or_unverified_identity(
    browser: Browser, app_url: str
) -> None:
    for login, message in (
        ("stranger", "No Sectormap account has the email address stranger@sso.example.test"),
        ("unverified.person", "has not verified the email address"),
    ):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        _sign_in_through_the_provider(page, app_url, login)
        expect(page.get_by_text(message)).to_be_visible()
        expect(page.get_by_role("heading", name="Map", exact=True)).to_have_count(0)
        context.close()
