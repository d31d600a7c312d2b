"""Best-site speed, end to end: `rightplace sites` on a `rightplace synth` instance.

Each run routes every eligible child to every candidate site on the synthetic road network,
ranks the sites, chooses the best k, and solves the whole allocation without and with the new
setting (both verified by the independent checker). The instance's travel table and road
network cache are built once before the timed runs, as they would be for an LA's own data.

    python benchmarks/sites.py --children 20000 --settings 700 --nodes 200000 --sites 500 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.instances import cached_instance  # noqa: E402
from solver.sites.proposal import Proposal  # noqa: E402
from solver.synth.instance import SynthSize  # noqa: E402
from solver.workspace import open_workspace, write_site_study  # noqa: E402


def candidate_sites(settings_file: Path, n_sites: int, seed: int, out: Path) -> Path:
    """`n_sites` candidate sites scattered over the settings' extent (easting, northing)."""
    gias = pd.read_csv(settings_file, usecols=["Easting", "Northing"], encoding="cp1252")
    rng = np.random.default_rng(seed)
    east = rng.uniform(gias["Easting"].min(), gias["Easting"].max(), n_sites).round()
    north = rng.uniform(gias["Northing"].min(), gias["Northing"].max(), n_sites).round()
    table = pd.DataFrame({"site_id": [f"site{i:04d}" for i in range(n_sites)]})
    table = table.assign(easting=east, northing=north)
    table.to_csv(out, index=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=700)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--places", type=int, default=60)
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/rightplace-bench-sites"))
    args = parser.parse_args()
    size = SynthSize(args.children, args.settings, args.nodes, seed=1)
    scenario = cached_instance(size, args.dir)
    data = scenario.parent
    candidates = candidate_sites(data / "gias.csv", args.sites, 7, args.dir / "candidates.csv")
    proposal = Proposal(("ASD",), 5, 18, args.places)
    times = []
    for run in range(args.runs):
        out = args.dir / f"run{run}"
        start = time.perf_counter()
        today = date.today()
        study = open_workspace(scenario, out).evaluate_sites(
            proposal, candidates, args.k, today.year
        )
        write_site_study(study, out, today)
        evaluation = study.evaluation
        times.append(time.perf_counter() - start)
        best = evaluation.ranked.iloc[0]
        print(
            f"run {run}: {times[-1]:.1f} s; best {evaluation.chosen}, "
            f"{best['children_in_reach']} ASD children in reach"
        )
    print(f"median {statistics.median(times):.1f} s over {args.runs} runs (target <= 60 s)")


if __name__ == "__main__":
    main()
