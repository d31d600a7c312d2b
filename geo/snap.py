"""Snapping homes and settings to the nearest point on a road, with a guard on the distance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo.network import RoadNetwork

#: A snapped point this close (metres) to a road's end is taken to be at that junction.
_AT_NODE_M = 1e-3


@dataclass(frozen=True)
class Snapped:
    """Points placed on their nearest road, in EPSG:27700.

    Point `i` lies `distance_m[i]` metres from road `road[i]`, at `fraction[i]` of the way along it
    from the road's u node (0) to its v node (1). Points farther than `max_distance_m` are off the
    network: their journeys are estimated, never silently treated as on a road.
    """

    road: np.ndarray
    fraction: np.ndarray
    distance_m: np.ndarray
    max_distance_m: float

    @property
    def off_network(self) -> np.ndarray:
        """True for points farther from every road than the guard distance."""
        return self.distance_m > self.max_distance_m

    def __len__(self) -> int:
        return int(self.road.shape[0])

    def take(self, positions: np.ndarray) -> Snapped:
        """The points at `positions`, in that order."""
        return Snapped(
            self.road[positions],
            self.fraction[positions],
            self.distance_m[positions],
            self.max_distance_m,
        )


def snap(
    network: RoadNetwork,
    easting: np.ndarray,
    northing: np.ndarray,
    *,
    max_distance_m: float = 500.0,
) -> Snapped:
    """Snap points (EPSG:27700 metres) to the nearest point on the nearest road."""
    x = np.asarray(easting, dtype=float)
    y = np.asarray(northing, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("easting and northing must be 1-D arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("coordinates must be finite numbers")
    if network.n_roads == 0:
        raise ValueError("the road network has no roads")
    points = shapely.points(x, y)
    found, roads = network.road_index.query_nearest(points, all_matches=False)
    road = np.empty(len(x), dtype=np.int64)
    road[found] = roads
    lines = network.road_lines[road]
    along = shapely.line_locate_point(lines, points)
    length = shapely.length(lines)
    along = np.where(along < _AT_NODE_M, 0.0, along)
    along = np.where(length - along < _AT_NODE_M, length, along)
    fraction = np.divide(along, length, out=np.zeros_like(along), where=length > 0)
    return Snapped(
        road=road,
        fraction=np.clip(fraction, 0.0, 1.0),
        distance_m=shapely.distance(points, lines),
        max_distance_m=float(max_distance_m),
    )
