"""Scenarios side by side: the same metrics from each scenario's allocation and forecast.

`comparison.csv` has one row per metric and one column per scenario (named by file stem), then
one column per later scenario giving its difference from the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from solver.allocate import Allocation
from solver.ehcp import gias_la_code
from solver.forecast import scenario_forecast
from solver.model import SPECIALIST_TYPES, SettingType
from solver.problems import InputError, Problem
from solver.scenario import load_scenario
from solver.travel_table import TRAVEL_FILE
from solver.workspace import Workspace, open_workspace

#: Years of sufficiency gaps compared, counted from the forecast's first year.
GAP_YEARS = 5

_INDEPENDENT = {SettingType.INDEPENDENT_SPECIAL.value, SettingType.INDEPENDENT_MAINSTREAM.value}
_SPECIAL = {t.value for t in SPECIALIST_TYPES} - {SettingType.INDEPENDENT_SPECIAL.value}
_OTHER = {SettingType.ALTERNATIVE_PROVISION.value, SettingType.POST16.value}


def placement_metrics(ws: Workspace, allocation: Allocation) -> dict[str, float]:
    """Counts, shares by kind of place, journeys and costs of every placed child."""
    settings = ws.inputs.settings.set_index("urn")
    placed = allocation.placements.join(settings, on="urn")
    types = placed["setting_type"]
    designated = np.array(
        [
            need in needs
            for need, needs in zip(placed["need"], placed["designated_needs"], strict=True)
        ],
        dtype=bool,
    )
    resourced = (types == SettingType.MAINSTREAM_RP.value) & designated
    minutes = placed["travel_minutes"].astype(float)
    transport = ws.inputs.tariffs.transport.annual_cost(minutes.fillna(0.0))
    total = float(placed["annual_cost"].sum())
    n = max(len(placed), 1)
    home_la = _home_la(ws)
    return {
        "placed": float(len(placed)),
        "unplaced": float(len(allocation.unplaced)),
        "share_mainstream": float(
            (
                types.isin([SettingType.MAINSTREAM.value, SettingType.MAINSTREAM_RP.value])
                & ~resourced
            ).sum()
            / n
        ),
        "share_resourced": float(resourced.sum() / n),
        "share_special": float(types.isin(_SPECIAL).sum() / n),
        "share_independent": float(types.isin(_INDEPENDENT).sum() / n),
        "share_other": float(types.isin(_OTHER).sum() / n),
        "out_of_area": float((placed["la_code"] != home_la).sum()) if home_la else np.nan,
        "mean_journey_minutes": float(minutes.mean()),
        "p95_journey_minutes": float(minutes.quantile(0.95)),
        "education_cost": total - float(transport.sum()),
        "transport_cost": float(transport.sum()),
        "total_cost": total,
    }


def gap_metrics(ws: Workspace, years: int = GAP_YEARS) -> dict[str, float]:
    """Sufficiency gap (children) by year, need and phase; empty when the scenario cannot be
    forecast (no LA code or EHCP history)."""
    if ws.scenario.la_code is None or ws.scenario.inputs.ehcp is None:
        return {}
    table = scenario_forecast(ws.scenario, ws.inputs, years, scenario_path=ws.scenario_path).table
    gaps = table.groupby(["year", "need", "phase"])["gap"].sum()
    return {f"gap_{y}_{need}_{phase}": float(v) for (y, need, phase), v in gaps.items()}


def compare(scenarios: Sequence[Path], journeys_root: Path) -> pd.DataFrame:
    """One column of metrics per scenario (by file stem), then differences from the first.

    Scenarios on the same children, settings and roads share one journey table, computed once at
    the longest cut-off among them.
    """
    stems = [Path(p).stem for p in scenarios]
    repeated = sorted({s for s in stems if stems.count(s) > 1})
    if repeated:
        raise InputError(
            Problem(s, None, "--scenario", "two scenarios share this file name") for s in repeated
        )
    loaded = {Path(p): load_scenario(Path(p)) for p in scenarios}
    shared: dict[tuple[Path | None, ...], Path] = {}
    columns: dict[str, dict[str, float]] = {}
    for path in sorted(loaded, key=lambda p: -loaded[p].policy.cutoff_minutes):
        inputs = loaded[path].inputs
        key = (inputs.children, inputs.settings, inputs.postcodes, inputs.network)
        ws = open_workspace(path, journeys_root / path.stem, shared.get(key))
        shared.setdefault(key, journeys_root / path.stem / TRAVEL_FILE)
        columns[path.stem] = {**placement_metrics(ws, ws.allocation()), **gap_metrics(ws)}
    table = pd.DataFrame({Path(p).stem: columns[Path(p).stem] for p in scenarios})
    table.index.name = "metric"
    first = table.columns[0]
    for name in list(table.columns[1:]):
        table[f"{name} - {first}"] = table[name] - table[first]
    return table


def _home_la(ws: Workspace) -> str | None:
    """The LA's GIAS code: from its EHCP history when known, else where most children attend."""
    if ws.scenario.la_code and ws.scenario.inputs.ehcp is not None:
        code = gias_la_code(ws.scenario.inputs.ehcp, ws.scenario.la_code)
        if code:
            return code
    current = ws.inputs.children["current_urn"]
    attended = ws.inputs.settings.set_index("urn")["la_code"].reindex(current[current != ""])
    return str(attended.mode().iloc[0]) if attended.notna().any() else None
