"""The automated accessibility scan of the browser tests: axe-core (npm, pinned in
tests/a11y) run in the page at the WCAG 2.2 AA tags."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from layers.core.settings import REPO_ROOT
from tests.app.browser import settle

AXE = REPO_ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: The WCAG levels the partnership must meet (Public Sector Bodies Accessibility Regulations).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page) -> list[dict[str, Any]]:
    """The axe-core violations of the page as it is now (its frames included), each with its
    rule, impact, help and the elements that break it."""
    # Elements of a run still going are drawn faded (stale): scan the page once it has settled.
    settle(page)
    if not page.evaluate("typeof window.axe !== 'undefined'"):  # once per document
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, "
        "impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target, "
        "html: n.html.slice(0, 200), summary: n.failureSummary}))})))",
        TAGS,
    )
    return list(found)


def described(found: list[dict[str, Any]]) -> str:
    """The violations as lines a person can act on."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}; {len(v['nodes'])} elements, e.g. "
        f"{v['nodes'][0]['target']} {v['nodes'][0]['summary']}"
        for v in found
    )
