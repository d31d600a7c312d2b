"""The Rutland sample end to end: a list for every child, an allocation the checker passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.io.inputs import load_scenario_inputs
from solver.io.scenario_file import load_scenario
from solver.placement.allocate import allocate
from solver.placement.check import check_allocation
from solver.placement.tailored import tailored_lists
from solver.workspace import scenario_journeys

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def rutland(tmp_path_factory: pytest.TempPathFactory):
    """The baseline scenario, its inputs and its journeys on the Rutland road network."""
    scenario = load_scenario(BASELINE)
    inputs = load_scenario_inputs(scenario)
    journeys = scenario_journeys(BASELINE, scenario, inputs, tmp_path_factory.mktemp("rutland"))
    return scenario, inputs, journeys


def test_every_rutland_child_gets_a_tailored_list(rutland) -> None:
    """Each of the sample's children has one row per setting, ranked 1..k on the list."""
    scenario, inputs, journeys = rutland
    lists = tailored_lists(
        inputs.children, inputs.settings, inputs.places, journeys, inputs.tariffs, scenario.policy
    )
    rows = lists.groupby("child_id").size()
    assert set(rows.index) == set(inputs.children["child_id"])
    assert (rows == len(inputs.settings)).all()
    for _, ranks in lists[lists["on_list"]].groupby("child_id")["rank"]:
        assert sorted(ranks) == list(range(1, len(ranks) + 1))
    assert lists["on_list"].any()


def test_rutland_allocation_passes_the_checker(rutland) -> None:
    """The baseline's optimal allocation places or explains every child and passes the checker."""
    scenario, inputs, journeys = rutland
    result = allocate(
        inputs.children, inputs.settings, inputs.places, journeys, inputs.tariffs, scenario.policy
    )
    assert result.status == "optimal"
    assert len(result.placements) + len(result.unplaced) == len(inputs.children)
    assert result.placements["kept"].any() and (~result.placements["kept"]).any()
    violations = check_allocation(
        inputs.children,
        inputs.settings,
        inputs.places,
        journeys,
        inputs.tariffs,
        scenario.policy,
        result.placements,
        result.unplaced,
    )
    assert violations == []
