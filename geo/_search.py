"""Compiled Dijkstra over integer weights: many sources, each read only at the homes' nodes.

scipy's Dijkstra holds the GIL and returns every node's distance; this one releases the GIL
(threads use every core), starts each search from a setting's road anchors, stops at the limit
and keeps only what the homes need. Weights are small positive integers, so its queue is a
ring of buckets, one per unit of cost (Dial's algorithm): constant time per edge.
"""

from __future__ import annotations

import numba
import numpy as np

#: "Not reached": every cost is a 32-bit integer below it (smaller arrays, faster searches).
_NONE = np.iinfo(np.int32).max


@numba.njit(nogil=True, cache=True)
def search_block(  # type: ignore[no-untyped-def]
    indptr, indices, weights, start_node, start_cost, home_node, home_cost, limit, first, step
):
    """Searches from sources first, first+step, ...: returns (sources, homes) float32 costs.

    All arrays are int32 and costs integer units. An anchor with cost -1 is closed; inf means
    beyond `limit` or unreachable. `start_*` and `home_*` are (k, 2) arrays of node and cost.
    """
    n = indptr.shape[0] - 1
    m = start_node.shape[0]
    homes = home_node.shape[0]
    mine = np.arange(first, m, step)
    out = np.full((mine.shape[0], homes), np.inf, dtype=np.float32)
    ring = max(weights.max() if weights.shape[0] else 0, start_cost.max()) + 1
    dist = np.empty(n, dtype=np.int32)
    head = np.empty(ring, dtype=np.int32)
    entry_node = np.empty(indices.shape[0] + start_node.shape[1], dtype=np.int32)
    entry_next = np.empty(indices.shape[0] + start_node.shape[1], dtype=np.int32)
    for row in range(mine.shape[0]):
        s = mine[row]
        dist[:] = _NONE
        head[:] = -1
        used = 0
        queued = 0
        start = _NONE
        for j in range(start_node.shape[1]):
            node, cost = start_node[s, j], start_cost[s, j]
            if 0 <= cost <= limit and cost < dist[node]:
                dist[node] = cost
                entry_node[used] = node
                entry_next[used] = head[cost % ring]
                head[cost % ring] = used
                used += 1
                queued += 1
                start = min(start, cost)
        d = start
        while queued > 0 and d <= limit:
            bucket = d % ring
            while head[bucket] >= 0:
                entry = head[bucket]
                head[bucket] = entry_next[entry]
                queued -= 1
                u = entry_node[entry]
                if dist[u] != d:
                    continue  # a stale entry: u was reached sooner
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    nd = d + weights[e]
                    if nd <= limit and nd < dist[v]:
                        dist[v] = nd
                        entry_node[used] = v
                        entry_next[used] = head[nd % ring]
                        head[nd % ring] = used
                        used += 1
                        queued += 1
            d += 1
        for k in range(homes):
            best = _NONE
            for j in range(home_node.shape[1]):
                reached = dist[home_node[k, j]]
                if home_cost[k, j] >= 0 and reached != _NONE:
                    best = min(best, reached + home_cost[k, j])
            if best != _NONE:
                out[row, k] = best
    return out
