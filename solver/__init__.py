"""RightPlace solver: the SEND domain, its inputs and its decisions.

The public API, for a notebook as for the app and the CLI:

    from pathlib import Path
    from solver import open_workspace
    ws = open_workspace(Path("scenarios/baseline.yaml"), Path("out"))
    ws.tailored_lists(["S2-0120a0545c90b52b"]); ws.allocation().summary(); ws.forecast(10)

Each name loads its module on first use (PEP 562), so `import solver` stays quick: the
workspace loads the road network library, which `rightplace --help` never needs.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.domain.model import SettingType
    from solver.domain.needs import Need, Phase
    from solver.domain.reasons import Reason
    from solver.domain.scenario import Inputs, OpenSetting, Policy, Scenario
    from solver.errors import CheckFailed, InputError, Problem
    from solver.forecast.sufficiency import Forecast
    from solver.io.inputs import LoadedInputs, load_scenario_inputs
    from solver.io.scenario_file import load_scenario
    from solver.io.validate import ValidationReport, validate_files
    from solver.placement.allocate import Allocation
    from solver.sites.proposal import Proposal
    from solver.sites.reach import SiteEvaluation
    from solver.workspace import (
        SiteStudy,
        Workspace,
        compare_scenarios,
        open_forecast,
        open_workspace,
        write_site_study,
    )

__all__ = [
    "Allocation",
    "CheckFailed",
    "Forecast",
    "InputError",
    "Inputs",
    "LoadedInputs",
    "Need",
    "OpenSetting",
    "Phase",
    "Policy",
    "Problem",
    "Proposal",
    "Reason",
    "Scenario",
    "SettingType",
    "SiteEvaluation",
    "SiteStudy",
    "ValidationReport",
    "Workspace",
    "compare_scenarios",
    "load_scenario",
    "load_scenario_inputs",
    "open_forecast",
    "open_workspace",
    "validate_files",
    "write_site_study",
]

#: The module each public name lives in.
_HOMES = {
    "Allocation": "solver.placement.allocate",
    "CheckFailed": "solver.errors",
    "Forecast": "solver.forecast.sufficiency",
    "InputError": "solver.errors",
    "Inputs": "solver.domain.scenario",
    "LoadedInputs": "solver.io.inputs",
    "Need": "solver.domain.needs",
    "OpenSetting": "solver.domain.scenario",
    "Phase": "solver.domain.needs",
    "Policy": "solver.domain.scenario",
    "Problem": "solver.errors",
    "Proposal": "solver.sites.proposal",
    "Reason": "solver.domain.reasons",
    "Scenario": "solver.domain.scenario",
    "SettingType": "solver.domain.model",
    "SiteEvaluation": "solver.sites.reach",
    "SiteStudy": "solver.workspace",
    "ValidationReport": "solver.io.validate",
    "Workspace": "solver.workspace",
    "compare_scenarios": "solver.workspace",
    "load_scenario": "solver.io.scenario_file",
    "load_scenario_inputs": "solver.io.inputs",
    "open_forecast": "solver.workspace",
    "open_workspace": "solver.workspace",
    "validate_files": "solver.io.validate",
    "write_site_study": "solver.workspace",
}

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'solver' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's own names and the public API."""
    return sorted({*globals(), *__all__})
