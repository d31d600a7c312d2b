"""The benchmarks' instance cache: a `rightplace synth` instance with its travel table, written
once per version and size and reused by the benchmarks that rerun on one instance."""

from __future__ import annotations

from pathlib import Path

from solver.io.journeys import TRAVEL_FILE, recorded_inputs, write_journeys
from solver.synth.instance import SYNTH_VERSION, SynthSize, write_synth
from solver.workspace import travel_table


def cached_instance(size: SynthSize, folder: Path) -> Path:
    """The scenario of a synthetic instance in a folder of `folder` named by its version and
    size, written (with its travel table beside it) only if it is not there yet."""
    name = f"synth-v{SYNTH_VERSION}-{size.children}-{size.settings}-{size.nodes}"
    data = folder / f"{name}-{size.las}-{size.seed}"
    scenario = data / "scenario.yaml"
    if not scenario.exists():
        write_synth(size, data)
    if recorded_inputs(data / TRAVEL_FILE) is None:  # none, damaged, or an older version's
        write_journeys(travel_table(scenario), data / TRAVEL_FILE)
    return scenario
