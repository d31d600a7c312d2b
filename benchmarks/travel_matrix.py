"""Benchmark: children x settings drive-time matrix on a large road network, against networkx.

Compiles the network once (in a child process, so osmnx's memory is not counted), then in another
process reloads the cached network, snaps random homes and settings near roads and computes the
matrix `--runs` times; reports medians and that process's peak memory. Then times networkx
single-source Dijkstra per setting on a sample of the same settings, in the same run, and scales
it to all of them.

    rightplace synth --children 20000 --settings 700 --nodes 200000 --out out/synth
    python benchmarks/travel_matrix.py --scenario out/synth/scenario.yaml
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.network import RoadNetwork, load_network  # noqa: E402
from geo.snap import snap  # noqa: E402
from geo.travel import travel_time_matrix  # noqa: E402
from solver.io.inputs import load_scenario_inputs  # noqa: E402
from solver.io.scenario_file import load_scenario  # noqa: E402


def _compile(network: Path, cache_dir: Path) -> None:
    load_network(network, cache_dir=cache_dir)


def _points(net: RoadNetwork, count: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Random points scattered up to ~100 m around random junctions."""
    nodes = rng.integers(0, net.n_nodes, count)
    return (
        net.node_x[nodes] + rng.normal(0, 50, count),
        net.node_y[nodes] + rng.normal(0, 50, count),
    )


def _nearer_end(net: RoadNetwork, points) -> np.ndarray:
    return np.where(points.fraction < 0.5, net.road_u[points.road], net.road_v[points.road])


def _networkx_seconds(
    net: RoadNetwork, homes, settings, sample: int, cutoff_s: int
) -> tuple[float, int]:
    """Time networkx single-source Dijkstra per setting, as osmnx users do, on `sample` settings.

    The graph is an osmnx-style MultiDiGraph (reversed, so searches run from the settings) with
    `travel_time` in seconds; each setting and home is taken at its road's nearer end.
    """
    graph = nx.MultiDiGraph()
    rev = net.drive_graph.T.tocoo()
    graph.add_edges_from(
        (u, v, {"travel_time": w / 10.0})
        for u, v, w in zip(rev.row.tolist(), rev.col.tolist(), rev.data.tolist(), strict=True)
    )
    setting_node = _nearer_end(net, settings)
    home_node = _nearer_end(net, homes).tolist()
    start = time.perf_counter()
    pairs = 0
    for node in setting_node[:sample].tolist():
        lengths = nx.single_source_dijkstra_path_length(
            graph, node, cutoff=cutoff_s, weight="travel_time"
        )
        pairs += sum(1 for h in home_node if h in lengths)
    return time.perf_counter() - start, pairs


def _locations(args: argparse.Namespace, net: RoadNetwork) -> tuple[tuple[np.ndarray, ...], ...]:
    """Homes and settings: the scenario's own, else random points near junctions."""
    if args.scenario is not None:
        inputs = load_scenario_inputs(load_scenario(args.scenario))
        return tuple(
            (table["easting"].to_numpy(float), table["northing"].to_numpy(float))
            for table in (inputs.children, inputs.settings)
        )
    rng = np.random.default_rng(args.seed)
    return _points(net, args.children, rng), _points(net, args.settings, rng)


def _measure(args: argparse.Namespace, cache_dir: Path, results: multiprocessing.Queue) -> None:
    """The timed runs, in their own process so its peak memory is theirs alone."""
    reloads, snaps, matrices = [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        net = load_network(args.network, cache_dir=cache_dir)
        reloads.append(time.perf_counter() - start)
        home_xy, setting_xy = _locations(args, net)
        start = time.perf_counter()
        homes = snap(net, *home_xy)
        settings = snap(net, *setting_xy)
        snaps.append(time.perf_counter() - start)
        start = time.perf_counter()
        frame = travel_time_matrix(
            net, homes, settings, cutoff_s=args.cutoff_minutes * 60, workers=args.workers
        )
        matrices.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    sizes = (net.n_nodes, net.n_roads, len(homes), len(settings), len(frame))
    results.put((*sizes, reloads, snaps, matrices, peak))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--scenario",
        type=Path,
        help="a scenario (e.g. from `rightplace synth`): its network, children and settings",
    )
    source.add_argument("--network", type=Path, help="OSM XML or GraphML file; random points")
    parser.add_argument("--children", type=int, default=20_000, help="random homes (--network)")
    parser.add_argument("--settings", type=int, default=700, help="random settings (--network)")
    parser.add_argument("--cutoff-minutes", type=int, default=75)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; medians are reported")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--networkx-settings", type=int, default=20, help="settings timed with networkx"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: a fresh temp dir")
    args = parser.parse_args()
    if args.scenario is not None:
        args.network = load_scenario(args.scenario).inputs.network
    spawn = multiprocessing.get_context("spawn")

    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = args.cache_dir or Path(tmp)
        start = time.perf_counter()
        compiler = spawn.Process(target=_compile, args=(args.network, cache_dir))
        compiler.start()
        compiler.join()
        print(f"first load (osmnx + compile): {time.perf_counter() - start:.1f} s")

        results = spawn.Queue()
        runner = spawn.Process(target=_measure, args=(args, cache_dir, results))
        runner.start()
        nodes, roads, n_homes, n_settings, pairs, reloads, snaps, matrices, peak = results.get()
        runner.join()
        matrix_s = statistics.median(matrices)
        print(f"network: {nodes:,} nodes, {roads:,} roads")
        print(f"{n_homes:,} homes x {n_settings:,} settings")
        print(f"pairs within {args.cutoff_minutes} min: {pairs:,} (last run)")
        print(f"reload cached network: median {statistics.median(reloads):.2f} s")
        print(f"snap homes and settings: median {statistics.median(snaps):.2f} s")
        print(f"matrix ({args.workers} threads): median {matrix_s:.2f} s over {args.runs} runs")
        print(f"snap + matrix: median {statistics.median(np.add(snaps, matrices)):.2f} s")
        print(f"peak memory (reload, snap, matrix; threads share it): {peak:,.0f} MiB")

        net = load_network(args.network, cache_dir=cache_dir)
        home_xy, setting_xy = _locations(args, net)
        homes = snap(net, *home_xy)
        settings = snap(net, *setting_xy)
        sample = min(args.networkx_settings, len(settings))
        nx_s, _ = _networkx_seconds(net, homes, settings, sample, args.cutoff_minutes * 60)
        nx_all = nx_s / sample * len(settings)
        print(
            f"networkx single-source Dijkstra: {nx_s / sample:.2f} s per setting on {sample} "
            f"settings, so {nx_all:.0f} s for {len(settings)}; ours is {nx_all / matrix_s:.0f}x "
            "faster"
        )


if __name__ == "__main__":
    main()
