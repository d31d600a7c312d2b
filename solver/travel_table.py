"""The travel-time table that lists and placements read: cached, else computed and cached."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from solver.inputs import LoadedInputs
from solver.problems import InputError, Problem
from solver.scenario import Scenario

#: The file `rightplace travel` writes, and its columns (solver.journeys defines the same).
TRAVEL_FILE = "travel_times.parquet"
JOURNEY_COLUMNS = ("child_id", "urn", "seconds", "estimated")


def find_journeys(scenario: Path, out_dir: Path, given: Path | None = None) -> Path | None:
    """The travel table to use: the one given, else in the output folder, else beside the
    scenario; None when there is none (a given path must exist)."""
    if given is not None:
        if not given.exists():
            raise InputError([Problem(str(given), None, "", "file not found")])
        return given
    for path in (out_dir / TRAVEL_FILE, Path(scenario).parent / TRAVEL_FILE):
        if path.exists():
            return path
    return None


def scenario_journeys(
    scenario_path: Path,
    scenario: Scenario,
    inputs: LoadedInputs,
    out_dir: Path,
    given: Path | None = None,
) -> pd.DataFrame:
    """The scenario's journeys: from the cached table, else computed on its road network and
    cached in `out_dir` so the next command reads them."""
    found = find_journeys(scenario_path, out_dir, given)
    if found is not None:
        return load_journeys(found)
    if scenario.inputs.network is None:
        message = f"no {TRAVEL_FILE} and no road network: give --journeys or inputs.network"
        raise InputError([Problem(str(scenario_path), None, "inputs.network", message)])
    from solver.journeys import journey_times, scenario_network  # loads geo only when needed

    journeys = journey_times(
        scenario_network(scenario, str(scenario_path)),
        inputs.children,
        inputs.settings,
        cutoff_minutes=scenario.policy.cutoff_minutes,
        children_file=str(scenario.inputs.children),
        settings_file=str(scenario.inputs.settings),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    journeys.to_parquet(out_dir / TRAVEL_FILE, index=False)
    return journeys


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
