"""A scenario written out by scenario_yaml reads back as the same scenario, wherever it is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.io.scenario_file import load_scenario, scenario_yaml

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_round_trips_from_another_folder(path: Path, tmp_path: Path) -> None:
    """Saving a loaded scenario elsewhere and loading it again gives an equal scenario: changes,
    demand, policy and the input files themselves (not paths relative to the new folder)."""
    scenario = load_scenario(path.resolve())
    copy = tmp_path / "elsewhere" / "copy.yaml"
    copy.parent.mkdir()
    copy.write_text(scenario_yaml(scenario), encoding="utf-8")
    again = load_scenario(copy)
    assert again == scenario
    assert again.inputs.children.exists()
