"""Offline base layers for maps: roads and points in longitude/latitude from local data only.

Web tile servers are out of reach, so maps draw the road network itself under their markers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

from geo.network import RoadNetwork

_TO_LONLAT = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_lonlat(
    easting: npt.ArrayLike, northing: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """British National Grid metres to WGS84 longitude and latitude (vectorised)."""
    lon, lat = _TO_LONLAT.transform(np.asarray(easting, float), np.asarray(northing, float))
    return np.asarray(lon), np.asarray(lat)


def road_paths(network: RoadNetwork) -> pd.DataFrame:
    """One row per road with its vertices as `[[lon, lat], ...]` in `path`, for a path layer."""
    lon, lat = to_lonlat(network.geometry_xy[:, 0], network.geometry_xy[:, 1])
    points = np.column_stack([lon, lat]).round(5)
    offsets = network.geometry_offsets
    paths = [points[offsets[i] : offsets[i + 1]].tolist() for i in range(network.n_roads)]
    return pd.DataFrame({"path": paths})


def view_centre(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[float, float]:
    """The middle of a set of points, for a map's initial view."""
    lon_a, lat_a = np.asarray(lon, float), np.asarray(lat, float)
    return float(np.nanmedian(lon_a)), float(np.nanmedian(lat_a))
