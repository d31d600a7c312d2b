"""Snapping with its distance guard, and isochrones, on a hand-checkable network."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.isochrones import isochrone
from geo.snap import snap
from tests.geo_fixtures import cross_network


def test_far_points_are_reported_not_snapped_silently():
    """A point beyond the guard is marked off the network with its true distance."""
    net = cross_network()
    points = snap(net, np.array([-700.0, 500.0]), np.array([0.0, 20.0]), max_distance_m=500)
    assert points.off_network.tolist() == [True, False]
    assert points.distance_m == pytest.approx([700.0, 20.0])
    assert points.fraction[1] == pytest.approx(0.5)


def test_points_at_junctions_sit_at_road_ends():
    """A point on a junction is at fraction 0 or 1 of a road that ends there."""
    net = cross_network()
    points = snap(net, net.node_x, net.node_y)
    ends = np.where(points.fraction == 0, net.road_u[points.road], net.road_v[points.road])
    assert set(points.fraction.tolist()) <= {0.0, 1.0}
    assert ends.tolist() == [0, 1, 2, 3]


def test_impossible_coordinates_are_refused():
    """NaN or infinite coordinates raise instead of snapping somewhere arbitrary."""
    with pytest.raises(ValueError, match="finite"):
        snap(cross_network(), np.array([np.nan]), np.array([0.0]))


@settings(max_examples=50, deadline=None)
@given(st.floats(-3000, 5000), st.floats(-3000, 5000))
def test_snapped_distance_is_the_nearest_road(x, y):
    """The snapped distance equals the smallest distance to any road, found by brute force."""
    net = cross_network()
    points = snap(net, np.array([x]), np.array([y]))
    nearest = shapely.distance(shapely.Point(x, y), net.road_lines).min()
    assert points.distance_m[0] == pytest.approx(nearest, abs=1e-6)


def test_isochrone_follows_roads_and_one_way():
    """Within 3 min of D by car: all of A-B (60 s beyond B) but not the one-way B -> C."""
    net = cross_network()
    areas = isochrone(net, 1000, 1000, [1, 3], buffer_m=50)
    three = areas.set_index("minutes").geometry[3]
    one = areas.set_index("minutes").geometry[1]
    assert areas.crs.to_epsg() == 27700
    assert three.contains(shapely.Point(10, 0))
    assert not three.contains(shapely.Point(1500, 0))
    # one minute covers half of the 120 s road D-B, and no more
    assert one.contains(shapely.Point(1000, 520)) and not one.contains(shapely.Point(1000, 420))
    assert three.contains(one)


def test_isochrone_of_a_point_off_the_network_is_estimated():
    """A candidate site beyond the guard gets an isochrone marked as estimated."""
    areas = isochrone(cross_network(), 1000, 3000, 10)
    assert bool(areas["estimated"].iloc[0]) is True
