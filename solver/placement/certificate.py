"""An optimality certificate for a placement flow, checked at run time apart from the solver.

A flow is a maximum flow of least cost exactly when its residual network has no path from the
source to the sink (the children reached from the source form a cut as wide as the flow) and
no negative cycle. Shortest distances in the residual network (Bellman-Ford, `columns.prices`)
exist only when there is no negative cycle, and as node potentials they give the linear
programme's dual bound: for any flow of value F,

    cost >= F * (potential[sink] - potential[source]) + sum of min(reduced cost, 0) * capacity,

with equality for an optimal flow. So the bound written to summary.json is proved by the
potentials, not copied from the objective. Arcs left out of the network (a flow solved by
columns) are priced against the same potentials: none may have a negative reduced cost or
lead out of the set the source reaches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from solver.placement.columns import prices
from solver.placement.rules import IntArray

SOURCE, SINK = 0, 1


@dataclass(frozen=True)
class Certificate:
    """Whether a flow is proved a maximum flow of least cost, the lower bound that proves it
    (pence), and, when it is not proved, why."""

    optimal: bool
    bound: int
    reason: str = ""


def certify(
    arcs: tuple[IntArray, IntArray, IntArray, IntArray],
    flows: IntArray,
    *,
    omitted: Iterable[tuple[IntArray, IntArray, IntArray]] = (),
    fallback_bound: int = 0,
) -> Certificate:
    """Check a flow on the network's arcs (tails, heads, capacities, costs) and on `omitted`
    arcs (tails, heads, costs; unused, capacity 1). Unproved, the bound is `fallback_bound`
    (a weaker bound the caller knows holds for any flow of the same value)."""
    tails, heads, capacities, costs = arcs
    if np.any(flows < 0) or np.any(flows > capacities):
        return Certificate(False, fallback_bound, "a flow exceeds its arc's capacity")
    n_nodes = int(max(tails.max(initial=SINK), heads.max(initial=SINK))) + 1
    try:
        priced = prices(arcs, flows, n_nodes, SOURCE)
    except ValueError:
        return Certificate(False, fallback_bound, "a cheaper allocation exists (negative cycle)")
    if priced.reached[SINK]:
        return Certificate(False, fallback_bound, "more children could be placed")
    for more in omitted:
        if priced.improving(*more).any():
            return Certificate(False, fallback_bound, "a pair left out could improve the flow")
    potential = priced.potential
    value = int(flows[tails == SOURCE].sum())
    reduced = costs + potential[tails] - potential[heads]
    bound = value * int(potential[SINK] - potential[SOURCE])
    bound += int((np.minimum(reduced, 0) * capacities).sum())
    return Certificate(True, bound)
