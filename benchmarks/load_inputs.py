"""Time the input loaders on England-sized files: a GIAS download, children and postcodes.

Builds the files in a temporary folder (GIAS rows are the DfE sample's first row with varied URN,
type, SEN designations and grid reference), then reports the median wall time of each loader over
several runs, and the process's peak memory.

    python benchmarks/load_inputs.py --settings 50000 --children 100000 --runs 5
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.domain.needs import CODED_NEEDS, GIAS_SPELLING  # noqa: E402
from solver.io.children import OPTIONAL_CHILD_COLUMNS, REQUIRED_CHILD_COLUMNS  # noqa: E402
from solver.io.inputs import (  # noqa: E402
    default_places,
    load_children,
    load_postcodes,
    read_gias,
)

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "edubase_sample_two_rows.csv"
CODEPOINT = Path("/work/shared/data/postcodes-codepoint/codepoint_open_2014_08_le.csv.gz")
TYPE_CODES = ["01", "02", "34", "07", "10", "11", "14", "18", "15", "24"]  # 15, 24: skipped


def write_gias(path: Path, n: int, rng: np.random.Generator) -> None:
    """`n` GIAS rows in DfE's format, varied from the sample's first row."""
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False, encoding="cp1252")
    frame = pd.concat([sample.iloc[[0]]] * n, ignore_index=True)
    frame["URN"] = [str(200000 + i) for i in range(n)]
    frame["TypeOfEstablishment (code)"] = rng.choice(TYPE_CODES, n)
    frame["Easting"] = rng.integers(100_000, 650_000, n).astype(str)
    frame["Northing"] = rng.integers(50_000, 650_000, n).astype(str)
    rp = rng.random(n) < 0.05
    frame.loc[rp, "TypeOfResourcedProvision (name)"] = "Resourced provision"
    frame.loc[rp, "ResourcedProvisionCapacity"] = "12"
    designated = rp | (frame["TypeOfEstablishment (code)"] == "07").to_numpy()
    for column in ("SEN1 (name)", "SEN2 (name)"):
        needs = rng.choice([GIAS_SPELLING[need] for need in CODED_NEEDS], n)
        frame[column] = np.where(designated, needs, "")
    frame.to_csv(path, index=False, encoding="cp1252", quoting=csv.QUOTE_ALL)


def write_children(path: Path, n: int, postcodes: pd.DataFrame, rng: np.random.Generator) -> None:
    """`n` children, half located by postcode, half by grid reference, with 3 personal columns."""
    by_postcode = rng.random(n) < 0.5
    homes = postcodes.sample(n, replace=True, random_state=1).reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "child_id": [f"c{i}" for i in range(n)],
            "ncy": rng.integers(-4, 21, n),
            "sex": rng.choice(["M", "F"], n),
            "primary_need": rng.choice([need.value for need in CODED_NEEDS], n),
            "secondary_need": "",
            "postcode": np.where(by_postcode, homes["postcode"], ""),
            "easting": np.where(by_postcode, "", homes["easting"].astype(int).astype(str)),
            "northing": np.where(by_postcode, "", homes["northing"].astype(int).astype(str)),
            "current_urn": "",
            "transfer": "",
            "name": "Name",
            "date_of_birth": "2015-01-01",
            "address": "1 Road",
        }
    )
    assert set(frame.columns) >= {*REQUIRED_CHILD_COLUMNS, *OPTIONAL_CHILD_COLUMNS}
    frame.to_csv(path, index=False)


def median_seconds(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` over `runs` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Build the files, time each loader, print one line per loader."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=int, default=50_000, help="GIAS rows (England ~50k)")
    parser.add_argument("--children", type=int, default=100_000, help="children rows")
    parser.add_argument("--runs", type=int, default=5, help="runs per loader (median reported)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        gias_path, children_path = Path(folder) / "gias.csv", Path(folder) / "children.csv"
        write_gias(gias_path, args.settings, rng)
        postcodes = load_postcodes(CODEPOINT)
        write_children(children_path, args.children, postcodes, rng)
        gias = read_gias(gias_path)
        timings = {
            f"read_gias ({args.settings} rows, {len(gias.settings)} kept)": lambda: read_gias(
                gias_path
            ),
            f"default_places ({len(gias.settings)} settings)": lambda: default_places(
                gias.settings, gias.provision
            ),
            f"load_postcodes ({CODEPOINT.name}, {len(postcodes)} units)": lambda: load_postcodes(
                CODEPOINT
            ),
            f"load_children ({args.children} rows)": lambda: load_children(
                children_path, postcodes, gias.settings
            ),
        }
        for label, action in timings.items():
            print(
                f"{label}: median {median_seconds(action, args.runs):.3f} s over {args.runs} runs"
            )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
