"""The travel table's format: a parquet (or CSV) of journeys (child_id, urn, seconds,
estimated) with what it was computed from in its metadata, read and written with every problem
reported, and looked up by pair without comparing strings row by row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from solver.errors import InputError, Problem
from solver.io.outputs import write_parquet

#: The file `rightplace travel` writes, and its columns.
TRAVEL_FILE = "travel_times.parquet"
JOURNEY_COLUMNS = ("child_id", "urn", "seconds", "estimated")
#: Set (in a table's attrs and its parquet metadata) on a table holding only the journeys a
#: placement can use (`rightplace travel --placement-only`): tailored lists need them all.
PLACEMENT_ONLY = "rightplace.placement_only"
#: Key (in a table's attrs and its parquet metadata) of what the table was computed from.
INPUTS = "rightplace.inputs"


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
    minutes: np.ndarray = seconds[journey_rows(journeys, child_ids, urns)] / 60.0
    return minutes


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
    keys: np.ndarray = (
        child_ids.cat.codes.to_numpy().astype(np.int64) * width + urns.cat.codes.to_numpy()
    )
    return keys


def _ascending(keys: np.ndarray) -> bool:
    return bool(np.all(keys[1:] >= keys[:-1]))


def _duplicated(journeys: pd.DataFrame) -> np.ndarray:
    """Rows repeating an earlier row's (child_id, urn); by a linear scan when, as written by
    `rightplace travel`, the table is ordered by child then setting."""
    width = max(len(journeys["urn"].cat.categories), 1)
    keys = _keys(journeys["child_id"], journeys["urn"], width)
    repeated: np.ndarray
    if _ascending(keys):
        repeated = np.r_[False, keys[1:] == keys[:-1]][: len(keys)]
    else:
        repeated = pd.Series(keys).duplicated().to_numpy()
    return repeated
