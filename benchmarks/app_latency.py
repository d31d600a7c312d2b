"""App latency in a real headless Chromium: first render after start-up (road network already
compiled), a tailored list after picking a child, a placement run, and a run of two scenarios
on the Scenarios page. Medians over several runs.

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
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402


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


class ScriptRuns:
    """Counts the app's finished script runs, as the server tells the browser (a
    script_finished message on the websocket), so a step ends when its run has ended."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished" and message.script_finished == 0:
                self.finished += 1  # 0: FINISHED_SUCCESSFULLY

    def after(self, count: int) -> None:
        """Wait until a run beyond the first `count` has finished."""
        deadline = time.monotonic() + 300
        while self.finished <= count:
            if time.monotonic() > deadline:
                raise TimeoutError("the app's script run did not finish")
            self.page.wait_for_timeout(10)


def scenario_reruns(page: Page, runs: ScriptRuns, url: str, reruns: int) -> list[float]:
    """Seconds from pressing Run to the whole comparison drawn, for the Scenarios page's
    default pair: the first run (journeys computed) then `reruns` more (journeys cached)."""
    page.goto(f"{url}/scenarios")
    run = page.get_by_role("button", name="Run", exact=True)
    run.wait_for(timeout=120_000)
    times = []
    for _ in range(reruns + 1):
        count = runs.finished
        t0 = time.perf_counter()
        run.click()
        runs.after(count)
        page.get_by_text("Ran 2 scenario(s)").wait_for(timeout=60_000)
        times.append(time.perf_counter() - t0)
    return times


def placement_runs(page: Page, runs: ScriptRuns, url: str, times_run: int) -> list[float]:
    """Seconds from pressing Run the allocation to the page drawn (flows map and its key)."""
    page.goto(f"{url}/placement")
    run = page.get_by_role("button", name="Run the allocation", exact=True)
    run.wait_for(timeout=120_000)
    times = []
    for _ in range(times_run):
        count = runs.finished
        t0 = time.perf_counter()
        run.click()
        runs.after(count)
        page.get_by_text("Centre of a home area").wait_for(timeout=60_000)
        times.append(time.perf_counter() - t0)
    return times


#: What is timed, in the order reported.
MEASURES = {
    "first_shown": "first render after start-up, the Data page's counts shown",
    "first_done": "first render after start-up, the whole Data page (map included) drawn",
    "list_shown": "tailored list shown after picking a child",
    "list_done": "caseworker page done after picking a child (downloads and map included)",
    "placement": "placement run, page done",
    "scenarios_first": "first run of two scenarios (journeys computed), page done",
    "scenarios_again": "re-run of two scenarios (journeys cached), page done",
}


def one_run(child_ids: list[str], reruns: int) -> dict[str, list[float]]:
    """Seconds for each of MEASURES in one fresh server and browser."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times: dict[str, list[float]] = {name: [] for name in MEASURES}
    try:
        _wait_healthy(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            runs = ScriptRuns(page)
            opened = time.perf_counter()
            page.goto(url)
            page.get_by_text("Children with EHCPs").wait_for(timeout=120_000)
            times["first_shown"].append(time.perf_counter() - opened)
            runs.after(0)
            times["first_done"].append(time.perf_counter() - opened)
            page.goto(f"{url}/caseworker")
            picker = page.get_by_role("combobox")
            picker.wait_for(timeout=120_000)
            for child_id in child_ids:
                picker.click()
                picker.fill(child_id)
                count = runs.finished
                t0 = time.perf_counter()
                page.keyboard.press("Enter")
                page.get_by_text(f"{child_id}: ").wait_for(timeout=60_000)
                page.locator("table").first.wait_for(timeout=60_000)
                times["list_shown"].append(time.perf_counter() - t0)
                runs.after(count)
                times["list_done"].append(time.perf_counter() - t0)
            times["placement"] = placement_runs(page, runs, url, reruns)
            first, *again = scenario_reruns(page, runs, url, reruns)
            times["scenarios_first"], times["scenarios_again"] = [first], again
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--children",
        nargs="+",
        default=["S2-0120a0545c90b52b", "S2-4937ff835cd40d57", "S2-a60f913cf49cf28b"],
    )
    parser.add_argument("--reruns", type=int, default=3, help="placement and scenario runs per run")
    args = parser.parse_args()
    every: dict[str, list[float]] = {name: [] for name in MEASURES}
    for _ in range(args.runs):
        times = one_run(args.children, args.reruns)
        print("; ".join(f"{k} {', '.join(f'{t:.2f}' for t in v)}" for k, v in times.items()))
        for name, values in times.items():
            every[name] += values
    for name, words in MEASURES.items():
        print(f"median {words}: {statistics.median(every[name]):.2f} s")


if __name__ == "__main__":
    main()
