"""Placement optimisation: every child in scope to a suitable setting at least total cost.

The core is a min-cost flow, exact and deterministic, built from numpy arrays:

    source -> child (capacity 1) -> [need line (its free places)] -> setting (its free places)
           -> sink

with the child's weighted annual cost (education + transport, in pence) on the child's arcs to
suitable settings within the journey limit. It is solved as a maximum flow of minimum cost, so
the most children possible are placed, and among such allocations the cheapest is chosen.
Children out of scope keep their current placement and use no vacancy.

Side constraints (a budget cap, a minimum mainstream share) are one linear row a.x <= b each. It
is relaxed into the costs with a multiplier lambda (Lagrangian relaxation): every lambda gives a
min-cost flow whose Lagrangian value is a lower bound, and whose allocation is feasible when it
meets the row. Lambda is found by Kelley's cutting-plane method in one dimension, so a handful of
flow solves gives the best bound and a feasible allocation with its gap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from solver.domain.needs import NEEDS
from solver.domain.reasons import AllocationStatus, SiblingOutcome, UnplacedReason
from solver.domain.scenario import Policy
from solver.domain.tariffs import Tariffs
from solver.errors import InputError, Problem
from solver.placement.certificate import Certificate, certify
from solver.placement.columns import prices
from solver.placement.rules import (
    NARROW,
    BoolArray,
    FloatArray,
    IntArray,
    Pairs,
    assess,
    current_settings,
    free_places,
    in_scope,
    is_mainstream,
    journey_index,
    provision,
    within_age_and_limit,
)
from solver.placement.siblings import (
    FAMILY_COLUMNS,
    SPLIT_PENALTY,
    Limits,
    families_in_scope,
    keep_together,
    outcomes,
    split,
)

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

#: Costs enter the flow as integer pence.
COST_SCALE = 100
#: Above this many suitable pairs the plain flow is solved by columns (`solve_by_columns`).
COLUMNS_ABOVE = 10_000_000
#: How many of each child's cheapest pairs the flow by columns starts from.
FIRST_COLUMNS = 8
#: Journeys assessed at a time (bounds the memory of a national solve).
ASSESS_CHUNK = 4_000_000
#: Denominator of the Lagrange multipliers tried (a multiplier is an integer over it).
LAMBDA_SCALE = 1024

#: With side constraints, each child left unplaced adds this (pounds) to the objective: more
#: than any annual placement, so the most children possible are placed within the constraint.
UNPLACED_PENALTY = 1_000_000

PLACEMENT_COLUMNS = (
    "child_id",
    "urn",
    "need",
    "provision",  # where in the setting: rules.provision
    "kept",
    "travel_minutes",
    "annual_cost",
)
UNPLACED_COLUMNS = ("child_id", "reason")


@dataclass(frozen=True)
class Allocation:
    """The result: placements, unplaced children with reasons, and the solve's quality.

    `objective` is the weighted annual cost of the placements made (children in scope), plus
    UNPLACED_PENALTY per unplaced child when a side constraint is on and SPLIT_PENALTY per family
    kept apart when siblings are kept together; `bound` is a proven lower bound on it (equal
    when optimal); pounds. `solves` counts the min-cost flow solves. `families` (with siblings
    together on) says whether each family of two or more in scope is together, or why not.
    """

    placements: pd.DataFrame
    unplaced: pd.DataFrame
    status: AllocationStatus
    objective: float
    bound: float
    solves: int = 1
    families: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(FAMILY_COLUMNS))
    )

    @property
    def gap(self) -> float:
        """Relative gap between the objective and the bound (0 when optimal)."""
        return 0.0 if self.objective <= 0 else max(self.objective - self.bound, 0) / self.objective

    def summary(self) -> dict[str, object]:
        """The figures written to summary.json."""
        travel = self.placements["travel_minutes"].dropna()
        families = {}
        if len(self.families):
            together = int((self.families["outcome"] == SiblingOutcome.TOGETHER).sum())
            families = {
                "families_together": together,
                "families_apart": len(self.families) - together,
            }
        return {
            "status": self.status,
            "objective": round(self.objective, 2),
            "bound": round(self.bound, 2),
            "gap": round(self.gap, 6),
            "placed": int(len(self.placements)),
            "unplaced": int(len(self.unplaced)),
            "total_cost": round(float(self.placements["annual_cost"].sum()), 2),
            "mean_travel_minutes": round(float(travel.mean()), 2) if len(travel) else None,
        } | families


@dataclass(frozen=True)
class Network:
    """The flow network's arcs as arrays: source arcs, then pair arcs in the order of the pairs,
    then line and setting arcs, then (with side constraints) one unplaced arc per child."""

    tails: IntArray
    heads: IntArray
    capacities: IntArray
    n_children: int
    n_pair_arcs: int
    penalised: bool

    def solve(self, pair_costs: IntArray, unplaced_cost: int = 0) -> np.ndarray:
        """The pairs chosen by a min-cost flow: a maximum flow of least cost or, when penalised,
        every child either placed or on its unplaced arc at `unplaced_cost`."""
        pair_arcs = slice(self.n_children, self.n_children + self.n_pair_arcs)
        return self.flows(self.costs(pair_costs, unplaced_cost))[pair_arcs] > 0

    def costs(self, pair_costs: IntArray, unplaced_cost: int = 0) -> IntArray:
        """Every arc's cost: the pairs' own, `unplaced_cost` on unplaced arcs, else 0."""
        costs = np.zeros(len(self.tails), dtype=np.int64)
        costs[self.n_children : self.n_children + self.n_pair_arcs] = pair_costs
        if self.penalised:
            costs[-self.n_children :] = unplaced_cost
        return costs

    def carried(self, chosen: np.ndarray) -> IntArray:
        """The flow on every arc when the `chosen` pair arcs are used: each child's arc carries
        its placement, each line and setting arc what reaches its tail (lines come first)."""
        flows = np.zeros(len(self.tails), dtype=np.int64)
        pair_arcs = np.arange(self.n_children, self.n_children + self.n_pair_arcs)
        used = pair_arcs[np.asarray(chosen, dtype=bool)]
        flows[used] = 1
        flows[self.tails[used] - 2] = 1  # the source arc of each placed child's node
        n_nodes = int(max(self.tails.max(initial=1), self.heads.max(initial=1))) + 1
        inflow = np.bincount(self.heads[used], minlength=n_nodes)
        last = len(flows) - (self.n_children if self.penalised else 0)
        onward = np.arange(self.n_children + self.n_pair_arcs, last)
        for arcs in (onward[self.heads[onward] != 1], onward[self.heads[onward] == 1]):
            flows[arcs] = inflow[self.tails[arcs]]
            np.add.at(inflow, self.heads[arcs], flows[arcs])
        return flows

    def flows(self, costs: IntArray) -> IntArray:
        """The flow on every arc of an optimal flow at these arc costs."""
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(self.tails, self.heads, self.capacities, costs)
        flow.set_node_supply(0, self.n_children)
        flow.set_node_supply(1, -self.n_children)
        status = flow.solve() if self.penalised else flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        return np.asarray(flow.flows(np.arange(len(self.tails))))


def pair_heads(line: IntArray, setting: IntArray, n_children: int, n_lines: int) -> IntArray:
    """The node a pair's arc leads to: the setting's `line` for the child's need if it has one
    (>= 0), else the setting itself (node numbers as in `build_network`)."""
    line_base = 2 + n_children
    return np.where(line >= 0, line_base + line, line_base + n_lines + setting)


def build_network(
    pairs: Pairs,
    n_children: int,
    free: IntArray,
    n_settings: int,
    *,
    penalised: bool = False,
    structure: Pairs | None = None,
) -> Network:
    """Nodes: 0 source, 1 sink, children, place lines, settings; arcs from arrays in one go.
    Line and setting arcs are those `structure`'s pairs use (by default `pairs`')."""
    structure = pairs if structure is None else structure
    child_node = 2 + np.arange(n_children, dtype=np.int64)
    line_base = 2 + n_children
    setting_base = line_base + len(free)
    via_line = structure.line >= 0
    need_lines = np.unique(structure.line[via_line])
    setting_of_line = np.full(len(free), -1, dtype=np.int64)
    setting_of_line[structure.line[via_line]] = structure.setting[via_line]
    whole_cap = np.full(n_settings, n_children, dtype=np.int64)
    has_whole = structure.whole >= 0
    whole_cap[structure.setting[has_whole]] = free[structure.whole[has_whole]]
    used = np.unique(structure.setting)
    ones = np.ones(n_children, np.int64) if penalised else np.empty(0, np.int64)
    tails = [np.zeros(n_children, np.int64), child_node[pairs.child], line_base + need_lines]
    tails += [setting_base + used, child_node[: len(ones)]]
    heads = [child_node, pair_heads(pairs.line, pairs.setting, n_children, len(free))]
    heads += [setting_base + setting_of_line[need_lines], np.ones(len(used), np.int64), ones]
    capacities = [np.ones(n_children + len(pairs), np.int64), free[need_lines], whole_cap[used]]
    capacities += [ones]
    return Network(
        np.concatenate(tails),
        np.concatenate(heads),
        np.concatenate(capacities),
        n_children,
        len(pairs),
        penalised,
    )


def solve_by_columns(
    pairs: Pairs,
    costs: IntArray,
    n_children: int,
    free: IntArray,
    n_settings: int,
    first: int = FIRST_COLUMNS,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The pairs chosen by the min-cost maximum flow over all `pairs`, solved on each child's
    `first` cheapest pairs plus any other that could improve it, until none could (exact; a
    national flow on every pair does not fit in memory). Also returns the pairs of the last
    network solved (all others priced out against it) and the solves made."""
    by_cost = np.lexsort((costs, pairs.child))
    child = pairs.child[by_cost]
    rank = np.empty(len(pairs), dtype=np.int64)
    rank[by_cost] = np.arange(len(pairs)) - np.searchsorted(child, child, side="left")
    active = rank < first
    del rank, by_cost, child
    n_nodes = 2 + n_children + len(free) + n_settings
    solves = 0
    while True:
        chosen = np.flatnonzero(active)
        network = build_network(pairs.take(chosen), n_children, free, n_settings, structure=pairs)
        arc_costs = network.costs(costs[chosen])
        flows = network.flows(arc_costs)
        solves += 1
        priced = prices(
            (network.tails, network.heads, network.capacities, arc_costs), flows, n_nodes, 0
        )
        added = 0
        # Priced a chunk at a time: the pairs left out are nearly all of a national table.
        for start in range(0, len(pairs), ASSESS_CHUNK):
            rows = slice(start, start + ASSESS_CHUNK)
            out = np.flatnonzero(~active[rows]) + start
            heads = pair_heads(pairs.line[out], pairs.setting[out], n_children, len(free))
            better = out[priced.improving(2 + pairs.child[out], heads, costs[out])]
            active[better] = True
            added += len(better)
        logger.debug("flow by columns: %d arcs, %d to add", len(chosen), added)
        if not added:
            placed = np.zeros(len(pairs), dtype=bool)
            placed[chosen] = flows[n_children : n_children + len(chosen)] > 0
            return placed, active, solves


@dataclass(frozen=True)
class SideRow:
    """One side constraint a.x <= b over the pair arcs (integer coefficients); `reason` is
    what a child left unplaced because of it is told."""

    reason: UnplacedReason
    coefficients: IntArray
    rhs: int


def allocate(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    journeys: pd.DataFrame,
    tariffs: Tariffs,
    policy: Policy,
    *,
    tolerance: float = 1e-4,
) -> Allocation:
    """Place every child in scope at least weighted cost within capacities and journey limits.

    With a side constraint, the Lagrangian search stops once its allocation is within
    `tolerance` (relative) of its bound."""
    # Sorted inputs make the result independent of row order, ties included.
    children = _sorted(children, ["child_id"])
    settings = _sorted(settings, ["urn"])
    places = _sorted(places, ["urn", "need"])
    kept_rows = _kept(children, settings, policy)
    # Each array over every journey is let go as soon as it is used (national runs are large).
    index = journey_index(children, settings, journeys)
    kept_minutes = _current_minutes(children, kept_rows, settings, index)
    scope = children[~kept_rows].reset_index(drop=True)
    parts = _suitable(children, scope, settings, places, tariffs, policy, index, kept_rows)
    del index  # before the parts are joined: the peak of a national solve
    pairs = _by_child(Pairs.concat(parts), len(settings))
    costs = np.rint(pairs.weighted_cost(policy) * COST_SCALE).astype(np.int64)
    free = free_places(places, settings, policy)
    if policy.move_current:
        free = free + released_places(scope, places)
    rows = _side_rows(pairs, settings, policy)
    side_reason = np.full(len(scope), UnplacedReason.ALL_FULL, dtype=object)
    penalty = UNPLACED_PENALTY * COST_SCALE if rows else 0
    if rows:
        network = build_network(pairs, len(scope), free, len(settings), penalised=True)
        search = _lagrangian if len(rows) == 1 else _lagrangian_rows
        chosen, bound, solves, base = search(network, costs, rows, pairs.child, tolerance)
        logger.debug("before repair %d placed", int(chosen.sum()))
        chosen = _fill(pairs, free, chosen, costs, rows)
        side_reason[pairs.child[base]] = _side_reason(rows, base)
    else:
        if len(pairs) > COLUMNS_ABOVE:
            chosen, core, solves = solve_by_columns(
                pairs, costs, len(scope), free, len(settings), FIRST_COLUMNS
            )
        else:
            chosen, core, solves = (
                build_network(pairs, len(scope), free, len(settings)).solve(costs),
                np.ones(len(pairs), dtype=bool),
                1,
            )
        certificate = _certificate(pairs, costs, len(scope), free, len(settings), chosen, core)
        if not certificate.optimal:
            logger.warning("the flow is not proved optimal: %s", certificate.reason)
        bound = certificate.bound
    families = pd.DataFrame(columns=list(FAMILY_COLUMNS))
    apart = 0
    if policy.siblings_together:
        found = families_in_scope(_family_ids(scope), pairs)
        limits = Limits(free, [(r.coefficients, r.rhs) for r in rows])
        split_cost = SPLIT_PENALTY * COST_SCALE

        def resolve(allowed: np.ndarray, room: IntArray) -> np.ndarray:
            subset = pairs.take(allowed)
            return build_network(subset, len(scope), room, len(settings)).solve(costs[allowed])

        chosen = keep_together(
            found,
            pairs,
            chosen,
            costs,
            limits,
            resolve=None if rows else resolve,
            unplaced_cost=penalty,
            split_cost=split_cost,
        )
        apart = int(split(found, pairs, chosen).sum())
        families = outcomes(found, pairs, chosen)
    unplaced_count = len(scope) - int(chosen.sum())
    objective = int(costs[chosen].sum()) + penalty * unplaced_count
    objective += SPLIT_PENALTY * COST_SCALE * apart
    bound = min(bound, objective)
    status = AllocationStatus.OPTIMAL if bound == objective else AllocationStatus.FEASIBLE
    placed = pairs.take(chosen)
    new = _placement_table(scope, settings, placed)
    kept = _kept_table(children, kept_rows, settings, places, kept_minutes, tariffs, policy)
    placements = pd.concat([kept, new], ignore_index=True).sort_values("child_id", kind="stable")
    unplaced = _unplaced_table(scope, pairs, placed, side_reason)
    logger.info("placed %d, unplaced %d, status %s", len(placements), len(unplaced), status)
    return Allocation(
        placements=placements.reset_index(drop=True)[list(PLACEMENT_COLUMNS)],
        unplaced=unplaced,
        status=status,
        objective=objective / COST_SCALE,
        bound=bound / COST_SCALE,
        solves=solves,
        families=families,
    )


def _certificate(
    pairs: Pairs,
    costs: IntArray,
    n_children: int,
    free: IntArray,
    n_settings: int,
    chosen: np.ndarray,
    core: np.ndarray,
) -> Certificate:
    """The optimality certificate of the `chosen` pairs over every pair: the network of the
    `core` pairs carrying them, the other pairs priced a chunk at a time. Unproved, the bound
    is the cheapest pair of each of the cheapest children as many as were placed (any
    allocation placing that many costs at least that)."""
    network = build_network(pairs.take(core), n_children, free, n_settings, structure=pairs)
    arcs = (network.tails, network.heads, network.capacities, network.costs(costs[core]))
    left_out = np.flatnonzero(~core)

    def omitted() -> Iterator[tuple[IntArray, IntArray, IntArray]]:
        for start in range(0, len(left_out), ASSESS_CHUNK):
            out = left_out[start : start + ASSESS_CHUNK]
            heads = pair_heads(pairs.line[out], pairs.setting[out], n_children, len(free))
            yield 2 + pairs.child[out], heads, costs[out]

    cheapest = np.full(n_children, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(cheapest, pairs.child, costs)
    fallback = int(np.sort(cheapest)[: int(chosen.sum())].sum())
    flows = network.carried(chosen[core])
    return certify(arcs, flows, omitted=omitted(), fallback_bound=fallback)


def released_places(moving: pd.DataFrame, places: pd.DataFrame) -> IntArray:
    """Places freed by children who leave their current setting to be placed afresh: one on
    its whole-setting line and one on its line for their primary need, where those exist."""
    line = pd.Series(
        np.arange(len(places)),
        index=pd.MultiIndex.from_arrays(
            [places["urn"].astype(str), places["need"].fillna("").astype(str)]
        ),
    )
    line = line[~line.index.duplicated()]
    current = moving["current_urn"].fillna("").astype(str)
    released = np.zeros(len(places), dtype=np.int64)
    for need in ("", None):
        keys = pd.MultiIndex.from_arrays(
            [current, moving["primary_need"].astype(str) if need is None else [need] * len(current)]
        )
        rows = line.reindex(keys).to_numpy()
        rows = rows[~np.isnan(rows) & (current != "").to_numpy()].astype(np.int64)
        np.add.at(released, rows, 1)
    return released


def _family_ids(scope: pd.DataFrame) -> list[str]:
    """Each child's family id ("" for none; the column is optional)."""
    if "family_id" not in scope.columns:
        return [""] * len(scope)
    families: list[str] = scope["family_id"].fillna("").astype(str).tolist()
    return families


def _sorted(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    key = table[keys].astype(str)
    return table.iloc[np.lexsort([key[k].to_numpy() for k in reversed(keys)])].reset_index(
        drop=True
    )


def _kept(children: pd.DataFrame, settings: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Children who keep their placement; their current setting must exist."""
    kept = ~in_scope(children, policy)
    current = children["current_urn"].fillna("").astype(str)
    unknown = kept & ~current.isin(settings["urn"].astype(str)).to_numpy()
    if unknown.any():
        raise InputError(
            Problem("children", int(row) + 2, "current_urn", "not among the settings")
            for row in np.flatnonzero(unknown)
        )
    return kept


def _side_rows(pairs: Pairs, settings: pd.DataFrame, policy: Policy) -> list[SideRow]:
    rows = []
    if policy.budget_cap is not None:
        spend = np.rint(pairs.annual_cost * COST_SCALE).astype(np.int64)
        rows.append(SideRow(UnplacedReason.OVER_BUDGET, spend, int(policy.budget_cap * COST_SCALE)))
    if policy.min_mainstream_share is not None:
        # share x placed - mainstream placed <= 0, in thousandths of a placement.
        share = int(round(policy.min_mainstream_share * 1000))
        mainstream = is_mainstream(settings)[pairs.setting].astype(np.int64)
        rows.append(SideRow(UnplacedReason.MAINSTREAM_SHARE, share - 1000 * mainstream, 0))
    return rows


def _side_reason(rows: list[SideRow], base: np.ndarray) -> UnplacedReason:
    """Why children placed without the side rows are left out with them: the first row the
    unconstrained allocation breaks (the first row if it breaks none)."""
    broken = [r.reason for r in rows if int(r.coefficients[base].sum()) > r.rhs]
    return (broken or [rows[0].reason])[0]


def _lagrangian(
    network: Network, costs: IntArray, rows: list[SideRow], child: IntArray, tolerance: float
) -> tuple[np.ndarray, int, int, np.ndarray]:
    """Relax `row` into the costs; Kelley's cutting planes on its one multiplier.

    Returns the best allocation meeting the row, the bound (with the unplaced penalty, in pence),
    the number of flow solves, and the pairs chosen without the row's multiplier (children
    unplaced there are unplaced because all suitable places are full).
    """
    (row,) = rows
    penalty = LAMBDA_SCALE * UNPLACED_PENALTY * COST_SCALE
    n = network.n_children

    def solve(step: int) -> tuple[np.ndarray, int, int, int]:
        # Unit costs S*c + step*a are exact integers: the multiplier is step / S.
        chosen = network.solve(LAMBDA_SCALE * costs + step * row.coefficients, penalty)
        value = int(costs[chosen].sum()) * LAMBDA_SCALE + penalty * (n - int(chosen.sum()))
        excess = int(row.coefficients[chosen].sum()) - row.rhs
        return chosen, value, excess, value + step * excess  # last: Lagrangian value x S

    chosen, value, excess, dual = solve(0)
    base = chosen
    cuts = [(0, value, excess)]
    best_dual, solves = dual, 1
    incumbent, incumbent_value = (chosen, value) if excess <= 0 else (None, None)
    # Below `start` every child still has a placement cheaper than being left unplaced.
    with np.errstate(divide="ignore"):
        leave = (penalty - LAMBDA_SCALE * costs) / row.coefficients
    leave[row.coefficients <= 0] = np.inf
    by_child = np.full(n, -np.inf)
    np.maximum.at(by_child, child, leave)
    finite = by_child[np.isfinite(by_child)]
    low, high, step = 0, None, max(int(finite.min()) if finite.size else 0, LAMBDA_SCALE)
    while incumbent_value is None or incumbent_value - best_dual > tolerance * incumbent_value:
        meeting = high is not None
        if high is None:
            trial, step = step, step * 2  # double until the row is met
        else:
            crossing = _meet(cuts, low, high)
            if crossing is None:
                break
            trial = crossing
        chosen, value, excess, dual = solve(trial)
        solves += 1
        logger.debug("lambda %.4f: excess %d, dual %d", trial / LAMBDA_SCALE, excess, dual)
        model = min(v + trial * e for _, v, e in cuts)  # the cuts' upper bound at the trial
        cuts.append((trial, value, excess))
        best_dual = max(best_dual, dual)
        if excess <= 0:
            high = trial
            if incumbent_value is None or value < incumbent_value:
                incumbent, incumbent_value = chosen, value
        else:
            low = trial
        if meeting and model - dual <= tolerance * abs(dual):
            break  # the dual is within tolerance of the cuts' maximum: the multiplier is optimal
    assert incumbent is not None and incumbent_value is not None
    return incumbent, min(best_dual, incumbent_value) // LAMBDA_SCALE, solves, base


def _fill(
    pairs: Pairs, free: IntArray, chosen: np.ndarray, costs: IntArray, rows: list[SideRow]
) -> np.ndarray:
    """Greedy repair of the Lagrangian allocation: place unplaced children, smallest first-row
    coefficient then cost first, where a place is free and every row still holds. Each child
    placed saves the unplaced penalty, so this only improves the objective."""
    chosen = chosen.copy()
    used = np.zeros(len(free) + 1, dtype=np.int64)  # last slot: "no line"
    np.add.at(used, pairs.line[chosen], 1)
    np.add.at(used, pairs.whole[chosen], 1)
    limit = np.append(free, np.iinfo(np.int64).max)
    slack = np.array([r.rhs - int(r.coefficients[chosen].sum()) for r in rows], dtype=np.int64)
    coefficients = np.stack([r.coefficients for r in rows], axis=1)
    placed = np.zeros(int(pairs.child.max(initial=-1)) + 1, dtype=bool)
    placed[pairs.child[chosen]] = True
    candidates = np.flatnonzero(~placed[pairs.child])
    for p in candidates[np.lexsort((costs[candidates], coefficients[candidates, 0]))]:
        c, line, whole, a = pairs.child[p], pairs.line[p], pairs.whole[p], coefficients[p]
        if (
            placed[c]
            or (a > slack).any()
            or used[line] >= limit[line]
            or used[whole] >= limit[whole]
        ):
            continue
        chosen[p], placed[c] = True, True
        used[line] += 1
        used[whole] += 1
        slack -= a
    return chosen


def _lagrangian_rows(
    network: Network,
    costs: IntArray,
    rows: list[SideRow],
    child: IntArray,
    tolerance: float,
    max_solves: int = 40,
) -> tuple[np.ndarray, int, int, np.ndarray]:
    """Several rows relaxed at once: Kelley's cutting planes over their multipliers, the master
    problem a small LP (HiGHS through scipy). Same returns as `_lagrangian`."""
    from scipy.optimize import linprog

    penalty = LAMBDA_SCALE * UNPLACED_PENALTY * COST_SCALE
    n, k = network.n_children, len(rows)
    a = np.stack([r.coefficients for r in rows])
    b = np.array([r.rhs for r in rows], dtype=np.int64)

    def solve(steps: IntArray) -> tuple[np.ndarray, int, IntArray]:
        chosen = network.solve(LAMBDA_SCALE * costs + steps @ a, penalty)
        value = int(costs[chosen].sum()) * LAMBDA_SCALE + penalty * (n - int(chosen.sum()))
        return chosen, value, a[:, chosen].sum(axis=1) - b

    # Past `high` on a row, every pair it charges is dearer than leaving its child unplaced.
    high = np.array(
        [
            max(int(np.max((penalty - LAMBDA_SCALE * costs[r > 0]) // r[r > 0], initial=0)) + 1, 1)
            for r in a
        ],
        dtype=np.int64,
    )
    trials = [np.zeros(k, dtype=np.int64)] + [high * (np.arange(k) == i) for i in range(k)]
    cuts: list[tuple[IntArray, int, IntArray]] = []
    incumbent, incumbent_value, best_dual, base = None, None, None, None
    scale = float(penalty * max(n, 1))
    while trials and len(cuts) < max_solves:
        steps = trials.pop(0)
        chosen, value, excess = solve(steps)
        base = chosen if base is None else base
        cuts.append((steps, value, excess))
        dual = value + int(steps @ excess)
        best_dual = dual if best_dual is None else max(best_dual, dual)
        if (excess <= 0).all() and (incumbent_value is None or value < incumbent_value):
            incumbent, incumbent_value = chosen, value
        if trials:
            continue
        # Master: max t s.t. t <= value_j + excess_j . steps for every cut, 0 <= steps <= high.
        g = np.array([e for _, _, e in cuts], dtype=np.float64)
        v = np.array([val for _, val, _ in cuts], dtype=np.float64) / scale
        master = linprog(
            np.r_[np.zeros(k), -1.0],
            A_ub=np.c_[-g / scale, np.ones(len(cuts))],
            b_ub=v,
            bounds=[*((0, float(h)) for h in high), (None, None)],
            method="highs",
        )
        if master.status != 0:
            break
        upper = -master.fun * scale
        assert incumbent_value is not None and best_dual is not None
        if upper - best_dual <= tolerance * abs(incumbent_value):
            break
        step = np.rint(master.x[:k]).astype(np.int64)
        if any((step == s).all() for s, _, _ in cuts):
            break
        trials.append(step)
    assert incumbent is not None and incumbent_value is not None and best_dual is not None
    assert base is not None
    return incumbent, min(best_dual, incumbent_value) // LAMBDA_SCALE, len(cuts), base


def _meet(cuts: list[tuple[int, int, int]], low: int, high: int) -> int | None:
    """The multiplier (x S) where the cuts taken at `low` and `high` cross, strictly inside."""
    if high - low <= 1:
        return None
    at = {step: (value, excess) for step, value, excess in cuts}
    (v_low, e_low), (v_high, e_high) = at[low], at[high]
    crossing = (v_high - v_low) // (e_low - e_high)
    return min(max(crossing, low + 1), high - 1)


def _placement_table(scope: pd.DataFrame, settings: pd.DataFrame, placed: Pairs) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "child_id": scope["child_id"].astype(str).to_numpy()[placed.child],
            "urn": settings["urn"].astype(str).to_numpy()[placed.setting],
            "need": np.array([n.value for n in NEEDS], dtype=object)[placed.need],
            "provision": provision(settings, placed.setting, placed.designated),
            "kept": np.zeros(len(placed), dtype=bool),
            "travel_minutes": placed.minutes,
            "annual_cost": placed.annual_cost,
        }
    )


def _suitable(
    children: pd.DataFrame,
    scope: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    tariffs: Tariffs,
    policy: Policy,
    index: tuple[IntArray, IntArray, FloatArray, BoolArray],
    kept_rows: np.ndarray,
) -> list[dict[str, np.ndarray]]:
    """The suitable pairs of the children in `scope` (the rows not kept), as the fields of
    Pairs (integers narrowed) for each ASSESS_CHUNK journeys: a national table at once is too
    big, and most of a solve's memory is these pairs."""
    position = np.cumsum(~kept_rows) - 1  # each child's row in `scope`
    parts = []
    child, setting, minutes, estimated = index
    for start in range(0, max(len(child), 1), ASSESS_CHUNK):
        rows = slice(start, start + ASSESS_CHUNK)
        piece = within_age_and_limit(
            children, settings, policy, (child[rows], setting[rows], minutes[rows], estimated[rows])
        )
        pairs = assess(
            scope, settings, places, tariffs, policy, _restrict(piece, ~kept_rows, position)
        )
        suitable = pairs.suitable
        parts.append(
            {
                name: _narrowed(name, getattr(pairs, name)[suitable])
                for name in Pairs.__dataclass_fields__
            }
        )
        del pairs, suitable
    return parts


def _narrowed(name: str, field: np.ndarray) -> np.ndarray:
    return field.astype(NARROW[name], copy=False) if name in NARROW else field


def _by_child(pairs: Pairs, n_settings: int) -> Pairs:
    """The pairs ordered by child then setting (not copied when they already are)."""
    key = pairs.child.astype(np.int64) * max(n_settings, 1) + pairs.setting
    in_order = bool(np.all(key[1:] >= key[:-1]))
    return pairs if in_order else pairs.take(np.argsort(key, kind="stable"))


def _restrict(
    index: tuple[IntArray, IntArray, FloatArray, BoolArray], rows: np.ndarray, position: IntArray
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """The pairs of the children in `rows`, renumbered to their `position` among them."""
    child, setting, minutes, estimated = index
    keep = rows[child]
    return position[child[keep]], setting[keep], minutes[keep], estimated[keep]


def _current_minutes(
    children: pd.DataFrame,
    kept_rows: np.ndarray,
    settings: pd.DataFrame,
    journey_pairs: tuple[IntArray, IntArray, FloatArray, BoolArray],
) -> FloatArray:
    """The journey of each child who stays to their current setting (NaN if not known)."""
    kept = children[kept_rows]
    setting = current_settings(kept, settings)
    j_child, j_setting, j_minutes, _ = _restrict(journey_pairs, kept_rows, np.cumsum(kept_rows) - 1)
    minutes = np.full(len(kept), np.nan)
    at_current = j_setting == setting[j_child]
    minutes[j_child[at_current]] = j_minutes[at_current]
    return minutes


def _kept_table(
    children: pd.DataFrame,
    kept_rows: np.ndarray,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    minutes: FloatArray,
    tariffs: Tariffs,
    policy: Policy,
) -> pd.DataFrame:
    """Children who stay where they are, costed like any placement (`minutes`: the journey
    to their current setting, if known)."""
    kept = children[kept_rows].reset_index(drop=True)
    setting = current_settings(kept, settings)
    child = np.arange(len(kept), dtype=np.int64)
    index = (child, setting, minutes, np.zeros(len(kept), dtype=bool))
    pairs = assess(kept, settings, places, tariffs, policy, index)
    table = _placement_table(kept, settings, pairs)
    table["kept"] = True
    return table


def _unplaced_table(
    scope: pd.DataFrame, pairs: Pairs, placed: Pairs, reason_if_options: np.ndarray
) -> pd.DataFrame:
    """Children in scope not placed: no suitable setting in reach, or the reason given for
    those who had options (all full, or the side constraint that left them out)."""
    has_option = np.zeros(len(scope), dtype=bool)
    has_option[pairs.child] = True
    is_placed = np.zeros(len(scope), dtype=bool)
    is_placed[placed.child] = True
    reason = np.where(has_option, reason_if_options, UnplacedReason.NO_SUITABLE)
    missing = ~is_placed
    table = pd.DataFrame(
        {"child_id": scope["child_id"].astype(str).to_numpy()[missing], "reason": reason[missing]},
        columns=list(UNPLACED_COLUMNS),
    )
    return table.sort_values("child_id", kind="stable").reset_index(drop=True)
