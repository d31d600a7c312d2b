"""The embedded Rutland sample validates and matches the published figures it claims."""

from __future__ import annotations

import bz2
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from solver.domain.groups import SPECIALIST_TYPES
from solver.domain.model import SettingType
from solver.domain.needs import TRANSFER_NCYS
from solver.io.inputs import load_children, load_gias, load_overrides, load_postcodes
from solver.io.scenario_file import load_scenario
from solver.io.validate import validate_files

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "rutland"
SHARED = Path("/work/shared/data")

# Rutland, January 2025, DfE "Education, health and care plans" (2025), 2024/25 rows.
PUBLISHED_NEEDS = {
    "ASD": 136, "HI": 6, "MLD": 53, "MSI": 5, "OTH": 7, "PD": 5, "PMLD": 5,
    "SEMH": 80, "SLCN": 46, "SLD": 11, "SPLD": 20, "VI": 2,
}  # fmt: skip
PUBLISHED_AGES = {
    3: 2, 4: 7, 5: 16, 6: 13, 7: 17, 8: 19, 9: 26, 10: 25, 11: 40, 12: 27, 13: 36, 14: 35,
    15: 25, 16: 28, 17: 14, 18: 17, 19: 15, 20: 6, 21: 3, 22: 1, 23: 2, 24: 2,
}  # fmt: skip
STATE_OR_INDEPENDENT_MAINSTREAM = {"mainstream", "mainstream_rp", "independent_mainstream"}


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample's settings and children as the loaders read them."""
    settings = load_gias(SAMPLE / "gias.csv")
    postcodes = load_postcodes(SAMPLE / "postcodes.csv")
    return settings, load_children(SAMPLE / "children.csv", postcodes, settings)


def test_sample_validates_with_no_problem() -> None:
    """`rightplace validate` on the four sample files finds nothing wrong."""
    report = validate_files(
        SAMPLE / "gias.csv",
        SAMPLE / "overrides.csv",
        SAMPLE / "children.csv",
        SAMPLE / "postcodes.csv",
    )
    assert report.ok, report.problems
    assert sum(report.children_by_need.values()) == 376


def test_baseline_scenario_points_at_the_sample() -> None:
    """scenarios/baseline.yaml resolves to inputs that exist, tariffs and DfE/ONS data included."""
    scenario = load_scenario(REPO / "scenarios" / "baseline.yaml")
    inputs = scenario.inputs.model_dump()
    inputs.pop("sen2")  # baseline reads children.csv, which is derived from the SEN2 return
    inputs.pop("tariffs")  # the default tariffs ship inside the package
    paths = [inputs.pop("ehcp"), *inputs.pop("population"), *inputs.values()]
    for path in paths:
        assert path is not None and Path(path).exists(), path
    assert len(scenario.inputs.population) == 3


def test_children_match_published_totals(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """376 children with Rutland's published need, age (NCY + 4) and sex counts."""
    _, children = sample
    assert len(children) == 376
    assert children["primary_need"].value_counts().to_dict() == PUBLISHED_NEEDS
    assert (children["ncy"] + 4).value_counts().to_dict() == PUBLISHED_AGES
    assert children["sex"].value_counts().to_dict() == {"M": 252, "F": 124}


def test_children_match_published_placement_mix(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """201 mainstream, 78 special (32 independent), 58 FE, 39 with no setting, as published."""
    settings, children = sample
    kind = children["current_urn"].map(settings.set_index("urn")["setting_type"]).fillna("none")
    special = kind.isin([t.value for t in SPECIALIST_TYPES])
    assert kind.isin(STATE_OR_INDEPENDENT_MAINSTREAM).sum() == 201
    assert special.sum() == 78
    assert (kind == SettingType.INDEPENDENT_SPECIAL.value).sum() == 32
    assert (kind == SettingType.NON_MAINTAINED_SPECIAL.value).sum() == 1
    assert (kind == SettingType.POST16.value).sum() == 58
    assert (kind == "none").sum() == 38 + 1


def test_current_settings_suit_the_children(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """A current setting teaches the child's NCY and, if specialist, is designated for its need."""
    settings, children = sample
    placed = children[children["current_urn"] != ""].merge(
        settings, left_on="current_urn", right_on="urn"
    )
    assert placed["ncy"].between(placed["ncy_low"], placed["ncy_high"]).all()
    specialist = placed[placed["setting_type"].isin([t.value for t in SPECIALIST_TYPES])]
    designated = [
        n in d
        for n, d in zip(specialist["primary_need"], specialist["designated_needs"], strict=True)
    ]
    assert all(designated)


def test_transfer_marks_the_phase_transfer_years(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """`transfer` is true exactly at NCY -1, 6, 11 and 13."""
    _, children = sample
    assert (children["transfer"] == children["ncy"].isin(list(TRANSFER_NCYS))).all()


def test_resourced_places_cover_the_children_in_them(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Each RP/unit need line has places for its designated need only, and vacancies <= places."""
    settings, _ = sample
    overrides = load_overrides(SAMPLE / "overrides.csv", settings)
    lines = overrides[overrides["need"] != ""].merge(settings, on="urn")
    assert (lines["setting_type"] == SettingType.MAINSTREAM_RP.value).all()
    assert all(n in d for n, d in zip(lines["need"], lines["designated_needs"], strict=True))
    assert (overrides["vacancies"] <= overrides["places"]).all()


def test_some_settings_lie_outside_the_road_network(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Out-of-county settings sit beyond the bounding box of Rutland's road nodes."""
    settings, _ = sample
    text = bz2.decompress((SAMPLE / "roads.osm.bz2").read_bytes()).decode("utf-8")
    lat = np.array(re.findall(r' lat="([-\d.]+)"', text), dtype=float)
    lon = np.array(re.findall(r' lon="([-\d.]+)"', text), dtype=float)
    from pyproj import Transformer

    east, north = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(
        lon, lat
    )
    outside = ~(
        settings["easting"].between(east.min(), east.max())
        & settings["northing"].between(north.min(), north.max())
    )
    assert outside.sum() >= 5
    assert (settings.loc[outside, "la_code"] != "857").all()


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the shared public data files")
def test_build_is_byte_identical(tmp_path: Path) -> None:
    """Rebuilding the sample from the public files reproduces every file byte for byte."""
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_sample.py"),
            "--out",
            str(tmp_path),
            "--scenarios",
            str(tmp_path),
        ],
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    )
    assert (tmp_path / "baseline.yaml").read_bytes() == (
        REPO / "scenarios" / "baseline.yaml"
    ).read_bytes()
    for name in ("gias.csv", "overrides.csv", "children.csv", "postcodes.csv", "roads.osm.bz2"):
        built = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        shipped = hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest()
        assert built == shipped, name
