"""Inputs that used to end in a traceback, or were silently misread, are problems naming the
file, row and column, with exit 2 (issue 15, items 7 and 8)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.errors import InputError
from solver.io.gias_reader import read_gias
from solver.io.scenario_file import load_scenario
from solver.io.tariffs import DEFAULT_TARIFFS_PATH, load_tariffs
from tests.inputs_helpers import (
    CHILD_HEADER,
    THREE_SETTINGS,
    child_row,
    gias_sample_rows,
    write_csv,
    write_gias_rows,
)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _validate(*args: str) -> list[str]:
    result = runner.invoke(app, ["validate", *args])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


@pytest.mark.parametrize("value", ["inf", "1e300", "-inf", "nan"])
def test_huge_and_infinite_numbers_are_problems(tmp_path: Path, value: str) -> None:
    """ncy, SchoolCapacity, StatutoryLowAge and places of inf or 1e300 each name their cell."""
    gias = write_gias_rows(
        tmp_path / "gias.csv",
        [
            THREE_SETTINGS[0] | {"SchoolCapacity": value},
            THREE_SETTINGS[1] | {"StatutoryLowAge": value},
            THREE_SETTINGS[2],
        ],
    )
    kids = write_csv(tmp_path / "children.csv", CHILD_HEADER, [child_row("c1", ncy=value)])
    overrides = write_csv(
        tmp_path / "o.csv", ["urn", "need", "places", "vacancies"], [["120001", "", value, ""]]
    )
    lines = _validate(
        "--settings", str(gias), "--children", str(kids), "--overrides", str(overrides)
    )
    assert f"{gias}:2:SchoolCapacity: not a whole number '{value}'" in lines
    assert f"{gias}:3:StatutoryLowAge: not a whole number '{value}'" in lines
    assert f"{kids}:2:ncy: NCY is not a whole number" in lines
    assert f"{overrides}:2:places: not a whole number '{value}'" in lines


@pytest.mark.parametrize("cost", ["inf", "1e20", "2000001"])
def test_impossible_costs_fail_validation_not_the_solve(tmp_path: Path, cost: str) -> None:
    """An annual cost of inf or 1e20 is caught by validate (it used to pass, then the flow
    died with BAD_COST_RANGE)."""
    gias = write_gias_rows(tmp_path / "gias.csv", THREE_SETTINGS)
    kids = write_csv(tmp_path / "children.csv", CHILD_HEADER, [child_row("c1")])
    overrides = write_csv(
        tmp_path / "o.csv",
        ["urn", "need", "places", "vacancies", "annual_cost"],
        [["120003", "", "10", "", cost]],
    )
    lines = _validate(
        "--settings", str(gias), "--children", str(kids), "--overrides", str(overrides)
    )
    assert lines[0].startswith(f"{overrides}:2:annual_cost: ")
    assert cost in lines[0]


def test_tariff_and_scenario_problems_name_their_line(tmp_path: Path) -> None:
    """A tariff of .inf and a bad policy value are problems at their YAML line and key."""
    tariffs = tmp_path / "tariffs.yaml"
    text = DEFAULT_TARIFFS_PATH.read_text().replace("default: 6000", "default: .inf")
    assert ".inf" in text
    tariffs.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if ".inf" in t)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: t\n"
        "inputs:\n  settings: g.csv\n  children: c.csv\n"
        f"  tariffs: {tariffs}\n"
        "policy:\n  dear_ratio: 0.5\n  transport_weight: .inf\n"
    )
    with pytest.raises(InputError) as err:
        load_scenario(scenario)
    assert {(p.row, p.column) for p in err.value.problems} == {
        (7, "policy.dear_ratio"),
        (8, "policy.transport_weight"),
    }
    with pytest.raises(InputError) as err:
        load_tariffs(tariffs)
    assert [p.row for p in err.value.problems] == [line]


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the Rutland sample's data and scenarios, with its own network cache."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.setenv("RIGHTPLACE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "scenarios" / "baseline.yaml"


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_road_network_is_a_problem(sample: Path, tmp_path: Path, damage: str) -> None:
    """A truncated or garbled .osm.bz2 is a problem naming the file (it was an OSError, or
    click's bare 'Aborted.' for the EOFError of a truncated stream)."""
    roads = tmp_path / "data" / "rutland" / "roads.osm.bz2"
    data = roads.read_bytes()
    roads.write_bytes(data[:1000] if damage == "truncated" else b"not bzip2 at all")
    result = runner.invoke(app, ["solve", "--scenario", str(sample), "--out", str(tmp_path / "o")])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "not a readable road network file" in result.output
    assert "Traceback" not in result.output


def test_lists_for_an_unknown_child_with_no_travel_table(sample: Path, tmp_path: Path) -> None:
    """`lists --child NO-SUCH-CHILD` routes nobody and says the child is unknown (it was a
    60-line numba traceback)."""
    out = tmp_path / "o"
    args = ["lists", "--scenario", str(sample), "--child", "NO-SUCH-CHILD", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "unknown child NO-SUCH-CHILD" in result.output


def _gias_text(names: list[str]) -> tuple[list[str], list[list[str]]]:
    header, rows = gias_sample_rows()
    out = []
    for urn, (name, setting) in enumerate(zip(names, THREE_SETTINGS, strict=False), 1):
        row = rows[0] | setting | {"URN": f"12000{urn}", "EstablishmentName": name}
        out.append([row[c] for c in header])
    return header, out


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-8", "cp1252"])
def test_gias_in_any_encoding_excel_saves(tmp_path: Path, encoding: str) -> None:
    """A GIAS file re-saved as UTF-8 (with or without BOM) or UTF-16 reads as the cp1252
    download does, names intact (it was 'URN missing', 'no data rows' or mojibake)."""
    names = ["St Thérèse Primary", "Ash Primary", "Elm Special"]
    header, rows = _gias_text(names)
    path = tmp_path / "gias.csv"
    with open(path, "w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    settings = read_gias(path).settings
    assert sorted(settings["name"]) == sorted(names)
