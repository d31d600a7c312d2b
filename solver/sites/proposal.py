"""A proposed new setting and what opening it would do: the children in reach in the forecast
years, and the system-wide placement with and without it, as `rightplace solve` would find it.

The forecast reach scales each child in reach by the forecast growth of their need and phase
(forecast demand over today's children with that need and phase), so it assumes the LA's
geography of need stays as it is while its size and mix follow the forecast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solver.domain.groups import INDEPENDENT_TYPES
from solver.domain.model import SettingType
from solver.domain.needs import Need, phase_of
from solver.domain.scenario import OpenSetting, Scenario
from solver.errors import AGE_RANGE, InputError, Problem
from solver.io.inputs import LoadedInputs
from solver.placement.allocate import Allocation
from solver.scenarios.compare import placement_metrics

#: Metrics of the with/without comparison that count children (suppressed below 10 in the pack).
EFFECT_COUNTS: tuple[str, ...] = (
    "placed",
    "unplaced",
    "placed_in_new_settings",
    "independent_placements",
)
EFFECT_COUNTS += ("out_of_area",)
EFFECT_METRICS: tuple[str, ...] = (*EFFECT_COUNTS, "mean_journey_minutes", "education_cost")
EFFECT_METRICS += ("transport_cost", "total_cost")


#: The default catchment: children living within this drive of a site (minutes by road).
CATCHMENT_MINUTES = 20
#: Statutory ages a setting may teach (as a scenario's `open` change allows).
AGES = range(0, 26)


def parse_ages(text: str, source: str = AGE_RANGE) -> tuple[int, int]:
    """A statutory age range written `low-high` (e.g. 11-16), both within AGES and low <= high;
    anything else is a problem naming `source`."""
    low, _, high = text.strip().partition("-")
    if not (low.strip().isdigit() and high.strip().isdigit()):
        message = f"{text!r} is not an age range like 11-16"
    elif int(low) not in AGES or int(high) not in AGES:
        message = f"ages {text} are outside {AGES.start}-{AGES.stop - 1}"
    elif int(low) > int(high):
        message = f"ages {text}: the lowest age is above the highest"
    else:
        return int(low), int(high)
    raise InputError([Problem(source, None, "ages", message)])


@dataclass(frozen=True)
class Proposal:
    """The proposed setting: designated needs, statutory age range and places; its catchment
    is the children living within `within_minutes` by road (and within their phase's limit)."""

    needs: tuple[str, ...]
    low_age: int
    high_age: int
    places: int
    setting_type: SettingType = SettingType.STATE_SPECIAL
    within_minutes: int = CATCHMENT_MINUTES


@dataclass(frozen=True)
class OpeningEffect:
    """The allocation without and with the new setting(s): system figures (`metric, without,
    with, change`) and every existing setting whose placements change."""

    system: pd.DataFrame
    settings: pd.DataFrame


def opening_changes(
    proposal: Proposal, candidates: pd.DataFrame, chosen: Sequence[str], year: int
) -> list[OpenSetting]:
    """The scenario changes that open the proposed setting at each chosen site from `year`."""
    at = candidates.set_index(candidates["site_id"].astype(str))
    return [
        OpenSetting(
            action="open",
            year=year,
            urn=f"PROPOSED-{site}",
            name=f"Proposed {'/'.join(proposal.needs)} setting at site {site}",
            setting_type=proposal.setting_type,
            designated_needs=[Need(n) for n in proposal.needs],
            low_age=proposal.low_age,
            high_age=proposal.high_age,
            places=proposal.places,
            annual_cost=None,
            easting=float(at.loc[site, "easting"]),
            northing=float(at.loc[site, "northing"]),
        )
        for site in chosen
    ]


def with_openings(scenario: Scenario, opened: Sequence[OpenSetting]) -> Scenario:
    """The scenario with the new settings added to its changes."""
    return scenario.model_copy(update={"changes": [*scenario.changes, *opened]})


def _metrics(
    placements: pd.DataFrame, unplaced: pd.DataFrame, loaded: LoadedInputs, new: set[str]
) -> pd.Series:
    figures = placement_metrics(placements, unplaced, loaded.settings, loaded.tariffs)
    figures["placed_in_new_settings"] = int(placements["urn"].astype(str).isin(new).sum())
    types = loaded.settings.set_index(loaded.settings["urn"].astype(str))["setting_type"]
    placed_types = types.astype(str).reindex(placements["urn"].astype(str))
    figures["independent_placements"] = int(
        placed_types.isin([t.value for t in INDEPENDENT_TYPES]).sum()
    )
    return pd.Series({m: figures[m] for m in EFFECT_METRICS}, dtype=float)


def opening_effect(
    runs: Mapping[str, tuple[Allocation, LoadedInputs]],
    existing: pd.DataFrame,
    opened: Sequence[OpenSetting],
) -> OpeningEffect:
    """The system figures and the existing settings (`existing`: the settings as loaded)
    whose placements change, from the allocations `without` and `with` the openings, each
    with the inputs it was solved on."""
    new = {o.urn for o in opened}
    figures = {
        label: _metrics(result.placements, result.unplaced, inputs, new)
        for label, (result, inputs) in runs.items()
    }
    system = pd.DataFrame(figures)
    system["change"] = system["with"] - system["without"]
    system = system.round(2)
    system.index.name = "metric"
    counts = pd.DataFrame(
        {
            label: result.placements["urn"].astype(str).value_counts()
            for label, (result, _) in runs.items()
        }
    ).fillna(0)
    counts = counts.astype(np.int64).rename(columns=lambda c: f"placements_{c}")
    counts["change"] = counts["placements_with"] - counts["placements_without"]
    by_urn = existing.set_index(existing["urn"].astype(str))
    moved = counts[(counts["change"] != 0) & counts.index.isin(by_urn.index)]
    table = by_urn.loc[moved.index, ["name", "setting_type"]].join(moved)
    table.index.name = "urn"
    return OpeningEffect(
        system=system.reset_index(),
        settings=table.reset_index().sort_values(["change", "urn"]).reset_index(drop=True),
    )


def forecast_reach(
    reach: pd.DataFrame, children: pd.DataFrame, forecast: pd.DataFrame
) -> pd.DataFrame:
    """Children in reach of each site in each forecast year (site_id, year, children_in_reach,
    whole children): every child in reach today weighted by the growth of their need and phase."""
    child = pd.DataFrame(
        {
            "child_id": children["child_id"].astype(str),
            "need": children["primary_need"].astype(str),
            "phase": [phase_of(int(n)).value for n in children["ncy"]],
        }
    )
    today = child.groupby(["need", "phase"]).size().rename("today").reset_index()
    growth = forecast.groupby(["year", "need", "phase"], as_index=False)["demand"].sum()
    growth = growth.merge(today, on=["need", "phase"])
    growth["growth"] = growth["demand"] / growth["today"]
    weighted = reach[["child_id", "site_id"]].merge(child, on="child_id")
    weighted = weighted.merge(growth[["year", "need", "phase", "growth"]], on=["need", "phase"])
    table = weighted.groupby(["site_id", "year"], as_index=False)["growth"].sum()
    table = table.rename(columns={"growth": "children_in_reach"})
    table["children_in_reach"] = table["children_in_reach"].round().astype(int)
    return table.sort_values(["site_id", "year"]).reset_index(drop=True)
