"""Journey times for a scenario: children's homes to settings on the scenario's road network.

The glue between the domain tables and `geo`: homes too far from any road are input problems
(never silently snapped); settings outside the network get estimated times, marked as such.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.network import RoadNetwork, load_network
from geo.snap import Snapped, snap
from geo.travel import Reach, travel_time_matrix
from solver.domain.scenario import Policy, Scenario
from solver.errors import InputError, Problem
from solver.placement.rules import (
    age_and_limit_met,
    child_reach_minutes,
    current_settings,
    in_scope,
    setting_reach_minutes,
)

#: A home farther than this (metres) from every road is reported, not snapped.
HOME_MAX_DISTANCE_M = 1000.0
#: A setting farther than this from every road is outside the network: its times are estimated.
SETTING_MAX_DISTANCE_M = 500.0
#: Journeys to a child's current setting are kept up to this long whatever the cut-off.
CURRENT_SETTING_CUTOFF_MINUTES = 240


def journey_times(
    network: RoadNetwork, children: pd.DataFrame, settings: pd.DataFrame, **search: Any
) -> pd.DataFrame:
    """Drive times (whole seconds) from every child's home to every setting within the cut-off:
    `journey_pairs` (`search` its keyword arguments, `cutoff_minutes` required) as the travel
    table (`with_ids`). Bad locations raise InputError (see `located`)."""
    return with_ids(journey_pairs(network, children, settings, **search), children, settings)


def journey_pairs(
    network: RoadNetwork,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    *,
    cutoff_minutes: int,
    children_file: str = "children",
    settings_file: str = "settings",
    workers: int = 2,
    reach_minutes: np.ndarray | None = None,
    home_minutes: np.ndarray | None = None,
    snapped: tuple[Snapped, Snapped] | None = None,
) -> pd.DataFrame:
    """The journeys of `journey_times` by position: `origin` (row of `children`), `destination`
    (row of `settings`), `seconds`, `estimated`; compact to send between processes. With
    `reach_minutes` (per setting) and `home_minutes` (per child), a pair is searched only as far
    as the smaller of the two (never beyond the cut-off). Journeys to a child's current setting
    are kept up to CURRENT_SETTING_CUTOFF_MINUTES. `snapped`: homes and settings already
    `located`."""
    homes, places = snapped or located(network, children, settings, children_file, settings_file)
    reach = Reach(
        origin_s=None if home_minutes is None else home_minutes * 60,
        destination_s=None if reach_minutes is None else reach_minutes * 60,
        own=current_settings(children, settings),
        own_s=CURRENT_SETTING_CUTOFF_MINUTES * 60,
    )
    return travel_time_matrix(
        network, homes, places, cutoff_s=cutoff_minutes * 60, reach=reach, workers=workers
    )


def with_ids(pairs: pd.DataFrame, children: pd.DataFrame, settings: pd.DataFrame) -> pd.DataFrame:
    """Journey pairs by position as the travel table: child_id, urn, seconds, estimated; the
    ids categorical over the tables' ids, so the positions are their codes (nothing copied)."""
    return pd.DataFrame(
        {
            "child_id": _coded(children["child_id"], pairs["origin"]),
            "urn": _coded(settings["urn"], pairs["destination"]),
            "seconds": pairs["seconds"].to_numpy(),
            "estimated": pairs["estimated"].to_numpy(),
        }
    )


def _coded(ids: pd.Series, positions: pd.Series) -> pd.Categorical:
    """`ids` at `positions`, as a categorical whose codes are the positions (ids are unique)."""
    return pd.Categorical.from_codes(positions.to_numpy(), categories=pd.Index(ids.astype(str)))


def located(
    network: RoadNetwork,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    children_file: str = "children",
    settings_file: str = "settings",
) -> tuple[Snapped, Snapped]:
    """Children's homes and settings snapped to the network.

    Raises InputError naming the file, row and column of each child whose home is missing or
    farther than HOME_MAX_DISTANCE_M from any road, and of each setting without coordinates.
    """
    problems = _missing_coordinates(children, children_file) + _missing_coordinates(
        settings, settings_file
    )
    if problems:
        raise InputError(problems)
    homes = snap(
        network,
        children["easting"].to_numpy(float),
        children["northing"].to_numpy(float),
        max_distance_m=HOME_MAX_DISTANCE_M,
    )
    far = np.flatnonzero(homes.off_network)
    if far.size:
        raise InputError(
            Problem(
                children_file,
                _line(children, int(i)),
                "easting",
                f"home is {homes.distance_m[i]:,.0f} m from the nearest road in the network "
                f"(limit {HOME_MAX_DISTANCE_M:,.0f} m): wrong location, or a network that does "
                "not cover it",
            )
            for i in far
        )
    places = snap(
        network,
        settings["easting"].to_numpy(float),
        settings["northing"].to_numpy(float),
        max_distance_m=SETTING_MAX_DISTANCE_M,
    )
    return homes, places


def scenario_pairs(
    network: RoadNetwork,
    scenario: Scenario,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    placement_only: bool,
    workers: int = 2,
    snapped: tuple[Snapped, Snapped] | None = None,
) -> pd.DataFrame:
    """`journey_pairs` under the scenario's cut-off and files; with `placement_only`, each
    setting searched only as far as the year groups it takes may travel (a primary school to
    the primary limit), each child only as far as their phase's limit if they are to be placed
    (else only to their current setting), and only the pairs `for_placement` keeps."""
    policy = scenario.policy
    pairs = journey_pairs(
        network,
        children,
        settings,
        cutoff_minutes=policy.cutoff_minutes,
        children_file=str(scenario.inputs.children_source),
        settings_file=str(scenario.inputs.settings),
        workers=workers,
        reach_minutes=setting_reach_minutes(settings, policy) if placement_only else None,
        home_minutes=child_reach_minutes(children, policy) if placement_only else None,
        snapped=snapped,
    )
    return for_placement(pairs, children, settings, policy) if placement_only else pairs


def for_placement(
    pairs: pd.DataFrame, children: pd.DataFrame, settings: pd.DataFrame, policy: Policy
) -> pd.DataFrame:
    """The journey pairs a placement can use: from children in scope to settings for their
    year group within their phase's limit, and from every child to their current setting.
    Far fewer (a national table is otherwise billions of rows); not enough for tailored lists."""
    child = pairs["origin"].to_numpy(np.int64)
    setting = pairs["destination"].to_numpy(np.int64)
    minutes = pairs["seconds"].to_numpy(float) / 60.0
    usable = in_scope(children, policy)[child]
    usable &= age_and_limit_met(children, settings, policy, child, setting, minutes)
    return pairs[usable | (setting == current_settings(children, settings)[child])]


def scenario_network(scenario: Scenario, scenario_file: str) -> RoadNetwork:
    """The scenario's road network, loaded through the cache; a missing one is an input problem."""
    path = scenario.inputs.network
    if path is None:
        raise InputError(
            [Problem(scenario_file, None, "inputs.network", "a road network file is needed")]
        )
    try:
        return load_network(Path(path))
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, "", "file not found")]) from None
    except (ValueError, ET.ParseError) as exc:
        raise InputError([Problem(str(path), None, "", str(exc))]) from None
    except (OSError, EOFError) as exc:  # a truncated or corrupt compressed file
        detail = getattr(exc, "strerror", None) or exc
        message = f"not a readable road network file ({detail})"
        raise InputError([Problem(str(path), None, "", message)]) from None


def _missing_coordinates(table: pd.DataFrame, file: str) -> list[Problem]:
    """Rows (file line numbers, header = 1) whose easting or northing is missing or not finite."""
    problems = []
    for column in ("easting", "northing"):
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
        problems += [
            Problem(file, _line(table, int(i)), column, "missing or not a number")
            for i in np.flatnonzero(~np.isfinite(values))
        ]
    return problems


def _line(table: pd.DataFrame, position: int) -> int:
    """The file line of a table row: loaders index rows by data position; the header is line 1."""
    label = table.index[position]
    return int(label) + 2 if isinstance(label, int | np.integer) else int(position) + 2


def some_children(children: pd.DataFrame, only: list[str] | None) -> pd.DataFrame:
    """The children with the given ids (all of them for None)."""
    return children if only is None else children[children["child_id"].astype(str).isin(only)]


def local_search(
    scenario: Scenario, scenario_file: str, children: pd.DataFrame, settings: pd.DataFrame
) -> pd.DataFrame:
    """Every journey of `children` to `settings` within the scenario's cut-off, on this machine."""
    return journey_times(
        scenario_network(scenario, scenario_file),
        children,
        settings,
        cutoff_minutes=scenario.policy.cutoff_minutes,
        children_file=str(scenario.inputs.children_source),
        settings_file=str(scenario.inputs.settings),
    )
