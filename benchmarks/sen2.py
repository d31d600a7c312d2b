"""Time `rightplace sen2` importing a synthetic SEN2 return of about 20,000 persons.

Builds a synthetic input set (`rightplace synth --sen2`) in a temporary folder, then runs the
import (read every module, census children, quality report, flows from last year's return,
write the files) in a fresh process several times; reports the median wall time and the
largest peak memory (max RSS) of those processes.

    python benchmarks/sen2.py --persons 20000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from solver.synth.instance import SynthSize, write_synth  # noqa: E402
from solver.synth.sen2 import LEAVER_SHARE, write_synth_sen2  # noqa: E402

CLI = "from solver.cli import main; main()"


def run_once(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one `rightplace`
    process; CPU time shows the work when other processes share the cores."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"rightplace {' '.join(args)} failed")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    """Build the return, run the import `--runs` times, print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000, help="persons in the return")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    children = round(args.persons / (1 + LEAVER_SHARE))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        write_synth(SynthSize(children, 700, 3000, args.seed, 1), out, postcodes=True)
        write_synth_sen2(out, args.seed)
        person_file = next((out / "sen2" / "2025").glob("*_person.csv"))
        persons = len(person_file.read_text().splitlines()) - 1
        command = [
            "sen2", "--return", str(out / "sen2" / "2025"), "--census", "2025-01-16",
            "--previous", str(out / "sen2" / "2024"), "--postcodes", str(out / "postcodes.csv"),
            "--settings", str(out / "gias.csv"), "--out", str(out / "import"),
            "--key", str(out / "key"),
        ]  # fmt: skip
        results = [run_once(command) for _ in range(args.runs)]
    seconds = statistics.median(s for s, _, _ in results)
    cpu = statistics.median(c for _, c, _ in results)
    peak = max(m for _, _, m in results)
    print(
        f"rightplace sen2 ({persons} persons, {children} children, with --previous): "
        f"median {seconds:.2f} s wall, {cpu:.2f} s CPU over {args.runs} runs; "
        f"peak memory {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
