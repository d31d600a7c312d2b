"""Hand-checkable road networks built straight from arrays, for geo tests."""

from __future__ import annotations

import numpy as np

from geo.network import RoadNetwork


def network_from_roads(
    nodes: list[tuple[float, float]], roads: list[tuple[int, int, int, int]]
) -> RoadNetwork:
    """A RoadNetwork of straight roads `(u, v, forward_ds, backward_ds)`; lengths from geometry."""
    u = np.array([r[0] for r in roads], dtype=np.int64)
    v = np.array([r[1] for r in roads], dtype=np.int64)
    xy = np.array(nodes, dtype=float)
    length_m = np.hypot(*(xy[v] - xy[u]).T)
    return RoadNetwork(
        node_x=xy[:, 0].copy(),
        node_y=xy[:, 1].copy(),
        road_u=u,
        road_v=v,
        road_fwd_ds=np.array([r[2] for r in roads], dtype=np.int64),
        road_bwd_ds=np.array([r[3] for r in roads], dtype=np.int64),
        road_length_dm=np.round(length_m * 10).astype(np.int64),
        geometry_xy=np.column_stack([xy[u], xy[v]]).reshape(-1, 2),
        geometry_offsets=np.arange(0, 2 * len(roads) + 1, 2, dtype=np.int64),
    )


def cross_network() -> RoadNetwork:
    """Four junctions: A(0,0) - B(1000,0) two-way 60 s; B -> C(2000,0) one-way 60 s;
    B - D(1000,1000) two-way 120 s."""
    return network_from_roads(
        [(0, 0), (1000, 0), (2000, 0), (1000, 1000)],
        [(0, 1, 600, 600), (1, 2, 600, -1), (1, 3, 1200, 1200)],
    )
