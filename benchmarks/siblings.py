"""Siblings together at scale: `rightplace synth` (4% of children in sibling pairs sharing a
home), every child re-placed (move_current) so every family is in scope, solved with and without
siblings_together; each allocation passes the independent checker.

    python benchmarks/siblings.py --children 20000 --settings 700 --nodes 200000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.instances import cached_instance  # noqa: E402
from solver.io.scenario_file import load_scenario  # noqa: E402
from solver.synth.instance import SynthSize  # noqa: E402
from solver.workspace import open_workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=700)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/rightplace-bench-siblings"))
    args = parser.parse_args()
    size = SynthSize(args.children, args.settings, args.nodes, seed=1)
    scenario = cached_instance(size, args.dir)
    data = scenario.parent
    base = load_scenario(scenario)
    for together in (False, True):
        policy = base.policy.model_copy(
            update={"move_current": True, "siblings_together": together}
        )
        ws = replace(
            open_workspace(scenario, data), scenario=base.model_copy(update={"policy": policy})
        )
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = ws.allocation()
            times.append(time.perf_counter() - start)
        summary = result.summary()
        print(
            f"siblings_together={together}: median {statistics.median(times):.1f} s "
            f"(min {min(times):.1f}, max {max(times):.1f}; solve + checker) {summary}"
        )


if __name__ == "__main__":
    main()
