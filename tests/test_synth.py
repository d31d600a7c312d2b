"""Synthetic inputs: the shared generator primitives, and `rightplace synth` output."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from solver.cli import app
from solver.domain.groups import SPECIALIST_TYPES
from solver.domain.needs import NATIONAL_NEED_MIX, TRANSFER_NCYS
from solver.io.inputs import load_children, load_gias
from solver.io.scenario_file import load_scenario
from solver.io.validate import validate_files
from solver.synth.instance import (
    MIN_SETTINGS,
    NATIONAL_MALE_SHARE,
    SynthSize,
    assign_exact,
    cached_instance,
    can_attend,
    choose_settings,
    need_indices,
    quota,
    synth_roads,
)

SMALL = ["--children", "400", "--settings", "40", "--nodes", "900"]


@given(
    st.lists(st.floats(0.0, 100.0), min_size=1, max_size=20).filter(lambda w: sum(w) > 0),
    st.integers(0, 10_000),
)
def test_quota_sums_and_stays_within_one_of_the_exact_share(weights: list[float], n: int) -> None:
    """Largest remainder: counts sum to n and each is the floor or ceiling of its exact share."""
    counts = quota(weights, n)
    exact = n * np.array(weights) / sum(weights)
    assert counts.sum() == n
    assert np.all(counts >= np.floor(exact) - 1e-9) and np.all(counts <= np.ceil(exact) + 1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=2, max_size=5), st.integers(0, 2**32 - 1))
def test_assign_exact_meets_the_counts(counts: list[int], seed: int) -> None:
    """Each label is used exactly as often as asked, whatever the weights."""
    n = sum(counts)
    rng = np.random.default_rng(seed)
    labels = assign_exact(rng, rng.random((n, len(counts))), counts)
    assert np.bincount(labels, minlength=len(counts)).tolist() == counts


def test_assign_exact_follows_strong_preferences() -> None:
    """Three children, three needs, one place each: each child gets the one it alone can take."""
    weights = np.array([[1.0, 1e-6, 1e-6], [1e-6, 1e-6, 1.0], [1e-6, 1.0, 1e-6]])
    labels = assign_exact(np.random.default_rng(0), weights, [1, 1, 1])
    assert labels.tolist() == [0, 2, 1]


def _three_settings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "urn": ["1", "2", "3"],
            "setting_type": ["mainstream", "state_special", "mainstream_rp"],
            "ncy_low": [0, -2, 7],
            "ncy_high": [6, 14, 13],
            "designated_needs": [(), ("ASD", "SLD"), ("SEMH",)],
            "easting": [0.0, 10_000.0, 20_000.0],
            "northing": [0.0, 0.0, 0.0],
        }
    )


def test_can_attend_checks_age_and_specialist_designation() -> None:
    """A Y3 child with ASD fits the primary and the ASD special; a Y8 child with MLD fits only
    the secondary RP school's mainstream side, and not its SEMH unit."""
    allowed = can_attend(np.array([3, 8]), need_indices(["ASD", "MLD"]), _three_settings())
    assert allowed.tolist() == [[True, True, False], [False, False, True]]
    units = can_attend(
        np.array([3, 8]), need_indices(["ASD", "MLD"]), _three_settings(), designated_only=True
    )
    assert units.tolist() == [[False, True, False], [False, False, False]]


def test_choose_settings_picks_only_allowed_and_marks_none() -> None:
    """Children are placed only where allowed, nearer settings far likelier; none allowed = -1."""
    allowed = np.array([[True, True, False], [False, False, False]])
    homes = np.array([[0.0, 0.0], [5.0, 5.0]])
    places = _three_settings()[["easting", "northing"]].to_numpy()
    rng = np.random.default_rng(3)
    picks = [
        choose_settings(rng, homes, lambda r, c: allowed[np.ix_(r, c)], places, scale_m=2000.0)
        for _ in range(200)
    ]
    first = np.array([p[0] for p in picks])
    assert set(first) <= {0, 1} and (first == 0).mean() > 0.95
    assert all(p[1] == -1 for p in picks)


def test_choose_settings_within_a_distance_equals_a_child_by_child_reference() -> None:
    """Tile by tile, each child's pick is the inverse-CDF draw among its allowed settings within
    `within_m` (all its allowed settings when none is that near), as a plain loop gives it."""
    rng = np.random.default_rng(11)
    homes = rng.uniform(0, 100_000, (300, 2))
    places = rng.uniform(0, 100_000, (60, 2))
    allowed = rng.random((300, 60)) < 0.15
    allowed[:5] = False
    allowed[:5, :2] = True  # a few children whose only settings may be far
    picked = choose_settings(
        np.random.default_rng(4),
        homes,
        lambda r, c: allowed[np.ix_(r, c)],
        places,
        scale_m=5000.0,
        within_m=15_000.0,
        chunk=16,
    )
    draws = np.random.default_rng(4).random(300)
    expected = []
    for i in range(300):
        gap = np.hypot(*(homes[i] - places).T)
        weight = np.where(allowed[i], np.exp(-gap / 5000.0), 0.0)
        near = np.where(gap <= 15_000.0, weight, 0.0)
        cumulative = np.cumsum(near if near.sum() > 0 else weight)
        hit = np.flatnonzero(cumulative >= draws[i] * cumulative[-1])
        expected.append(int(hit[0]) if cumulative[-1] > 0 else -1)
    assert picked.tolist() == expected
    assert (np.hypot(*(homes - places[picked]).T)[picked >= 0] > 15_000).any()  # a fallback


def test_network_is_connected_with_a_road_hierarchy() -> None:
    """K nodes in one connected piece, every highway class present, motorway tagged 70 mph."""
    roads = synth_roads(np.random.default_rng(0), 5000)
    graph = nx.Graph()
    graph.add_nodes_from(range(5000))
    for _, _, members in roads.ways:
        graph.add_edges_from(zip(members[:-1], members[1:], strict=True))
    assert len(roads.easting) == 5000 and nx.is_connected(graph)
    kinds = {h for h, _, _ in roads.ways}
    assert {"motorway", "trunk", "primary", "secondary", "tertiary", "residential"} <= kinds
    assert all(s == "70 mph" for h, s, _ in roads.ways if h == "motorway")


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


def test_cached_instance_is_one_per_size_las_and_seed(tmp_path: Path) -> None:
    """A benchmark's cached instance is reused for the same size, never for another LA count or
    seed (a region must not be read back as a one-LA instance of the same size)."""
    size = SynthSize(children=120, settings=MIN_SETTINGS, nodes=400, seed=2, las=1)
    first = cached_instance(size, tmp_path)
    written = (first.parent / "children.csv").stat().st_mtime_ns
    assert cached_instance(size, tmp_path) == first
    assert (first.parent / "children.csv").stat().st_mtime_ns == written
    others = {cached_instance(SynthSize(120, MIN_SETTINGS, 400, 2, 2), tmp_path)}
    others.add(cached_instance(SynthSize(120, MIN_SETTINGS, 400, 3, 1), tmp_path))
    assert len(others) == 2 and first not in others
