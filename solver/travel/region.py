"""Regional and national runs on Dask: journeys, tailored lists and allocation over many LAs.

Journeys are searched by LA of the setting: each partition holds an LA's settings (in chunks of
at most MAX_SEARCH_SETTINGS) and the children in its border zone, those whose homes lie within
the straight-line distance the network's fastest road covers in the cut-off, in any LA, plus
those who attend one of the settings now. Beyond that no journey can be within the cut-off, so
each setting is searched once and the partitions' journeys together are exactly the
single-machine travel table. Tailored lists run per LA of the child. Allocation is one global
min-cost flow over the union of the partitions' arcs, so capacities shared between LAs are
respected and the result equals the single-machine solve.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from solver.domain.scenario import Scenario
from solver.errors import SCHEDULER, InputError, Problem
from solver.placement.rules import current_settings, setting_reach_minutes
from solver.travel.journeys import located, scenario_network, scenario_pairs, with_ids

if TYPE_CHECKING:
    from distributed import Client

    from geo.network import RoadNetwork
    from geo.snap import Snapped

#: Margin (metres) added to the straight-line reach, for snapping legs and rounding.
REACH_MARGIN_M = 1_000.0
#: What `--scheduler` takes to start an embedded cluster on this machine.
LOCAL = "local"


#: Journey pairs when no partition has any (nobody can reach a setting).
_NO_PAIRS = pd.DataFrame(
    {
        "origin": np.array([], np.int32),
        "destination": np.array([], np.int32),
        "seconds": np.array([], np.int32),
        "estimated": np.array([], bool),
    }
)
#: The most settings one journey partition searches from (an LA with more is cut into strips).
MAX_SEARCH_SETTINGS = 100


@dataclass(frozen=True)
class Partition:
    """A part of the travel table: an LA's settings (rows of the settings table) and the
    children (rows of the children table) who could reach one of them or attend one now."""

    la_code: str
    children: np.ndarray
    settings: np.ndarray


def la_codes(table: pd.DataFrame) -> pd.Series:
    """Each row's LA: where a setting is, or the LA responsible for a child (`la_code`,
    optional: one LA when absent)."""
    if "la_code" not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    return table["la_code"].fillna("").astype(str)


def fastest_speed_mps(network: RoadNetwork) -> float:
    """The fastest drive speed on any road of the network (metres a second)."""
    times = np.concatenate([network.road_fwd_ds, network.road_bwd_ds]).astype(np.float64)
    lengths = np.concatenate([network.road_length_dm, network.road_length_dm])
    usable = times > 0
    return float(np.max(lengths[usable] / times[usable], initial=1.0))


def partitions(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    reach_m: float | np.ndarray,
    most: int = MAX_SEARCH_SETTINGS,
) -> list[Partition]:
    """Journey partitions: each LA's settings, cut into west-to-east strips of at most `most`,
    with the children whose homes are within a setting's `reach_m` (one for all, or one each)
    of the strip's box (the border zone) or who attend one of its settings now."""
    homes = children[["easting", "northing"]].to_numpy(np.float64)
    xy = settings[["easting", "northing"]].to_numpy(np.float64)
    reach = np.broadcast_to(np.asarray(reach_m, dtype=np.float64), len(settings))
    current = current_settings(children, settings)
    result = []
    for la, rows in la_codes(settings).groupby(la_codes(settings)).indices.items():
        rows = rows[np.argsort(xy[rows, 0], kind="stable")]
        for strip in np.array_split(rows, -(-len(rows) // most)):
            low = (xy[strip] - reach[strip, None]).min(axis=0)
            high = (xy[strip] + reach[strip, None]).max(axis=0)
            near = ((homes >= low) & (homes <= high)).all(axis=1)
            attending = np.isin(current, strip)
            strip = np.sort(strip)
            result.append(Partition(str(la), np.flatnonzero(near | attending), strip))
    return result


@contextlib.contextmanager
def dask_client(scheduler: str, workers: int, *, processes: bool = True) -> Iterator[Client]:
    """A Dask client: an embedded LocalCluster of `workers` single-threaded processes (threads
    with `processes=False`; dashboard on 127.0.0.1 when bokeh is installed), or the cluster at a
    scheduler address."""
    from distributed import Client, LocalCluster

    if scheduler == LOCAL:
        # Everything on 127.0.0.1 and free ports (two clusters can run at once); threads in
        # this process get no dashboard.
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=processes,
                host="127.0.0.1",
                protocol="tcp://",
                silence_logs=logging.WARNING,
                dashboard_address="127.0.0.1:0",
                scheduler_kwargs={"dashboard": processes and _has_bokeh()},
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout="5s")
    except (OSError, ValueError, TypeError) as exc:
        message = f"cannot reach the Dask scheduler: {exc}"
        raise InputError([Problem(SCHEDULER, None, "scheduler", message)]) from None
    with client:
        yield client


def _has_bokeh() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def _worker_network(scenario: Scenario, scenario_file: str) -> RoadNetwork:
    """The road network, loaded once per worker process (from the array cache after the first)."""
    return _network_at(str(scenario.inputs.network), scenario.model_dump_json(), scenario_file)


@functools.lru_cache(maxsize=2)
def _network_at(network: str, scenario_json: str, scenario_file: str) -> RoadNetwork:
    return scenario_network(Scenario.model_validate_json(scenario_json), scenario_file)


def _partition_journeys(
    scenario: Scenario,
    scenario_file: str,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    snapped: tuple[Snapped, Snapped],
    part: Partition,
    placement_only: bool = False,
) -> pd.DataFrame:
    """One partition's journeys by position in the whole children and settings tables (which,
    with their snapped points, every worker holds once)."""
    network = _worker_network(scenario, scenario_file)
    homes, places = snapped
    pairs = scenario_pairs(
        network,
        scenario,
        children.iloc[part.children],
        settings.iloc[part.settings],
        placement_only,
        workers=1,
        snapped=(homes.take(part.children), places.take(part.settings)),
    )
    return pairs.assign(
        origin=part.children[pairs["origin"].to_numpy()].astype(np.int32),
        destination=part.settings[pairs["destination"].to_numpy()].astype(np.int32),
    )


def region_journeys(
    client: Client,
    scenario: Scenario,
    scenario_file: str,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    placement_only: bool = False,
) -> pd.DataFrame:
    """The travel table, computed partition by partition on the cluster's workers (each setting
    searched once); the same rows as `journey_times` on one machine, ordered by child then
    setting (only those a placement can use with `placement_only`)."""
    network = _worker_network(scenario, scenario_file)
    # Every location is checked and snapped here, once, as on one machine: a child no
    # partition reaches too.
    snapped = located(
        network,
        children,
        settings,
        str(scenario.inputs.children_source),
        str(scenario.inputs.settings),
    )
    minutes = np.full(len(settings), float(scenario.policy.cutoff_minutes))
    if placement_only:
        minutes = np.minimum(minutes, setting_reach_minutes(settings, scenario.policy))
    reach = minutes * 60 * fastest_speed_mps(network) + REACH_MARGIN_M
    parts = [p for p in partitions(children, settings, reach) if p.children.size]
    shared = [client.scatter(x, broadcast=True) for x in (children, settings, snapped)]
    futures = [
        client.submit(
            _partition_journeys,
            scenario,
            scenario_file,
            *shared,
            part,
            placement_only,
            key=f"journeys-{part.la_code or 'all'}-{i}",
        )
        for i, part in enumerate(parts)
    ]
    _progress(futures)
    # Workers send positions, not ids (a fraction of the bytes); ids are joined once, here.
    parts = client.gather(futures)
    del futures  # so the workers let their copies go
    pairs = pd.concat(parts or [_NO_PAIRS], ignore_index=True)
    del parts
    key = pairs["origin"].to_numpy(np.int64) * len(settings) + pairs["destination"].to_numpy()
    ordered = pairs.iloc[np.argsort(key, kind="stable")]
    return with_ids(ordered, children, settings)


def region_lists(
    client: Client, lists_of: Any, children: pd.DataFrame, journeys: pd.DataFrame, la: pd.Series
) -> pd.DataFrame:
    """Tailored lists partition by partition on the workers: `lists_of(children, journeys)`
    for each LA's children (every setting is on or off each list, as on one machine)."""
    futures = []
    for code, rows in la.groupby(la).indices.items():
        mine = children.iloc[rows]
        trips = journeys[journeys["child_id"].isin(mine["child_id"].astype(str))]
        futures.append(client.submit(lists_of, mine, trips, key=f"lists-{code or 'all'}"))
    _progress(futures)
    return pd.concat(client.gather(futures), ignore_index=True)


def _progress(futures: list[Any]) -> None:
    """A progress bar on stderr while the partitions run (only when stderr is a terminal)."""
    if sys.stderr.isatty():
        from distributed import progress

        progress(futures)


def dashboard(client: Client) -> str | None:
    """The Dask dashboard's address, if the cluster has one."""
    link = getattr(client, "dashboard_link", None)
    return str(link) if link and _has_bokeh() else None
