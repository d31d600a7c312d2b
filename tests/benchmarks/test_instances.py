"""The benchmarks' instance cache (benchmarks/instances.py)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.instances import cached_instance
from solver.synth.instance import MIN_SETTINGS, SynthSize


def test_cached_instance_is_one_per_size_las_and_seed(tmp_path: Path) -> None:
    """A benchmark's cached instance is reused for the same size, never for another LA count or
    seed (a region must not be read back as a one-LA instance of the same size)."""
    size = SynthSize(children=120, settings=MIN_SETTINGS, nodes=400, seed=2, las=1)
    first = cached_instance(size, tmp_path)
    written = (first.parent / "children.csv").stat().st_mtime_ns
    assert cached_instance(size, tmp_path) == first
    assert (first.parent / "children.csv").stat().st_mtime_ns == written
    others = {cached_instance(SynthSize(120, MIN_SETTINGS, 400, 2, 2), tmp_path)}
    others.add(cached_instance(SynthSize(120, MIN_SETTINGS, 400, 3, 1), tmp_path))
    assert len(others) == 2 and first not in others
