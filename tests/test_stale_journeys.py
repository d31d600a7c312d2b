"""Stale journeys (issue 15.1): a travel table is used only for the inputs it was computed from.

Each attack copies the Rutland sample, solves into a folder, changes an input the journeys
depend on and solves into the same folder again: the answer must be the one a fresh folder
gives, never the previous run's journeys reported as a success.
"""

from __future__ import annotations

import bz2
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.travel_table import INPUTS, TRAVEL_FILE, load_journeys
from solver.workspace import open_workspace

ROOT = Path(__file__).resolve().parent.parent
#: A new plan appended to the sample: a Year 3 child with autism at a central Oakham postcode.
NEW_CHILD = "RUT-9999,3,M,ASD,,LE15 6AG,,,,False\n"
RUN_FILES = ("placements.csv", "unplaced.csv", "summary.json")


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample's data and scenarios copied, solved once into `out` (its travel table cached
    there); a network cache of the module's own."""
    folder = tmp_path_factory.mktemp("sample")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RIGHTPLACE_CACHE", str(tmp_path_factory.mktemp("cache")))
        for name in ("data", "scenarios"):
            shutil.copytree(ROOT / name, folder / name)
        _solve(folder, "out")
        yield folder


@pytest.fixture
def sample(solved: Path, tmp_path: Path) -> Path:
    """A copy of the solved sample for one test to change."""
    shutil.copytree(solved, tmp_path / "sample")
    return tmp_path / "sample"


def _run(folder: Path, *args: str) -> str:
    """A `rightplace` command run in `folder` (exit 0 required); its output."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return result.output


def _solve(folder: Path, out: str, *more: str) -> None:
    _run(folder, "solve", "--scenario", "scenarios/baseline.yaml", "--out", out, *more)


def _table(path: Path) -> pd.DataFrame:
    """A travel table as plain, sorted rows (to compare tables computed apart)."""
    table = load_journeys(path).astype({"child_id": str, "urn": str})
    return table.sort_values(["child_id", "urn"], ignore_index=True)


def _append_child(sample: Path) -> None:
    with (sample / "data" / "rutland" / "children.csv").open("a", encoding="utf-8") as file:
        file.write(NEW_CHILD)


def _move_home(sample: Path) -> None:
    """RUT-0002 moves from Oakham (LE15 6AG) to Uppingham (LE15 9DQ)."""
    path = sample / "data" / "rutland" / "children.csv"
    text = path.read_text(encoding="utf-8")
    assert "RUT-0002,5,F,SLCN,,LE15 6AG," in text
    path.write_text(text.replace("RUT-0002,5,F,SLCN,,LE15 6AG,", "RUT-0002,5,F,SLCN,,LE15 9DQ,"))


def _move_setting(sample: Path) -> None:
    """Every setting's recorded location moves 2 km east (a re-surveyed GIAS)."""
    path = sample / "data" / "rutland" / "gias.csv"
    gias = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    gias["Easting"] = (gias["Easting"].astype(int) + 2000).astype(str)
    gias.to_csv(path, index=False)


def _lower_limits(sample: Path) -> None:
    """The scenario allows 20-minute journeys for every phase (the table held up to 75)."""
    path = sample / "scenarios" / "baseline.yaml"
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    phases = ("early_years", "primary", "secondary", "post16", "post19")
    scenario["policy"] = {"journey_limit_minutes": dict.fromkeys(phases, 20)}
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")


def _slow_residential_roads(sample: Path) -> None:
    """The road network file changes: residential roads become service roads (10 mph)."""
    path = sample / "data" / "rutland" / "roads.osm.bz2"
    xml = bz2.decompress(path.read_bytes())
    assert b'v="residential"' in xml
    path.write_bytes(bz2.compress(xml.replace(b'v="residential"', b'v="service"')))


CHANGES: dict[str, Callable[[Path], None]] = {
    "child added": _append_child,
    "home moved": _move_home,
    "settings moved": _move_setting,
    "limits lowered": _lower_limits,
    "network changed": _slow_residential_roads,
}


def test_a_new_child_is_placed_as_in_a_fresh_folder(sample: Path) -> None:
    """The issue's attack: after a child is appended to children.csv, solving into the same
    folder places them exactly as a fresh folder does, and their tailored list has settings
    on it (with the stale table they were unplaced, every setting off their list)."""
    _append_child(sample)
    _solve(sample, "out")
    _solve(sample, "fresh")
    for name in RUN_FILES:
        assert (sample / "out" / name).read_bytes() == (sample / "fresh" / name).read_bytes()
    placed = pd.read_csv(sample / "out" / "placements.csv", dtype=str)
    assert "RUT-9999" in set(placed["child_id"])
    for out in ("out", "fresh"):
        _run(sample, "lists", "--scenario", "scenarios/baseline.yaml", "--out", out,
             "--child", "RUT-9999")  # fmt: skip
    lists = pd.read_csv(sample / "out" / "tailored_lists.csv", dtype=str)
    assert (lists["on_list"] == "True").sum() > 0
    fresh = (sample / "fresh" / "tailored_lists.csv").read_bytes()
    assert (sample / "out" / "tailored_lists.csv").read_bytes() == fresh


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_input_gives_a_fresh_folders_journeys(sample: Path, change: str) -> None:
    """Whatever input the journeys depend on changes (children, homes, settings, limits,
    roads), the table the next solve uses and caches is the one a fresh folder computes,
    which differs from the previous run's."""
    before = _table(sample / "out" / TRAVEL_FILE)
    CHANGES[change](sample)
    _solve(sample, "out")
    _solve(sample, "fresh")
    after = _table(sample / "out" / TRAVEL_FILE)
    pd.testing.assert_frame_equal(after, _table(sample / "fresh" / TRAVEL_FILE))
    assert not after.equals(before)
    for name in RUN_FILES:
        assert (sample / "out" / name).read_bytes() == (sample / "fresh" / name).read_bytes()


def test_a_change_journeys_do_not_depend_on_keeps_the_table(sample: Path) -> None:
    """A child's need and the places offered are not journey inputs: the cached table is
    reused as it is (the file is not written again)."""
    table = sample / "out" / TRAVEL_FILE
    written = table.stat().st_ino, table.stat().st_mtime_ns
    children = sample / "data" / "rutland" / "children.csv"
    text = children.read_text(encoding="utf-8")
    children.write_text(text.replace("RUT-0004,7,M,SPLD,", "RUT-0004,7,M,MLD,"))
    overrides = sample / "data" / "rutland" / "overrides.csv"
    overrides.write_text(overrides.read_text(encoding="utf-8").replace(",5,", ",4,", 1))
    _solve(sample, "out")
    assert (table.stat().st_ino, table.stat().st_mtime_ns) == written


def test_a_stale_table_given_explicitly_is_refused_naming_what_changed(sample: Path) -> None:
    """`--journeys` with a table computed before the children and settings changed exits 2
    with one problem naming both (and the file); before the change it is used."""
    given = sample / "given.parquet"
    shutil.copy(sample / "out" / TRAVEL_FILE, given)
    _solve(sample, "ok", "--journeys", "given.parquet")
    _append_child(sample)
    _move_setting(sample)
    cwd = Path.cwd()
    os.chdir(sample)
    try:
        args = ["solve", "--scenario", "scenarios/baseline.yaml", "--out", "stale"]
        result = CliRunner().invoke(app, [*args, "--journeys", "given.parquet"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == EXIT_BAD_INPUT
    (line,) = [x for x in result.output.splitlines() if x.startswith("given.parquet")]
    assert INPUTS in line and "the children" in line and "the settings" in line
    assert "road network" not in line and "limits" not in line
    assert "Traceback" not in result.output and not (sample / "stale" / "summary.json").exists()


def test_an_unstamped_cached_table_is_computed_again(sample: Path) -> None:
    """A cached table that does not say what it was computed from (an older version's, or one
    copied in by hand) is not trusted when the scenario has a road network to search."""
    table = sample / "out" / TRAVEL_FILE
    stale = _table(table)
    stale = stale[stale["child_id"] != "RUT-0002"]
    stale.attrs.clear()
    stale.to_parquet(table)  # no record of its inputs: a copy made by hand
    assert INPUTS not in load_journeys(table).attrs
    _solve(sample, "out")
    _solve(sample, "fresh")
    pd.testing.assert_frame_equal(_table(table), _table(sample / "fresh" / TRAVEL_FILE))
    assert INPUTS in load_journeys(table).attrs


def test_a_stale_table_beside_the_scenario_is_passed_over(sample: Path) -> None:
    """A table beside the scenario is used only for its inputs too: after a child is added,
    the next run computes the journeys into its output folder."""
    shutil.copy(sample / "out" / TRAVEL_FILE, sample / "scenarios" / TRAVEL_FILE)
    _append_child(sample)
    _solve(sample, "next")
    assert "RUT-9999" in set(_table(sample / "next" / TRAVEL_FILE)["child_id"])


def test_the_apps_journeys_folder_follows_a_changed_upload(sample: Path) -> None:
    """The app reopens a scenario with the same journeys folder after a file is uploaded
    again: the changed children get the journeys a fresh folder gives them."""
    scenario = sample / "scenarios" / "baseline.yaml"
    folder = sample / "app-journeys"
    open_workspace(scenario, folder)
    _append_child(sample)
    again = open_workspace(scenario, folder).journeys.astype({"child_id": str, "urn": str})
    fresh = open_workspace(scenario, sample / "fresh-journeys").journeys
    keys = ["child_id", "urn"]
    pd.testing.assert_frame_equal(
        again.sort_values(keys, ignore_index=True),
        fresh.astype({"child_id": str, "urn": str}).sort_values(keys, ignore_index=True),
    )
    assert (again["child_id"] == "RUT-9999").sum() > 0
