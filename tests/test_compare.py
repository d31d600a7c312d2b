"""Scenarios side by side: comparison.csv's contract and its agreement with `solve`."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.compare import compare
from solver.workspace import open_workspace

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
TIGHTER = REPO / "scenarios" / "tighter_journeys.yaml"
CONTRACT = [
    "placed", "unplaced", "share_mainstream", "share_resourced", "share_special",
    "share_independent", "out_of_area", "mean_journey_minutes", "p95_journey_minutes",
    "education_cost", "transport_cost", "total_cost",
]  # fmt: skip


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """Baseline against tighter journeys on the Rutland sample."""
    return compare([BASELINE, TIGHTER], Path(tempfile.mkdtemp()))


def test_columns_are_scenario_stems_then_differences(table: pd.DataFrame) -> None:
    """One column per scenario by file stem, then each later one minus the first."""
    assert list(table.columns) == ["baseline", "tighter_journeys", "tighter_journeys - baseline"]
    diff = table["tighter_journeys"] - table["baseline"]
    pd.testing.assert_series_equal(diff, table["tighter_journeys - baseline"], check_names=False)


def test_contract_metrics_and_gaps_are_present(table: pd.DataFrame) -> None:
    """Every metric the issue names is a row, plus sufficiency gaps by year, need and phase."""
    assert set(CONTRACT) <= set(table.index)
    assert any(m.startswith("gap_") for m in table.index)


def test_shares_cover_every_placement(table: pd.DataFrame) -> None:
    """Mainstream, resourced, special, independent and other shares add up to one."""
    shares = table.loc[[m for m in table.index if m.startswith("share_")], "baseline"]
    assert shares.sum() == pytest.approx(1.0)


def test_metrics_match_solve(table: pd.DataFrame) -> None:
    """Placed, unplaced and total cost equal the allocation's own summary."""
    summary = open_workspace(BASELINE, Path(tempfile.mkdtemp())).allocation().summary()
    assert table.loc["placed", "baseline"] == summary["placed"]
    assert table.loc["unplaced", "baseline"] == summary["unplaced"]
    assert table.loc["total_cost", "baseline"] == pytest.approx(summary["total_cost"], abs=0.01)


def test_tighter_limits_never_place_more(table: pd.DataFrame) -> None:
    """Shorter journey limits shrink every child's choice, so no more children are placed."""
    assert table.loc["placed", "tighter_journeys"] <= table.loc["placed", "baseline"]
    assert table.loc["placed", "baseline"] + table.loc["unplaced", "baseline"] == 376


def test_cli_writes_comparison_and_refuses_one_scenario(tmp_path: Path) -> None:
    """`rightplace compare` writes comparison.csv; a single scenario is a usage error (exit 2)."""
    runner = CliRunner()
    ok = runner.invoke(
        app, ["compare", "--scenario", str(BASELINE), "--scenario", str(TIGHTER), "--out",
              str(tmp_path)],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    written = pd.read_csv(tmp_path / "comparison.csv", index_col="metric")
    assert list(written.columns)[:2] == ["baseline", "tighter_journeys"]
    one = runner.invoke(app, ["compare", "--scenario", str(BASELINE), "--out", str(tmp_path)])
    assert one.exit_code == 2
    same = runner.invoke(
        app, ["compare", "--scenario", str(BASELINE), "--scenario", str(BASELINE), "--out",
              str(tmp_path)],
    )  # fmt: skip
    assert same.exit_code == 2
    assert "baseline::--scenario: two scenarios share this file name" in same.output
