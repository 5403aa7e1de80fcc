"""Benchmark: the officers' map in real headless Chromium at 20,000 and 100,000 businesses — the
time from signing in to the map being drawn, from changing a filter to the map being redrawn,
and the memory of the page (its renderer processes). The baseline is the 20,000-business run:
the same journey on a fifth of the data, in the same run. Goals at 100,000: both under 2 s, and
under 500 MB (the renderers' PSS; their summed RSS is printed beside it).

The times are taken by the page itself: from the click (as the browser dispatches it) to the
first animation frame at which the new map frame shows a cluster. Beside them, the time from
asking Playwright to click to Playwright seeing that (it checks at every animation frame), an
upper bound that includes the driver's own round trips. The business count of the map's layer
control is checked to change with the filter.

    python -m bench.map_browser [--sizes 20000,100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import create_engine, text

from layers.core import migrate
from layers.demo import generator, populate
from tests.app.browser import CHROMIUM_FLAGS, MAP_FRAME, serve_app
from tests.support import fresh_database


def _renderer_mib() -> tuple[float, float]:
    """The memory of Chromium's renderer processes (the page, its frames, and the spare
    renderers Chromium keeps): their proportional set size (PSS: each shared page counted once,
    split between the processes sharing it) and, for comparison, the sum of their resident
    sets (RSS, which counts the libraries they share once per process), in MiB."""
    pss = rss = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"--type=renderer" not in command:
                continue
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return pss / 1024, rss / 1024


#: Run in the app's page: note when the last click was dispatched and, at each animation frame,
#: whether a map frame (an iframe of the page, same origin) has drawn its first cluster marker:
#: the time of the newest such first drawing, in milliseconds since the epoch.
_MARKS = """(() => {
  const now = () => performance.timeOrigin + performance.now();
  const seen = new WeakSet();
  document.addEventListener("click", () => { window.__sectormapClicked = now(); }, true);
  const look = () => {
    for (const frame of document.querySelectorAll("iframe")) {
      const inside = frame.contentDocument;
      if (inside && !seen.has(inside) && inside.querySelector(".marker-cluster")) {
        seen.add(inside);
        window.__sectormapDrawn = now();
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()"""


def _seconds_to_map(page: Page) -> float:
    """Wait, checking at every animation frame, until a map frame has drawn since the last
    click; the seconds between the two."""
    since = "window.__sectormapDrawn > window.__sectormapClicked"
    page.wait_for_function(since, polling="raf", timeout=120_000)
    clicked, drawn = page.evaluate("[window.__sectormapClicked, window.__sectormapDrawn]")
    return (drawn - clicked) / 1000


def _business_count(page: Page, before: str | None = None) -> str:
    """The layer control's business count once the page has settled (and is ``before`` no
    longer, when given)."""
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=120_000)
    control = page.frame_locator(MAP_FRAME).last.locator(".leaflet-control-layers")
    if before is not None:
        expect(control).not_to_contain_text(before, timeout=120_000)
    text = control.inner_text()
    return text[text.index("Businesses") :].split(")")[0] + ")"


class Run(NamedTuple):
    """One journey's figures: seconds measured in the page (and as Playwright saw them) and
    the renderers' memory in MiB."""

    drawn: float
    redrawn: float
    drawn_seen: float
    redrawn_seen: float
    pss: float
    rss: float


def _journey(page: Page, url: str) -> Run:
    """Sign in and wait for the map, then change a filter and wait for the new map."""
    page.add_init_script(_MARKS)
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill("officer")
    page.get_by_role("textbox", name="Password", exact=True).fill("sectormap-demo")
    started = time.perf_counter()
    page.get_by_role("button", name="Sign in", exact=True).click()
    drawn = _seconds_to_map(page)
    drawn_seen = time.perf_counter() - started
    before = _business_count(page)
    page.get_by_text("Filters and colours").click()
    started = time.perf_counter()
    page.get_by_role("radiogroup", name="Open intelligence reports").get_by_text("Yes").click()
    redrawn = _seconds_to_map(page)
    redrawn_seen = time.perf_counter() - started
    _business_count(page, before)
    return Run(drawn, redrawn, drawn_seen, redrawn_seen, *_renderer_mib())


def main() -> None:
    """Load each size, serve the app over it and drive the journey in Chromium."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    executable = os.environ.get("SECTORMAP_CHROMIUM") or shutil.which("chromium")
    assert executable, "Debian's chromium package is needed"
    for size in (int(s) for s in args.sizes.split(",")):
        url = fresh_database(f"sectormap_bench_map_{size}")
        engine = create_engine(url)
        migrate.upgrade(engine)
        populate.load(engine, seed=3, scale=size / generator.BASE_BUSINESSES)
        # What autovacuum does in the minutes after a bulk load, done first so that it does not
        # run during the journeys timed.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()
        with serve_app(url, name=f"bench-{size}") as app, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            results = []
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                results.append(_journey(page, app))
                context.close()
            browser.close()
        median = Run(*(statistics.median(column) for column in zip(*results, strict=True)))
        print(
            f"{size:,} businesses (median of {args.runs}): sign-in to map drawn "
            f"{median.drawn:.2f} s, filter to map redrawn {median.redrawn:.2f} s, renderer "
            f"memory {median.pss:,.0f} MiB PSS ({median.rss:,.0f} MiB summed RSS); as "
            f"Playwright saw them {median.drawn_seen:.2f} s and {median.redrawn_seen:.2f} s. "
            "Each run, sign-in to map: "
            + ", ".join(f"{r.drawn:.2f} s" for r in results)
            + "; filter to map: "
            + ", ".join(f"{r.redrawn:.2f} s" for r in results)
            + " (the first after the app starts fills its caches)",
            flush=True,
        )


if __name__ == "__main__":
    main()
