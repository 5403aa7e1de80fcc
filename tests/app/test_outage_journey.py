"""The database goes down under a signed-in officer, in real headless Chromium: every page says
so in one calm line (no stack trace, no error reference), and the app recovers by itself when
the database is back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine

from layers.core.db import UNAVAILABLE, database_url
from layers.core.settings import Settings
from layers.demo import populate
from scripts import pgcluster
from tests.app.browser import map_frame, serve_app, settle, sign_in
from tests.support import own_cluster

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-outage")]
expect.set_options(timeout=20_000)
PAGES = ("Map", "Businesses & sites", "Visits", "Reports", "Focus areas", "Sector sizing")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Settings]:
    with own_cluster("outage-cluster") as settings:
        engine = create_engine(database_url(settings))
        populate.load(engine, seed=2020, scale=0.25)
        engine.dispose()
        yield settings


@pytest.fixture(scope="module")
def app_url(cluster: Settings) -> Iterator[str]:
    with serve_app(database_url(cluster), name="outage") as served:
        yield served


def test_every_page_says_the_database_is_down_then_recovers(
    page: Page, app_url: str, cluster: Settings
) -> None:
    sign_in(page, app_url, "officer")
    expect(page.get_by_role("heading", name="Map", exact=True)).to_be_visible()
    # Let the map page's run finish first: stopped part-way, it would leave what it drew
    # before the stop (the demo banner) beside the one line it draws after.
    expect(map_frame(page).locator(".leaflet-container")).to_be_visible()
    navigation = page.get_by_test_id("stSidebarNav")
    assert pgcluster.stop(cluster, immediate=True)
    try:
        for title in PAGES:
            navigation.get_by_role("link", name=title, exact=True).click()
            # Until the new page's run ends, the last page's line lingers (stale) beside it.
            settle(page)
            alert = page.get_by_test_id("stAlert")
            expect(alert).to_contain_text(UNAVAILABLE)
            expect(alert).to_have_count(1)
            body = page.locator("body").inner_text()
            assert "Traceback" not in body and "Something went wrong" not in body
    finally:
        pgcluster.start(cluster)
    navigation.get_by_role("link", name="Visits", exact=True).click()
    expect(page.get_by_role("heading", name="Visits", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stAlert").filter(has_text=UNAVAILABLE)).to_have_count(0)
