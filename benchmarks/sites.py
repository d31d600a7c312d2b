"""Best-site speed: CP-SAT choice and ranking for N candidate sites and M children.

Reach is synthetic (children and sites uniform in a square, a child reaches a site within a
straight-line radius), so this measures the location problem, not the routing.
Run: python benchmarks/sites.py --sites 500 --children 20000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.sites import choose_sites, rank_sites  # noqa: E402


def reach_instance(n_sites: int, n_children: int, radius: float, seed: int) -> pd.DataFrame:
    """Children and sites in a 40 km square; pairs within `radius` metres."""
    rng = np.random.default_rng(seed)
    kids = rng.uniform(0, 40_000, (n_children, 2))
    sites = rng.uniform(0, 40_000, (n_sites, 2))
    child, site = [], []
    for s, xy in enumerate(sites):
        near = np.flatnonzero(np.hypot(*(kids - xy).T) <= radius)
        child.append(near)
        site.append(np.full(near.size, s))
    c, s = np.concatenate(child), np.concatenate(site)
    return pd.DataFrame(
        {
            "child_id": c.astype(str),
            "site_id": s.astype(str),
            "saving": rng.uniform(0, 40_000, c.size) * (rng.random(c.size) < 0.1),
            "independent": rng.random(c.size) < 0.1,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--radius", type=float, default=2_000.0, help="reach, metres")
    parser.add_argument("--places", type=int, default=60)
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for run in range(args.runs):
        reach = reach_instance(args.sites, args.children, args.radius, run)
        ids = [str(i) for i in range(args.sites)]
        start = time.perf_counter()
        rank_sites(reach, ids, args.places)
        chosen = choose_sites(reach, ids, args.k, args.places)
        times.append(time.perf_counter() - start)
        print(f"run {run}: {len(reach)} pairs, chose {chosen}, {times[-1]:.2f} s")
    print(f"median {statistics.median(times):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
