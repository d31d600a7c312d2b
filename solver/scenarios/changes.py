"""Provision changes applied to the loaded tables in one place, for solve, lists and compare.

A change takes effect from its year: `apply_changes(inputs, changes, year)` applies those whose
year is at or before `year`. Opening a setting adds a settings row and its place lines; the new
setting's journeys come from `new_setting_journeys`, which routes only to the new settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from solver.domain.model import SETTING_COLUMNS, Gender, home_la
from solver.domain.needs import ncy_range_of_ages
from solver.domain.scenario import Change, ChangePlaces, CloseSetting, OpenSetting, Scenario
from solver.errors import InputError, Problem
from solver.forecast.sufficiency import CapacityChange
from solver.io.inputs import LoadedInputs
from solver.io.journeys import appended
from solver.travel.journeys import journey_times, scenario_network


def opened_settings(changes: Sequence[object]) -> pd.DataFrame:
    """The settings rows (SETTING_COLUMNS) of every `open` change, whatever its year."""
    rows = []
    for change in changes:
        if isinstance(change, OpenSetting):
            ncy_low, ncy_high = ncy_range_of_ages(change.low_age, change.high_age)
            rows.append(
                {
                    "urn": change.urn,
                    "name": change.name,
                    "setting_type": change.setting_type.value,
                    "la_code": "",
                    "low_age": change.low_age,
                    "high_age": change.high_age,
                    "ncy_low": ncy_low,
                    "ncy_high": ncy_high,
                    "gender": Gender.MIXED.value,
                    "easting": change.easting,
                    "northing": change.northing,
                    "postcode": "",
                    "designated_needs": tuple(sorted(n.value for n in change.designated_needs)),
                    "provision": "",
                    "capacity": pd.NA,
                    "on_roll": 0,
                    "ofsted": "",
                    "section41": False,
                }
            )
    return pd.DataFrame(rows, columns=list(SETTING_COLUMNS))


def apply_changes(
    inputs: LoadedInputs, changes: Sequence[Change], year: int, file: str = "scenario"
) -> LoadedInputs:
    """The inputs as they stand in `year` once every change dated at or before it is applied.

    Closing a setting removes it and its place lines; its pupils lose their current placement
    (so they are placed again). Unknown or duplicate URNs are problems naming the change."""
    active = [(i, c) for i, c in enumerate(changes) if c.year <= year]
    settings, places, children = inputs.settings, inputs.places, inputs.children
    problems: list[Problem] = []
    opened = opened_settings([c for _, c in active])
    clash = opened["urn"].isin(settings["urn"].astype(str)) | opened["urn"].duplicated()
    problems += [
        Problem(file, None, "changes.urn", f"open: URN {u} already exists")
        for u in opened["urn"][clash]
    ]
    if len(opened):  # a new setting belongs to the LA holding most settings
        opened = opened.assign(la_code=home_la(settings))
        settings = pd.concat(
            [settings, opened.astype(settings.dtypes.to_dict())], ignore_index=True
        )
        new_lines = pd.DataFrame(
            [
                {
                    "urn": c.urn,
                    "need": "",
                    "places": c.places,
                    "vacancies": c.places,
                    "annual_cost": np.nan if c.annual_cost is None else c.annual_cost,
                }
                for _, c in active
                if isinstance(c, OpenSetting)
            ]
        )
        places = pd.concat([places, new_lines.astype(places.dtypes.to_dict())], ignore_index=True)
    known = set(settings["urn"].astype(str))
    for i, change in active:
        if not isinstance(change, ChangePlaces | CloseSetting):
            continue
        if change.urn not in known:
            problems.append(Problem(file, None, f"changes.{i}.urn", f"unknown URN {change.urn}"))
            continue
        if isinstance(change, CloseSetting):
            settings = settings[settings["urn"].astype(str) != change.urn]
            places = places[places["urn"].astype(str) != change.urn]
            leaving = children["current_urn"].astype(str) == change.urn
            children = children.assign(current_urn=children["current_urn"].where(~leaving, ""))
        elif isinstance(change, ChangePlaces):
            places, problem = _change_places(places, change, i, file)
            problems += problem
    if problems:
        raise InputError(problems)
    return replace(
        inputs,
        settings=settings.reset_index(drop=True),
        places=places.reset_index(drop=True),
        children=children,
    )


def _change_places(
    places: pd.DataFrame, change: ChangePlaces, index: int, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Add or remove places (and as many vacancies, never below zero) on one place line."""
    need = "" if change.need is None else change.need.value
    line = (places["urn"].astype(str) == change.urn) & (places["need"].astype(str) == need)
    sign = 1 if change.action == "expand" else -1
    if not line.any():
        if sign < 0:
            message = f"shrink: {change.urn} has no place line for need {need or '(all)'}"
            return places, [Problem(file, None, f"changes.{index}.need", message)]
        added = pd.DataFrame(
            [
                {
                    "urn": change.urn,
                    "need": need,
                    "places": change.places,
                    "vacancies": change.places,
                    "annual_cost": np.nan,
                }
            ]
        )
        return pd.concat([places, added.astype(places.dtypes.to_dict())], ignore_index=True), []
    delta = sign * change.places
    updated = places.copy()
    updated.loc[line, "places"] = (updated.loc[line, "places"] + delta).clip(lower=0)
    updated.loc[line, "vacancies"] = (updated.loc[line, "vacancies"] + delta).clip(lower=0)
    updated.loc[line, "vacancies"] = updated.loc[line, ["vacancies", "places"]].min(axis=1)
    return updated, []


def capacity_changes(scenario: Scenario, inputs: LoadedInputs) -> list[CapacityChange]:
    """The scenario's provision changes as the forecast's capacity changes, year by year."""
    result: list[CapacityChange] = []
    for change in scenario.changes:
        if isinstance(change, OpenSetting):
            opened = apply_changes(inputs, [change], change.year).settings.iloc[-1]
            result.append(
                CapacityChange(
                    need=change.designated_needs[0].value
                    if len(change.designated_needs) == 1
                    else "",
                    places=change.places,
                    from_year=change.year,
                    setting_type=change.setting_type.value,
                    ncy_low=int(opened["ncy_low"]),
                    ncy_high=int(opened["ncy_high"]),
                )
            )
        elif isinstance(change, ChangePlaces):
            sign = 1 if change.action == "expand" else -1
            need = "" if change.need is None else change.need.value
            result.append(CapacityChange(need, sign * change.places, change.year, change.urn))
        elif isinstance(change, CloseSetting):
            lines = inputs.places[inputs.places["urn"].astype(str) == change.urn]
            result += [
                CapacityChange(str(n), -int(p), change.year, change.urn)
                for n, p in zip(lines["need"], lines["places"], strict=True)
            ]
    return result


def with_changes(
    path: Path, scenario: Scenario, inputs: LoadedInputs, journeys: pd.DataFrame
) -> tuple[LoadedInputs, pd.DataFrame]:
    """The inputs once every change has taken effect, and `journeys` (the travel table of the
    inputs as loaded) with journeys to every opened setting added."""
    journeys = new_setting_journeys(scenario, str(path), inputs, journeys)
    last = max((c.year for c in scenario.changes), default=0)
    return apply_changes(inputs, scenario.changes, last, str(path)), journeys


def new_setting_journeys(
    scenario: Scenario, scenario_file: str, inputs: LoadedInputs, journeys: pd.DataFrame
) -> pd.DataFrame:
    """The travel table with journeys to every opened setting added, routing only to those."""
    opened = opened_settings(scenario.changes)
    missing = opened[~opened["urn"].isin(journeys["urn"].unique())]
    if missing.empty:
        return journeys
    if scenario.inputs.network is None:
        message = "opening a setting needs inputs.network to compute its journeys"
        raise InputError([Problem(scenario_file, None, "inputs.network", message)])
    added = journey_times(
        scenario_network(scenario, scenario_file),
        inputs.children,
        missing,
        cutoff_minutes=scenario.policy.cutoff_minutes,
        children_file=str(scenario.inputs.children_source),
        settings_file=scenario_file,
    )
    return appended(journeys, added)
