"""A region on Dask: `rightplace synth --las 4`, journeys by LA partition on a LocalCluster of
1 and then 2 workers, then the global solve; against the single-machine solve's objective.

    python benchmarks/region.py --children 60000 --settings 2000 --nodes 400000 --las 4 --runs 3

Each run times `travel --scheduler local --workers W` (with `--placement-only` if given) plus
`solve` on its table (cluster start included), as a user would run them; the single-machine
travel table is built once, untimed, for the objective comparison.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.instances import cached_instance  # noqa: E402
from solver.io.journeys import TRAVEL_FILE, write_journeys  # noqa: E402
from solver.synth.instance import SynthSize  # noqa: E402
from solver.travel.region import dask_client  # noqa: E402
from solver.workspace import open_workspace, travel_table  # noqa: E402


def regional_run(scenario: Path, workers: int, placement_only: bool) -> tuple[float, float, float]:
    """Wall time of travel on `workers` workers, then of the solve; and the objective."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        with dask_client("local", workers) as client:
            table = travel_table(scenario, placement_only, client)
            write_journeys(table, Path(out) / TRAVEL_FILE)
        travel = time.perf_counter() - start
        start = time.perf_counter()
        result = open_workspace(scenario, Path(out)).allocation()
        return travel, time.perf_counter() - start, result.objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=60_000)
    parser.add_argument("--settings", type=int, default=2_000)
    parser.add_argument("--nodes", type=int, default=400_000)
    parser.add_argument("--las", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/rightplace-bench-region"))
    parser.add_argument(
        "--placement-only", action="store_true", help="travel --placement-only: what solve uses"
    )
    args = parser.parse_args()
    size = SynthSize(args.children, args.settings, args.nodes, seed=1, las=args.las)
    scenario = cached_instance(size, args.dir)
    single = open_workspace(scenario, scenario.parent).allocation().objective
    print(f"single-machine objective {single:,.2f}", flush=True)
    totals = {}
    for workers in (1, 2):
        runs = [regional_run(scenario, workers, args.placement_only) for _ in range(args.runs)]
        travel = statistics.median(r[0] for r in runs)
        solve = statistics.median(r[1] for r in runs)
        totals[workers] = statistics.median(r[0] + r[1] for r in runs)
        same = all(abs(r[2] - single) < 0.005 for r in runs)
        print(
            f"{workers} worker(s): travel {travel:.1f} s + solve {solve:.1f} s = "
            f"{totals[workers]:.1f} s median of {args.runs}; same objective: {same}",
            flush=True,
        )
    print(f"2 workers / 1 worker: {totals[2] / totals[1]:.2f} (target <= 0.65)")


if __name__ == "__main__":
    main()
