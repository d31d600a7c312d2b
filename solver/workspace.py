"""A scenario opened for work: its inputs and journeys loaded once, then tailored lists and
placements run over them. The CLI and the app both go through here, so they give the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from solver.domain.scenario import Scenario
from solver.errors import CHILD_IDS, TRAVEL_TABLE, CheckFailed, InputError, Problem
from solver.io.inputs import LoadedInputs, load_scenario_inputs
from solver.io.journeys import PLACEMENT_ONLY
from solver.io.scenario_file import load_scenario
from solver.placement.allocate import Allocation, allocate
from solver.placement.check import check_allocation
from solver.placement.tailored import tailored_lists
from solver.scenarios.changes import scenario_inputs
from solver.travel.tables import Search


@dataclass(frozen=True)
class Workspace:
    """A loaded scenario: the file, its settings, its inputs with the scenario's provision
    changes applied, and its journeys."""

    scenario_path: Path
    scenario: Scenario
    inputs: LoadedInputs
    journeys: pd.DataFrame

    def tailored_lists(self, child_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Every setting on or off each child's list (or the named children's), with reasons."""
        require_every_journey(self.journeys)
        wanted = None if child_ids is None else [str(c) for c in child_ids]
        if wanted:
            known = set(self.inputs.children["child_id"].astype(str))
            unknown = [c for c in wanted if c not in known]
            if unknown:
                raise InputError(
                    Problem(CHILD_IDS, None, "child_id", f"unknown child {c}") for c in unknown
                )
        return tailored_lists(
            self.inputs.children,
            self.inputs.settings,
            self.inputs.places,
            self.journeys,
            self.inputs.tariffs,
            self.scenario.policy,
            child_ids=wanted or None,
        )

    def allocation(self) -> Allocation:
        """The optimal allocation, verified by the independent checker before it is returned."""
        i, policy = self.inputs, self.scenario.policy
        result = allocate(i.children, i.settings, i.places, self.journeys, i.tariffs, policy)
        violations = check_allocation(
            i.children,
            i.settings,
            i.places,
            self.journeys,
            i.tariffs,
            policy,
            result.placements,
            result.unplaced,
            result.families,
        )
        if violations:
            raise CheckFailed(f"checker found {len(violations)} violations: {violations[:3]}")
        return result


def require_every_journey(journeys: pd.DataFrame) -> None:
    """Tailored lists show every setting's journey: a placement-only table will not do."""
    if journeys.attrs.get(PLACEMENT_ONLY):
        message = (
            "holds only the journeys a placement can use (placement only); "
            "tailored lists need every journey: compute it again, not for placement only"
        )
        raise InputError([Problem(TRAVEL_TABLE, None, "travel table", message)])


def open_workspace(
    scenario_path: Path,
    journeys_dir: Path,
    journeys: Path | None = None,
    *,
    only: list[str] | None = None,
    search: Search | None = None,
) -> Workspace:
    """Load a scenario's inputs and its journeys (read from `journeys`, or from or cached into
    `journeys_dir`; see `scenario_journeys`); every input problem of every file is raised
    together.

    Parameters
    ----------
    scenario_path
        The scenario YAML.
    journeys_dir
        Where a travel table for these inputs is looked for, and cached when one is searched.
    journeys
        A travel table to use instead (refused if computed from other inputs).
    only
        Search the journeys of these child ids only (not cached).
    search
        How to search journeys; default: on this machine.

    Returns
    -------
    Workspace
        The scenario, its inputs with its changes applied, and its journeys.

    Raises
    ------
    InputError
        Every problem of every input file.
    """
    scenario = load_scenario(Path(scenario_path))
    inputs = load_scenario_inputs(scenario)
    return workspace_from(
        scenario_path, scenario, inputs, journeys_dir, journeys, only=only, search=search
    )


def workspace_from(
    scenario_path: Path,
    scenario: Scenario,
    inputs: LoadedInputs,
    journeys_dir: Path,
    journeys: Path | None = None,
    *,
    only: list[str] | None = None,
    search: Search | None = None,
) -> Workspace:
    """A workspace from a scenario and inputs already loaded: its changes applied, its journeys."""
    scenario_path = Path(scenario_path)
    current, trips = scenario_inputs(
        scenario_path, scenario, inputs, Path(journeys_dir), journeys, only=only, search=search
    )
    return Workspace(scenario_path, scenario, current, trips)
