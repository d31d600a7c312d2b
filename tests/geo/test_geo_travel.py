"""Travel-time and walking matrices on a hand-checkable network and against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.snap import snap
from geo.travel import OffNetwork, Reach, travel_time_matrix, walking_distance_matrix
from tests.geo_fixtures import cross_network, network_from_roads


def _pairs(frame: pd.DataFrame, column: str) -> dict[tuple[int, int], int]:
    return {(int(o), int(d)): int(v) for o, d, v in frame[["origin", "destination", column]].values}


def _snap(net, points, max_distance_m=500.0):
    xy = np.array(points, dtype=float)
    return snap(net, xy[:, 0], xy[:, 1], max_distance_m=max_distance_m)


def test_partial_roads_and_one_way():
    """Homes and settings part-way along roads pay the part they drive; one-way roads hold."""
    net = cross_network()
    homes = _snap(net, [(500, 10), (1500, -10)])
    settings = _snap(net, [(1500, -10), (500, 10), (1000, 1000)])
    got = _pairs(travel_time_matrix(net, homes, settings, cutoff_s=3600), "seconds")
    # home 0 mid A-B: 30 s to B, then 30 s half way to C; back to itself is 0 s
    assert got[(0, 0)] == 60
    assert got[(0, 1)] == 0
    assert got[(0, 2)] == 30 + 120
    # home 1 is on the one-way road B -> C, which ends at C: nothing is reachable but itself
    assert (1, 1) not in got and (1, 2) not in got
    assert got[(1, 0)] == 0


def test_same_road_is_direct():
    """A home and a setting on the same road take the direct part of the road, either way."""
    net = cross_network()
    homes = _snap(net, [(200, 0), (800, 0)])
    settings = _snap(net, [(800, 0), (200, 0)])
    got = _pairs(travel_time_matrix(net, homes, settings, cutoff_s=3600), "seconds")
    assert got[(0, 0)] == 36 and got[(1, 1)] == 36


def test_cutoff_is_inclusive_and_drops_beyond():
    """Pairs exactly at the cut-off are kept; one second less and they are absent, not inf."""
    net = cross_network()
    homes = _snap(net, [(500, 0)])
    settings = _snap(net, [(1000, 1000)])
    assert _pairs(travel_time_matrix(net, homes, settings, cutoff_s=150), "seconds") == {
        (0, 0): 150
    }
    empty = travel_time_matrix(net, homes, settings, cutoff_s=149)
    assert empty.empty and list(empty.columns) == ["origin", "destination", "seconds", "estimated"]


def test_setting_outside_network_is_estimated():
    """A setting beyond the guard: route to the nearest road point + circuity x straight line."""
    net = cross_network()
    homes = _snap(net, [(500, 0)])
    settings = _snap(net, [(1000, 3000), (2000, 0)])
    frame = travel_time_matrix(
        net, homes, settings, cutoff_s=3600, off_network=OffNetwork(circuity=1.3, speed_kph=30)
    )
    by_setting = frame.set_index("destination")
    # 150 s to D, then 2,000 m x 1.3 at 30 km/h = 312 s
    assert by_setting.loc[0, "seconds"] == 150 + 312
    assert bool(by_setting.loc[0, "estimated"]) is True
    assert bool(by_setting.loc[1, "estimated"]) is False


def test_walking_ignores_one_way():
    """Walking distance runs along roads in both directions, in metres."""
    net = cross_network()
    points = _snap(net, [(500, 0), (1500, 0)])
    got = _pairs(walking_distance_matrix(net, points, points, cutoff_m=5000), "metres")
    assert got == {(0, 0): 0, (0, 1): 1000, (1, 0): 1000, (1, 1): 0}
    near = walking_distance_matrix(net, points, points, cutoff_m=999)
    assert set(zip(near["origin"], near["destination"], strict=True)) == {(0, 0), (1, 1)}


def test_identical_homes_get_identical_rows():
    """Children at the same place get the same journeys."""
    net = cross_network()
    homes = _snap(net, [(500, 5), (1000, 400), (500, 5)])
    settings = _snap(net, [(1500, 0), (0, 0), (1000, 900)])
    frame = travel_time_matrix(net, homes, settings, cutoff_s=3600)
    rows = {o: g.drop(columns="origin").to_numpy().tolist() for o, g in frame.groupby("origin")}
    assert rows[0] == rows[2] and rows[0] != rows[1]


@st.composite
def _grid(draw):
    side = draw(st.integers(2, 5))
    nodes = [(1000.0 * (i % side), 1000.0 * (i // side)) for i in range(side * side)]
    roads = []
    for i in range(side * side):
        for j in (i + 1, i + side):
            if (j == i + 1 and i % side == side - 1) or j >= side * side:
                continue
            fwd = draw(st.integers(1, 900))
            bwd = draw(st.sampled_from([-1, fwd, draw(st.integers(1, 900))]))
            roads.append((i, j, fwd, bwd))
    return nodes, roads


def _reference(nodes, roads) -> nx.DiGraph:
    """The grid as a networkx graph of deciseconds `w`, one-way roads one way."""
    ref = nx.DiGraph()
    ref.add_nodes_from(range(len(nodes)))
    for u, v, fwd, bwd in roads:
        ref.add_edge(u, v, w=fwd)
        if bwd > 0:
            ref.add_edge(v, u, w=bwd)
    return ref


@settings(max_examples=40, deadline=None)
@given(_grid(), st.integers(60, 600))
def test_matches_networkx_on_random_grids(grid, cutoff_s):
    """On random one-way/two-way grids, node-to-node times equal networkx's on the same weights."""
    nodes, roads = grid
    net = network_from_roads(nodes, roads)
    ref = _reference(nodes, roads)
    points = _snap(net, nodes)
    got = _pairs(travel_time_matrix(net, points, points, cutoff_s=cutoff_s), "seconds")
    expected = {}
    for o in range(len(nodes)):
        for d, ds in nx.single_source_dijkstra_path_length(ref, o, weight="w").items():
            if (ds + 9) // 10 <= cutoff_s:
                expected[(o, d)] = (ds + 9) // 10
    assert got == expected


@settings(max_examples=40, deadline=None)
@given(_grid(), st.integers(10, 600), st.integers(0, 900), st.data())
def test_reach_keeps_each_pair_within_its_own_limits(grid, cutoff_s, own_s, data):
    """With a reach, a pair is kept within the smaller of its origin's and destination's limit
    (and the cut-off), and an origin's own destination up to `own_s`: networkx's times filtered
    by those rules. Own destinations make searches run past their limit, then stop. Fewer
    origins than destinations are searched from the origins' side, the rest from the other."""
    nodes, roads = grid
    net = network_from_roads(nodes, roads)
    ref = _reference(nodes, roads)
    n = len(nodes)
    m = data.draw(st.integers(1, n), label="origins")  # the first m junctions are homes
    origin_s = np.array(data.draw(st.lists(st.integers(0, 700), min_size=m, max_size=m)))
    destination_s = np.array(data.draw(st.lists(st.integers(0, 700), min_size=n, max_size=n)))
    own = np.array(data.draw(st.lists(st.integers(-1, n - 1), min_size=m, max_size=m)))
    reach = Reach(origin_s=origin_s, destination_s=destination_s, own=own, own_s=own_s)
    points = _snap(net, nodes)
    homes = points.take(np.arange(m))
    frame = travel_time_matrix(net, homes, points, cutoff_s=cutoff_s, reach=reach)
    expected = {}
    for o in range(m):
        for d, ds in nx.single_source_dijkstra_path_length(ref, o, weight="w").items():
            seconds = (ds + 9) // 10
            if seconds <= min(cutoff_s, origin_s[o], destination_s[d]) or (
                own[o] == d and seconds <= own_s
            ):
                expected[(o, d)] = seconds
    assert _pairs(frame, "seconds") == expected
    assert list(frame["origin"] * n + frame["destination"]) == sorted(
        o * n + d for o, d in expected
    )


@settings(max_examples=30, deadline=None)
@given(_grid(), st.integers(500, 6000))
def test_walking_matches_networkx_on_random_grids(grid, cutoff_m):
    """Walking distances between junctions equal networkx's on the undirected road lengths."""
    nodes, roads = grid
    net = network_from_roads(nodes, roads)
    ref = nx.Graph()
    ref.add_nodes_from(range(len(nodes)))
    ref.add_weighted_edges_from(
        (u, v, int(dm)) for (u, v, _, _), dm in zip(roads, net.road_length_dm, strict=True)
    )
    points = _snap(net, nodes)
    got = _pairs(walking_distance_matrix(net, points, points, cutoff_m=cutoff_m), "metres")
    expected = {
        (o, d): (dm + 9) // 10
        for o in range(len(nodes))
        for d, dm in nx.single_source_dijkstra_path_length(ref, o).items()
        if (dm + 9) // 10 <= cutoff_m
    }
    assert got == expected
