"""Benchmark: the officers' map in real headless Chromium at 20,000 and 100,000 businesses — the
time from signing in to the map being drawn, from changing a filter to the map being redrawn,
and the memory of the page (its renderer processes). The baseline is the 20,000-business run:
the same journey on a fifth of the data, in the same run. Goals at 100,000: both under 2 s, and
under 500 MB (the renderers' PSS; their summed RSS is printed beside it).

    python -m bench.map_browser [--sizes 20000,100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

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


def _map_drawn(page: Page, count: str | None = None) -> str:
    """Wait for the map's frame to settle with clusters drawn; the layer control's business
    count (or wait until it is ``count`` no longer)."""
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=120_000)
    frame = page.frame_locator(MAP_FRAME).first
    expect(frame.locator(".marker-cluster").first).to_be_visible(timeout=120_000)
    control = frame.locator(".leaflet-control-layers")
    if count is not None:
        expect(control).not_to_contain_text(count, timeout=120_000)
    text = control.inner_text()
    return text[text.index("Businesses") :].split(")")[0] + ")"


def _journey(page: Page, url: str) -> tuple[float, float, tuple[float, float]]:
    """Seconds from signing in (pressing Sign in) to the map, from a filter change to the new
    map, and MiB."""
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill("officer")
    page.get_by_role("textbox", name="Password", exact=True).fill("sectormap-demo")
    started = time.perf_counter()
    page.get_by_role("button", name="Sign in", exact=True).click()
    before = _map_drawn(page)
    drawn = time.perf_counter() - started
    page.get_by_text("Filters and colours").click()
    started = time.perf_counter()
    page.get_by_role("radiogroup", name="Open intelligence reports").get_by_text("Yes").click()
    _map_drawn(page, before)
    redrawn = time.perf_counter() - started
    return drawn, redrawn, _renderer_mib()


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
        drawn, redrawn = (statistics.median(r[i] for r in results) for i in range(2))
        pss, rss = (statistics.median(r[2][i] for r in results) for i in range(2))
        print(
            f"{size:,} businesses: sign-in to map drawn {drawn:.2f} s, filter to map redrawn "
            f"{redrawn:.2f} s, renderer memory {pss:,.0f} MiB PSS ({rss:,.0f} MiB summed RSS) "
            f"(median of {args.runs}; each run, sign-in to map: "
            + ", ".join(f"{r[0]:.2f} s" for r in results)
            + "; the first after the app starts fills its caches)",
            flush=True,
        )


if __name__ == "__main__":
    main()
