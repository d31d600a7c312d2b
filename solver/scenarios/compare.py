"""Scenario comparison: each scenario's placement metrics and forecast gaps, then one row per
metric side by side (the workspace solves and forecasts each scenario).

Placements are solved on provision as it stands once every change has taken effect; the
sufficiency gaps follow the changes year by year in the forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from solver.domain.groups import INDEPENDENT_TYPES, STATE_FUNDED_SPECIAL_TYPES
from solver.domain.model import SettingType, home_la
from solver.domain.tariffs import Tariffs
from solver.errors import SCENARIO_NAMES, InputError, Problem
from solver.forecast.sufficiency import Forecast
from solver.io.inputs import LoadedInputs
from solver.placement.allocate import Allocation

#: Setting types counted in each share_* metric.
SHARE_GROUPS: dict[str, frozenset[SettingType]] = {
    "share_mainstream": frozenset({SettingType.MAINSTREAM}),
    "share_resourced": frozenset({SettingType.MAINSTREAM_RP}),
    "share_special": STATE_FUNDED_SPECIAL_TYPES,
    "share_independent": INDEPENDENT_TYPES,
}
COMPARISON_FILE = "comparison.csv"


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario's placement metrics and its forecast sufficiency gaps by year, need, phase."""

    metrics: dict[str, float]
    gaps: pd.Series


def placement_metrics(
    placements: pd.DataFrame, unplaced: pd.DataFrame, settings: pd.DataFrame, tariffs: Tariffs
) -> dict[str, float]:
    """The comparison's placement figures: counts, shares by setting type, journeys and costs.

    Out of area means a setting whose GIAS LA is not the home LA (home_la)."""
    by_urn = settings.set_index(settings["urn"].astype(str))
    types = by_urn["setting_type"].astype(str).reindex(placements["urn"].astype(str)).to_numpy()
    home = home_la(settings)
    la = by_urn["la_code"].astype(str).reindex(placements["urn"].astype(str)).to_numpy()
    minutes = placements["travel_minutes"].astype(float).to_numpy()
    known = minutes[~np.isnan(minutes)]
    transport = float(np.nan_to_num(tariffs.transport.annual_cost(minutes)).sum())
    total = float(placements["annual_cost"].astype(float).sum())
    placed = len(placements)
    metrics: dict[str, float] = {"placed": placed, "unplaced": len(unplaced)}
    for name, group in SHARE_GROUPS.items():
        share = np.isin(types, [t.value for t in group]).sum() / placed if placed else np.nan
        metrics[name] = float(share)
    metrics["out_of_area"] = int((la != home).sum())
    metrics["mean_journey_minutes"] = float(known.mean()) if known.size else np.nan
    metrics["p95_journey_minutes"] = float(np.percentile(known, 95)) if known.size else np.nan
    metrics["education_cost"] = total - transport
    metrics["transport_cost"] = transport
    metrics["total_cost"] = total
    return metrics


def scenario_run(allocation: Allocation, inputs: LoadedInputs, forecast: Forecast) -> ScenarioRun:
    """One scenario's comparison figures: its allocation's metrics (on the inputs it was solved
    on) and its forecast's gaps by year, need and phase."""
    metrics = placement_metrics(
        allocation.placements, allocation.unplaced, inputs.settings, inputs.tariffs
    )
    gaps = forecast.table.groupby(["year", "need", "phase"])["gap"].sum()
    gaps.index = [f"gap_{y}_{n}_{p}" for y, n, p in gaps.index]
    return ScenarioRun(metrics, gaps)


def comparison_table(runs: dict[str, ScenarioRun]) -> pd.DataFrame:
    """One row per metric, one column per scenario, then `B - A` columns against the first.

    Gap rows are kept where some scenario has a gap, so the table stays readable."""
    metrics = pd.DataFrame({name: pd.Series(run.metrics) for name, run in runs.items()})
    gaps = pd.DataFrame({name: run.gaps for name, run in runs.items()}).fillna(0.0)
    gaps = gaps[(gaps > 0.005).any(axis=1)]
    table = pd.concat([metrics, gaps])
    first, *others = list(runs)
    for name in others:
        table[f"{name} - {first}"] = table[name] - table[first]
    table.index.name = "metric"
    return table


def scenario_names(paths: Sequence[Path]) -> list[str]:
    """Each scenario's name, its file stem; two scenarios of one name are a problem."""
    stems = [Path(p).stem for p in paths]
    repeated = sorted({s for s in stems if stems.count(s) > 1})
    if repeated:
        raise InputError(
            Problem(SCENARIO_NAMES, None, "", f"two scenarios named {s}: rename one")
            for s in repeated
        )
    return stems
