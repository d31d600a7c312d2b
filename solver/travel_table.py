"""The cached travel-time table (`travel_times.parquet`) that lists and placements read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from solver.problems import InputError, Problem

JOURNEY_COLUMNS = ("child_id", "urn", "seconds", "estimated")
TRAVEL_FILE = "travel_times.parquet"


def find_journeys(scenario: Path, out_dir: Path, given: Path | None = None) -> Path:
    """The travel table to use: the one given, else in the output folder, else by the scenario."""
    candidates = [given] if given is not None else [out_dir / TRAVEL_FILE]
    if given is None:
        candidates.append(Path(scenario).parent / TRAVEL_FILE)
    for path in candidates:
        if path is not None and path.exists():
            return path
    message = f"no {TRAVEL_FILE}: run `rightplace travel --scenario {scenario} --out {out_dir}`"
    raise InputError([Problem(str(candidates[0]), None, "", message)])


def load_journeys(path: Path) -> pd.DataFrame:
    """Read a travel table (parquet or CSV) with JOURNEY_COLUMNS; every problem reported."""
    path = Path(path)
    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, "", "file not found")]) from None
    except (ValueError, OSError) as exc:
        raise InputError([Problem(str(path), None, "", f"not readable: {exc}")]) from None
    missing = [c for c in JOURNEY_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(Problem(str(path), 1, c, "missing column") for c in missing)
    problems = [
        Problem(str(path), int(row) + 2, "seconds", "negative or missing travel time")
        for row in table.index[~(table["seconds"] >= 0)]
    ]
    duplicated = table.duplicated(["child_id", "urn"])
    problems += [
        Problem(str(path), int(row) + 2, "urn", "duplicate (child_id, urn) journey")
        for row in table.index[duplicated]
    ]
    if problems:
        raise InputError(problems)
    return table.reset_index(drop=True)[list(JOURNEY_COLUMNS)].astype(
        {"child_id": str, "urn": str, "seconds": float, "estimated": bool}
    )
