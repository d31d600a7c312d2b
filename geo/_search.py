"""Compiled Dijkstra over integer weights: many sources, each giving only the points it reaches.

scipy's Dijkstra holds the GIL and returns every node's distance; this one releases the GIL
(threads use every core), starts each search from a source's road anchors, stops at the
source's limit and returns the (source, point, cost) triples it reached, so its work grows with
what a source reaches, never with how many points or nodes there are. Weights are small positive
integers, so its queue is a ring of buckets, one per unit of cost (Dial's algorithm).
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

#: "Not reached": every cost is a 32-bit integer below it (smaller arrays, faster searches).
_NONE = np.iinfo(np.int32).max
#: How often (cost units) a search beyond its limit checks whether its own points are all found.
_OWN_CHECK = 600

I32 = npt.NDArray[np.int32]


@numba.njit(nogil=True, cache=True)
def search_pairs(
    indptr: I32,
    indices: I32,
    weights: I32,
    start_node: I32,
    start_cost: I32,
    start_limit: I32,
    anchor_ptr: I32,
    anchor_point: I32,
    anchor_cost: I32,
    point_limit: I32,
    own_ptr: I32,
    own_point: I32,
    own_limit: np.int32,
    first: int,
    step: int,
) -> tuple[I32, I32, I32]:
    """Searches from sources first, first+step, ...: returns (source, point, cost) int32 arrays.

    A point is kept at cost c from source s when c <= min(start_limit[s], point_limit[p]), or
    when p is one of s's own points (own_point[own_ptr[s]:own_ptr[s+1]]) and c <= own_limit; a
    search goes beyond its limit only until its own points are all found. Points join the
    network by anchors, a CSR over nodes (anchor_ptr; anchor_point, anchor_cost). Sources'
    `start_*` are (k, 2) node and cost, -1 for a closed way. Every array int32, costs in units.
    """
    n = indptr.shape[0] - 1
    points = point_limit.shape[0]
    dist = np.full(n, _NONE, dtype=np.int32)
    best = np.full(points, _NONE, dtype=np.int32)
    mark = np.full(points, -1, dtype=np.int32)
    touched = np.empty(points, dtype=np.int32)
    ring = max(weights.max() if weights.shape[0] else 0, start_cost.max()) + 1
    head = np.empty(ring, dtype=np.int32)
    entry_node = np.empty(indices.shape[0] + start_node.shape[1], dtype=np.int32)
    entry_next = np.empty(indices.shape[0] + start_node.shape[1], dtype=np.int32)
    size = 0
    out_source = np.empty(1024, dtype=np.int32)
    out_point = np.empty(1024, dtype=np.int32)
    out_cost = np.empty(1024, dtype=np.int32)
    for s in range(first, start_node.shape[0], step):
        limit = start_limit[s]
        own = own_ptr[s + 1] - own_ptr[s]
        stop = max(limit, own_limit) if own > 0 else limit
        for k in range(own_ptr[s], own_ptr[s + 1]):
            mark[own_point[k]] = s
        head[:] = -1
        used = 0
        queued = 0
        reached = 0
        d = _NONE
        for j in range(start_node.shape[1]):
            node, cost = start_node[s, j], start_cost[s, j]
            if 0 <= cost <= stop and cost < dist[node]:
                _queue(node, cost, used, dist, head, entry_node, entry_next)
                used += 1
                queued += 1
                d = min(d, cost)
        while queued > 0 and d <= stop:
            check = d > limit and (d - limit) % _OWN_CHECK == 1
            if check and _all_found(own_ptr, own_point, best, s, d):
                break
            bucket = d % ring
            while head[bucket] >= 0:
                entry = head[bucket]
                head[bucket] = entry_next[entry]
                queued -= 1
                u = entry_node[entry]
                if dist[u] != d:
                    continue  # a stale entry: u was reached sooner
                for a in range(anchor_ptr[u], anchor_ptr[u + 1]):
                    p = anchor_point[a]
                    if best[p] == _NONE:
                        touched[reached] = p
                        reached += 1
                    best[p] = min(best[p], d + anchor_cost[a])
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    nd = d + weights[e]
                    if nd <= stop and nd < dist[v]:
                        _queue(v, nd, used, dist, head, entry_node, entry_next)
                        used += 1
                        queued += 1
            d += 1
        if size + reached > out_source.shape[0]:
            grown = max(2 * out_source.shape[0], size + reached)
            out_source = _grown(out_source, grown, size)
            out_point = _grown(out_point, grown, size)
            out_cost = _grown(out_cost, grown, size)
        for i in range(reached):
            p = touched[i]
            c = best[p]
            if (c <= limit and c <= point_limit[p]) or (mark[p] == s and c <= own_limit):
                out_source[size] = s
                out_point[size] = p
                out_cost[size] = c
                size += 1
            best[p] = _NONE
        for i in range(used):
            dist[entry_node[i]] = _NONE
    return out_source[:size].copy(), out_point[:size].copy(), out_cost[:size].copy()


@numba.njit(nogil=True, cache=True)
def _queue(
    node: int, cost: int, entry: int, dist: I32, head: I32, entry_node: I32, entry_next: I32
) -> None:
    """Give `node` the distance `cost` and queue it as `entry` at the head of its cost's bucket."""
    bucket = cost % head.shape[0]
    dist[node] = cost
    entry_node[entry] = node
    entry_next[entry] = head[bucket]
    head[bucket] = entry


@numba.njit(nogil=True, cache=True)
def _all_found(own_ptr: I32, own_point: I32, best: I32, s: int, d: int) -> bool:
    """Whether every own point of source s has its final cost (no later node can lower it)."""
    for k in range(own_ptr[s], own_ptr[s + 1]):  # noqa: SIM110 (compiled: no generators)
        if best[own_point[k]] > d:
            return False
    return True


@numba.njit(nogil=True, cache=True)
def _grown(array: I32, size: int, used: int) -> I32:
    """`array` copied into a new array of `size`, its first `used` entries kept."""
    bigger = np.empty(size, dtype=array.dtype)
    bigger[:used] = array[:used]
    return bigger
