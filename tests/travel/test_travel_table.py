"""The cached travel table: found where the travel command writes it, validated on reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.errors import InputError
from solver.io.journeys import appended, journey_minutes, load_journeys
from tests.placement_tables import write_case


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


def _random_table(rng: np.random.Generator, rows: int) -> pd.DataFrame:
    """Journeys between random children and settings, each pair once, in random order."""
    pairs = rng.choice(40 * 30, size=rows, replace=False)
    return pd.DataFrame(
        {
            "child_id": [f"C{p // 30}" for p in pairs],
            "urn": [str(1000 + p % 30) for p in pairs],
            "seconds": rng.integers(0, 5000, rows).astype(float),
            "estimated": rng.random(rows) < 0.1,
        }
    )


@pytest.mark.parametrize("ordered", [False, True])
def test_duplicates_found_in_any_order(tmp_path: Path, ordered: bool) -> None:
    """A repeated pair is reported at its own line whether or not the table is sorted."""
    table = _random_table(np.random.default_rng(3), 200)
    table = pd.concat([table, table.iloc[[57]]], ignore_index=True)
    if ordered:
        table = table.sort_values(["child_id", "urn"], kind="stable", ignore_index=True)
    path = tmp_path / "t.parquet"
    table.to_parquet(path)
    with pytest.raises(InputError) as err:
        load_journeys(path)
    expected = table.index[table.duplicated(["child_id", "urn"])] + 2
    assert [p.row for p in err.value.problems] == list(expected)


@pytest.mark.parametrize("ordered", [False, True])
def test_journey_minutes_match_a_dictionary(tmp_path: Path, ordered: bool) -> None:
    """Minutes looked up by coded ids equal a plain dictionary's, NaN for absent pairs."""
    rng = np.random.default_rng(5)
    table = _random_table(rng, 500)
    if ordered:
        table = table.sort_values(["child_id", "urn"], kind="stable", ignore_index=True)
    table.to_parquet(tmp_path / "t.parquet")
    loaded = load_journeys(tmp_path / "t.parquet")
    asked = pd.DataFrame(
        {
            "child_id": [f"C{i}" for i in rng.integers(0, 45, 300)],  # C40..C44 have none
            "urn": [str(u) for u in rng.integers(995, 1030, 300)],
        }
    )
    truth = {(c, u): s / 60 for c, u, s in table[["child_id", "urn", "seconds"]].itertuples(False)}
    expected = [truth.get(k, np.nan) for k in asked.itertuples(index=False, name=None)]
    got = journey_minutes(loaded, asked["child_id"], asked["urn"])
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got).any() and not np.isnan(got).all()


def test_appended_tables_keep_every_row_and_id() -> None:
    """Appending journeys to new settings keeps both tables' rows and coded ids."""
    rng = np.random.default_rng(7)
    first, more = _random_table(rng, 50), _random_table(rng, 20).assign(urn="NEW")
    both = appended(first.astype({"child_id": "category"}), more)
    assert isinstance(both["urn"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(
        both.astype({"child_id": str, "urn": str}),
        pd.concat([first, more], ignore_index=True),
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    """A travel table without the seconds and estimated columns names both."""
    path = tmp_path / "t.parquet"
    pd.DataFrame({"child_id": ["A"], "urn": ["1"]}).to_parquet(path)
    with pytest.raises(InputError) as err:
        load_journeys(path)
    assert {p.column for p in err.value.problems} == {"seconds", "estimated"}


def test_solve_without_travel_table_or_network_exits_2(tmp_path: Path) -> None:
    """`rightplace solve` with neither a travel table nor a road network says so, exit code 2."""
    scenario = write_case(tmp_path)
    (tmp_path / "out" / "travel_times.parquet").unlink()
    result = CliRunner().invoke(
        app, ["solve", "--scenario", str(scenario), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "no travel_times.parquet and no road network" in result.output
