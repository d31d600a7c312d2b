"""`rightplace travel`: a scenario in, travel_times.parquet out; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from geo.network import load_network
from solver.cli import app
from solver.io.gias import write_gias

RUTLAND = Path(__file__).resolve().parents[2] / "data" / "rutland" / "roads.osm.bz2"
#: A Leicester school, 25 km beyond the end of the Rutland network.
LEICESTER = (458_500.0, 304_500.0)


def _setting(urn: str, easting: float, northing: float) -> dict:
    return {
        "urn": urn,
        "name": f"School {urn}",
        "setting_type": "state_special",
        "la_code": "857",
        "low_age": 4,
        "high_age": 19,
        "ncy_low": 0,
        "ncy_high": 14,
        "gender": "mixed",
        "easting": easting,
        "northing": northing,
        "postcode": "",
        "designated_needs": ("ASD",),
        "provision": "",
        "capacity": 100,
        "on_roll": 90,
        "ofsted": "Good",
        "section41": False,
    }


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One network cache for the module, so Rutland is compiled once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def scenario(tmp_path, monkeypatch, cache):
    """Three children at Rutland junctions, two Rutland settings and one in Leicester."""
    monkeypatch.setenv("RIGHTPLACE_CACHE", str(cache))
    net = load_network(RUTLAND)
    nodes = np.random.default_rng(5).choice(net.n_nodes, 5, replace=False)
    x, y = net.node_x[nodes], net.node_y[nodes]
    settings = [_setting("100001", x[0], y[0]), _setting("100002", x[1], y[1])]
    write_gias(pd.DataFrame([*settings, _setting("100003", *LEICESTER)]), tmp_path / "gias.csv")
    children = pd.DataFrame(
        {
            "child_id": ["A1", "A2", "A3"],
            "ncy": [3, 8, 10],
            "sex": ["M", "F", "M"],
            "primary_need": ["ASD", "SEMH", "SLD"],
            "easting": x[2:],
            "northing": y[2:],
        }
    )
    children.to_csv(tmp_path / "children.csv", index=False)
    doc = {
        "name": "travel test",
        "inputs": {"settings": "gias.csv", "children": "children.csv", "network": str(RUTLAND)},
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_travel_writes_every_pair_within_the_cutoff(scenario, tmp_path):
    """All 9 pairs are within 75 minutes in Rutland; only the Leicester school is estimated."""
    result = CliRunner().invoke(
        app, ["travel", "--scenario", str(scenario), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    times = pd.read_parquet(tmp_path / "out" / "travel_times.parquet")
    assert list(times.columns) == ["child_id", "urn", "seconds", "estimated"]
    assert len(times) == 9
    estimated = times.groupby("urn")["estimated"].all()
    assert estimated.to_dict() == {"100001": False, "100002": False, "100003": True}
    assert times["seconds"].between(0, 75 * 60).all()
    # Leicester is 25+ km away: at least 25 minutes even at 60 mph
    assert (times.loc[times["urn"] == "100003", "seconds"] > 25 * 60).all()


def test_travel_without_network_exits_2(scenario, tmp_path):
    """A scenario without a road network is bad input: exit 2 naming the missing key."""
    doc = yaml.safe_load(scenario.read_text())
    del doc["inputs"]["network"]
    scenario.write_text(yaml.safe_dump(doc))
    result = CliRunner().invoke(
        app, ["travel", "--scenario", str(scenario), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "inputs.network" in result.output


def test_travel_home_far_from_roads_exits_2(scenario, tmp_path):
    """A child living 25 km beyond the network is reported by file, line and column."""
    children = pd.read_csv(tmp_path / "children.csv")
    children.loc[1, ["easting", "northing"]] = LEICESTER
    children.to_csv(tmp_path / "children.csv", index=False)
    result = CliRunner().invoke(
        app, ["travel", "--scenario", str(scenario), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "children.csv:3:easting: home is" in result.output
