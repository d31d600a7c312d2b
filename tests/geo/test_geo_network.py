"""Loading, compiling and caching road networks from local OSM XML and GraphML files."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pyproj
import pytest
import shapely

from geo.network import (
    ClippedExtractWarning,
    add_travel_times,
    edge_deciseconds,
    load_network,
    speed_table,
)
from geo.snap import snap
from geo.travel import travel_time_matrix, walking_distance_matrix

RUTLAND = Path(__file__).resolve().parents[2] / "data" / "rutland" / "roads.osm.bz2"
RUTLAND_GRAPHML = Path("/work/shared/data/osm-rutland/rutland_drive.graphml.gz")

CLIPPED = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
<node id="1" lat="52.60" lon="-0.70"/><node id="2" lat="52.61" lon="-0.70"/>
<node id="3" lat="52.62" lon="-0.70"/><node id="5" lat="52.62" lon="-0.69"/>
<node id="7" lat="52.63" lon="-0.70"/>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>
<tag k="highway" v="residential"/></way>
<way id="11"><nd ref="3"/><nd ref="5"/><nd ref="6"/><tag k="highway" v="primary"/></way>
<way id="12"><nd ref="3"/><nd ref="7"/><tag k="highway" v="primary"/></way>
</osm>
"""
#: One residential street through nodes 1, 2 and 3, nothing missing.
STREET = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
<node id="1" lat="52.60" lon="-0.70"/><node id="2" lat="52.61" lon="-0.70"/>
<node id="3" lat="52.62" lon="-0.70"/>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
</osm>
"""


@pytest.fixture(scope="module")
def rutland(tmp_path_factory):
    """The Rutland drive network, compiled into a private cache."""
    return load_network(RUTLAND, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def rutland_nx():
    """Rutland read by osmnx directly, with the same speeds and integer weights: the reference."""
    graph = add_travel_times(ox.graph_from_xml(RUTLAND), speeds=speed_table())
    for _, _, data in graph.edges(data=True):
        data["w"] = int(edge_deciseconds([data["travel_time"]])[0])
    return graph


def test_times_agree_exactly_with_networkx_on_rutland(rutland, rutland_nx):
    """For 1,200 random junction pairs, times equal networkx Dijkstra on the same weights."""
    rng = np.random.default_rng(7)
    ids = np.array(list(rutland_nx.nodes))
    origins = rng.choice(ids, 40, replace=False)
    destinations = rng.choice(ids, 30, replace=False)
    to_bng = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)

    def at(chosen):
        lon = [rutland_nx.nodes[n]["x"] for n in chosen]
        lat = [rutland_nx.nodes[n]["y"] for n in chosen]
        return snap(rutland, *to_bng.transform(lon, lat))

    frame = travel_time_matrix(rutland, at(origins), at(destinations), cutoff_s=7200)
    got = {(o, d): s for o, d, s in frame[["origin", "destination", "seconds"]].values}
    expected = {}
    for i, o in enumerate(origins):
        lengths = nx.single_source_dijkstra_path_length(rutland_nx, o, weight="w")
        for j, d in enumerate(destinations):
            if d in lengths and (lengths[d] + 9) // 10 <= 7200:
                expected[(i, j)] = (lengths[d] + 9) // 10
    assert len(expected) > 1000
    assert got == expected


def test_never_faster_than_straight_line(rutland):
    """No journey beats the straight line between snapped points at the network's top speed."""
    rng = np.random.default_rng(3)
    nodes = rng.choice(rutland.n_nodes, 60, replace=False)
    x = rutland.node_x[nodes] + rng.normal(0, 30, 60)
    y = rutland.node_y[nodes] + rng.normal(0, 30, 60)
    points = snap(rutland, x, y)
    on_road = shapely.get_coordinates(
        shapely.line_interpolate_point(
            rutland.road_lines[points.road], points.fraction, normalized=True
        )
    )
    frame = travel_time_matrix(rutland, points, points, cutoff_s=7200)
    o, d = frame["origin"].to_numpy(), frame["destination"].to_numpy()
    straight = np.hypot(*(on_road[o] - on_road[d]).T)
    assert len(frame) > 3000
    assert (frame["seconds"].to_numpy() >= straight / (rutland.max_speed_kph / 3.6) - 1e-6).all()
    walk = walking_distance_matrix(rutland, points, points, cutoff_m=100_000)
    wo, wd = walk["origin"].to_numpy(), walk["destination"].to_numpy()
    assert (walk["metres"].to_numpy() >= np.hypot(*(on_road[wo] - on_road[wd]).T) - 1e-6).all()


def test_graphml_gives_the_same_network(rutland, tmp_path):
    """The GraphML osmnx made from the same extract compiles to the same junctions and roads."""
    from_graphml = load_network(RUTLAND_GRAPHML, cache_dir=tmp_path)
    assert from_graphml.n_nodes == rutland.n_nodes
    assert from_graphml.n_roads == rutland.n_roads
    assert np.array_equal(np.sort(from_graphml.road_fwd_ds), np.sort(rutland.road_fwd_ds))


def test_cache_is_used_and_keyed_by_speeds(tmp_path, monkeypatch):
    """A second load reads the cache without osmnx; other speeds compile a different network."""
    source = tmp_path / "roads.osm"
    source.write_text(STREET)
    first = load_network(source, cache_dir=tmp_path / "cache")

    def no_osmnx(*args, **kwargs):
        raise AssertionError("osmnx was called although the network is cached")

    monkeypatch.setattr(ox, "graph_from_xml", no_osmnx)
    again = load_network(source, cache_dir=tmp_path / "cache")
    assert np.array_equal(first.road_fwd_ds, again.road_fwd_ds)
    assert np.array_equal(first.geometry_xy, again.geometry_xy)
    monkeypatch.undo()
    slow = load_network(source, cache_dir=tmp_path / "cache", speeds={"residential": 8.0})
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2
    assert slow.road_fwd_ds.sum() > first.road_fwd_ds.sum()


def test_speed_overrides_set_travel_times(tmp_path):
    """A residential road without maxspeed takes length / the user's speed, rounded up."""
    source = tmp_path / "roads.osm"
    source.write_text(STREET)
    net = load_network(source, cache_dir=tmp_path, speeds={"residential": 36.0})
    assert net.n_roads == 1  # 2 is simplified away
    # 36 km/h is 10 m/s, so the time in deciseconds is the length in metres, rounded up
    expected = np.ceil(net.road_length_dm[0] / 10)
    assert abs(net.road_fwd_ds[0] - expected) <= 1
    assert net.road_fwd_ds[0] == net.road_bwd_ds[0]


def test_clipped_extract_loads_with_warning(tmp_path):
    """Ways referencing missing nodes are cut there, with a warning, instead of crashing osmnx."""
    source = tmp_path / "clipped.osm"
    source.write_text(CLIPPED)
    with pytest.warns(ClippedExtractWarning, match="2 way"):
        net = load_network(source, cache_dir=tmp_path)
    assert net.n_nodes == 4  # 1, the junction 3, 5 and 7; 2 is simplified away
    assert net.n_roads == 3


def test_bad_files_are_refused(tmp_path):
    """A missing file or an unknown format is an error, not a download or a crash."""
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "nowhere.osm", cache_dir=tmp_path)
    other = tmp_path / "roads.csv"
    other.write_text("a,b\n")
    with pytest.raises(ValueError, match="not a road network"):
        load_network(other, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="positive"):
        load_network(other, cache_dir=tmp_path, speeds={"primary": -5})
