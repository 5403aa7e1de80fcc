"""What the browser journeys share: serving the real app on a free port, and signing in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import FrameLocator, Page, expect

from layers.core.settings import REPO_ROOT
from tests.support import free_port, worker

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def wait_for(url: str, seconds: float = 60) -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - localhost
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the app did not answer at {url}")


@contextmanager
def serve_app(
    database_url: str, *, name: str, port: int | None = None, secrets: Path | None = None
) -> Iterator[str]:
    """The real app, served by Streamlit on ``port`` (a free one by default) over
    ``database_url``, with ``secrets`` as its secrets.toml when given; yields its URL."""
    port = port or free_port()
    log = REPO_ROOT / "data" / "logs"
    log.mkdir(parents=True, exist_ok=True)
    options = ["--server.port", str(port), "--server.headless", "true"]
    if secrets is not None:
        options += ["--secrets.files", str(secrets)]
    with (log / f"streamlit-{name}-{worker()}.log").open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", *options],
            cwd=REPO_ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/_stcore/health")
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.terminate()
            server.wait(timeout=20)


def sign_in(
    page: Page, app_url: str, username: str, password: str = "sectormap-demo", path: str = ""
) -> None:
    """Open the app (at ``path``) and sign in with a username and password."""
    page.goto(app_url + path)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


#: True once the page has not changed for ``quiet`` milliseconds and no run is going: no element
#: is marked stale and the running-man status is gone. The first call starts the watch.
_SETTLED = """quiet => {
  const watch = window.__sectormapWatch;
  if (!watch) {
    const state = {changed: performance.now()};
    new MutationObserver(() => { state.changed = performance.now(); }).observe(
      document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    window.__sectormapWatch = state;
    return false;
  }
  return performance.now() - watch.changed >= quiet
    && !document.querySelector("[data-stale='true']")
    && !document.querySelector("[data-testid='stStatusWidget']");
}"""


def settle(page: Page, quiet_ms: int = 600) -> None:
    """Wait until the app has finished what the last click started.

    A click that reruns the script reaches the server a moment later: until then the page
    looks settled, and right after, what it showed fades (stale) while the run redraws it.
    Waiting for a quiet spell with no stale element and no running status covers both."""
    page.wait_for_function(_SETTLED, arg=quiet_ms, polling=100, timeout=30_000)


def map_frame(page: Page, *, maps: int = 1, nth: int = 0) -> FrameLocator:
    """The ``nth`` of the ``maps`` maps on the page, once the page has settled."""
    # A map whose layers change is drawn in a new frame; the old one lingers, marked stale,
    # until the rerun ends (on a busy machine, for seconds): wait for the rerun to finish.
    expect(page.locator("[data-stale='true']")).to_have_count(0)
    expect(page.locator(MAP_FRAME)).to_have_count(maps)
    return page.frame_locator(MAP_FRAME).nth(nth)
