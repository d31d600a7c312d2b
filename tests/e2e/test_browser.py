"""End to end in a real headless Chromium: the caseworker produces a tailored list, every page
works, and no page asks any server but the app's."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

from solver.workspace import open_workspace

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (CI installs it)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving() -> Iterator[tuple[str, int]]:
    """The app served by `streamlit run app.py` on 127.0.0.1 (its URL and process id), stopped
    (SIGTERM, as a service manager stops it) afterwards."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def app_server() -> Iterator[tuple[str, int]]:
    """The app served on 127.0.0.1 for this module's tests: its URL and process id."""
    with _serving() as served:
        yield served


@pytest.fixture(scope="module")
def app_url(app_server: tuple[str, int]) -> str:
    """The URL of the app served on 127.0.0.1."""
    return app_server[0]


def _visitor_folders(pid: int) -> list[Path]:
    """The visitors' folders of the server with this process id."""
    return list(Path(tempfile.gettempdir()).glob(f"rightplace-{pid}-*"))


def test_caseworker_gets_a_tailored_list_in_a_real_browser(app_url: str, tmp_path: Path) -> None:
    """Picking a child on the caseworker page shows the library's top-ranked setting first."""
    workspace = open_workspace(REPO / "scenarios" / "baseline.yaml", tmp_path)
    child_id = sorted(workspace.inputs.children["child_id"])[0]
    expected = workspace.tailored_lists([child_id])
    expected = expected[expected["on_list"]].sort_values("rank")["name"].tolist()
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{app_url}/caseworker", timeout=60_000)
        _pick_child(page, child_id)
        table = page.locator("table").first
        table.wait_for(timeout=60_000)
        rows = table.locator("tbody tr")
        names = [rows.nth(i).locator("td").nth(0).inner_text() for i in range(rows.count())]
        page.get_by_text("Not on the list:").click()
        page.get_by_text("Legal ground:").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "caseworker.png"), full_page=True)
        browser.close()
    assert names == expected


def _pick_child(page: Any, child_id: str) -> None:
    """Pick `child_id` in the caseworker page's child picker."""
    picker = page.get_by_role("combobox")
    picker.wait_for(timeout=60_000)
    picker.click()
    picker.fill(child_id)
    page.keyboard.press("Enter")


def visit_pages(page: Any, child_id: str) -> Iterator[str]:
    """Open every app page from the sidebar in turn and do its main step (PAGES); yield each
    page's link once its step is done."""
    for link, title, step, done in PAGES:
        page.get_by_role("link", name=link, exact=True).click()
        page.get_by_role("heading", name=title).wait_for(timeout=60_000)
        if step == "child":
            _pick_child(page, child_id)
        elif step is not None:
            page.get_by_role("button", name=step, exact=True).click()
        page.get_by_text(done).first.wait_for(timeout=120_000)
        yield link


#: The pages that draw a map once their step has run.
MAPPED = {"Data", "Caseworker", "Placement", "Free school"}

#: Each page by its sidebar link: its title, the button that runs its main step (if any; "child"
#: picks the sample's first child), and text that shows the step has finished.
PAGES = [
    ("Data", "Data", None, "Map of settings"),
    ("Caseworker", "Tailored list", "child", "On the list"),
    ("Placement", "Placement optimisation", "Run the allocation", "Flows by home area"),
    ("Sufficiency", "Sufficiency forecast", None, "SCAP SEND forecast (2026 survey shape)"),
    ("Scenarios", "Scenarios", "Run", "Sufficiency gap, all needs and phases"),
    ("Free school", "Free school site evidence", "Evaluate the sites", "Black: chosen site"),
]


def _elsewhere(urls: list[str], app_url: str) -> list[str]:
    """The URLs that leave the app's own host and port (data: and blob: URLs stay in the page)."""
    home = urlsplit(app_url).netloc
    return [
        u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != home
    ]


def test_every_page_works_and_asks_only_the_app(app_server: tuple[str, int]) -> None:
    """Every page renders in Chromium in one session, its main step runs to its results (maps
    drawn) with no exception shown, a screenshot of each is saved, and every request and
    websocket the browser opened went to the app itself: no base map tiles or styles, no
    telemetry, nothing leaves the machine. When the browser goes, so does the visitor's folder."""
    app_url, pid = app_server
    child_id = min(pd.read_csv(REPO / "data" / "rutland" / "children.csv", dtype=str)["child_id"])
    ARTIFACTS.mkdir(exist_ok=True)
    urls: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 3200})
        context.on("request", lambda request: urls.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda socket: urls.append(socket.url))
        page.goto(app_url, timeout=60_000)
        for link in visit_pages(page, child_id):
            maps = page.locator('[data-testid="stDeckGlJsonChart"]')
            if link in MAPPED:
                maps.first.wait_for(timeout=120_000)
            page.wait_for_timeout(3000)  # let maps and charts draw (and ask for what they ask)
            assert page.locator('[data-testid="stException"]').count() == 0, link
            assert (maps.count() > 0) == (link in MAPPED), link
            name = link.lower().replace(" ", "_")
            page.screenshot(path=str(ARTIFACTS / f"page_{name}.png"), full_page=True)
        assert _visitor_folders(pid)
        browser.close()
    deadline = time.monotonic() + 30
    while _visitor_folders(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _visitor_folders(pid) == []
    assert len(urls) > 10  # the recorder saw the app's own requests
    assert _elsewhere(urls, app_url) == []


def test_server_start_and_stop_delete_visitors_folders() -> None:
    """A folder left by a server that was killed is deleted when a server starts serving, and
    a visitor's folder goes when the server stops even if the visitor is still connected."""
    finished = subprocess.Popen([sys.executable, "-c", ""])
    finished.wait()  # its pid now names no running process
    stale = Path(tempfile.gettempdir()) / f"rightplace-{finished.pid}-stale123"
    (stale / "uploads").mkdir(parents=True)
    (stale / "uploads" / "children.csv").write_text("child_id\nC1\n", encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with _serving() as (url, pid):
            page = browser.new_page()
            page.goto(url, timeout=60_000)
            page.get_by_text("Map of settings").wait_for(timeout=120_000)
            assert not stale.exists()
            assert _visitor_folders(pid)
        browser.close()
    assert _visitor_folders(pid) == []
