"""Journey matrices, homes x settings: drive times in whole seconds, walking distances in metres.

One multi-source Dijkstra runs from the settings' side on the reversed graph, limited by the
cut-off and split across threads; homes only look their times up, so identical homes cost
nothing extra. Each point enters or leaves the network part-way along its road. A point beyond
the snapping guard is joined to its nearest road point by a straight line times a circuity
factor at a set speed, and every journey using such a leg is marked `estimated`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo._search import search_block
from geo.network import RoadNetwork
from geo.snap import Snapped


@dataclass(frozen=True)
class OffNetwork:
    """How the straight-line leg to a point beyond the snapping guard is estimated."""

    circuity: float = 1.3
    speed_kph: float = 50.0

    def __post_init__(self) -> None:
        if not (self.circuity >= 1.0 and self.speed_kph > 0):
            raise ValueError("circuity must be at least 1 and speed positive")

    @property
    def deciseconds_per_metre(self) -> float:
        """Drive time per metre of straight line, circuity included."""
        return 36.0 / self.speed_kph * self.circuity


@dataclass(frozen=True)
class _Anchors:
    """Each point's two ways on or off the network: node and integer cost from or to the point."""

    node: np.ndarray  # (n, 2) int64
    cost: np.ndarray  # (n, 2) float64, inf where that way is closed


def travel_time_matrix(
    network: RoadNetwork,
    origins: Snapped,
    destinations: Snapped,
    *,
    cutoff_s: int,
    off_network: OffNetwork | None = None,
    workers: int = 2,
) -> pd.DataFrame:
    """Drive times from each origin (home) to each destination (setting) within the cut-off.

    Returns long form: `origin`, `destination` (positions in the inputs), `seconds` (whole
    seconds, rounded up) and `estimated`. Pairs beyond the cut-off or unreachable are absent.
    """
    per_metre = (off_network or OffNetwork()).deciseconds_per_metre
    frame = _matrix(
        network,
        network.drive_graph,
        network.road_fwd_ds,
        network.road_bwd_ds,
        origins,
        destinations,
        cutoff=int(cutoff_s) * 10,
        per_metre=per_metre,
        workers=workers,
    )
    return frame.rename(columns={"units": "seconds"})


def walking_distance_matrix(
    network: RoadNetwork,
    origins: Snapped,
    destinations: Snapped,
    *,
    cutoff_m: int,
    off_network: OffNetwork | None = None,
    workers: int = 2,
) -> pd.DataFrame:
    """Walking distances along roads (either way) from each origin to each destination.

    For the statutory walking distances (2 miles under 8, 3 miles from 8). Long form: `origin`,
    `destination`, `metres` (whole metres, rounded up), `estimated`; pairs beyond `cutoff_m`
    are absent.
    """
    off = off_network or OffNetwork()
    length = network.road_length_dm
    frame = _matrix(
        network,
        network.walk_graph,
        length,
        length,
        origins,
        destinations,
        cutoff=int(cutoff_m) * 10,
        per_metre=10.0 * off.circuity,
        workers=workers,
    )
    return frame.rename(columns={"units": "metres"})


def node_times(
    network: RoadNetwork,
    points: Snapped,
    *,
    cutoff_s: int,
    towards: bool = True,
    off_network: OffNetwork | None = None,
) -> np.ndarray:
    """Drive times in deciseconds between each point and every node, inf beyond the cut-off.

    `towards=True` gives the time from each node to the point (a setting's catchment);
    False the time from the point to each node.
    """
    per_metre = (off_network or OffNetwork()).deciseconds_per_metre
    fwd, bwd = network.road_fwd_ds, network.road_bwd_ds
    anchors = _anchors(network, fwd, bwd, points, leaving=not towards, per_metre=per_metre)
    graph = network.drive_graph.T.tocsr() if towards else network.drive_graph
    nodes = np.arange(network.n_nodes)
    every_node = _Anchors(
        node=np.column_stack([nodes, nodes]),
        cost=np.column_stack([np.zeros(len(nodes)), np.full(len(nodes), np.inf)]),
    )
    return _search(graph, anchors, every_node, cutoff_s * 10, workers=1).astype(float)


def _part(fraction: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The integer cost of a fraction of a road, rounded up; inf where the road is closed."""
    cost = np.ceil(fraction * np.maximum(weight, 0) - 1e-9)
    return np.where(weight >= 0, cost, np.inf)


def _anchors(
    network: RoadNetwork,
    fwd: np.ndarray,
    bwd: np.ndarray,
    points: Snapped,
    *,
    leaving: bool,
    per_metre: float,
) -> _Anchors:
    """Where a point joins the network: its road's u and v nodes, with the cost to get there.

    Leaving a home at fraction r: to v costs (1-r) of the forward weight, to u r of the backward
    one. Arriving at a setting at fraction t: from u costs t forward, from v (1-t) backward.
    """
    road = points.road
    r = points.fraction
    f, b = fwd[road], bwd[road]
    if leaving:
        cost_u, cost_v = _part(r, b), _part(1.0 - r, f)
    else:
        cost_u, cost_v = _part(r, f), _part(1.0 - r, b)
    cost_u = np.where(r == 0.0, 0.0, cost_u)
    cost_v = np.where(r == 1.0, 0.0, cost_v)
    extra = _extra(points, per_metre)
    cost = np.column_stack([cost_u, cost_v]) + extra[:, None]
    node = np.column_stack([network.road_u[road], network.road_v[road]])
    return _Anchors(node=node, cost=cost)


def _extra(points: Snapped, per_metre: float) -> np.ndarray:
    """The estimated straight-line leg of points beyond the guard, in integer units."""
    return np.where(points.off_network, np.ceil(points.distance_m * per_metre - 1e-9), 0.0)


def _matrix(
    network: RoadNetwork,
    graph: sp.csr_matrix,
    fwd: np.ndarray,
    bwd: np.ndarray,
    origins: Snapped,
    destinations: Snapped,
    *,
    cutoff: int,
    per_metre: float,
    workers: int,
) -> pd.DataFrame:
    """Shared core: a destinations-side Dijkstra in integer units, then long form at the cut-off."""
    home = _anchors(network, fwd, bwd, origins, leaving=True, per_metre=per_metre)
    dest = _anchors(network, fwd, bwd, destinations, leaving=False, per_metre=per_metre)
    # Identical homes and identical settings are computed once.
    home_key, home_of = _unique_rows(home)
    dest_key, dest_of = _unique_rows(dest)
    units = np.full((len(origins), len(destinations)), np.inf, dtype=np.float32)
    if len(origins) and len(destinations):
        unique = _search(graph.T.tocsr(), dest_key, home_key, cutoff, workers)
        units = unique.T[home_of][:, dest_of]
        _same_road(units, fwd, bwd, origins, destinations, per_metre)
    return _long(units, origins, destinations, cutoff)


def _search(
    graph: sp.csr_matrix, settings: _Anchors, homes: _Anchors, limit: int, workers: int
) -> np.ndarray:
    """Costs (settings x homes) by searching from each setting (on the reversed graph).

    The compiled search releases the GIL, so `workers` threads take interleaved settings.
    """
    weights = graph.data.astype(np.int64)
    if limit + (weights.max() if weights.size else 0) >= np.iinfo(np.int32).max:
        raise ValueError("cut-off too large for 32-bit journey costs")
    args = (
        graph.indptr.astype(np.int32),
        graph.indices.astype(np.int32),
        weights.astype(np.int32),
        settings.node.astype(np.int32),
        _closed_as_minus_one(settings.cost, limit),
        homes.node.astype(np.int32),
        _closed_as_minus_one(homes.cost, limit),
        np.int32(limit),
    )
    workers = max(1, min(workers, len(settings.node)))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda first: search_block(*args, first, workers), range(workers)))
    costs = np.empty((len(settings.node), len(homes.node)), dtype=np.float32)
    for first, part in enumerate(parts):
        costs[first::workers] = part
    return costs


def _closed_as_minus_one(cost: np.ndarray, limit: int) -> np.ndarray:
    """Anchor costs as int32, -1 where closed or beyond the limit (no journey can use them)."""
    return np.where(np.isfinite(cost) & (cost <= limit), cost, -1).astype(np.int32)


def _unique_rows(anchors: _Anchors) -> tuple[_Anchors, np.ndarray]:
    """Distinct anchors and, for each point, which distinct anchor it has."""
    rows = np.column_stack([anchors.node.astype(float), anchors.cost])
    key, inverse = np.unique(rows, axis=0, return_inverse=True)
    return _Anchors(node=key[:, :2].astype(np.int64), cost=key[:, 2:]), inverse.ravel()


def _same_road(
    units: np.ndarray,
    fwd: np.ndarray,
    bwd: np.ndarray,
    origins: Snapped,
    destinations: Snapped,
    per_metre: float,
) -> None:
    """Lower, in place, journeys between a home and a setting on the same road to the direct one."""
    pairs = pd.merge(
        pd.DataFrame({"o": np.arange(len(origins)), "road": origins.road}),
        pd.DataFrame({"d": np.arange(len(destinations)), "road": destinations.road}),
        on="road",
    )
    if pairs.empty:
        return
    o, d, road = (pairs[c].to_numpy() for c in ("o", "d", "road"))
    r, t = origins.fraction[o], destinations.fraction[d]
    ahead = np.where(r <= t, _part(t - r, fwd[road]), np.inf)
    behind = np.where(r >= t, _part(r - t, bwd[road]), np.inf)
    direct = np.minimum(ahead, behind)
    direct = direct + _extra(origins, per_metre)[o] + _extra(destinations, per_metre)[d]
    units[o, d] = np.minimum(units[o, d], direct)


def _long(units: np.ndarray, origins: Snapped, destinations: Snapped, cutoff: int) -> pd.DataFrame:
    """Long form of the pairs within the cut-off, in whole units of ten, rounded up."""
    o, d = np.nonzero(units <= cutoff)
    whole = ((units[o, d].astype(np.int64) + 9) // 10).astype(np.int32)
    return pd.DataFrame(
        {
            "origin": o.astype(np.int32),
            "destination": d.astype(np.int32),
            "units": whole,
            "estimated": origins.off_network[o] | destinations.off_network[d],
        }
    )
