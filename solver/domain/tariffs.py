"""Tariffs: the LA's annual cost of a place by setting type and need, and of transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import Field

from solver.domain.model import MAX_ANNUAL_COST, SettingType
from solver.domain.needs import Need


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
