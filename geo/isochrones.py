"""Isochrones: the area from which a setting or candidate site is reached within N minutes."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.ops import substring

from geo.network import RoadNetwork
from geo.snap import snap
from geo.travel import OffNetwork, node_times


def isochrone(
    network: RoadNetwork,
    easting: float,
    northing: float,
    minutes: int | Sequence[int],
    *,
    towards: bool = True,
    max_distance_m: float = 500.0,
    buffer_m: float | None = None,
    off_network: OffNetwork | None = None,
) -> gpd.GeoDataFrame:
    """Reachable areas around a point (EPSG:27700), one row per limit in `minutes`.

    With `towards=True` (catchments) an area holds the places whose drive *to* the point takes at
    most the limit; roads are cut where the limit runs out and buffered by `buffer_m`, by default
    the snapping guard: journeys treat any place that near a road as on it, so the area holds
    every such place (no gaps between roads the limit reaches). Rows have `minutes`, `estimated`
    (the point is beyond the snapping guard) and `geometry`.
    """
    limits = sorted({int(m) for m in np.atleast_1d(minutes)})
    point = snap(network, np.array([easting]), np.array([northing]), max_distance_m=max_distance_m)
    times = node_times(
        network, point, cutoff_s=limits[-1] * 60, towards=towards, off_network=off_network
    )[0]
    fwd, bwd = network.road_fwd_ds, network.road_bwd_ds
    buffer = max_distance_m if buffer_m is None else buffer_m
    # Weights for moving along a road away from its u end, and away from its v end.
    from_u, from_v = (bwd, fwd) if towards else (fwd, bwd)
    areas = [
        _area(network, times, from_u, from_v, limit * 600.0, easting, northing, buffer)
        for limit in limits
    ]
    return gpd.GeoDataFrame(
        {"minutes": limits, "estimated": bool(point.off_network[0])},
        geometry=areas,
        crs="EPSG:27700",
    )


def _reach(times: np.ndarray, weight: np.ndarray, limit: float) -> np.ndarray:
    """How far along each road (0..1) one gets from an end reached at `times` within `limit`."""
    spare = limit - times
    ok = (weight > 0) & np.isfinite(spare) & (spare >= 0)
    safe = np.where(ok, weight, 1)
    return np.where(ok, np.clip(spare / safe, 0.0, 1.0), 0.0)


def _area(
    network: RoadNetwork,
    times: np.ndarray,
    from_u: np.ndarray,
    from_v: np.ndarray,
    limit: float,
    easting: float,
    northing: float,
    buffer_m: float,
) -> shapely.Geometry:
    """The union of the reachable parts of roads, buffered, plus the point itself."""
    a = _reach(times[network.road_u], from_u, limit)
    b = _reach(times[network.road_v], from_v, limit)
    lines = network.road_lines
    whole = a + b >= 1.0
    pieces = list(lines[whole])
    for i in np.flatnonzero(~whole & ((a > 0) | (b > 0))):
        if a[i] > 0:
            pieces.append(substring(lines[i], 0.0, a[i], normalized=True))
        if b[i] > 0:
            pieces.append(substring(lines[i], 1.0 - b[i], 1.0, normalized=True))
    pieces.append(shapely.Point(easting, northing))
    return shapely.union_all(shapely.buffer(np.array(pieces, dtype=object), buffer_m))
