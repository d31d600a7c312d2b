"""Road networks from local OSM XML or GraphML files, compiled once to arrays and cached on disk.

A compiled network is a set of roads between nodes in EPSG:27700 metres, each with an integer
travel time in deciseconds per direction (-1 where the road is one-way the other way) and a
length in decimetres. Integer weights make every journey time exact and reproducible.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import io
import json
import logging
import os
import tempfile
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely

if TYPE_CHECKING:  # osmnx and networkx load in a second: only compiling needs them
    import networkx as nx

logger = logging.getLogger(__name__)

#: Bump when the compiled layout or the weight definition changes: old caches are then ignored.
_FORMAT_VERSION = 2
_MPH = 1.609344

#: Speeds (km/h) by OSM `highway` type for roads without `maxspeed`: typical UK free-flow speeds.
DEFAULT_SPEEDS_KPH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 70 * _MPH,
        "motorway_link": 40 * _MPH,
        "trunk": 60 * _MPH,
        "trunk_link": 40 * _MPH,
        "primary": 50 * _MPH,
        "primary_link": 30 * _MPH,
        "secondary": 40 * _MPH,
        "secondary_link": 30 * _MPH,
        "tertiary": 35 * _MPH,
        "tertiary_link": 25 * _MPH,
        "unclassified": 30 * _MPH,
        "residential": 20 * _MPH,
        "living_street": 10 * _MPH,
        "service": 10 * _MPH,
        "road": 20 * _MPH,
        "busway": 20 * _MPH,
    }
)
#: Speed (km/h) for a road type with no `maxspeed` anywhere and no entry in the speed table.
FALLBACK_SPEED_KPH = 25 * _MPH
#: What reading a truncated, garbled or incomplete compiled network raises.
_DAMAGED_CACHE = (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile)


class ClippedExtractWarning(UserWarning):
    """An OSM extract has ways that reference nodes missing from the file (cut at a boundary)."""


def edge_deciseconds(travel_time_s: np.ndarray) -> np.ndarray:
    """The integer weight of a road: its travel time rounded up to whole deciseconds, at least 1.

    Rounding up keeps every journey at or above its true time; the same integers are used by
    every algorithm, so results agree exactly.
    """
    return np.maximum(np.ceil(np.asarray(travel_time_s, dtype=float) * 10.0 - 1e-9), 1).astype(
        np.int64
    )


@dataclass(frozen=True)
class RoadNetwork:
    """A road network as arrays: nodes in EPSG:27700, roads with integer costs and geometry.

    Road `i` joins node `road_u[i]` to `road_v[i]` (u < v); `road_fwd_ds[i]` is the drive time
    from u to v and `road_bwd_ds[i]` from v to u, in deciseconds, -1 where driving that way is not
    allowed. Its vertices (u first) are `geometry_xy[geometry_offsets[i]:geometry_offsets[i+1]]`.
    """

    node_x: np.ndarray
    node_y: np.ndarray
    road_u: np.ndarray
    road_v: np.ndarray
    road_fwd_ds: np.ndarray
    road_bwd_ds: np.ndarray
    road_length_dm: np.ndarray
    geometry_xy: np.ndarray
    geometry_offsets: np.ndarray

    @property
    def n_nodes(self) -> int:
        """How many junctions and dead ends the network has."""
        return int(self.node_x.shape[0])

    @property
    def n_roads(self) -> int:
        """How many roads (each one or two directed edges) the network has."""
        return int(self.road_u.shape[0])

    @cached_property
    def max_speed_kph(self) -> float:
        """The fastest speed on any road: journeys are never quicker than straight lines at it."""
        fastest = np.maximum(self.road_fwd_ds, self.road_bwd_ds)
        drivable = fastest > 0
        kph = self.road_length_dm[drivable] / fastest[drivable] * 3.6
        return float(kph.max()) if kph.size else 0.0

    @cached_property
    def drive_graph(self) -> sp.csr_matrix:
        """Directed drive times in deciseconds as a sparse matrix, `[from, to]`."""
        fwd = self.road_fwd_ds >= 0
        bwd = self.road_bwd_ds >= 0
        rows = np.concatenate([self.road_u[fwd], self.road_v[bwd]])
        cols = np.concatenate([self.road_v[fwd], self.road_u[bwd]])
        data = np.concatenate([self.road_fwd_ds[fwd], self.road_bwd_ds[bwd]]).astype(float)
        return sp.csr_matrix((data, (rows, cols)), shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def walk_graph(self) -> sp.csr_matrix:
        """Walking distances in decimetres along every road in both directions."""
        rows = np.concatenate([self.road_u, self.road_v])
        cols = np.concatenate([self.road_v, self.road_u])
        data = np.concatenate([self.road_length_dm, self.road_length_dm]).astype(float)
        return sp.csr_matrix((data, (rows, cols)), shape=(self.n_nodes, self.n_nodes))

    @cached_property
    def road_lines(self) -> np.ndarray:
        """Each road as a shapely LineString in EPSG:27700."""
        counts = np.diff(self.geometry_offsets)
        lines: np.ndarray = shapely.linestrings(
            self.geometry_xy, indices=np.repeat(np.arange(self.n_roads), counts)
        )
        return lines

    @cached_property
    def road_index(self) -> shapely.STRtree:
        """A spatial index over the roads, for snapping."""
        return shapely.STRtree(self.road_lines)


def default_cache_dir() -> Path:
    """Where compiled networks are kept: `$RIGHTPLACE_CACHE`, else `~/.cache/rightplace`."""
    env = os.environ.get("RIGHTPLACE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "rightplace"


def speed_table(speeds: Mapping[str, float] | None = None) -> dict[str, float]:
    """The default speeds by road type with the user's overrides (km/h) applied."""
    table = dict(DEFAULT_SPEEDS_KPH)
    table.update({str(k): float(v) for k, v in (speeds or {}).items()})
    bad = sorted(k for k, v in table.items() if not np.isfinite(v) or v <= 0)
    if bad:
        raise ValueError(f"speeds must be positive km/h; not for: {', '.join(bad)}")
    return table


def load_network(
    path: Path | str,
    *,
    speeds: Mapping[str, float] | None = None,
    cache_dir: Path | str | None = None,
) -> RoadNetwork:
    """Load a road network from OSM XML (`.osm`, `.osm.bz2`) or GraphML (`.graphml[.gz]`).

    The compiled arrays are cached under `cache_dir`, keyed by the file's content and the speed
    table, so later loads skip osmnx entirely. Never downloads anything.
    """
    path = Path(path)
    table = speed_table(speeds)
    cached = compiled_path(path, table, cache_dir)
    if cached.exists():
        logger.info("loading compiled network %s", cached)
        try:
            return _read_npz(cached)
        except _DAMAGED_CACHE as exc:  # a damaged cache entry is compiled again, never refused
            logger.warning("compiled network %s is damaged (%s): compiling again", cached, exc)
    logger.info("compiling %s (first load; later loads use the cache)", path)
    network = compile_graph(_read_graph(path), speeds=table)
    cached.parent.mkdir(parents=True, exist_ok=True)
    _write_npz(network, cached)
    return network


def compiled_path(
    path: Path | str,
    speeds: Mapping[str, float] | None = None,
    cache_dir: Path | str | None = None,
) -> Path:
    """Where `load_network` keeps the compiled arrays of a network file (present once it has
    been compiled with these speeds)."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return cache / f"{_stem(Path(path))}-{network_key(path, speeds)[:20]}.npz"


def add_travel_times(graph: nx.MultiDiGraph, *, speeds: Mapping[str, float]) -> nx.MultiDiGraph:
    """osmnx edge speeds and travel times, made deterministic.

    Simplified edges may carry lists of `highway` values in set order, which varies from run to
    run; osmnx takes the first, so sort them first.
    """
    for _, _, data in graph.edges(data=True):
        for key in ("highway", "maxspeed"):
            if isinstance(data.get(key), list):
                data[key] = sorted(set(data[key]))
    import osmnx as ox

    graph = ox.add_edge_speeds(graph, hwy_speeds=dict(speeds), fallback=FALLBACK_SPEED_KPH)
    return ox.add_edge_travel_times(graph)


def compile_graph(graph: nx.MultiDiGraph, *, speeds: Mapping[str, float]) -> RoadNetwork:
    """Turn an osmnx graph into a RoadNetwork: osmnx speeds and times, integer weights, BNG."""
    graph = add_travel_times(graph, speeds=speeds)
    to_bng = pyproj.Transformer.from_crs(graph.graph.get("crs", "epsg:4326"), 27700, always_xy=True)
    osmids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
    order = pd.Index(osmids)
    lon = np.array([graph.nodes[n]["x"] for n in osmids], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in osmids], dtype=float)
    node_x, node_y = (np.asarray(c, dtype=float) for c in to_bng.transform(lon, lat))

    rows = [
        (u, v, d["travel_time"], d["length"], d.get("geometry"))
        for u, v, d in graph.edges(data=True)
    ]
    edges = pd.DataFrame(rows, columns=["u", "v", "travel_time", "length", "geometry"])
    edges["u"] = order.get_indexer(edges["u"])
    edges["v"] = order.get_indexer(edges["v"])
    edges = edges[edges["u"] != edges["v"]]
    edges["ds"] = edge_deciseconds(edges["travel_time"].to_numpy())
    # Of parallel edges keep the quickest; that is the one any shortest path uses.
    edges = edges.sort_values(["ds", "length"], kind="stable").drop_duplicates(["u", "v"])
    forward = edges["u"] < edges["v"]
    edges["a"] = np.where(forward, edges["u"], edges["v"])
    edges["b"] = np.where(forward, edges["v"], edges["u"])
    fwd = edges[forward].set_index(["a", "b"])
    bwd = edges[~forward].set_index(["a", "b"])
    roads = fwd.add_suffix("_f").join(bwd.add_suffix("_b"), how="outer").sort_index()
    has_f = roads["ds_f"].notna().to_numpy()
    a = roads.index.get_level_values("a").to_numpy()
    b = roads.index.get_level_values("b").to_numpy()
    lines = [
        (geom_f if has else geom_b.reverse())
        if isinstance(geom_f if has else geom_b, shapely.LineString)
        else shapely.LineString([(lon[u], lat[u]), (lon[v], lat[v])])
        for geom_f, geom_b, has, u, v in zip(
            roads["geometry_f"], roads["geometry_b"], has_f, a, b, strict=True
        )
    ]
    xy, index = shapely.get_coordinates(lines, return_index=True)
    xy = np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1]))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=len(lines)))])
    # Pin each road's ends to its nodes so a point at a junction is exactly on both.
    xy[offsets[:-1]] = np.column_stack([node_x[a], node_y[a]])
    xy[offsets[1:] - 1] = np.column_stack([node_x[b], node_y[b]])
    length = np.where(has_f, roads["length_f"], roads["length_b"]).astype(float)
    return RoadNetwork(
        node_x=node_x,
        node_y=node_y,
        road_u=a.astype(np.int64),
        road_v=b.astype(np.int64),
        road_fwd_ds=roads["ds_f"].fillna(-1).to_numpy(dtype=np.int64),
        road_bwd_ds=roads["ds_b"].fillna(-1).to_numpy(dtype=np.int64),
        road_length_dm=np.maximum(np.ceil(length * 10.0 - 1e-9), 1).astype(np.int64),
        geometry_xy=xy.astype(float),
        geometry_offsets=offsets.astype(np.int64),
    )


def _read_graph(path: Path) -> nx.MultiDiGraph:
    """Read a file with osmnx by its suffix; clipped OSM extracts are repaired with a warning."""
    import osmnx as ox

    name = path.name.lower()
    if not path.exists():
        raise FileNotFoundError(path)
    if name.endswith((".graphml", ".graphml.gz")):
        return ox.load_graphml(path)
    if name.endswith((".osm", ".osm.bz2", ".xml", ".osm.gz")):
        with tempfile.TemporaryDirectory() as tmp:
            return ox.graph_from_xml(_unclipped_xml(path, Path(tmp)), retain_all=False)
    raise ValueError(f"{path.name}: not a road network file (.osm, .osm.bz2, .graphml[.gz])")


def _open(path: Path) -> io.BufferedIOBase:
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _unclipped_xml(path: Path, tmp: Path) -> Path:
    """The OSM XML itself, or a copy whose ways are cut where they reference missing nodes."""
    with _open(path) as stream:
        tree = ET.parse(stream)
    root = tree.getroot()
    present = {el.get("id") for el in root.iter("node")}
    ways = list(root.iter("way"))
    next_id = max((int(w.get("id", "0")) for w in ways), default=0) + 1
    cut = 0
    for way in ways:
        refs = way.findall("nd")
        if all(nd.get("ref") in present for nd in refs):
            continue
        cut += 1
        root.remove(way)
        tags = way.findall("tag")
        for run in _present_runs(refs, present):
            piece = ET.SubElement(root, "way", {"id": str(next_id)})
            next_id += 1
            piece.extend(run + tags)
    if not cut:
        return path if not path.name.lower().endswith(".gz") else _write(tree, tmp)
    warnings.warn(
        f"{path.name}: {cut} way(s) reference nodes missing from the file (an extract clipped "
        "at a boundary?); they were cut where nodes are missing",
        ClippedExtractWarning,
        stacklevel=4,
    )
    return _write(tree, tmp)


def _present_runs(refs: list[ET.Element], present: set[str | None]) -> list[list[ET.Element]]:
    """The stretches of a way whose nodes are all in the file, each at least two nodes long."""
    runs: list[list[ET.Element]] = [[]]
    for nd in refs:
        if nd.get("ref") in present:
            runs[-1].append(nd)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) >= 2]


def _write(tree: ET.ElementTree[ET.Element], tmp: Path) -> Path:
    out = tmp / "roads.osm"
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return out


def _stem(path: Path) -> str:
    return path.name.split(".")[0] or "network"


def network_key(path: Path | str, speeds: Mapping[str, float] | None = None) -> str:
    """A sha256 digest of what journeys on a network file depend on: the file's bytes, the
    speed table (the defaults with `speeds` applied) and the compiled format."""
    path = Path(path)
    status = path.stat()
    digest = _file_digest(str(path.resolve()), status.st_size, status.st_mtime_ns).copy()
    settings = {"format": _FORMAT_VERSION, "speeds": sorted(speed_table(speeds).items())}
    settings["fallback"] = FALLBACK_SPEED_KPH
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _file_digest(path: str, size: int, mtime_ns: int) -> hashlib._Hash:
    """A sha256 fed a file's bytes, read once per version of the file (size, modified time)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest


def _write_npz(network: RoadNetwork, target: Path) -> None:
    """Write the arrays atomically, so a half-written cache is never read."""
    arrays = {f.name: getattr(network, f.name) for f in fields(network)}
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".npz", delete=False) as tmp:
        try:
            np.savez(tmp, **arrays)
            tmp.flush()
            os.fsync(tmp.fileno())
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
    Path(tmp.name).replace(target)


def _read_npz(source: Path) -> RoadNetwork:
    with source.open("rb") as stream, np.load(stream, allow_pickle=False) as data:
        return RoadNetwork(**{f.name: data[f.name] for f in fields(RoadNetwork)})
