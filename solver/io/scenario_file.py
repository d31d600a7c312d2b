"""The scenario file: YAML read into a validated Scenario (paths resolved against its folder),
and written back."""

from __future__ import annotations

from pathlib import Path

import yaml

from solver.domain.scenario import Inputs, Scenario
from solver.io.outputs import write_text
from solver.io.yamlfile import load_yaml_model


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file, resolving its input paths against its folder.

    Parameters
    ----------
    path
        The scenario YAML.

    Returns
    -------
    Scenario
        The scenario, its input paths absolute.

    Raises
    ------
    InputError
        Every problem of the file (missing, not YAML, unknown or bad fields).
    """
    path = Path(path)
    scenario = load_yaml_model(path, Scenario)
    base = path.parent
    resolved = {
        key: (base / value if value is not None else None)
        for key, value in scenario.inputs.model_dump(exclude={"population", "sen2"}).items()
    }
    population = [base / p for p in scenario.inputs.population]
    sen2 = scenario.inputs.sen2
    if sen2 is not None:
        key = None if sen2.key is None else base / sen2.key
        sen2 = sen2.model_copy(update={"path": base / sen2.path, "key": key})
    inputs = Inputs.model_validate({**resolved, "population": population, "sen2": sen2})
    return scenario.model_copy(update={"inputs": inputs})


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML that `load_scenario` reads back to an equal scenario wherever the
    file is saved: its input paths are written absolute."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["inputs"] = {
        key: [str(Path(p).absolute()) for p in value]
        if isinstance(value, list)
        else {k: v if k == "census" else str(Path(v).absolute()) for k, v in value.items()}
        if isinstance(value, dict)
        else str(Path(value).absolute())
        for key, value in data["inputs"].items()
    }
    text: str = yaml.safe_dump(data, sort_keys=False)
    return text


def write_scenario(scenario: Scenario, path: Path) -> Path:
    """The scenario as YAML at `path` (`scenario_yaml`), written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, scenario_yaml(scenario))
