"""Input loaders in one place, and loading every file a scenario names with all problems at once.

The loaders themselves live in small modules (GIAS, places, children, postcodes); every later
command (travel, lists, solve, forecast) and the app call `load_scenario_inputs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from solver.domain.scenario import Scenario, Sen2Inputs
from solver.domain.tariffs import Tariffs
from solver.errors import InputError, Problem
from solver.io.children import NO_POSTCODE_LOOKUP, load_children
from solver.io.gias_reader import GiasRead, load_gias, read_gias
from solver.io.places import default_places, load_overrides, merge_places
from solver.io.postcodes import load_postcodes
from solver.io.sen2_files import sen2_children
from solver.io.tariffs import load_tariffs

__all__ = [
    "GiasRead",
    "LoadedFiles",
    "LoadedInputs",
    "default_places",
    "gather",
    "load_children",
    "load_files",
    "load_gias",
    "load_overrides",
    "load_postcodes",
    "load_scenario_inputs",
    "merge_places",
    "read_gias",
    "settings_places",
]

T = TypeVar("T")


def gather(problems: list[Problem], load: Callable[[], T]) -> T | None:
    """Run a loader; on InputError add its problems to `problems` and return None."""
    try:
        return load()
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def settings_places(gias: GiasRead, overrides: pd.DataFrame | None) -> pd.DataFrame:
    """GIAS default places with the override lines (if any) replacing them."""
    defaults = default_places(gias.settings, gias.provision)
    return defaults if overrides is None else merge_places(defaults, overrides)


@dataclass(frozen=True)
class LoadedFiles:
    """What each input file yielded (None when it was not given or had problems), and problems."""

    problems: tuple[Problem, ...]
    gias: GiasRead | None
    overrides: pd.DataFrame | None
    children: pd.DataFrame | None


def load_files(
    settings: Path,
    overrides: Path | None = None,
    children: Path | None = None,
    postcodes: Path | None = None,
    sen2: Sen2Inputs | None = None,
) -> LoadedFiles:
    """Load each file given, checking overrides and children against the settings; never raises.
    With `sen2`, the children come from that SEN2 return instead of a children file."""
    problems: list[Problem] = []
    gias = gather(problems, lambda: read_gias(settings))
    setting_table = None if gias is None else gias.settings
    override_table = None
    if overrides is not None:
        override_table = gather(problems, lambda: load_overrides(overrides, setting_table))
    lookup = None if postcodes is None else gather(problems, lambda: load_postcodes(postcodes))
    child_table = None
    if children is not None:
        child_problems: list[Problem] = []
        child_table = gather(child_problems, lambda: load_children(children, lookup, setting_table))
        if postcodes is not None and lookup is None:  # its own problems explain these
            child_problems = [p for p in child_problems if p.message != NO_POSTCODE_LOOKUP]
        problems += child_problems
    elif sen2 is not None:
        child_table = gather(
            problems,
            lambda: sen2_children(
                sen2.path, sen2.census, sen2.key, lookup, setting_table, settings
            ),
        )
    return LoadedFiles(tuple(problems), gias, override_table, child_table)


@dataclass(frozen=True)
class LoadedInputs:
    """Everything a scenario's files hold, validated: the tables every later step works on."""

    settings: pd.DataFrame  # SETTING_COLUMNS
    places: pd.DataFrame  # PLACE_COLUMNS, GIAS defaults merged with overrides
    children: pd.DataFrame  # CHILD_COLUMNS
    tariffs: Tariffs


def load_scenario_inputs(scenario: Scenario) -> LoadedInputs:
    """Load every file `scenario` names; one InputError with the problems of all files.

    Parameters
    ----------
    scenario
        A scenario from `load_scenario`.

    Returns
    -------
    LoadedInputs
        Its settings, places, children and tariffs as tables.

    Raises
    ------
    InputError
        The problems of all the files together.
    """
    files = scenario.inputs
    loaded = load_files(
        files.settings, files.overrides, files.children, files.postcodes, files.sen2
    )
    problems = list(loaded.problems)
    tariff_path = files.tariffs
    tariffs = gather(
        problems, lambda: load_tariffs() if tariff_path is None else load_tariffs(tariff_path)
    )
    if problems or loaded.gias is None or loaded.children is None or tariffs is None:
        raise InputError(problems)
    return LoadedInputs(
        settings=loaded.gias.settings,
        places=settings_places(loaded.gias, loaded.overrides),
        children=loaded.children,
        tariffs=tariffs,
    )
