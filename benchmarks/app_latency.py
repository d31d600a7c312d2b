"""App latency in a real headless Chromium: first render after start-up, a tailored list
after picking a child, and a scenario re-run (two scenarios, journeys already cached in the
session) on the Scenarios page. Medians over several runs.

    python benchmarks/app_latency.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def scenario_reruns(page: Page, url: str, reruns: int) -> list[float]:
    """Seconds from pressing Run to the comparison being ready, for re-runs of the Scenarios
    page's default pair after a first run has cached their journeys."""
    page.goto(f"{url}/scenarios")
    run = page.get_by_role("button", name="Run", exact=True)
    done = page.get_by_text("Ran 2 scenario(s)")
    run.click()
    done.wait_for(timeout=300_000)
    times = []
    for _ in range(reruns):
        t0 = time.perf_counter()
        run.click()
        page.get_by_text("Running scenarios...").wait_for(timeout=60_000)
        done.wait_for(timeout=300_000)
        times.append(time.perf_counter() - t0)
    return times


def one_run(child_ids: list[str], reruns: int) -> tuple[float, float, list[float], list[float]]:
    """Seconds from opening the app (server up, browser ready) to the Data page's counts, the
    same from launching the server, per child to their list, and per scenario re-run."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            opened = time.perf_counter()
            page.goto(url)
            page.get_by_text("Children with EHCPs").wait_for(timeout=120_000)
            first_render = time.perf_counter() - opened
            from_launch = time.perf_counter() - started
            page.goto(f"{url}/caseworker")
            picker = page.get_by_role("combobox")
            picker.wait_for(timeout=120_000)
            lists = []
            for child_id in child_ids:
                picker.click()
                picker.fill(child_id)
                t0 = time.perf_counter()
                page.keyboard.press("Enter")
                page.get_by_text(f"{child_id}: NCY").wait_for(timeout=60_000)
                page.locator("table").first.wait_for(timeout=60_000)
                lists.append(time.perf_counter() - t0)
            rerun_times = scenario_reruns(page, url, reruns)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return first_render, from_launch, lists, rerun_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--children",
        nargs="+",
        default=["S2-0120a0545c90b52b", "S2-4937ff835cd40d57", "S2-a60f913cf49cf28b"],
    )
    parser.add_argument("--reruns", type=int, default=3, help="scenario re-runs per run")
    args = parser.parse_args()
    renders, launches, lists, reruns = [], [], [], []
    for _ in range(args.runs):
        render, launch, times, again = one_run(args.children, args.reruns)
        renders.append(render)
        launches.append(launch)
        lists.extend(times)
        reruns.extend(again)
        print(
            f"first render {render:.2f} s ({launch:.2f} s from server launch, browser start "
            f"included); lists {', '.join(f'{t:.2f}' for t in times)} s; "
            f"scenario re-runs {', '.join(f'{t:.2f}' for t in again)} s"
        )
    print(f"median first render after start-up: {statistics.median(renders):.2f} s")
    print(f"median from launching the server: {statistics.median(launches):.2f} s")
    print(f"median tailored list after picking a child: {statistics.median(lists):.2f} s")
    print(f"median scenario re-run (2 scenarios): {statistics.median(reruns):.2f} s")


if __name__ == "__main__":
    main()
