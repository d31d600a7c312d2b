"""Scenario changes, demand trajectories and the side-by-side comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from solver.domain.scenario import Demand, Scenario
from solver.errors import InputError
from solver.forecast.sufficiency import demand_trend
from solver.io.inputs import LoadedInputs
from solver.io.scenario_file import load_scenario
from solver.scenarios.changes import apply_changes
from solver.scenarios.compare import ScenarioRun, comparison_table, placement_metrics
from tests.placement_tables import (
    TARIFFS,
    child,
    children_table,
    place,
    places_table,
    setting,
    settings_table,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
EXAMPLES = (
    "baseline",
    "asd_special_free_school",
    "expand_resourced_provision",
    "tighter_journeys",
    "high_growth",
    "low_growth",
)


def _inputs() -> LoadedInputs:
    """Three settings, three children (one at the setting that will close)."""
    return LoadedInputs(
        settings=settings_table([setting("A"), setting("B", "mainstream_rp"), setting("C")]),
        places=places_table([place("A", 10, 2), place("B", 5, 1, need="ASD"), place("C", 3)]),
        children=children_table([child("c1", current_urn="C"), child("c2"), child("c3")]),
        tariffs=TARIFFS,
    )


def _changes(raw: list[dict[str, object]]) -> list[object]:
    base = {"name": "x", "inputs": {"settings": "s.csv", "children": "c.csv"}}
    return list(Scenario.model_validate({**base, "changes": raw}).changes)


def test_changes_apply_from_their_year() -> None:
    """Open adds a setting and its places, expand/shrink move places and vacancies, close removes
    the setting and frees its pupils; a change dated later than the year is not applied."""
    changes = _changes(
        [
            {
                "action": "open",
                "year": 2026,
                "urn": "N",
                "name": "New",
                "setting_type": "state_special",
                "designated_needs": ["ASD"],
                "low_age": 5,
                "high_age": 18,
                "places": 60,
                "easting": 486000,
                "northing": 308800,
            },
            {"action": "expand", "year": 2026, "urn": "B", "need": "ASD", "places": 4},
            {"action": "shrink", "year": 2026, "urn": "A", "places": 5},
            {"action": "close", "year": 2026, "urn": "C"},
            {"action": "close", "year": 2030, "urn": "A"},
        ]
    )
    after = apply_changes(_inputs(), changes, 2026)
    assert sorted(after.settings["urn"]) == ["A", "B", "N"]
    lines = after.places.set_index(["urn", "need"])
    assert lines.loc[("N", ""), "places"] == 60 and lines.loc[("N", ""), "vacancies"] == 60
    assert lines.loc[("B", "ASD"), "places"] == 9 and lines.loc[("B", "ASD"), "vacancies"] == 5
    assert lines.loc[("A", ""), "places"] == 5 and lines.loc[("A", ""), "vacancies"] == 0
    assert list(after.children["current_urn"]) == ["", "", ""]
    new = after.settings.set_index("urn").loc["N"]
    assert new["designated_needs"] == ("ASD",) and (new["ncy_low"], new["ncy_high"]) == (1, 13)
    assert len(apply_changes(_inputs(), changes, 2025).settings) == 3


def test_changes_to_unknown_settings_are_problems_naming_the_change() -> None:
    """Expanding an unknown URN and opening a URN that exists are both reported, by key."""
    changes = _changes(
        [
            {"action": "expand", "year": 2026, "urn": "Z", "places": 4},
            {
                "action": "open",
                "year": 2026,
                "urn": "A",
                "name": "Dup",
                "setting_type": "mainstream",
                "low_age": 4,
                "high_age": 11,
                "places": 30,
                "easting": 1,
                "northing": 1,
            },
        ]
    )
    with pytest.raises(InputError) as caught:
        apply_changes(_inputs(), changes, 2026)
    columns = sorted(p.column for p in caught.value.problems)
    assert columns == ["changes.0.urn", "changes.urn"]


def test_bad_change_and_demand_keys_are_errors_naming_the_key(tmp_path: Path) -> None:
    """Unknown action, an unknown key in a change and custom growth without rates are errors."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\ninputs: {settings: s.csv, children: c.csv}\n"
        "changes:\n  - {action: demolish, year: 2026, urn: A}\n"
        "  - {action: close, year: 2026, urn: A, colour: red}\n"
        "demand: {trajectory: custom}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    keys = " ".join(p.column for p in caught.value.problems)
    assert "changes.0" in keys and "changes.1.close.colour" in keys and "demand" in keys
    [colour] = [p for p in caught.value.problems if p.column == "changes.1.close.colour"]
    assert colour.message == "unknown key"


def test_a_new_setting_with_ages_out_of_order_is_an_error(tmp_path: Path) -> None:
    """A setting opened for ages 18 to 5 (as the app's form could send) is refused, naming the
    change and its line, never saved and run as a setting no child fits."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\ninputs: {settings: s.csv, children: c.csv}\nchanges:\n"
        "  - {action: open, year: 2026, urn: NEW001, name: N, setting_type: state_special,\n"
        "     low_age: 18, high_age: 5, places: 60, easting: 486000, northing: 308000}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.row == 4 and "changes.0" in problem.column
    assert "low_age 18 is above high_age 5" in problem.message


def test_demand_trend_trajectories() -> None:
    """Continue keeps the calibrated trend, stabilise holds rates, custom compounds growth."""
    calibrated = np.array([1.1, 1.2, 1.3])
    assert np.array_equal(demand_trend(Demand(), calibrated, 2025), calibrated)
    assert np.array_equal(demand_trend(Demand(trajectory="stabilise"), calibrated, 2025), [1, 1, 1])
    custom = Demand(trajectory="custom", annual_growth={2026: 0.1, 2028: 0.5})
    assert np.allclose(demand_trend(custom, calibrated, 2025), [1.1, 1.1, 1.65])


def test_placement_metrics_by_hand() -> None:
    """Three placements: shares by type, out of area by LA, journeys and costs split."""
    settings = settings_table(
        [
            setting("A"),
            setting("S", "state_special", la_code="855"),
            setting("I", "independent_special"),
        ]
    )
    placements = pd.DataFrame(
        {
            "child_id": ["c1", "c2", "c3"],
            "urn": ["A", "S", "I"],
            "travel_minutes": [10.0, 20.0, np.nan],
            "annual_cost": [10_000.0, 30_000.0, 60_000.0],
        }
    )
    unplaced = pd.DataFrame({"child_id": ["c4"], "reason": ["all full"]})
    metrics = placement_metrics(placements, unplaced, settings, TARIFFS)
    transport = float(TARIFFS.transport.annual_cost([10.0, 20.0]).sum())
    assert (metrics["placed"], metrics["unplaced"], metrics["out_of_area"]) == (3, 1, 1)
    assert metrics["share_mainstream"] == metrics["share_special"] == pytest.approx(1 / 3)
    assert metrics["share_resourced"] == 0 and metrics["share_independent"] == pytest.approx(1 / 3)
    assert metrics["mean_journey_minutes"] == 15.0
    assert metrics["transport_cost"] == pytest.approx(transport)
    assert metrics["education_cost"] + metrics["transport_cost"] == metrics["total_cost"] == 100_000


def test_comparison_table_has_differences_against_the_first() -> None:
    """Columns are the scenarios then `B - A`; gap rows with no gap anywhere are dropped."""
    gaps = pd.Series({"gap_2026_ASD_primary": 2.0, "gap_2026_MLD_primary": 0.0})
    runs = {
        "a": ScenarioRun({"placed": 3.0, "total_cost": 10.0}, gaps),
        "b": ScenarioRun({"placed": 4.0, "total_cost": 7.0}, gaps * 0.5),
    }
    table = comparison_table(runs)
    assert list(table.columns) == ["a", "b", "b - a"]
    assert list(table.index) == ["placed", "total_cost", "gap_2026_ASD_primary"]
    assert list(table["b - a"]) == [1.0, -3.0, -1.0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_scenarios_load(name: str) -> None:
    """Every shipped example validates."""
    assert load_scenario(SCENARIOS / f"{name}.yaml").name


@pytest.mark.parametrize(
    ("limits", "column"),
    [
        ("{primary: -5}", "policy.journey_limit_minutes.primary"),
        ("{secondary: 0}", "policy.journey_limit_minutes.secondary"),
        ("{post16: 1000}", "policy.journey_limit_minutes.post16"),
        ("{}", "policy.journey_limit_minutes"),
    ],
)
def test_journey_limits_out_of_range_are_errors_naming_the_phase(
    tmp_path: Path, limits: str, column: str
) -> None:
    """A negative or zero limit (every child unplaced, silently) and an empty set of limits
    (a traceback) are problems naming the key, as in the app's form (5 to 240 minutes)."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\ninputs: {settings: s.csv, children: c.csv}\n"
        f"policy: {{journey_limit_minutes: {limits}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert [p.column for p in caught.value.problems] == [column]
