"""Towards a national run: each stage of a national-density synthetic instance, timed and its
peak memory (all processes, Dask workers included) measured, as a user runs the commands.

    python benchmarks/national.py --fraction 0.125 --workers 2

`--fraction F` scales England (640,000 children, 24,000 settings, 153 LAs, 2,000,000 road
nodes) by F at the same density, so the work per child and per setting stays national-like
and the figures extrapolate to F = 1. Stages: synth; network (the road network compiled
to the array cache, which every later command reuses); travel on a LocalCluster with
`--placement-only` (the journeys the solve can use: every journey of every child would be
billions of rows); solve; and tailored lists for `--listed` children of one LA on the
cluster, their journeys routed as the command does with no travel table.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

NATIONAL = {"children": 640_000, "settings": 24_000, "las": 153, "nodes": 2_000_000}


def tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, bytes."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


#: Compiles a scenario's road network into the array cache, as the first command to use it does.
COMPILE = (
    "import sys; from solver.travel.journeys import scenario_network; "
    "from solver.io.scenario_file import load_scenario; "
    "scenario_network(load_scenario(sys.argv[1]), sys.argv[1])"
)


def stage(
    name: str, *args: str, code: str = "from solver.cli import main; main()"
) -> tuple[float, float]:
    """Run `rightplace *args` (or other `code`) in its own process; wall seconds and peak GiB
    of its process tree."""
    command = [sys.executable, "-c", code, *args]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak = max(peak, tree_rss(root))
            except psutil.NoSuchProcess:
                return
            done.wait(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    output, _ = proc.communicate()
    done.set()
    watcher.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{output[-3000:]}")
    print(f"{name:<8} {seconds:8.1f} s  peak {peak / 2**30:6.2f} GiB", flush=True)
    return seconds, peak / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fraction", type=float, default=0.125)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--listed", type=int, default=1000, help="children to list")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/rightplace-bench-national"))
    args = parser.parse_args()
    size = {k: max(1, round(v * args.fraction)) for k, v in NATIONAL.items()}
    print(f"fraction {args.fraction}: {size}", flush=True)
    out = args.dir / f"f{args.fraction}"
    shutil.rmtree(out, ignore_errors=True)
    data, travel, solved, listed = (out / d for d in ("data", "travel", "solve", "lists"))
    cluster = ["--scheduler", "local", "--workers", str(args.workers)]
    stage(
        "synth",
        *("synth", "--children", str(size["children"]), "--settings", str(size["settings"])),
        *("--nodes", str(size["nodes"]), "--las", str(size["las"]), "--seed", "1"),
        *("--out", str(data)),
    )
    scenario = str(data / "scenario.yaml")
    # Once per road network (cached by content): timed apart from the runs that reuse it.
    stage("network", scenario, code=COMPILE)
    stage(
        "travel",
        *("travel", "--scenario", scenario, "--out", str(travel), "--placement-only"),
        *cluster,
    )
    journeys = str(travel / "travel_times.parquet")
    stage("solve", "solve", "--scenario", scenario, "--out", str(solved), "--journeys", journeys)
    children = pd.read_csv(data / "children.csv", usecols=["child_id", "la_code"], dtype=str)
    one_la = children[children["la_code"] == children["la_code"].min()]["child_id"]
    some = one_la.sample(min(args.listed, len(one_la)), random_state=1).tolist()
    picked = [a for child in some for a in ("--child", child)]
    stage("lists", "lists", "--scenario", scenario, "--out", str(listed), *picked, *cluster)
    rows = pd.read_parquet(journeys, columns=["seconds"]).shape[0]
    print(f"journeys: {rows:,} rows ({rows / size['children']:.0f} a child)")
    print((solved / "summary.json").read_text())


if __name__ == "__main__":
    main()
