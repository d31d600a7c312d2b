"""Placement optimisation: micro cases, a HiGHS reference, metamorphic properties, the checker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

import solver.placement.allocate as allocate_module
from solver.domain.reasons import UnplacedReason
from solver.domain.scenario import Policy
from solver.errors import InputError
from solver.placement.allocate import (
    COST_SCALE,
    UNPLACED_PENALTY,
    Allocation,
    allocate,
)
from solver.placement.check import _minutes, check_allocation
from solver.placement.rules import assess, free_places, journey_index
from tests.placement_tables import (
    TARIFFS,
    Instance,
    child,
    children_table,
    instances,
    journeys_table,
    place,
    places_table,
    setting,
    settings_table,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def solve(instance: Instance, policy: Policy | None = None) -> Allocation:
    """Allocate and insist the independent checker passes."""
    policy = policy or Policy()
    result = allocate(
        instance.children, instance.settings, instance.places, instance.journeys, TARIFFS, policy
    )
    violations = check_allocation(
        instance.children,
        instance.settings,
        instance.places,
        instance.journeys,
        TARIFFS,
        policy,
        result.placements,
        result.unplaced,
    )
    assert violations == []
    return result


def reference(instance: Instance, policy: Policy) -> tuple[int, float]:
    """HiGHS MILP on the same suitable pairs: most children placed, then least cost (pence).

    With a budget cap: least cost plus UNPLACED_PENALTY per unplaced child, within the cap
    (and the minimum mainstream share, when set).
    """
    scope = instance.children[instance.children["current_urn"] == ""].reset_index(drop=True)
    index = journey_index(scope, instance.settings, instance.journeys)
    pairs = assess(scope, instance.settings, instance.places, TARIFFS, policy, index)
    pairs = pairs.take(pairs.suitable)
    cost = np.rint(pairs.weighted_cost(policy) * COST_SCALE)
    free = free_places(instance.places, instance.settings, policy)
    n, m = len(scope), len(pairs)
    rows, upper = [], []
    for c in range(n):
        rows.append(pairs.child == c)
        upper.append(1)
    for line in np.unique(np.concatenate([pairs.line, pairs.whole])):
        if line >= 0:
            rows.append((pairs.line == line) | (pairs.whole == line))
            upper.append(free[line])
    a = np.array(rows, dtype=float).reshape(len(rows), m)
    if m == 0:
        return 0, float(n * UNPLACED_PENALTY * COST_SCALE if policy.budget_cap else 0)
    if policy.budget_cap is not None:
        spend = np.rint(pairs.annual_cost * COST_SCALE)
        cons = [
            LinearConstraint(a, -np.inf, upper),
            LinearConstraint(spend[None, :], -np.inf, policy.budget_cap * COST_SCALE),
        ]
        if policy.min_mainstream_share is not None:
            kinds = instance.settings["setting_type"].to_numpy()[pairs.setting]
            mainstream = np.isin(kinds, ["mainstream", "mainstream_rp"])
            share = policy.min_mainstream_share
            cons.append(LinearConstraint((share - mainstream)[None, :], -np.inf, 0.0))
        res = milp(
            cost - UNPLACED_PENALTY * COST_SCALE,
            constraints=cons,
            integrality=np.ones(m),
            bounds=Bounds(0, 1),
        )
        placed = int(round(res.x.sum()))
        return placed, float(round(res.fun)) + n * UNPLACED_PENALTY * COST_SCALE
    first = milp(
        -np.ones(m),
        constraints=[LinearConstraint(a, -np.inf, upper)],
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
    )
    most = int(round(-first.fun))
    second = milp(
        cost,
        constraints=[
            LinearConstraint(a, -np.inf, upper),
            LinearConstraint(np.ones((1, m)), most, most),
        ],
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
    )
    return most, float(round(second.fun))


def new_placements(result: Allocation) -> int:
    return int((~result.placements["kept"]).sum())


def three_by_three() -> Instance:
    """Three children, three settings, a hand-solvable case."""
    return Instance(
        children_table(
            [child("A", 3, "ASD"), child("B", 3, "SEMH"), child("C", 3, "ASD", sex="F")]
        ),
        settings_table(
            [
                setting("100001", "mainstream"),
                setting("100002", "state_special", designated_needs=("ASD",)),
                setting("100003", "state_special", designated_needs=("SEMH",), gender="boys"),
            ]
        ),
        places_table([place("100001", 1), place("100002", 5), place("100003", 5)]),
        journeys_table(
            {
                ("A", "100001"): 10,
                ("A", "100002"): 20,
                ("A", "100003"): 5,
                ("B", "100001"): 30,
                ("B", "100002"): 10,
                ("B", "100003"): 40,
                ("C", "100001"): 20,
                ("C", "100002"): 60,
            }
        ),
    )


def test_micro_case_by_hand() -> None:
    """The one mainstream place goes to the child whose alternative is dearest; others follow."""
    result = solve(three_by_three())
    placed = dict(zip(result.placements["child_id"], result.placements["urn"], strict=True))
    # B can only go to the SEMH school (boys) or mainstream; A to mainstream or ASD special;
    # C (a girl, ASD) to mainstream only, since the ASD school is 60 minutes away (limit 45).
    assert placed == {"A": "100002", "B": "100003", "C": "100001"}
    assert result.unplaced.empty
    assert result.status == "optimal" and result.bound == result.objective
    # ASD special 27,000 + transport 2,000 + 250 x 20; SEMH special 30,000 + 2,000 + 250 x 40;
    # mainstream 6,000 + 2,000 + 250 x 20.
    assert result.objective == 34_000 + 42_000 + 13_000


def test_unplaced_children_have_reasons() -> None:
    """A child with no suitable setting in reach, and one beaten to the last place, are both
    reported with their reasons, never dropped."""
    case = three_by_three()
    children = children_table(
        [child("A", 3, "ASD", sex="F"), child("B", 3, "ASD", sex="F"), child("D", 3, "PMLD")]
    )
    journeys = journeys_table({("A", "100001"): 10, ("B", "100001"): 20, ("D", "100002"): 5})
    result = solve(Instance(children, case.settings, case.places, journeys))
    reasons = dict(zip(result.unplaced["child_id"], result.unplaced["reason"], strict=True))
    assert set(reasons) == {"B", "D"} or set(reasons) == {"A", "D"}
    assert reasons["D"] == UnplacedReason.NO_SUITABLE
    assert UnplacedReason.ALL_FULL in reasons.values()


def test_kept_children_hold_places_without_using_vacancies() -> None:
    """A child who stays keeps their setting (kept=true) and new placements still get every
    vacancy of that setting."""
    case = three_by_three()
    children = pd.concat(
        [case.children, children_table([child("K", 4, "ASD", current_urn="100001")])]
    )
    result = solve(Instance(children, case.settings, case.places, case.journeys))
    kept = result.placements.set_index("child_id").loc["K"]
    assert bool(kept["kept"]) and kept["urn"] == "100001"
    assert new_placements(result) == 3


def test_unknown_current_setting_is_bad_input() -> None:
    """A child kept at a setting that does not exist is reported as a problem with its row."""
    case = three_by_three()
    children = children_table([child("K", 4, "ASD", current_urn="999999")])
    with pytest.raises(InputError) as err:
        solve(Instance(children, case.settings, case.places, case.journeys))
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "current_urn")]


@FAST
@given(instances())
def test_objective_equals_highs_reference(instance: Instance) -> None:
    """The flow's placed count and cost equal a HiGHS MILP (most placed, then least cost)."""
    policy = Policy()
    result = solve(instance, policy)
    placed, cost = reference(instance, policy)
    assert new_placements(result) == placed
    assert round(result.objective * COST_SCALE) == cost


@FAST
@given(instances(), st.integers(1, 2))
def test_flow_by_columns_equals_highs_reference(instance: Instance, first: int) -> None:
    """Solved by columns from each child's `first` cheapest pairs (as national runs are), the
    placed count and cost still equal the HiGHS MILP over every pair, and the checker passes."""
    policy = Policy()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(allocate_module, "COLUMNS_ABOVE", 0)
        patch.setattr(allocate_module, "FIRST_COLUMNS", first)
        result = solve(instance, policy)
    placed, cost = reference(instance, policy)
    assert new_placements(result) == placed
    assert round(result.objective * COST_SCALE) == cost


@FAST
@given(instances(), st.sampled_from([0.5, 0.7, 0.9]))
def test_budget_cap_bound_brackets_reference(instance: Instance, share: float) -> None:
    """With a budget cap the Lagrangian result meets the cap, its bound is at most the HiGHS
    optimum and its objective at least it (equal when it says optimal)."""
    uncapped = solve(instance)
    spend = float(uncapped.placements.loc[~uncapped.placements["kept"], "annual_cost"].sum())
    policy = Policy(budget_cap=max(spend * share, 1.0))
    result = solve(instance, policy)
    new = result.placements[~result.placements["kept"]]
    assert new["annual_cost"].sum() <= policy.budget_cap + 1e-6
    _, best = reference(instance, policy)
    assert result.bound * COST_SCALE <= best + 1
    assert result.objective * COST_SCALE >= best - 1
    if result.status == "optimal":
        assert round(result.objective * COST_SCALE) == best
    assert set(result.unplaced["reason"]) <= {
        UnplacedReason.NO_SUITABLE,
        UnplacedReason.ALL_FULL,
        UnplacedReason.OVER_BUDGET,
    }


@FAST
@given(instances(), st.data())
def test_more_capacity_never_costs_more(instance: Instance, data: st.DataObject) -> None:
    """One more vacancy on any line places at least as many children, and at no more cost
    when it places the same number."""
    if instance.places.empty:
        return
    before = solve(instance)
    row = data.draw(st.integers(0, len(instance.places) - 1))
    places = instance.places.copy()
    places.loc[row, ["places", "vacancies"]] += 1
    after = solve(Instance(instance.children, instance.settings, places, instance.journeys))
    assert len(after.unplaced) <= len(before.unplaced)
    if len(after.unplaced) == len(before.unplaced):
        assert after.objective <= before.objective + 1e-9


@FAST
@given(instances(), st.data())
def test_removing_a_setting_never_costs_less(instance: Instance, data: st.DataObject) -> None:
    """Without one setting (and nobody kept there), no more children are placed, and at no
    less cost when the same number are."""
    urn = data.draw(st.sampled_from(list(instance.settings["urn"])))
    children = instance.children[instance.children["current_urn"] != urn]
    smaller = Instance(
        children,
        instance.settings[instance.settings["urn"] != urn],
        instance.places[instance.places["urn"] != urn],
        instance.journeys[instance.journeys["urn"] != urn],
    )
    before = solve(Instance(children, instance.settings, instance.places, instance.journeys))
    after = solve(smaller)
    assert len(after.unplaced) >= len(before.unplaced)
    if len(after.unplaced) == len(before.unplaced):
        assert after.objective >= before.objective - 1e-9


@FAST
@given(instances(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(instance: Instance, rnd) -> None:
    """Shuffling the rows of every input table gives the same placements and objective."""
    seed = rnd.randint(0, 2**31)

    def shuffle(table: pd.DataFrame) -> pd.DataFrame:
        return table.sample(frac=1.0, random_state=seed)

    before = solve(instance)
    after = solve(
        Instance(
            *(
                shuffle(t)
                for t in (instance.children, instance.settings, instance.places, instance.journeys)
            )
        )
    )
    pd.testing.assert_frame_equal(before.placements, after.placements)
    pd.testing.assert_frame_equal(before.unplaced, after.unplaced)
    assert before.objective == after.objective


def test_checker_catches_a_broken_result() -> None:
    """The checker reports an over-full setting, an unsuitable placement and a duplicate child."""
    case = three_by_three()
    good = solve(case)
    broken = good.placements.copy()
    broken.loc[broken["child_id"] == "A", "urn"] = "100001"  # C already has its one place
    broken.loc[broken["child_id"] == "B", "urn"] = "100002"  # ASD school, B's need is SEMH
    broken = pd.concat([broken, broken[broken["child_id"] == "C"]])
    violations = check_allocation(
        case.children,
        case.settings,
        case.places,
        case.journeys,
        TARIFFS,
        Policy(),
        broken,
        good.unplaced,
    )
    text = "\n".join(violations)
    assert "child C appears 2 times" in text
    assert "setting 100001 has 3 new placements for 1 free" in text
    assert "child B placed at 100002: not designated for the child's needs" in text
    assert "child A annual cost" in text  # stated cost is that of the old placement


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("uvw"), st.integers(0, 7200)),
        max_size=25,
    ),
    st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from("uvwx")), max_size=12),
    st.booleans(),
)
def test_the_checkers_journey_lookup_equals_a_row_by_row_search(
    journeys: list[tuple[str, str, int]], asked: list[tuple[str, str]], categorical: bool
) -> None:
    """Each asked pair's minutes are its first journey's, NaN when it has none (ids not in
    the table at all included), with plain or categorical ids: checked against a plain search."""
    table = pd.DataFrame(journeys, columns=["child_id", "urn", "seconds"])
    if categorical:
        table = table.astype({"child_id": "category", "urn": "category"})
    rows = pd.DataFrame(asked, columns=["child_id", "urn"])
    expected = [
        next((s / 60.0 for c, u, s in journeys if (c, u) == pair), float("nan")) for pair in asked
    ]
    assert np.allclose(_minutes(rows, table), expected, equal_nan=True)


def two_asd_children() -> Instance:
    """Two ASD children; mainstream is dear here (a per-setting cost), the ASD school cheap."""
    return Instance(
        children_table([child("A", 3, "ASD"), child("B", 3, "ASD")]),
        settings_table(
            [
                setting("100001", "mainstream"),
                setting("100002", "state_special", designated_needs=("ASD",)),
            ]
        ),
        places_table([place("100001", 5, cost=50_000.0), place("100002", 5)]),
        journeys_table(
            {("A", "100001"): 10, ("A", "100002"): 10, ("B", "100001"): 20, ("B", "100002"): 10}
        ),
    )


def test_minimum_mainstream_share_moves_the_cheapest_child_to_mainstream() -> None:
    """With half the placements required in mainstream, the child whose move costs least (A,
    nearer the mainstream school) goes there; without it, both go to the cheaper ASD school."""
    case = two_asd_children()
    free = solve(case)
    assert set(free.placements["urn"]) == {"100002"}
    shared = solve(case, Policy(min_mainstream_share=0.5))
    placed = dict(zip(shared.placements["child_id"], shared.placements["urn"], strict=True))
    assert placed == {"A": "100001", "B": "100002"}
    assert shared.status == "optimal" and shared.objective > free.objective


def test_reserved_places_are_kept_free() -> None:
    """Places reserved at a setting are not used by new placements."""
    case = two_asd_children()
    result = solve(case, Policy(reserved_places={"100002": 4}))
    assert (result.placements["urn"] == "100002").sum() == 1


def test_move_current_replaces_children_who_would_stay() -> None:
    """By default a child at a setting stays (kept); with move_current they are re-placed."""
    case = two_asd_children()
    children = case.children.assign(current_urn="100001")
    stay = solve(Instance(children, case.settings, case.places, case.journeys))
    assert stay.placements["kept"].all() and set(stay.placements["urn"]) == {"100001"}
    moved = solve(
        Instance(children, case.settings, case.places, case.journeys), Policy(move_current=True)
    )
    assert not moved.placements["kept"].any() and set(moved.placements["urn"]) == {"100002"}


def test_moving_children_free_their_places() -> None:
    """A full setting (no vacancy) whose pupil is placed afresh can take that pupil back, or
    another child: the place they leave is free again; the checker agrees."""
    full = Instance(
        children_table([child("A", 3, current_urn="100001"), child("B", 3)]),
        settings_table([setting("100001", "mainstream"), setting("100002", "mainstream")]),
        places_table([place("100001", 1, 0), place("100002", 1, 1)]),
        journeys_table(
            {("A", "100001"): 10, ("A", "100002"): 40, ("B", "100001"): 10, ("B", "100002"): 12}
        ),
    )
    result = solve(full, Policy(move_current=True))
    placed = dict(zip(result.placements["child_id"], result.placements["urn"], strict=True))
    # A's alternative is 28 minutes further, B's only 2: A goes back, B to the other school.
    assert placed == {"A": "100001", "B": "100002"} and result.unplaced.empty


def test_budget_cap_leaves_the_dearest_out_with_reason() -> None:
    """A cap below the cost of placing both children leaves one unplaced as over budget, the
    one whose placement costs most; the objective counts the unplaced penalty and the bound
    (a Lagrangian, so possibly below) never exceeds it."""
    case = two_asd_children()
    journeys = case.journeys.copy()
    journeys.loc[(journeys["child_id"] == "B") & (journeys["urn"] == "100002"), "seconds"] = 1800
    case = Instance(case.children, case.settings, case.places, journeys)
    costs = solve(case).placements.set_index("child_id")["annual_cost"]
    result = solve(case, Policy(budget_cap=float(costs.max()) + 1))
    assert result.unplaced.to_dict("records") == [
        {"child_id": "B", "reason": UnplacedReason.OVER_BUDGET}
    ]
    assert result.objective == pytest.approx(costs["A"] + UNPLACED_PENALTY)
    assert result.bound <= result.objective


@FAST
@given(instances(), st.sampled_from([0.5, 0.8]), st.sampled_from([0.25, 0.5]))
def test_budget_cap_and_mainstream_share_together(
    instance: Instance, cap: float, share: float
) -> None:
    """Both side rows at once: the new placements meet the cap and the share, and the bound
    and objective bracket the HiGHS optimum of the same penalised problem."""
    uncapped = solve(instance)
    spend = float(uncapped.placements.loc[~uncapped.placements["kept"], "annual_cost"].sum())
    policy = Policy(budget_cap=max(spend * cap, 1.0), min_mainstream_share=share)
    result = solve(instance, policy)
    new = result.placements[~result.placements["kept"]]
    types = instance.settings.set_index("urn")["setting_type"]
    mainstream = new["urn"].map(types).isin(["mainstream", "mainstream_rp"]).sum()
    assert new["annual_cost"].sum() <= policy.budget_cap + 1e-6
    assert mainstream >= share * len(new) - 1e-9
    _, best = reference(instance, policy)
    assert result.bound * COST_SCALE <= best + 1
    assert result.objective * COST_SCALE >= best - 1


@FAST
@given(instances(), st.sampled_from([0.25, 0.5, 0.75]))
def test_mainstream_share_is_met_whenever_reported_feasible(instance: Instance, share: float):
    """With a minimum mainstream share the new placements meet it and the bound never exceeds
    the objective."""
    result = solve(instance, Policy(min_mainstream_share=share))
    new = result.placements[~result.placements["kept"]]
    types = instance.settings.set_index("urn")["setting_type"]
    mainstream = new["urn"].map(types).isin(["mainstream", "mainstream_rp"]).sum()
    assert mainstream >= share * len(new) - 1e-9
    assert result.bound <= result.objective + 1e-6
