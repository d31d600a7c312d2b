"""The travel-time table that lists and placements read: its format, what it was computed
from, and the cached or given table (`solver.journeys.scenario_journeys` searches anew).

A table says what it was computed from: a digest of each input its journeys depend on (the
children's ids, homes and current settings; the settings' URNs and locations; the road network
file and its speeds; the journey limits; whether it holds placement journeys only), kept in its
parquet metadata. Scenario changes never move a setting or a home in it: journeys to an opened
setting are searched apart (`solver.changes`). A cached table computed from other inputs, or
damaged, is computed again; a table given (the CLI's --journeys) that was is refused, naming what
changed. A table that does not say (made by hand) is used as given, and found only when there
is no road network to compute one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from solver.errors import InputError, Problem
from solver.inputs import LoadedInputs
from solver.outputs import write_parquet
from solver.rules import journey_limits
from solver.scenario import Scenario

logger = logging.getLogger(__name__)

#: The file `rightplace travel` writes, and its columns (solver.journeys defines the same).
TRAVEL_FILE = "travel_times.parquet"
JOURNEY_COLUMNS = ("child_id", "urn", "seconds", "estimated")
#: Set (in a table's attrs and its parquet metadata) on a table holding only the journeys a
#: placement can use (`rightplace travel --placement-only`): tailored lists need them all.
PLACEMENT_ONLY = "rightplace.placement_only"
#: Key (in a table's attrs and its parquet metadata) of what the table was computed from.
INPUTS = "rightplace.inputs"
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


def recorded_inputs(path: Path) -> dict[str, str] | None:
    """What a parquet travel table records it was computed from, read from its metadata alone
    (not its rows); None when it records nothing or cannot be read."""
    if Path(path).suffix != ".parquet":
        return None
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (ValueError, OSError, pa.ArrowException):
        return None
    return _parsed(metadata.get(INPUTS.encode()))


def _parsed(recorded: bytes | None) -> dict[str, str] | None:
    """A table's record of its inputs; None when absent or damaged."""
    try:
        parts = json.loads(recorded) if recorded is not None else None
    except ValueError:
        return None
    return {str(k): str(v) for k, v in parts.items()} if isinstance(parts, dict) else None


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
    from geo.network import network_key  # loads geo only when a network is named

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


def write_journeys(journeys: pd.DataFrame, path: Path) -> Path:
    """Write a travel table as parquet (atomically, private: it names children), with what it
    was computed from and whether it holds only placement journeys in its metadata."""
    table = pa.Table.from_pandas(journeys, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    if journeys.attrs.get(PLACEMENT_ONLY):
        metadata[PLACEMENT_ONLY.encode()] = b"true"
    if INPUTS in journeys.attrs:
        metadata[INPUTS.encode()] = json.dumps(journeys.attrs[INPUTS], sort_keys=True).encode()
    return write_parquet(path, table.replace_schema_metadata(metadata), private=True)


def load_journeys(path: Path) -> pd.DataFrame:
    """Read a travel table (parquet or CSV) with JOURNEY_COLUMNS; every problem reported."""
    path = Path(path)
    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        metadata = (pq.read_schema(path).metadata or {}) if path.suffix == ".parquet" else {}
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, "", "file not found")]) from None
    except (ValueError, OSError, pa.ArrowException) as exc:
        raise InputError([Problem(str(path), None, "", f"not readable: {exc}")]) from None
    missing = [c for c in JOURNEY_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(Problem(str(path), 1, c, "missing column") for c in missing)
    problems = [
        Problem(str(path), int(row) + 2, "seconds", "negative or missing travel time")
        for row in table.index[~(table["seconds"] >= 0)]
    ]
    table = table.reset_index(drop=True)[list(JOURNEY_COLUMNS)]
    table = table.assign(child_id=_categorical(table["child_id"]), urn=_categorical(table["urn"]))
    problems += [
        Problem(str(path), int(row) + 2, "urn", "duplicate (child_id, urn) journey")
        for row in np.flatnonzero(_duplicated(table))
    ]
    if problems:
        raise InputError(problems)
    table = table.astype({"seconds": float, "estimated": bool})
    table.attrs = {PLACEMENT_ONLY: PLACEMENT_ONLY.encode() in metadata}  # never pandas' own
    if INPUTS.encode() in metadata:
        recorded = _parsed(metadata[INPUTS.encode()])
        if recorded is None:
            raise InputError([Problem(str(path), None, INPUTS, "not readable: damaged record")])
        table.attrs[INPUTS] = recorded
    # Arrow keeps the memory it read with for reuse: gigabytes for a national table.
    pa.default_memory_pool().release_unused()
    return table


def journey_rows(journeys: pd.DataFrame, child_ids: pd.Series, urns: pd.Series) -> np.ndarray:
    """The row of `journeys` for each (child_id, urn) pair, -1 where there is none: found by
    the ids' integer codes in sorted order, never by comparing strings row by row."""
    child_col, urn_col = _categorical(journeys["child_id"]), _categorical(journeys["urn"])
    child = pd.Index(child_col.cat.categories).get_indexer(child_ids.astype(str))
    urn = pd.Index(urn_col.cat.categories).get_indexer(urns.astype(str))
    width = max(len(urn_col.cat.categories), 1)
    keys = _keys(child_col, urn_col, width)
    order = None if _ascending(keys) else np.argsort(keys, kind="stable")
    if order is not None:
        keys = keys[order]
    wanted = child.astype(np.int64) * width + urn
    at = np.searchsorted(keys, wanted)
    found = (child >= 0) & (urn >= 0) & (at < len(keys))
    found[found] = keys[at[found]] == wanted[found]
    rows = np.full(len(wanted), -1, dtype=np.int64)
    rows[found] = at[found] if order is None else order[at[found]]
    return rows


def journey_minutes(journeys: pd.DataFrame, child_ids: pd.Series, urns: pd.Series) -> np.ndarray:
    """The journey minutes of each (child_id, urn) pair; NaN where there is no journey."""
    seconds = np.append(journeys["seconds"].to_numpy(float), np.nan)  # row -1: no journey
    return seconds[journey_rows(journeys, child_ids, urns)] / 60.0


def appended(journeys: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """Two travel tables as one, the ids kept categorical (a plain concat would make them
    strings, row by row)."""
    ids = {
        c: union_categoricals([_categorical(journeys[c]), _categorical(more[c])], ignore_order=True)
        for c in ("child_id", "urn")
    }
    rest = pd.concat([journeys[["seconds", "estimated"]], more[["seconds", "estimated"]]])
    both = pd.DataFrame({**ids, **{c: rest[c].to_numpy() for c in rest.columns}})
    both.attrs.update(journeys.attrs)
    return both[list(JOURNEY_COLUMNS)]


def _categorical(ids: pd.Series) -> pd.Series:
    """An id column as a categorical of strings: one copy of each id, integer codes per row."""
    if isinstance(ids.dtype, pd.CategoricalDtype) and not ids.isna().any():
        named = ids.cat.categories
        return (
            ids if named.inferred_type == "string" else ids.cat.rename_categories(named.astype(str))
        )
    return ids.astype(str).astype("category")


def _keys(child_ids: pd.Series, urns: pd.Series, width: int) -> np.ndarray:
    """One integer per row for its (child_id, urn) pair, from the categoricals' codes."""
    return child_ids.cat.codes.to_numpy().astype(np.int64) * width + urns.cat.codes.to_numpy()


def _ascending(keys: np.ndarray) -> bool:
    return bool(np.all(keys[1:] >= keys[:-1]))


def _duplicated(journeys: pd.DataFrame) -> np.ndarray:
    """Rows repeating an earlier row's (child_id, urn); by a linear scan when, as written by
    `rightplace travel`, the table is ordered by child then setting."""
    width = max(len(journeys["urn"].cat.categories), 1)
    keys = _keys(journeys["child_id"], journeys["urn"], width)
    if _ascending(keys):
        return np.r_[False, keys[1:] == keys[:-1]][: len(keys)]
    return pd.Series(keys).duplicated().to_numpy()
