"""`rightplace synth` output: valid, deterministic for a seed, national mixes, OSM roads."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.domain.groups import SPECIALIST_TYPES
from solver.domain.needs import NATIONAL_NEED_MIX, TRANSFER_NCYS
from solver.io.inputs import load_children, load_gias
from solver.io.scenario_file import load_scenario
from solver.io.validate import validate_files
from solver.synth.instance import NATIONAL_MALE_SHARE, quota

SMALL = ["--children", "400", "--settings", "40", "--nodes", "900"]


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic input set written by the CLI."""
    out = tmp_path_factory.mktemp("synth")
    result = CliRunner().invoke(app, ["synth", *SMALL, "--seed", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_synth_output_validates(synth_dir: Path) -> None:
    """The written settings, overrides and children load with no problem."""
    report = validate_files(
        synth_dir / "gias.csv", synth_dir / "overrides.csv", synth_dir / "children.csv"
    )
    assert report.ok, report.problems
    assert sum(report.children_by_need.values()) == 400
    assert sum(report.settings_by_type.values()) == 40
    scenario = load_scenario(synth_dir / "scenario.yaml")
    assert scenario.inputs.network == synth_dir / "roads.osm"


def test_synth_is_deterministic_for_a_seed(synth_dir: Path, tmp_path: Path) -> None:
    """The same sizes and seed give byte-identical files; another seed gives other children."""
    again, other = tmp_path / "again", tmp_path / "other"
    runner = CliRunner()
    runner.invoke(app, ["synth", *SMALL, "--seed", "7", "--out", str(again)])
    runner.invoke(app, ["synth", *SMALL, "--seed", "8", "--out", str(other)])
    for name in ("gias.csv", "overrides.csv", "children.csv", "roads.osm", "scenario.yaml"):
        assert (again / name).read_bytes() == (synth_dir / name).read_bytes(), name
    assert (other / "children.csv").read_bytes() != (synth_dir / "children.csv").read_bytes()


def test_synth_children_follow_the_national_mixes(synth_dir: Path) -> None:
    """Need mix, male share and transfer flags as specified; children not at a transfer are
    (nearly all) placed, in a setting that suits their age and, if specialist, their need."""
    settings = load_gias(synth_dir / "gias.csv")
    children = load_children(synth_dir / "children.csv", None, settings)
    expected = quota(list(NATIONAL_NEED_MIX.values()), 400)
    counts = children["primary_need"].value_counts()
    assert [counts.get(n.value, 0) for n in NATIONAL_NEED_MIX] == expected.tolist()
    assert abs((children["sex"] == "M").mean() - NATIONAL_MALE_SHARE) < 0.005
    assert (children["transfer"] == children["ncy"].isin(list(TRANSFER_NCYS))).all()
    assert (children.loc[children["transfer"], "current_urn"] == "").all()
    assert (children.loc[~children["transfer"], "current_urn"] != "").mean() > 0.95
    placed = children[~children["transfer"]].merge(settings, left_on="current_urn", right_on="urn")
    assert placed["ncy"].between(placed["ncy_low"], placed["ncy_high"]).all()
    specialist = placed[placed["setting_type"].isin([t.value for t in SPECIALIST_TYPES])]
    assert all(
        n in d
        for n, d in zip(specialist["primary_need"], specialist["designated_needs"], strict=True)
    )


def test_synth_roads_are_osm_xml_in_england(synth_dir: Path) -> None:
    """900 nodes with WGS84 coordinates inside England, and ways of node references."""
    text = (synth_dir / "roads.osm").read_text(encoding="utf-8")
    lat = np.array(re.findall(r'<node id="\d+" lat="([-\d.]+)"', text), dtype=float)
    lon = np.array(re.findall(r' lon="([-\d.]+)"/>', text), dtype=float)
    assert len(lat) == len(lon) == 900
    assert (lat > 50.0).all() and (lat < 55.8).all() and (lon > -5.7).all() and (lon < 1.8).all()
    assert text.count("<way ") > 0 and '<tag k="highway" v="motorway"/>' in text


def test_synth_with_postcodes_locates_children_by_postcode(tmp_path: Path) -> None:
    """With --postcodes, children carry postcodes only, and postcodes.csv resolves them all."""
    result = CliRunner().invoke(app, ["synth", *SMALL, "--postcodes", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    raw = pd.read_csv(tmp_path / "children.csv", dtype=str, keep_default_na=False)
    assert (raw["postcode"] != "").all() and (raw["easting"] == "").all()
    report = validate_files(
        tmp_path / "gias.csv",
        tmp_path / "overrides.csv",
        tmp_path / "children.csv",
        tmp_path / "postcodes.csv",
    )
    assert report.ok, report.problems


def test_synth_rejects_too_few_settings(tmp_path: Path) -> None:
    """Fewer settings than kinds of setting is a usage error, not a traceback."""
    args = ["synth", "--children", "5", "--settings", "3", "--nodes", "100"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not (tmp_path / "gias.csv").exists()
