"""Which absent arcs could improve a min-cost maximum flow: the pricing step that lets a national
placement flow hold only each child's cheapest arcs and add others only when they could help.

A flow is a maximum flow of minimum cost exactly when its residual graph has no path from the
source to the sink and no negative cycle. For arcs left out of the network (unused, so only
their forward way is residual) both stay true when (a) none leads out of the set the source
reaches and (b) none has a negative reduced cost under potentials of the residual graph
(shortest distances from a virtual root, by Bellman-Ford: the residual costs are negative on
the way back along used arcs). Arcs failing either test are the ones to add.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from solver.placement.rules import BoolArray, IntArray


@dataclass(frozen=True)
class Prices:
    """What pricing needs of an optimal flow: each node's potential (a shortest distance in
    the residual graph) and whether the source reaches it there."""

    potential: IntArray
    reached: BoolArray

    def improving(self, tails: IntArray, heads: IntArray, costs: IntArray) -> BoolArray:
        """Which absent, unused arcs could raise the flow or lower its cost; none means the
        flow is optimal with them all."""
        cheaper = costs + self.potential[tails] - self.potential[heads] < 0
        return cheaper | (self.reached[tails] & ~self.reached[heads])


def prices(
    network: tuple[IntArray, IntArray, IntArray, IntArray],
    flows: IntArray,
    n_nodes: int,
    source: int,
) -> Prices:
    """The prices of an optimal `flows` on the network's arcs (tails, heads, capacities, costs)."""
    tails, heads, capacities, costs = network
    forward, back = flows < capacities, flows > 0
    r_tail = np.concatenate([tails[forward], heads[back]])
    r_head = np.concatenate([heads[forward], tails[back]])
    r_cost = np.concatenate([costs[forward], -costs[back]]).astype(np.int64)
    order = np.argsort(r_tail, kind="stable")
    pointers = np.concatenate([[0], np.cumsum(np.bincount(r_tail, minlength=n_nodes))])
    potential = _distances(pointers, r_head[order], r_cost[order])
    graph = sp.csr_matrix(
        (np.ones(len(r_tail), dtype=np.int8), r_head[order], pointers), shape=(n_nodes, n_nodes)
    )
    reached = np.zeros(n_nodes, dtype=bool)
    reached[breadth_first_order(graph, source, directed=True, return_predecessors=False)] = True
    return Prices(potential, reached)


@numba.njit(cache=True)
def _distances(pointers: IntArray, heads: IntArray, costs: IntArray) -> IntArray:
    """Shortest distances from a virtual root joined to every node at 0 (queue-based
    Bellman-Ford); the graph must have no negative cycle, as an optimal flow's residual has."""
    n = pointers.shape[0] - 1
    dist = np.zeros(n, dtype=np.int64)
    queued = np.ones(n, dtype=np.bool_)
    queue = np.empty(n + 1, dtype=np.int64)  # a ring: each node is in it at most once
    for v in range(n):
        queue[v] = v
    first, size = 0, n
    passes = np.zeros(n, dtype=np.int64)
    while size > 0:
        u = queue[first]
        first = (first + 1) % (n + 1)
        size -= 1
        queued[u] = False
        passes[u] += 1
        if passes[u] > n + 1:
            raise ValueError("negative cycle: the flow given is not of minimum cost")
        for e in range(pointers[u], pointers[u + 1]):
            v = heads[e]
            if dist[u] + costs[e] < dist[v]:
                dist[v] = dist[u] + costs[e]
                if not queued[v]:
                    queued[v] = True
                    queue[(first + size) % (n + 1)] = v
                    size += 1
    return dist
