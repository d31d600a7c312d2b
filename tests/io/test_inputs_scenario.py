"""Loading every file a scenario names, with the problems of all files reported together."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.errors import InputError
from solver.io.inputs import LoadedInputs, load_scenario_inputs
from solver.io.scenario_file import load_scenario
from tests.inputs_helpers import CHILD_HEADER, THREE_SETTINGS, child_row, write_csv, write_gias_rows

CODEPOINT = '"LE15 6AA",10,486000,308000,"E92000001","","","","E06000017",""\n'


def _scenario(tmp_path: Path, children: list[list[str]], settings: list[dict[str, str]]) -> Path:
    write_gias_rows(tmp_path / "gias.csv", settings)
    write_csv(tmp_path / "children.csv", CHILD_HEADER, children)
    write_csv(
        tmp_path / "overrides.csv",
        ["urn", "need", "places", "vacancies", "annual_cost"],
        [["120003", "SLD", "30", "2", "24000"]],
    )
    (tmp_path / "postcodes.csv").write_text(CODEPOINT)
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "name: micro\n"
        "inputs:\n"
        "  settings: gias.csv\n"
        "  overrides: overrides.csv\n"
        "  children: children.csv\n"
        "  postcodes: postcodes.csv\n"
    )
    return path


def test_scenario_inputs_load_and_merge(tmp_path: Path) -> None:
    """Three settings, three children, overrides merged into GIAS defaults, default tariffs."""
    children = [
        child_row("c1"),
        child_row("c2", easting="", northing="", postcode="LE15 6AA"),
        child_row("c3", primary_need="SLD", current_urn="120003"),
    ]
    loaded = load_scenario_inputs(load_scenario(_scenario(tmp_path, children, THREE_SETTINGS)))
    assert isinstance(loaded, LoadedInputs)
    assert len(loaded.settings) == 3 and len(loaded.children) == 3
    places = loaded.places.set_index(["urn", "need"])
    assert places.loc[("120003", "SLD"), "places"] == 30
    assert places.loc[("120003", "SLD"), "annual_cost"] == 24000.0
    assert ("120002", "ASD") in places.index  # RP default line kept
    assert loaded.children.set_index("child_id").loc["c2", "easting"] == 486000.0
    assert loaded.tariffs.place_cost("state_special", "SLD") > 0  # type: ignore[arg-type]


def test_problems_of_all_files_come_together(tmp_path: Path) -> None:
    """A bad settings row and a bad child row are both in the one InputError."""
    settings = [THREE_SETTINGS[0] | {"SchoolCapacity": "-1"}, *THREE_SETTINGS[1:]]
    path = _scenario(tmp_path, [child_row("c1", ncy="30")], settings)
    with pytest.raises(InputError) as caught:
        load_scenario_inputs(load_scenario(path))
    found = {(Path(p.file).name, p.row, p.column) for p in caught.value.problems}
    assert found == {("gias.csv", 2, "SchoolCapacity"), ("children.csv", 2, "ncy")}
