"""The cached travel table: found where the travel command writes it, validated on reading."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.problems import InputError
from solver.travel_table import find_journeys, load_journeys
from tests.test_placement_cli import write_case


def test_bad_travel_table_reports_every_row(tmp_path: Path) -> None:
    """Negative times and duplicate pairs are each reported with their line number."""
    path = tmp_path / "travel_times.csv"
    pd.DataFrame(
        {
            "child_id": ["A", "A", "B"],
            "urn": ["1", "1", "2"],
            "seconds": [60.0, 90.0, -5.0],
            "estimated": [False, False, True],
        }
    ).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_journeys(path)
    assert sorted((p.row, p.column) for p in err.value.problems) == [(3, "urn"), (4, "seconds")]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    """A travel table without the seconds and estimated columns names both."""
    path = tmp_path / "t.parquet"
    pd.DataFrame({"child_id": ["A"], "urn": ["1"]}).to_parquet(path)
    with pytest.raises(InputError) as err:
        load_journeys(path)
    assert {p.column for p in err.value.problems} == {"seconds", "estimated"}


def test_travel_table_found_in_the_output_folder_first(tmp_path: Path) -> None:
    """The output folder's travel_times.parquet wins over one beside the scenario."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "travel_times.parquet").touch()
    (tmp_path / "travel_times.parquet").touch()
    assert find_journeys(tmp_path / "s.yaml", out) == out / "travel_times.parquet"
    assert find_journeys(tmp_path / "elsewhere" / "s.yaml", tmp_path / "none") is None


def test_solve_without_travel_table_or_network_exits_2(tmp_path: Path) -> None:
    """`rightplace solve` with neither a travel table nor a road network says so, exit code 2."""
    scenario = write_case(tmp_path)
    (tmp_path / "out" / "travel_times.parquet").unlink()
    result = CliRunner().invoke(
        app, ["solve", "--scenario", str(scenario), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "no travel_times.parquet and no road network" in result.output
