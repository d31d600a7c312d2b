"""Siblings together: hand-checked cases, a HiGHS reference with families, the checker."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from solver.domain.reasons import SiblingOutcome
from solver.domain.scenario import Policy
from solver.placement.allocate import COST_SCALE, Allocation, allocate
from solver.placement.check import check_allocation
from solver.placement.rules import assess, free_places, journey_index
from solver.placement.siblings import SPLIT_PENALTY
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

TOGETHER_POLICY = Policy(siblings_together=True)


def solve(instance: Instance, policy: Policy = TOGETHER_POLICY) -> Allocation:
    """Allocate and insist the independent checker passes, families included."""
    result = allocate(
        instance.children, instance.settings, instance.places, instance.journeys, TARIFFS, policy
    )
    assert (
        check_allocation(
            instance.children,
            instance.settings,
            instance.places,
            instance.journeys,
            TARIFFS,
            policy,
            result.placements,
            result.unplaced,
            result.families,
        )
        == []
    )
    return result


def two_schools(near_vacancies: int, far_vacancies: int, **family: str) -> Instance:
    """Siblings A and B (primary, ASD) and two mainstream primaries: the near one (10 minutes)
    is cheaper than the far one (30 minutes)."""
    return Instance(
        children_table(
            [child("A", 3, family_id=family.get("A", "F1")), child("B", 4, family_id="F1")]
        ),
        settings_table([setting("100001", "mainstream"), setting("100002", "mainstream")]),
        places_table([place("100001", 5, near_vacancies), place("100002", 5, far_vacancies)]),
        journeys_table(
            {("A", "100001"): 10, ("B", "100001"): 10, ("A", "100002"): 30, ("B", "100002"): 30}
        ),
    )


def placed_at(result: Allocation) -> dict[str, str]:
    return dict(zip(result.placements["child_id"], result.placements["urn"], strict=True))


def test_family_split_by_the_flow_is_joined() -> None:
    """One place at the near school: alone, the flow splits the siblings; kept together, both
    go to the far school at 2 x 20 minutes' more transport (250 a minute)."""
    case = two_schools(near_vacancies=1, far_vacancies=2)
    apart = solve(case, Policy())
    assert sorted(placed_at(apart).values()) == ["100001", "100002"]
    together = solve(case)
    assert placed_at(together) == {"A": "100002", "B": "100002"}
    assert together.families.to_dict("records") == [
        {"family_id": "F1", "children": 2, "outcome": SiblingOutcome.TOGETHER}
    ]
    assert together.objective - apart.objective == 250 * 20
    assert together.summary()["families_together"] == 1


def test_no_room_together_is_reported_and_nobody_is_dropped() -> None:
    """One place at each school: the family cannot be together; both are placed, the family is
    reported apart for want of room, and the objective carries the split penalty."""
    result = solve(two_schools(near_vacancies=1, far_vacancies=1))
    assert sorted(placed_at(result)) == ["A", "B"]
    assert result.families["outcome"].tolist() == [SiblingOutcome.NO_ROOM_TOGETHER]
    cost = result.placements["annual_cost"].sum()
    assert result.objective == cost + SPLIT_PENALTY
    assert result.status == "feasible" and result.bound <= cost


def test_family_with_no_common_setting_is_placed_as_individuals() -> None:
    """A primary child and a secondary sibling share no setting: each gets their best place and
    the family is reported as having no setting suitable for both."""
    case = Instance(
        children_table([child("A", 3, family_id="F1"), child("B", 8, family_id="F1")]),
        settings_table(
            [
                setting("100001", "mainstream", ncy_low=0, ncy_high=6),
                setting("100002", "mainstream", ncy_low=7, ncy_high=11),
            ]
        ),
        places_table([place("100001", 5), place("100002", 5)]),
        journeys_table({("A", "100001"): 10, ("B", "100002"): 10}),
    )
    result = solve(case)
    assert placed_at(result) == {"A": "100001", "B": "100002"}
    assert result.families["outcome"].tolist() == [SiblingOutcome.NO_COMMON_SETTING]
    assert result.status == "optimal"


def test_lone_family_id_is_no_family() -> None:
    """A family id held by one child in scope constrains nothing and is not reported."""
    result = solve(two_schools(near_vacancies=1, far_vacancies=2, A="F2"))
    assert result.families.empty and result.status == "optimal"


def test_checker_catches_a_family_wrongly_said_together() -> None:
    """The checker re-derives families: a split family reported together is a violation."""
    case = two_schools(near_vacancies=1, far_vacancies=2)
    apart = solve(case, Policy())
    lie = pd.DataFrame({"family_id": ["F1"], "children": [2], "outcome": [SiblingOutcome.TOGETHER]})
    violations = check_allocation(
        case.children,
        case.settings,
        case.places,
        case.journeys,
        TARIFFS,
        TOGETHER_POLICY,
        apart.placements,
        apart.unplaced,
        lie,
    )
    assert violations == ["family F1 is said to be together but is not"]


@st.composite
def with_families(draw: st.DrawFn) -> Instance:
    """Small random instances whose children are grouped at random into families; siblings
    mostly share age, need, sex and home (so some setting often suits them all)."""
    instance = draw(instances(max_children=7, max_settings=4))
    children, journeys = instance.children.copy(), instance.journeys
    children["family_id"] = [draw(st.sampled_from(["", "F1", "F2"])) for _ in range(len(children))]
    alike = ["ncy", "primary_need", "secondary_need", "sex"]
    for _, members in children[children["family_id"] != ""].groupby("family_id").groups.items():
        if draw(st.integers(0, 3)) > 0:
            children.loc[members, alike] = children.loc[members[0], alike].to_numpy()
            ids = children.loc[members, "child_id"].tolist()
            home = journeys[journeys["child_id"] == ids[0]]
            copies = [home.assign(child_id=c) for c in ids[1:]]
            journeys = pd.concat([journeys[~journeys["child_id"].isin(ids[1:])], *copies])
    return replace(instance, children=children, journeys=journeys.reset_index(drop=True))


def reference(instance: Instance) -> float:
    """HiGHS on the same suitable pairs: most children placed, then least cost plus
    SPLIT_PENALTY per family apart that some setting suits entirely (pence)."""
    policy = TOGETHER_POLICY
    scope = instance.children[instance.children["current_urn"] == ""].reset_index(drop=True)
    index = journey_index(scope, instance.settings, instance.journeys)
    pairs = assess(scope, instance.settings, instance.places, TARIFFS, policy, index)
    pairs = pairs.take(pairs.suitable)
    cost = np.rint(pairs.weighted_cost(policy) * COST_SCALE)
    free = free_places(instance.places, instance.settings, policy)
    m = len(pairs)
    if m == 0:
        return 0.0
    rows = [(pairs.child == c).astype(float) for c in range(len(scope))]
    upper = [1.0] * len(scope)
    for line in np.unique(np.concatenate([pairs.line, pairs.whole])):
        if line >= 0:
            rows.append(((pairs.line == line) | (pairs.whole == line)).astype(float))
            upper.append(float(free[line]))
    capacity = LinearConstraint(np.array(rows), -np.inf, upper)
    most = -milp(
        -np.ones(m), constraints=[capacity], integrality=np.ones(m), bounds=Bounds(0, 1)
    ).fun
    # y variables: one per (family, setting suitable for every member), after the x variables.
    family = scope["family_id"].to_numpy()
    ys: list[tuple[str, int]] = []
    for f in sorted(set(family) - {""}):
        members = np.flatnonzero(family == f)
        if len(members) < 2:
            continue
        common = set.intersection(*(set(pairs.setting[pairs.child == c]) for c in members))
        ys += [(f, s) for s in sorted(common)]
    n = m + len(ys)
    links, link_upper = [], []
    for k, (f, s) in enumerate(ys):
        for c in np.flatnonzero(family == f):
            row = np.zeros(n)
            row[m + k] = 1.0
            row[np.flatnonzero((pairs.child == c) & (pairs.setting == s))[0]] = -1.0
            links.append(row)
            link_upper.append(0.0)
    families = sorted({f for f, _ in ys})
    for f in families:
        row = np.zeros(n)
        row[[m + k for k, (g, _) in enumerate(ys) if g == f]] = 1.0
        links.append(row)
        link_upper.append(1.0)
    pad = np.zeros((len(rows), len(ys)))
    constraints = [
        LinearConstraint(np.hstack([np.array(rows), pad]), -np.inf, upper),
        LinearConstraint(np.r_[np.ones(m), np.zeros(len(ys))][None, :], most, most),
    ]
    if links:
        constraints.append(LinearConstraint(np.array(links), -np.inf, link_upper))
    split = SPLIT_PENALTY * COST_SCALE
    objective = np.r_[cost, -split * np.ones(len(ys))]
    res = milp(objective, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, 1))
    return float(round(res.fun)) + split * len(families)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_families())
def test_bound_and_objective_bracket_the_reference(instance: Instance) -> None:
    """The reported bound is at most the true optimum (HiGHS), the objective at least it, and
    an allocation reported optimal is optimal."""
    result = solve(instance)
    optimum = reference(instance) / COST_SCALE
    assert result.bound <= optimum + 1e-6 <= result.objective + 2e-6
    if result.status == "optimal":
        assert abs(result.objective - optimum) < 1e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_families())
def test_keeping_families_together_never_lowers_the_objective(instance: Instance) -> None:
    """Turning siblings_together on places as many children and never costs less."""
    off = solve(instance, Policy())
    on = solve(instance)
    assert len(on.placements) == len(off.placements)
    assert on.objective >= off.objective - 1e-6
