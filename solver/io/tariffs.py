"""The tariff file: YAML of annual place costs by setting type and need, and of transport."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from solver.domain.model import SettingType
from solver.domain.needs import Need, parse_need
from solver.domain.tariffs import Money, Tariffs, Transport
from solver.errors import InputError, Problem
from solver.io.yamlfile import load_yaml_model

#: The tariff table shipped inside the package (illustrative defaults, see its comments), found
#: with importlib.resources so an installed wheel has it too.
DEFAULT_TARIFFS_PATH = Path(str(files("solver") / "data" / "tariffs.yaml"))


class _TransportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fixed: Money = 2000.0
    per_minute: Money = 250.0
    free_within_minutes: float = Field(0.0, ge=0, le=24 * 60, allow_inf_nan=False)


class _TariffFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    education: dict[SettingType, dict[str, Money]]
    transport: _TransportFile = Field(default_factory=_TransportFile)


def load_tariffs(path: Path = DEFAULT_TARIFFS_PATH) -> Tariffs:
    """Read a tariff YAML file; every setting type needs a `default`; errors name the key."""
    path = Path(path)
    parsed = load_yaml_model(path, _TariffFile)
    problems: list[Problem] = []
    education: dict[SettingType, Mapping[Need | None, float]] = {}
    for setting_type in SettingType:
        table = parsed.education.get(setting_type)
        if table is None or "default" not in table:
            problems.append(
                Problem(str(path), None, f"education.{setting_type.value}.default", "missing")
            )
            continue
        by_need: dict[Need | None, float] = {None: table["default"]}
        for key, cost in table.items():
            if key == "default":
                continue
            try:
                by_need[parse_need(key)] = cost
            except ValueError as exc:
                problems.append(
                    Problem(str(path), None, f"education.{setting_type.value}.{key}", str(exc))
                )
        education[setting_type] = MappingProxyType(by_need)
    if problems:
        raise InputError(problems)
    return Tariffs(
        education=MappingProxyType(education),
        transport=Transport(**parsed.transport.model_dump()),
    )
