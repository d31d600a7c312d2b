"""`rightplace lists` and `rightplace solve` end to end on files in the published formats."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.io.inputs import load_scenario_inputs
from solver.io.lists import LIST_COLUMNS
from solver.io.scenario_file import load_scenario
from solver.placement.check import check_allocation
from tests.placement_tables import write_case


def test_solve_writes_placements_unplaced_and_summary(tmp_path: Path) -> None:
    """solve places every child in scope or says why, keeps K-4, and its files pass the checker."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["solve", "--scenario", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    placements = pd.read_csv(out / "placements.csv", dtype={"urn": str})
    unplaced = pd.read_csv(out / "unplaced.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert list(placements.columns) == [
        "child_id",
        "urn",
        "need",
        "provision",
        "kept",
        "travel_minutes",
        "annual_cost",
    ]
    assert set(summary) >= {
        "status",
        "objective",
        "bound",
        "placed",
        "unplaced",
        "total_cost",
        "mean_travel_minutes",
    }
    assert summary["placed"] == len(placements) == 4 and summary["unplaced"] == len(unplaced) == 0
    assert placements.set_index("child_id").loc["K-4", "kept"]
    # One vacancy each at the primary and the ASD school: the two ASD children split.
    assert sorted(placements.loc[placements["child_id"].isin(["K-1", "K-2"]), "urn"]) == [
        "100001",
        "100002",
    ]
    inputs = load_scenario_inputs(load_scenario(scenario))
    journeys = pd.read_parquet(out / "travel_times.parquet")
    placements["urn"] = placements["urn"].astype(str)
    assert (
        check_allocation(
            inputs.children,
            inputs.settings,
            inputs.places,
            journeys,
            inputs.tariffs,
            load_scenario(scenario).policy,
            placements,
            unplaced,
        )
        == []
    )


def test_lists_for_one_child(tmp_path: Path) -> None:
    """lists --child writes that child's row for every setting, a JSON and a family page."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["lists", "--scenario", str(scenario), "--child", "K-3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lists = pd.read_csv(out / "tailored_lists.csv", dtype={"urn": str})
    assert list(lists.columns) == list(LIST_COLUMNS)
    assert set(lists["child_id"]) == {"K-3"} and len(lists) == 3
    on = lists[lists["on_list"]]
    assert list(on["urn"]) == ["100003"] and on["rank"].tolist() == [1]
    assert (out / "family" / "K-3.html").exists() and (out / "tailored_lists.json").exists()
    costs = pd.read_csv(out / "tailored_lists.csv", dtype=str)["annual_cost"].dropna()
    assert len(costs) and costs.str.fullmatch(r"\d+").all()  # whole pounds, no "9817.0"


def test_lists_unknown_child_exits_2(tmp_path: Path) -> None:
    """An unknown --child id is bad input: exit 2 and the problem printed."""
    scenario = write_case(tmp_path)
    result = CliRunner().invoke(
        app,
        ["lists", "--scenario", str(scenario), "--child", "NOPE", "--out", str(tmp_path / "out")],
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "unknown child NOPE" in result.output
