"""Accessibility in a real headless Chromium: axe-core finds no violations on the family's page
(every rule) or on any app page (WCAG 2.2 A and AA rules) once its main step has run."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest

from solver.io.family_page import Issue
from solver.io.lists import list_files
from solver.workspace import open_workspace
from tests.e2e.test_browser import (  # noqa: F401  (app_server and app_url are fixtures)
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    REPO,
    app_server,
    app_url,
    playwright,
    visit_pages,
)

pytestmark = pytest.mark.browser

#: axe-core as npm installs it (.ci/run and `make install`: npm ci in tests/a11y).
AXE = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: The axe-core tags of WCAG 2.2 level A and AA success criteria.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

if not AXE.exists() and not os.environ.get("CI"):
    pytest.skip("axe-core is not installed (npm ci --prefix tests/a11y)", allow_module_level=True)

_RUN = """async (tags) => {
  const options = tags ? {runOnly: {type: 'tag', values: tags}} : {};
  const result = await axe.run(document, options);
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def violations(page, tags: list[str] | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page as it stands: rule, impact, help and first targets."""
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(_RUN, tags))


def test_family_page_has_no_violations_and_prints_on_a4() -> None:
    """A sample child's family page passes every axe rule; its screenshot and A4 PDF are saved."""
    workspace = open_workspace(REPO / "scenarios" / "baseline.yaml", Path(tempfile.mkdtemp()))
    child_id = sorted(workspace.inputs.children["child_id"])[0]
    lists = workspace.tailored_lists([child_id])
    issue = Issue(date(2026, 12, 6), "Rutland County Council")
    files = dict(list_files(lists, workspace.inputs.children, workspace.scenario.policy, issue))
    ARTIFACTS.mkdir(exist_ok=True)
    html = ARTIFACTS / "family_page.html"
    html.write_bytes(files[f"family/{child_id}.html"])
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto(html.as_uri())
        found = violations(page)
        page.screenshot(path=str(ARTIFACTS / "family_page.png"), full_page=True)
        page.pdf(path=str(ARTIFACTS / "family_page.pdf"), prefer_css_page_size=True)
        browser.close()
    assert found == []


def test_every_app_page_has_no_wcag_violations(app_url: str) -> None:  # noqa: F811
    """Every page, its main step run (a child picked on the caseworker page), passes axe's
    WCAG 2.2 A and AA rules."""
    found: dict[str, list[str]] = {}
    workspace = open_workspace(REPO / "scenarios" / "baseline.yaml", Path(tempfile.mkdtemp()))
    child_id = sorted(workspace.inputs.children["child_id"])[0]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(app_url, timeout=60_000)
        for link in visit_pages(page, child_id):
            page.wait_for_timeout(3000)  # let maps and charts draw
            found[link] = violations(page, WCAG_22_AA)
        browser.close()
    assert found == {link: [] for link, *_ in PAGES}
