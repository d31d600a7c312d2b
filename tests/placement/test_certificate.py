"""The run-time optimality certificate: a bound proved by residual-network potentials, and a
flow the solver got wrong never reported optimal (issue 15, item 9)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import solver.placement.allocate as allocate_module
from solver.cli import app
from solver.domain.scenario import Policy
from solver.placement.allocate import COST_SCALE, Network
from solver.placement.certificate import certify
from tests.placement.test_allocate import FAST, reference, solve
from tests.placement_tables import (
    Instance,
    child,
    children_table,
    instances,
    journeys_table,
    place,
    places_table,
    setting,
    settings_table,
    write_case,
)


def _network() -> tuple[np.ndarray, ...]:
    """Two children, two settings of one place each; A costs 1 or 5, B costs 2 or 10.
    Nodes: 0 source, 1 sink, 2 A, 3 B, 4 setting X, 5 setting Y. Arcs: source->A, source->B,
    A->X, A->Y, B->X, B->Y, X->sink, Y->sink."""
    tails = np.array([0, 0, 2, 2, 3, 3, 4, 5])
    heads = np.array([2, 3, 4, 5, 4, 5, 1, 1])
    capacities = np.ones(8, dtype=np.int64)
    costs = np.array([0, 0, 1, 5, 2, 10, 0, 0])
    return tails, heads, capacities, costs


def test_hand_checked_network() -> None:
    """A->Y, B->X costs 7 and is optimal (the other way costs 11): certified with bound 7;
    the dearer flow is refused as beatable; one child placed is refused as not maximum."""
    arcs = _network()
    best = np.array([1, 1, 0, 1, 1, 0, 1, 1])
    dearer = np.array([1, 1, 1, 0, 0, 1, 1, 1])
    one = np.array([1, 0, 1, 0, 0, 0, 1, 0])
    proved = certify(arcs, best)
    assert proved.optimal and proved.bound == 7
    refused = certify(arcs, dearer, fallback_bound=3)
    assert not refused.optimal and refused.bound == 3 and "cheaper" in refused.reason
    assert not certify(arcs, one).optimal
    over = certify(arcs, best * 2)
    assert not over.optimal and "capacity" in over.reason


def test_omitted_arcs_are_priced() -> None:
    """With A's arc to X left out of the network, the flow A->Y, B->X is proved optimal when
    the omitted arc is dear, and not when it is cheap enough to beat it."""
    tails, heads, capacities, costs = _network()
    keep = np.array([0, 1, 3, 4, 5, 6, 7])  # without arc 2 (A->X)
    arcs = (tails[keep], heads[keep], capacities[keep], costs[keep])
    flow = np.array([1, 1, 1, 1, 0, 1, 1])  # A->Y (5), B->X (2)
    assert certify(arcs, flow).optimal
    dear = [(np.array([2]), np.array([4]), np.array([100]))]
    assert certify(arcs, flow, omitted=dear).optimal
    cheap = [(np.array([2]), np.array([4]), np.array([-9]))]
    assert not certify(arcs, flow, omitted=cheap).optimal


@FAST
@given(instances(), st.booleans())
def test_certified_bound_is_the_highs_optimum(instance: Instance, by_columns: bool) -> None:
    """On random instances (plain flow and by columns), the bound the certificate proves
    equals the objective and HiGHS's optimum, and the status is optimal."""
    with pytest.MonkeyPatch.context() as patch:
        if by_columns:
            patch.setattr(allocate_module, "COLUMNS_ABOVE", 0)
            patch.setattr(allocate_module, "FIRST_COLUMNS", 1)
        result = solve(instance, Policy())
    _, cost = reference(instance, Policy())
    assert result.status == "optimal"
    assert round(result.bound * COST_SCALE) == round(result.objective * COST_SCALE) == cost


def _sabotaged(patch: pytest.MonkeyPatch) -> None:
    """The solver handed the flow's costs negated: it returns the dearest maximum flow."""
    honest = Network.flows
    patch.setattr(Network, "flows", lambda self, costs: honest(self, -costs))


def _two_by_two() -> Instance:
    """Two children, two one-place mainstream settings: A near X, B between (17 minutes of
    journeys at best, 50 at worst)."""
    return Instance(
        children_table([child("A", 3, "ASD"), child("B", 3, "ASD")]),
        settings_table([setting("100001"), setting("100002")]),
        places_table([place("100001", 1), place("100002", 1)]),
        journeys_table(
            {("A", "100001"): 5, ("A", "100002"): 40, ("B", "100001"): 10, ("B", "100002"): 12}
        ),
    )


def test_sabotaged_solver_is_not_reported_optimal() -> None:
    """A wrong flow is reported feasible, with a bound at or below the true optimum."""
    case = _two_by_two()
    with pytest.MonkeyPatch.context() as patch:
        _sabotaged(patch)
        result = solve(case)
    _, optimum = reference(case, Policy())
    assert result.status == "feasible" and result.gap > 0
    assert result.objective * COST_SCALE > optimum >= result.bound * COST_SCALE


def test_cli_summary_of_a_sabotaged_solve(tmp_path: Path) -> None:
    """`rightplace solve` writes the unproved status and bound into summary.json."""
    scenario = write_case(tmp_path)
    journeys = tmp_path / "out" / "travel_times.parquet"
    table = pd.read_parquet(journeys)
    table["seconds"] = 60.0 * (5 + 11 * np.arange(len(table)) % 37)
    table.to_parquet(journeys)
    runner = CliRunner()

    def solve_into(name: str) -> dict[str, float]:
        args = ["solve", "--scenario", str(scenario), "--journeys", str(journeys)]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        return dict(json.loads((tmp_path / name / "summary.json").read_text()))

    good = solve_into("honest")
    assert good["status"] == "optimal" and good["bound"] == good["objective"]
    with pytest.MonkeyPatch.context() as patch:
        _sabotaged(patch)
        bad = solve_into("sabotaged")
    assert bad["objective"] > good["objective"]
    assert bad["status"] == "feasible" and bad["gap"] > 0
    assert bad["bound"] <= good["objective"]
