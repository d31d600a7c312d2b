"""Tariffs: the LA's annual cost of a place by setting type and need, and of transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from solver.errors import InputError, Problem
from solver.model import MAX_ANNUAL_COST, SettingType
from solver.needs import Need, parse_need
from solver.yamlfile import load_yaml_model

#: The tariff table shipped inside the package (illustrative defaults, see its comments), found
#: with importlib.resources so an installed wheel has it too.
DEFAULT_TARIFFS_PATH = Path(str(files("solver") / "data" / "tariffs.yaml"))


@dataclass(frozen=True)
class Transport:
    """Annual transport cost: `fixed + per_minute * minutes` beyond `free_within_minutes`."""

    fixed: float = 2000.0
    per_minute: float = 250.0
    free_within_minutes: float = 0.0

    def annual_cost(self, minutes: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Annual cost of transport for one-way journeys of `minutes` (vectorised)."""
        m = np.asarray(minutes, dtype=np.float64)
        return np.where(m > self.free_within_minutes, self.fixed + self.per_minute * m, 0.0)


@dataclass(frozen=True)
class Tariffs:
    """Annual place cost by setting type and need (a per-type default covers other needs)."""

    education: Mapping[SettingType, Mapping[Need | None, float]]
    transport: Transport

    def place_cost(self, setting_type: SettingType, need: Need) -> float:
        """The tariff for a child with `need` in a setting of `setting_type`."""
        by_need = self.education[setting_type]
        return float(by_need.get(need, by_need[None]))

    def place_costs(
        self, setting_types: npt.ArrayLike, needs: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Vectorised `place_cost` over arrays of setting type and need values."""
        table = {(t.value, n.value): self.place_cost(t, n) for t in SettingType for n in Need}
        t_b, n_b = np.broadcast_arrays(
            np.asarray(setting_types, dtype=object), np.asarray(needs, dtype=object)
        )
        costs = [table[(str(t), str(n))] for t, n in zip(t_b.ravel(), n_b.ravel(), strict=True)]
        return np.asarray(costs, dtype=np.float64).reshape(t_b.shape)


#: An annual amount of money in pounds: finite, not negative, at most MAX_ANNUAL_COST.
Money = Annotated[float, Field(ge=0, le=MAX_ANNUAL_COST, allow_inf_nan=False)]


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
