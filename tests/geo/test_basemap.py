"""The offline base map: the LA outline and reachable areas as lon/lat rings."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import shapely

from geo.basemap import BOUNDARY_FILE, boundary_beside, outline_paths, polygon_rings, to_lonlat

REPO = Path(__file__).resolve().parents[2]


def test_sample_outline_sits_next_to_its_roads_and_holds_oakham() -> None:
    """The Rutland outline is found beside the sample's roads, and Oakham lies inside it."""
    path = boundary_beside(REPO / "data" / "rutland" / "roads.osm.bz2")
    assert path == REPO / "data" / "rutland" / BOUNDARY_FILE
    rings = outline_paths(path)["path"].tolist()
    oakham = shapely.Point(*(float(v[0]) for v in to_lonlat([486000], [308800])))
    assert any(shapely.Polygon(ring).contains(oakham) for ring in rings)
    assert boundary_beside(REPO / "scenarios" / "baseline.yaml") is None


def test_outline_paths_reads_every_ring_of_a_multipolygon(tmp_path: Path) -> None:
    """A two-part multipolygon with a hole gives three rings, coordinates unchanged."""
    square = [[0, 0], [1, 0], [1, 1], [0, 0]]
    hole = [[0.2, 0.2], [0.4, 0.2], [0.4, 0.4], [0.2, 0.2]]
    other = [[5, 5], [6, 5], [6, 6], [5, 5]]
    geometry = {"type": "MultiPolygon", "coordinates": [[square, hole], [other]]}
    path = tmp_path / BOUNDARY_FILE
    path.write_text(json.dumps({"features": [{"geometry": geometry}]}), encoding="utf-8")
    assert outline_paths(path)["path"].tolist() == [square, hole, other]


def test_polygon_rings_keep_the_area_each_part_came_from() -> None:
    """Each polygon part of each area becomes one ring labelled with its area's position."""
    one = shapely.box(480000, 300000, 481000, 301000)
    two = shapely.MultiPolygon(
        [shapely.box(482000, 300000, 483000, 301000), shapely.box(485000, 300000, 486000, 301000)]
    )
    rings = polygon_rings(gpd.GeoSeries([one, two], index=[7, 9], crs="EPSG:27700"))
    assert rings["area"].tolist() == [0, 1, 1]
    assert all(len(r) == 5 and r[0] == r[-1] for r in rings["polygon"])
