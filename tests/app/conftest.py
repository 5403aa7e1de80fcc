"""Fixtures of the browser journeys: headless Chromium (Debian's package) and a fresh page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.app.browser import CHROMIUM_FLAGS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("SECTORMAP_CHROMIUM") or shutil.which("chromium")
    assert executable, "Debian's chromium package is needed for the browser tests"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()
