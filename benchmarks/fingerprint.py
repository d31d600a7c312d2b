"""What checking a travel table's inputs costs: `journey_inputs` (digests of the children, the
settings, the road network file and the limits) on a `rightplace synth` instance, beside the
loading of those inputs that every command does anyway.

    python benchmarks/fingerprint.py --children 60000 --settings 2000 --nodes 400000 --runs 5

Each run reads the network file again (its digest is otherwise kept for the process).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.network import _file_digest  # noqa: E402
from solver.io.inputs import load_scenario_inputs  # noqa: E402
from solver.io.scenario_file import load_scenario  # noqa: E402
from solver.synth.instance import SynthSize, write_synth  # noqa: E402
from solver.travel.tables import journey_inputs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=60_000)
    parser.add_argument("--settings", type=int, default=2_000)
    parser.add_argument("--nodes", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/rightplace-bench-fingerprint"))
    args = parser.parse_args()
    folder = args.dir / f"{args.children}-{args.settings}-{args.nodes}"
    if not (folder / "scenario.yaml").exists():
        write_synth(SynthSize(args.children, args.settings, args.nodes, seed=1), folder)
    scenario = load_scenario(folder / "scenario.yaml")
    loads, digests = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        inputs = load_scenario_inputs(scenario)
        loads.append(time.perf_counter() - start)
        _file_digest.cache_clear()
        start = time.perf_counter()
        journey_inputs(scenario, inputs)
        digests.append(time.perf_counter() - start)
    network = Path(str(scenario.inputs.network)).stat().st_size / 2**20
    print(
        f"{args.children:,} children, {args.settings:,} settings, {network:.1f} MiB network: "
        f"loading inputs {statistics.median(loads):.2f} s, "
        f"journey_inputs {statistics.median(digests):.3f} s (medians of {args.runs})"
    )


if __name__ == "__main__":
    main()
