"""Time `rightplace synth` end to end (all files written) and report the median of several runs.

Run: python benchmarks/synth.py [--children 20000] [--settings 700] [--nodes 200000] [--runs 3]
The target is under a minute at the default size.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from solver.synth.instance import SynthSize, write_synth


def main() -> None:
    """Run the generator `--runs` times into a temporary folder and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=700)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            size = SynthSize(args.children, args.settings, args.nodes, seed=run)
            paths = write_synth(size, Path(folder))
            times.append(time.perf_counter() - start)
            megabytes = sum(p.stat().st_size for p in paths.values()) / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"synth {args.children} children x {args.settings} settings x {args.nodes} nodes: "
        f"median {statistics.median(times):.2f} s over {args.runs} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); {megabytes:.1f} MB written; "
        f"peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
