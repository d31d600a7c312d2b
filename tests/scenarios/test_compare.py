"""compare agrees with solve, and its metrics move the way the policy says they must."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from solver.domain.model import home_la
from solver.workspace import open_workspace, run_scenario

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"
TIGHTER = REPO / "scenarios" / "tighter_journeys.yaml"


def test_metrics_match_solve(tmp_path: Path) -> None:
    """Placed, unplaced and total cost in the comparison equal `solve`'s own summary."""
    metrics = run_scenario(BASELINE, tmp_path / "compare").metrics
    summary = open_workspace(BASELINE, tmp_path / "solve").allocation().summary()
    assert metrics["placed"] == summary["placed"]
    assert metrics["unplaced"] == summary["unplaced"]
    assert metrics["total_cost"] == pytest.approx(summary["total_cost"], abs=0.01)


def test_tighter_limits_never_place_more(tmp_path: Path) -> None:
    """Shorter journey limits shrink every child's choice, so no more children are placed."""
    base = run_scenario(BASELINE, tmp_path / "base").metrics
    tight = run_scenario(TIGHTER, tmp_path / "tight").metrics
    assert tight["placed"] <= base["placed"]
    assert base["placed"] + base["unplaced"] == tight["placed"] + tight["unplaced"]


def test_home_la_is_the_la_holding_most_settings() -> None:
    """By hand: two settings in 857 and one in 999 make 857 the home LA; on a tie the lowest
    code, whatever the order of the rows."""
    assert home_la(pd.DataFrame({"la_code": ["999", "857", "857"]})) == "857"
    assert home_la(pd.DataFrame({"la_code": ["999", "857"]})) == "857"
    assert home_la(pd.DataFrame({"la_code": [999, 999, 857]})) == "999"
