"""Journey matrices, homes x settings: drive times in whole seconds, walking distances in metres.

One Dijkstra a setting runs from the settings' side on the reversed graph, limited by the
cut-off (or each pair's own reach) and split across threads; it gives only the homes it
reaches, so its work grows with what a setting reaches, not with how many homes there are.
Each point enters or leaves the network part-way along its road. A point beyond the snapping
guard is joined to its nearest road point by a straight line times a circuity factor at a set
speed, and every journey using such a leg is marked `estimated`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo._search import search_pairs
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


@dataclass(frozen=True)
class _Ways:
    """How one mode travels: the graph searched, each road's integer cost forward and backward,
    and the cost per metre of a straight-line leg to a point beyond the snapping guard."""

    graph: sp.csr_matrix
    fwd: np.ndarray
    bwd: np.ndarray
    per_metre: float


def _driving(network: RoadNetwork, off_network: OffNetwork | None) -> _Ways:
    """Driving, in deciseconds."""
    per_metre = (off_network or OffNetwork()).deciseconds_per_metre
    return _Ways(network.drive_graph, network.road_fwd_ds, network.road_bwd_ds, per_metre)


def _walking(network: RoadNetwork, off_network: OffNetwork | None) -> _Ways:
    """Walking either way along roads, in decimetres."""
    length = network.road_length_dm
    return _Ways(network.walk_graph, length, length, 10.0 * (off_network or OffNetwork()).circuity)


@dataclass(frozen=True)
class Reach:
    """How far journeys are wanted, pair by pair, within the cut-off: up to the smaller of the
    origin's and the destination's own limit (seconds; None for the cut-off), and from an origin
    to its own destination (a child's current setting) up to `own_s` whatever the limits."""

    origin_s: np.ndarray | None = None
    destination_s: np.ndarray | None = None
    own: np.ndarray | None = None  # each origin's own destination (position), -1 for none
    own_s: int = 0


@dataclass(frozen=True)
class _Limits:
    """A Reach in integer cost units, one limit for each origin and each destination."""

    origin: np.ndarray
    destination: np.ndarray
    own: np.ndarray
    own_limit: int

    @staticmethod
    def of(reach: Reach, cutoff: int, n_origins: int, n_destinations: int) -> _Limits:
        """`reach` in units, every limit capped at the `cutoff` (units)."""

        def units(seconds: np.ndarray | None, n: int) -> np.ndarray:
            given = np.full(n, cutoff) if seconds is None else np.asarray(seconds) * 10
            capped: np.ndarray = np.minimum(np.floor(given), cutoff).astype(np.int64)
            return capped

        return _Limits(
            origin=units(reach.origin_s, n_origins),
            destination=units(reach.destination_s, n_destinations),
            own=np.full(n_origins, -1) if reach.own is None else np.asarray(reach.own),
            own_limit=int(reach.own_s) * 10,
        )


def travel_time_matrix(
    network: RoadNetwork,
    origins: Snapped,
    destinations: Snapped,
    *,
    cutoff_s: int,
    reach: Reach | None = None,
    off_network: OffNetwork | None = None,
    workers: int = 2,
) -> pd.DataFrame:
    """Drive times from each origin (home) to each destination (setting) within the cut-off
    (and `reach`, if given).

    Returns long form ordered by origin then destination: `origin`, `destination` (positions in
    the inputs), `seconds` (whole seconds, rounded up) and `estimated`. Pairs beyond the cut-off
    or unreachable are absent.
    """
    limits = _Limits.of(reach or Reach(), int(cutoff_s) * 10, len(origins), len(destinations))
    frame = _matrix(network, _driving(network, off_network), origins, destinations, limits, workers)
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
    limits = _Limits.of(Reach(), int(cutoff_m) * 10, len(origins), len(destinations))
    frame = _matrix(network, _walking(network, off_network), origins, destinations, limits, workers)
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
    drive = _driving(network, off_network)
    anchors = _anchors(network, drive, points, leaving=not towards)
    graph = drive.graph.T.tocsr() if towards else drive.graph
    n = network.n_nodes
    every_node = _Anchors(
        node=np.column_stack([np.arange(n), np.arange(n)]),
        cost=np.column_stack([np.zeros(n), np.full(n, np.inf)]),
    )
    cutoff = int(cutoff_s) * 10
    none = np.empty(0, dtype=np.int64)
    point, node, cost = _search(
        graph,
        (anchors, np.full(len(points), cutoff)),
        (every_node, np.full(n, cutoff)),
        (none, none, 0),
        workers=1,
    )
    times = np.full((len(points), n), np.inf)
    times[point, node] = cost
    return times


def _part(fraction: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The integer cost of a fraction of a road, rounded up; inf where the road is closed."""
    cost = np.ceil(fraction * np.maximum(weight, 0) - 1e-9)
    return np.where(weight >= 0, cost, np.inf)


def _anchors(network: RoadNetwork, ways: _Ways, points: Snapped, *, leaving: bool) -> _Anchors:
    """Where a point joins the network: its road's u and v nodes, with the cost to get there.

    Leaving a home at fraction r: to v costs (1-r) of the forward weight, to u r of the backward
    one. Arriving at a setting at fraction t: from u costs t forward, from v (1-t) backward.
    """
    road = points.road
    r = points.fraction
    f, b = ways.fwd[road], ways.bwd[road]
    if leaving:
        cost_u, cost_v = _part(r, b), _part(1.0 - r, f)
    else:
        cost_u, cost_v = _part(r, f), _part(1.0 - r, b)
    cost_u = np.where(r == 0.0, 0.0, cost_u)
    cost_v = np.where(r == 1.0, 0.0, cost_v)
    extra = _extra(points, ways.per_metre)
    cost = np.column_stack([cost_u, cost_v]) + extra[:, None]
    node = np.column_stack([network.road_u[road], network.road_v[road]])
    return _Anchors(node=node, cost=cost)


def _extra(points: Snapped, per_metre: float) -> np.ndarray:
    """The estimated straight-line leg of points beyond the guard, in integer units."""
    return np.where(points.off_network, np.ceil(points.distance_m * per_metre - 1e-9), 0.0)


def _matrix(
    network: RoadNetwork,
    ways: _Ways,
    origins: Snapped,
    destinations: Snapped,
    limits: _Limits,
    workers: int,
) -> pd.DataFrame:
    """Shared core: a Dijkstra from each point of the smaller side (settings on the reversed
    graph, or homes when fewer, as for one child's list), in long form within limits."""
    if not len(origins) or not len(destinations):  # nothing to search from or to
        o = d = units = np.empty(0, dtype=np.int64)
        return _long_form(o, d, units, origins, destinations)
    home = _anchors(network, ways, origins, leaving=True)
    dest = _anchors(network, ways, destinations, leaving=False)
    own_o = np.flatnonzero(limits.own >= 0)
    own_d = limits.own[own_o]
    if len(destinations) <= len(origins):
        d, o, units = _search(
            ways.graph.T.tocsr(),
            (dest, limits.destination),
            (home, limits.origin),
            (own_d, own_o, limits.own_limit),
            workers,
        )
    else:
        o, d, units = _search(
            ways.graph,
            (home, limits.origin),
            (dest, limits.destination),
            (own_o, own_d, limits.own_limit),
            workers,
        )
    o, d, units = _with_same_road(o, d, units, ways, origins, destinations, limits)
    return _long_form(o, d, units, origins, destinations)


def _long_form(
    o: np.ndarray, d: np.ndarray, units: np.ndarray, origins: Snapped, destinations: Snapped
) -> pd.DataFrame:
    """Pairs by position with their cost in whole units (from tenths of a unit, rounded up)."""
    return pd.DataFrame(
        {
            "origin": o.astype(np.int32),
            "destination": d.astype(np.int32),
            "units": ((units.astype(np.int64) + 9) // 10).astype(np.int32),
            "estimated": origins.off_network[o] | destinations.off_network[d],
        }
    )


def _search(
    graph: sp.csr_matrix,
    sources: tuple[_Anchors, np.ndarray],
    points: tuple[_Anchors, np.ndarray],
    own: tuple[np.ndarray, np.ndarray, int],
    workers: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, point, cost) of every pair within the limits, searching from each source.

    `sources` and `points` are anchors with a limit each; `own` are (source, point) pairs kept
    up to their own limit. The compiled search releases the GIL, so `workers` threads take
    interleaved sources.
    """
    starts, start_limit = sources
    ends, end_limit = points
    own_source, own_point, own_limit = own
    weights = graph.data.astype(np.int64)
    farthest = max(int(start_limit.max(initial=0)), own_limit)
    if farthest + (weights.max() if weights.size else 0) >= np.iinfo(np.int32).max:
        raise ValueError("cut-off too large for 32-bit journey costs")
    anchor_ptr, anchor_point, anchor_cost = _by_node(ends, graph.shape[0], farthest)
    order = np.argsort(own_source, kind="stable")
    own_ptr = np.concatenate([[0], np.cumsum(np.bincount(own_source, minlength=len(starts.node)))])
    args = (
        graph.indptr.astype(np.int32),
        graph.indices.astype(np.int32),
        weights.astype(np.int32),
        starts.node.astype(np.int32),
        _closed_as_minus_one(starts.cost, farthest),
        start_limit.astype(np.int32),
        anchor_ptr.astype(np.int32),
        anchor_point.astype(np.int32),
        anchor_cost.astype(np.int32),
        end_limit.astype(np.int32),
        own_ptr.astype(np.int32),
        own_point[order].astype(np.int32),
        np.int32(own_limit),
    )
    workers = max(1, min(workers, len(starts.node)))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda first: search_pairs(*args, first, workers), range(workers)))
    source, point, cost = (np.concatenate([part[i] for part in parts]) for i in range(3))
    return source, point, cost


def _by_node(points: _Anchors, n_nodes: int, farthest: int) -> tuple[np.ndarray, ...]:
    """The points' open anchors as a CSR over nodes: pointers, point and cost of each anchor."""
    open_ = np.isfinite(points.cost) & (points.cost <= farthest)
    node = points.node[open_]
    order = np.argsort(node, kind="stable")
    point = np.broadcast_to(np.arange(len(points.node))[:, None], points.node.shape)[open_]
    pointers = np.concatenate([[0], np.cumsum(np.bincount(node, minlength=n_nodes))])
    return pointers, point[order], points.cost[open_][order]


def _closed_as_minus_one(cost: np.ndarray, limit: int) -> np.ndarray:
    """Anchor costs as int32, -1 where closed or beyond the limit (no journey can use them)."""
    return np.where(np.isfinite(cost) & (cost <= limit), cost, -1).astype(np.int32)


def _with_same_road(
    o: np.ndarray,
    d: np.ndarray,
    units: np.ndarray,
    ways: _Ways,
    origins: Snapped,
    destinations: Snapped,
    limits: _Limits,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs with journeys between a home and a setting on the same road lowered to the
    direct one (or added, when only that is within the limits); ordered by origin, destination."""
    pairs = pd.merge(
        pd.DataFrame({"o": np.arange(len(origins)), "road": origins.road}),
        pd.DataFrame({"d": np.arange(len(destinations)), "road": destinations.road}),
        on="road",
    )
    so, sd, road = (pairs[c].to_numpy(np.int64) for c in ("o", "d", "road"))
    r, t = origins.fraction[so], destinations.fraction[sd]
    ahead = np.where(r <= t, _part(t - r, ways.fwd[road]), np.inf)
    behind = np.where(r >= t, _part(r - t, ways.bwd[road]), np.inf)
    direct = np.minimum(ahead, behind)
    direct += _extra(origins, ways.per_metre)[so] + _extra(destinations, ways.per_metre)[sd]
    within = direct <= np.minimum(limits.origin[so], limits.destination[sd])
    within |= (limits.own[so] == sd) & (direct <= limits.own_limit)
    o = np.concatenate([o.astype(np.int64), so[within]])
    d = np.concatenate([d.astype(np.int64), sd[within]])
    units = np.concatenate([units.astype(np.int64), direct[within].astype(np.int64)])
    key = o * max(len(destinations), 1) + d
    order = np.lexsort((units, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    keep = order[first]
    return o[keep], d[keep], units[keep]
