"""`rightplace compare` on the Rutland sample's worked scenarios."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from solver.cli import app

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_compare_free_school_against_baseline(tmp_path: Path) -> None:
    """On the Rutland sample, the ASD free school means fewer independent placements and lower
    total cost than baseline; comparison.csv has every required metric for both."""
    result = CliRunner().invoke(
        app,
        [
            "compare",
            "--scenario",
            str(SCENARIOS / "baseline.yaml"),
            "--scenario",
            str(SCENARIOS / "asd_special_free_school.yaml"),
            "--out",
            str(tmp_path),
            "--years",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "comparison.csv", index_col="metric")
    required = [
        "placed",
        "unplaced",
        "share_mainstream",
        "share_resourced",
        "share_special",
        "share_independent",
        "out_of_area",
        "mean_journey_minutes",
        "p95_journey_minutes",
        "education_cost",
        "transport_cost",
        "total_cost",
    ]
    assert set(required) <= set(table.index)
    base, free = table["baseline"], table["asd_special_free_school"]
    assert free["share_independent"] < base["share_independent"]
    assert free["total_cost"] < base["total_cost"]
    assert free["placed"] == base["placed"]
