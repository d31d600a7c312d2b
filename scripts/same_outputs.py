"""Show a refactoring left behaviour unchanged: run `synth`, `travel`, `lists`, `solve`,
`forecast`, `compare` and `sites` on the Rutland sample and on a small synthetic instance, and
record the sha256 of every file they write (plus each command's exit code and printed output).

    python scripts/same_outputs.py --write before.json        # on the old code
    python scripts/same_outputs.py --check before.json        # on the new: exit 1 naming changes

Left out, because they legitimately change with the day or the software version, not the code's
behaviour:
- `family/*.html`, the family's page: it prints the issue date (today);
- `evidence.html`, the sites evidence pack: it prints the date it was made (today).
Everything else (CSV, JSON, parquet, the synthetic input set) must be byte-identical. No run
writes the software version (`lists --record` would, in record.json: not used here). The sites
outputs open the proposed setting this calendar year, so a manifest holds within one year.
Files are written to a temporary folder (deleted afterwards, unless --keep), whose path is
replaced by WORK in the printed output and in the files (the checkout's by ROOT), so two
checkouts compare. The synthetic instance has no EHCP history, so its forecast and comparison
run on a copy of its scenario given the sample's (`with_history.yaml`, not hashed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RIGHTPLACE = Path(sys.executable).with_name("rightplace")

#: Outputs that carry today's date (see the module docstring); matched on the relative path.
DATED = ("family/", "evidence.html")

#: The synthetic scenario with the sample's LA code, EHCP and population files, as a forecast
#: (and so a comparison) needs them; written after `synth`.
HISTORY_SCENARIO = "with_history.yaml"
HISTORY = f"""
la_code: E06000017
la_name: Synthetic
inputs:
  settings: gias.csv
  overrides: overrides.csv
  children: children.csv
  network: roads.osm
  ehcp: {ROOT}/data/rutland/ehcp
  population:
    - {ROOT}/data/rutland/population/ONS2019_PopnByAgeYearEstimate.csv
    - {ROOT}/data/rutland/population/ONS2020_PopnByAgeYearEstimate.csv
    - {ROOT}/data/rutland/population/2022_SNPP_persons_Rutland_E06000017.csv
"""

SAMPLE_CHILD = "S2-0120a0545c90b52b"
SYNTH_SIZE = ("--children", "500", "--settings", "60", "--nodes", "5000", "--seed", "1")


def runs(work: Path) -> dict[str, Sequence[str]]:
    """Each named run's arguments to `rightplace`, in the order they must run."""
    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    free_school = str(ROOT / "scenarios" / "asd_special_free_school.yaml")
    candidates = str(ROOT / "data" / "rutland" / "candidate_sites.csv")
    synth = work / "synth"
    synth_scenario = str(synth / "scenario.yaml")
    with_history = str(synth / HISTORY_SCENARIO)
    out = work / "out"
    return {
        "synth": ("synth", *SYNTH_SIZE, "--out", str(synth)),
        "sample/travel": ("travel", "--scenario", baseline, "--out", f"{out}/sample"),
        "sample/lists": (
            "lists",
            "--scenario",
            baseline,
            "--child",
            SAMPLE_CHILD,
            "--out",
            f"{out}/sample",
        ),  # fmt: skip
        "sample/solve": ("solve", "--scenario", baseline, "--out", f"{out}/sample"),
        "sample/forecast": (
            "forecast",
            "--scenario",
            baseline,
            "--years",
            "10",
            "--out",
            f"{out}/sample",
        ),  # fmt: skip
        "sample/compare": (
            "compare",
            "--scenario",
            baseline,
            "--scenario",
            free_school,
            "--out",
            f"{out}/sample-compare",
        ),  # fmt: skip
        "sample/sites": (
            "sites",
            "--scenario",
            baseline,
            "--need",
            "ASD",
            "--ages",
            "5-18",
            "--places",
            "60",
            "--candidates",
            candidates,
            "--out",
            f"{out}/sample-sites",
        ),  # fmt: skip
        "synth/travel": ("travel", "--scenario", synth_scenario, "--out", f"{out}/synth"),
        "synth/lists": ("lists", "--scenario", synth_scenario, "--out", f"{out}/synth"),
        "synth/solve": ("solve", "--scenario", synth_scenario, "--out", f"{out}/synth"),
        "synth/forecast": ("forecast", "--scenario", with_history, "--out", f"{out}/synth"),
        "synth/compare": (
            "compare",
            "--scenario",
            with_history,
            "--out",
            f"{out}/synth-compare",
        ),  # fmt: skip
    }


def digest(data: bytes, work: Path) -> str:
    """The sha256 (hex) of `data` with the work folder's and the checkout's paths (which
    proposed_scenario.yaml names its inputs by) replaced by fixed names."""
    fixed = data.replace(bytes(work), b"WORK").replace(bytes(ROOT), b"ROOT")
    return hashlib.sha256(fixed).hexdigest()


def manifest(work: Path) -> dict[str, str]:
    """Run every command in `work`; sha256 of every file written (dated ones left out) and of
    each run's exit code, stdout and stderr."""
    entries: dict[str, str] = {}
    for name, args in runs(work).items():
        done = subprocess.run([str(RIGHTPLACE), *args], capture_output=True, text=True, cwd=ROOT)
        printed = f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        entries[f"run:{name}"] = digest(printed.encode(), work)
        print(f"{name}: exit {done.returncode}", file=sys.stderr)
        if name == "synth":
            (work / "synth" / HISTORY_SCENARIO).write_text("name: synthetic with history" + HISTORY)
    for path in sorted(p for p in work.rglob("*") if p.is_file()):
        relative = path.relative_to(work).as_posix()
        if relative != f"synth/{HISTORY_SCENARIO}" and not any(m in relative for m in DATED):
            entries[relative] = digest(path.read_bytes(), work)
    return entries


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Each entry missing, new or changed, one line each."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            lines.append(f"missing: {key}")
        elif key not in expected:
            lines.append(f"new: {key}")
        elif expected[key] != actual[key]:
            lines.append(f"differs: {key}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", type=Path, help="write the manifest (JSON) here")
    what.add_argument("--check", type=Path, help="compare with this manifest; exit 1 if any differ")
    parser.add_argument("--keep", type=Path, help="an empty folder to run in and keep")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True)
        actual = manifest(args.keep.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="rightplace-same-") as folder:
            actual = manifest(Path(folder))
    if args.write:
        args.write.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n")
        print(f"{len(actual)} entries written to {args.write}")
        return
    changed = differences(json.loads(args.check.read_text()), actual)
    for line in changed:
        print(line)
    if changed:
        sys.exit(1)
    print(f"same: all {len(actual)} entries match {args.check}")


if __name__ == "__main__":
    main()
