"""What a travel table was computed from, and the cached or given table for a scenario (its
format is `solver.io.journeys`; `solver.workspace.scenario_journeys` uses both and searches anew).

A table says what it was computed from: a digest of each input its journeys depend on (the
children's ids, homes and current settings; the settings' URNs and locations; the road network
file and its speeds; the journey limits; whether it holds placement journeys only), kept in its
parquet metadata. Scenario changes never move a setting or a home in it: journeys to an opened
setting are searched apart (`solver.scenarios.changes`). A cached table computed from other
inputs, or damaged, is computed again; a table given (the CLI's --journeys) that was is
refused, naming what changed. A table that does not say (made by hand) is used as given, and
found only when there is no road network to compute one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geo.network import network_key
from solver.domain.scenario import Scenario
from solver.errors import InputError, Problem
from solver.io.inputs import LoadedInputs
from solver.io.journeys import INPUTS, PLACEMENT_ONLY, load_journeys, recorded_inputs
from solver.placement.rules import journey_limits

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)

#: Bump when the journey search changes what it finds: tables computed before are computed again.
SEARCH_VERSION = "1"
#: Each input a travel table is computed from, as a problem names it when it changed.
INPUT_NAMES = {
    "children": "the children (ids, homes or current settings)",
    "settings": "the settings (URNs or locations)",
    "road network": "the road network file or its speeds",
    "journey limits": "the journey limits",
    "placement only": "whether it holds placement journeys only",
    "search": "the journey search (another RightPlace version)",
}
#: A journey search: (scenario, scenario file, children, settings) -> their travel table.
Search = Callable[[Scenario, str, pd.DataFrame, pd.DataFrame], pd.DataFrame]


def journey_inputs(
    scenario: Scenario, inputs: LoadedInputs, placement_only: bool = False
) -> dict[str, str]:
    """What the scenario's travel table is computed from: a sha256 digest of each input of
    INPUT_NAMES (a placement-only table also depends on year groups, scope and every limit)."""
    policy = scenario.policy
    child_columns = ["child_id", "easting", "northing", "current_urn"]
    setting_columns = ["urn", "easting", "northing"]
    limits: object = policy.cutoff_minutes
    if placement_only:
        child_columns += ["ncy", "transfer"]
        setting_columns += ["ncy_low", "ncy_high"]
        limits = {"by_ncy": journey_limits(policy).tolist(), "move_current": policy.move_current}
    return {
        "children": _rows_digest(inputs.children, child_columns),
        "settings": _rows_digest(inputs.settings, setting_columns),
        "road network": _network_digest(scenario),
        "journey limits": _digest(json.dumps(limits, sort_keys=True).encode()),
        "placement only": str(placement_only).lower(),
        "search": SEARCH_VERSION,
    }


def stamped(
    journeys: pd.DataFrame, scenario: Scenario, inputs: LoadedInputs, placement_only: bool = False
) -> pd.DataFrame:
    """The travel table marked with what it was computed from (and if placement journeys only)."""
    journeys.attrs[PLACEMENT_ONLY] = placement_only
    journeys.attrs[INPUTS] = journey_inputs(scenario, inputs, placement_only)
    return journeys


def changed_inputs(
    recorded: Mapping[str, str], scenario: Scenario, inputs: LoadedInputs
) -> list[str]:
    """The inputs of INPUT_NAMES that are not what a table `recorded` it was computed from
    (the road network is not compared when the scenario names none)."""
    now = journey_inputs(scenario, inputs, recorded.get("placement only") == "true")
    if scenario.inputs.network is None:
        now["road network"] = recorded.get("road network", "")
    return [name for name in INPUT_NAMES if recorded.get(name) != now[name]]


def _rows_digest(table: pd.DataFrame, columns: list[str]) -> str:
    """A digest of the rows' values in `columns`, whatever the rows' order."""
    canonical = pd.DataFrame(
        {
            c: table[c].to_numpy(np.float64, na_value=np.nan)
            if pd.api.types.is_numeric_dtype(table[c].dtype)
            else table[c].fillna("").astype(str).to_numpy(object)
            for c in columns
        }
    )
    rows = np.sort(pd.util.hash_pandas_object(canonical, index=False).to_numpy())
    return _digest(json.dumps(columns).encode() + rows.tobytes())


def _network_digest(scenario: Scenario) -> str:
    """The digest of the scenario's road network and speeds ("" for none); a missing file is a
    problem."""
    path = scenario.inputs.network
    if path is None:
        return ""
    try:
        return network_key(path)
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, "", "file not found")]) from None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def given_journeys(path: Path, scenario: Scenario, inputs: LoadedInputs) -> pd.DataFrame:
    """The travel table given; one recording other inputs is a problem naming
    what changed (found before its rows are read)."""
    recorded = recorded_inputs(path)
    changed = [] if recorded is None else changed_inputs(recorded, scenario, inputs)
    if changed:
        message = (
            "was computed from other inputs than this scenario's: "
            + "; ".join(INPUT_NAMES[name] for name in changed)
            + " changed since: compute the travel table again, or give none"
        )
        raise InputError([Problem(str(path), None, INPUTS, message)])
    return load_journeys(path)


def cached_journeys(
    path: Path, scenario: Scenario, inputs: LoadedInputs, can_search: bool
) -> pd.DataFrame | None:
    """The travel table at `path` if it is there and was computed from these inputs (a stale
    one is passed over, None, without reading its rows). When journeys `can_search` anew, a
    damaged table, or one that records nothing, is passed over too; else those are used, and
    a damaged one is a problem."""
    if not path.exists():
        return None
    recorded = recorded_inputs(path)
    changed = [] if recorded is None else changed_inputs(recorded, scenario, inputs)
    if changed or (recorded is None and can_search):
        why = ", ".join(changed) or "no record of its inputs, or damaged"
        logger.info("%s is not for these inputs (%s): computing the journeys again", path, why)
        return None
    try:
        return load_journeys(path)
    except InputError:
        if not can_search:
            raise
        logger.warning("%s is damaged: computing the journeys again", path)
        return None
