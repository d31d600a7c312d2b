"""Synthetic inputs: the shared generator primitives (tests/e2e/test_synth_cli.py checks
`rightplace synth` output)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.synth.instance import (
    assign_exact,
    can_attend,
    choose_settings,
    need_indices,
    quota,
    synth_roads,
)


@given(
    st.lists(st.floats(0.0, 100.0), min_size=1, max_size=20).filter(lambda w: sum(w) > 0),
    st.integers(0, 10_000),
)
def test_quota_sums_and_stays_within_one_of_the_exact_share(weights: list[float], n: int) -> None:
    """Largest remainder: counts sum to n and each is the floor or ceiling of its exact share."""
    counts = quota(weights, n)
    exact = n * np.array(weights) / sum(weights)
    assert counts.sum() == n
    assert np.all(counts >= np.floor(exact) - 1e-9) and np.all(counts <= np.ceil(exact) + 1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=5), st.integers(0, 2**32 - 1))
def test_assign_exact_meets_the_counts(counts: list[int], seed: int) -> None:
    """Each label is used exactly as often as asked, whatever the weights."""
    n = sum(counts)
    rng = np.random.default_rng(seed)
    labels = assign_exact(rng, rng.random((n, len(counts))), counts)
    assert np.bincount(labels, minlength=len(counts)).tolist() == counts


def test_assign_exact_follows_strong_preferences() -> None:
    """Three children, three needs, one place each: each child gets the one it alone can take."""
    weights = np.array([[1.0, 1e-6, 1e-6], [1e-6, 1e-6, 1.0], [1e-6, 1.0, 1e-6]])
    labels = assign_exact(np.random.default_rng(0), weights, [1, 1, 1])
    assert labels.tolist() == [0, 2, 1]


def _three_settings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": ["1", "2", "3"],
            "setting_type": ["mainstream", "state_special", "mainstream_rp"],
            "ncy_low": [0, -2, 7],
            "ncy_high": [6, 14, 13],
            "designated_needs": [(), ("ASD", "SLD"), ("SEMH",)],
            "easting": [0.0, 10_000.0, 20_000.0],
            "northing": [0.0, 0.0, 0.0],
        }
    )


def test_can_attend_checks_age_and_specialist_designation() -> None:
    """A Y3 child with ASD fits the primary and the ASD special; a Y8 child with MLD fits only
    the secondary RP school's mainstream side, and not its SEMH unit."""
    allowed = can_attend(np.array([3, 8]), need_indices(["ASD", "MLD"]), _three_settings())
    assert allowed.tolist() == [[True, True, False], [False, False, True]]
    units = can_attend(
        np.array([3, 8]), need_indices(["ASD", "MLD"]), _three_settings(), designated_only=True
    )
    assert units.tolist() == [[False, True, False], [False, False, False]]


def test_choose_settings_picks_only_allowed_and_marks_none() -> None:
    """Children are placed only where allowed, nearer settings far likelier; none allowed = -1."""
    allowed = np.array([[True, True, False], [False, False, False]])
    homes = np.array([[0.0, 0.0], [5.0, 5.0]])
    places = _three_settings()[["easting", "northing"]].to_numpy()
    rng = np.random.default_rng(3)
    picks = [
        choose_settings(rng, homes, lambda r, c: allowed[np.ix_(r, c)], places, scale_m=2000.0)
        for _ in range(200)
    ]
    first = np.array([p[0] for p in picks])
    assert set(first) <= {0, 1} and (first == 0).mean() > 0.95
    assert all(p[1] == -1 for p in picks)


def test_choose_settings_within_a_distance_equals_a_child_by_child_reference() -> None:
    """Tile by tile, each child's pick is the inverse-CDF draw among its allowed settings within
    `within_m` (all its allowed settings when none is that near), as a plain loop gives it."""
    rng = np.random.default_rng(11)
    homes = rng.uniform(0, 100_000, (300, 2))
    places = rng.uniform(0, 100_000, (60, 2))
    allowed = rng.random((300, 60)) < 0.15
    allowed[:5] = False
    allowed[:5, :2] = True  # a few children whose only settings may be far
    picked = choose_settings(
        np.random.default_rng(4),
        homes,
        lambda r, c: allowed[np.ix_(r, c)],
        places,
        scale_m=5000.0,
        within_m=15_000.0,
        chunk=16,
    )
    draws = np.random.default_rng(4).random(300)
    expected = []
    for i in range(300):
        gap = np.hypot(*(homes[i] - places).T)
        weight = np.where(allowed[i], np.exp(-gap / 5000.0), 0.0)
        near = np.where(gap <= 15_000.0, weight, 0.0)
        cumulative = np.cumsum(near if near.sum() > 0 else weight)
        hit = np.flatnonzero(cumulative >= draws[i] * cumulative[-1])
        expected.append(int(hit[0]) if cumulative[-1] > 0 else -1)
    assert picked.tolist() == expected
    assert (np.hypot(*(homes - places[picked]).T)[picked >= 0] > 15_000).any()  # a fallback


def test_network_is_connected_with_a_road_hierarchy() -> None:
    """K nodes in one connected piece, every highway class present, motorway tagged 70 mph."""
    roads = synth_roads(np.random.default_rng(0), 5000)
    graph = nx.Graph()
    graph.add_nodes_from(range(5000))
    for _, _, members in roads.ways:
        graph.add_edges_from(zip(members[:-1], members[1:], strict=True))
    assert len(roads.easting) == 5000 and nx.is_connected(graph)
    kinds = {h for h, _, _ in roads.ways}
    assert {"motorway", "trunk", "primary", "secondary", "tertiary", "residential"} <= kinds
    assert all(s == "70 mph" for h, s, _ in roads.ways if h == "motorway")
