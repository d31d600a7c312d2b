"""Offline base layers for maps: roads and points in longitude/latitude from local data only.

Web tile servers are out of reach, so maps draw the road network itself under their markers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from geo.network import RoadNetwork

if TYPE_CHECKING:
    import geopandas as gpd

#: The LA's outline (GeoJSON, WGS84), looked for next to the scenario's road network.
BOUNDARY_FILE = "boundary.geojson"
_TO_LONLAT = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_lonlat(
    easting: npt.ArrayLike, northing: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """British National Grid metres to WGS84 longitude and latitude (vectorised)."""
    lon, lat = _TO_LONLAT.transform(np.asarray(easting, float), np.asarray(northing, float))
    return np.asarray(lon), np.asarray(lat)


def road_paths(network: RoadNetwork, tolerance_m: float = 0.0) -> pd.DataFrame:
    """One row per road with its vertices as `[[lon, lat], ...]` in `path`, for a path layer;
    simplified within `tolerance_m` when given (fewer points to send and draw)."""
    lines = shapely.simplify(network.road_lines, tolerance_m) if tolerance_m else network.road_lines
    xy, road = shapely.get_coordinates(lines, return_index=True)
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    points = np.column_stack([lon, lat]).round(5)
    starts = np.flatnonzero(np.diff(road)) + 1
    return pd.DataFrame({"path": [part.tolist() for part in np.split(points, starts)]})


def view_centre(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[float, float]:
    """The middle of a set of points, for a map's initial view."""
    lon_a, lat_a = np.asarray(lon, float), np.asarray(lat, float)
    return float(np.nanmedian(lon_a)), float(np.nanmedian(lat_a))


def boundary_beside(network: Path | None) -> Path | None:
    """The LA outline kept next to a road network file, if there is one."""
    if network is None:
        return None
    path = Path(network).parent / BOUNDARY_FILE
    return path if path.exists() else None


def outline_paths(path: Path) -> pd.DataFrame:
    """Every ring of a GeoJSON outline as `[[lon, lat], ...]` in `path`, for a path layer."""
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    rings = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings += [ring for polygon in polygons for ring in polygon]
    return pd.DataFrame({"path": rings})


def polygon_rings(areas: gpd.GeoSeries, tolerance_m: float = 25.0) -> pd.DataFrame:
    """The outer ring of every polygon part of `areas` (EPSG:27700) as `[[lon, lat], ...]` in
    `polygon`, with the position of its area in `area`, for a polygon layer."""
    parts = areas.simplify(tolerance_m).explode(index_parts=False)
    rings = []
    for geometry in parts:
        x, y = np.asarray(geometry.exterior.coords.xy)
        lon, lat = to_lonlat(x, y)
        rings.append(np.column_stack([lon, lat]).round(5).tolist())
    positions = pd.Series(np.arange(len(areas)), index=areas.index)
    return pd.DataFrame({"area": positions.loc[parts.index].to_numpy(), "polygon": rings})
