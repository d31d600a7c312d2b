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
from click.testing import Result
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.domain.scenario import Inputs, Scenario
from solver.io.inputs import LoadedInputs
from solver.io.journeys import INPUTS, TRAVEL_FILE, load_journeys
from solver.travel.tables import journey_inputs
from solver.workspace import open_workspace
from tests.placement_tables import (
    TARIFFS,
    child,
    children_table,
    place,
    places_table,
    setting,
    settings_table,
)

ROOT = Path(__file__).resolve().parents[2]
#: A new plan appended to the sample: a Year 3 child with autism living in central Oakham.
NEW_ID = "NEW-9999"
NEW_CHILD = {"child_id": NEW_ID, "ncy": "3", "sex": "M", "primary_need": "ASD",
             "easting": "486300", "northing": "309100", "transfer": "False"}  # fmt: skip
#: Central Uppingham, 10 km south of Oakham.
UPPINGHAM = {"easting": "486650", "northing": "299750"}
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


def _invoke(folder: Path, *args: str) -> Result:
    """A `rightplace` command run in `folder`."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(cwd)


def _run(folder: Path, *args: str) -> str:
    """A `rightplace` command run in `folder` (exit 0 required); its output."""
    result = _invoke(folder, *args)
    assert result.exit_code == 0, result.output
    return result.output


def _solve(folder: Path, out: str, *more: str) -> None:
    _run(folder, "solve", "--scenario", "scenarios/baseline.yaml", "--out", out, *more)


def _table(path: Path) -> pd.DataFrame:
    """A travel table as plain, sorted rows (to compare tables computed apart)."""
    table = load_journeys(path).astype({"child_id": str, "urn": str})
    return table.sort_values(["child_id", "urn"], ignore_index=True)


def _children_path(sample: Path) -> Path:
    return sample / "data" / "rutland" / "children.csv"


def _read_children(sample: Path) -> pd.DataFrame:
    return pd.read_csv(_children_path(sample), dtype=str, keep_default_na=False)


def _write_children(sample: Path, children: pd.DataFrame) -> None:
    children.to_csv(_children_path(sample), index=False)


def _first_child(sample: Path) -> str:
    return str(_read_children(sample)["child_id"].iloc[0])


def _append_child(sample: Path) -> None:
    children = _read_children(sample)
    new = pd.DataFrame([NEW_CHILD]).reindex(columns=children.columns, fill_value="")
    _write_children(sample, pd.concat([children, new], ignore_index=True))


def _move_home(sample: Path) -> None:
    """The first child moves from their home to Uppingham."""
    children = _read_children(sample)
    assert (children.loc[0, ["easting", "northing"]] != pd.Series(UPPINGHAM)).any()
    for column, value in UPPINGHAM.items():
        children.loc[0, column] = value
    _write_children(sample, children)


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
    assert NEW_ID in set(placed["child_id"])
    for out in ("out", "fresh"):
        _run(sample, "lists", "--scenario", "scenarios/baseline.yaml", "--out", out,
             "--child", NEW_ID)  # fmt: skip
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
    children = _read_children(sample)
    children.loc[0, "primary_need"] = "MLD" if children.loc[0, "primary_need"] != "MLD" else "SLD"
    _write_children(sample, children)
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
    args = ["solve", "--scenario", "scenarios/baseline.yaml", "--out", "stale"]
    result = _invoke(sample, *args, "--journeys", "given.parquet")
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
    stale = stale[stale["child_id"] != _first_child(sample)]
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
    assert NEW_ID in set(_table(sample / "next" / TRAVEL_FILE)["child_id"])


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
    assert (again["child_id"] == NEW_ID).sum() > 0


def test_a_scenario_without_a_network_checks_the_rest(sample: Path) -> None:
    """A table computed elsewhere can be given to a scenario that names no road network (the
    network is then not compared), but is still refused once the children change."""
    path = sample / "scenarios" / "baseline.yaml"
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    del scenario["inputs"]["network"]
    (sample / "scenarios" / "no_network.yaml").write_text(yaml.safe_dump(scenario))
    args = ["solve", "--scenario", "scenarios/no_network.yaml", "--journeys", "out/" + TRAVEL_FILE]
    _run(sample, *args, "--out", "ok")
    _append_child(sample)
    result = _invoke(sample, *args, "--out", "stale")
    assert result.exit_code == EXIT_BAD_INPUT and "the children" in result.output


def test_a_stale_table_is_searched_again_on_the_cluster(sample: Path) -> None:
    """On Dask too, a cached table for other inputs is passed over: after a child is added the
    cluster's journeys are a fresh folder's, and they are cached for the next run."""
    from solver.travel.region import dask_client
    from solver.workspace import region_workspace

    scenario = sample / "scenarios" / "baseline.yaml"
    _append_child(sample)
    with dask_client("local", 1, processes=False) as client:
        journeys = region_workspace(scenario, sample / "out", None, client).journeys
    fresh = open_workspace(scenario, sample / "fresh").journeys
    keys = ["child_id", "urn"]
    pd.testing.assert_frame_equal(
        journeys.astype({"child_id": str, "urn": str}).sort_values(keys, ignore_index=True),
        fresh.astype({"child_id": str, "urn": str}).sort_values(keys, ignore_index=True),
    )
    assert NEW_ID in set(_table(sample / "out" / TRAVEL_FILE)["child_id"])


def _inputs(children: pd.DataFrame, settings: pd.DataFrame) -> LoadedInputs:
    return LoadedInputs(settings, places_table([place("100001", 5)]), children, TARIFFS)


def test_journey_inputs_see_each_journey_column_and_nothing_else() -> None:
    """The recorded inputs ignore row order and the columns journeys do not depend on (need,
    sex, name, places) but change with each one they do (ids, homes, current settings, setting
    locations and URNs); a placement-only table also records year groups and transfers."""
    scenario = Scenario(name="t", inputs=Inputs(settings=Path("g.csv"), children=Path("c.csv")))
    children = children_table([child("A"), child("B", current_urn="100001")])
    settings = settings_table([setting("100001"), setting("100002", easting=491000.0)])
    base = journey_inputs(scenario, _inputs(children, settings))
    same = [
        _inputs(children.iloc[::-1], settings.iloc[::-1]),
        _inputs(children.assign(primary_need="SEMH", sex="F", ncy=9), settings),
        _inputs(children, settings.assign(name="Renamed", ncy_low=5)),
    ]
    for inputs in same:
        assert journey_inputs(scenario, inputs) == base
    changed = {
        "children": [
            children.assign(child_id=["A", "C"]),
            children.assign(easting=[490000.0, 490001.0]),
            children.assign(current_urn=["100002", "100001"]),
        ],
        "settings": [settings.assign(northing=305001.0), settings.assign(urn=["100001", "9"])],
    }
    for part, tables in changed.items():
        for table in tables:
            kids, places = (table, settings) if part == "children" else (children, table)
            now = journey_inputs(scenario, _inputs(kids, places))
            assert [k for k in base if now[k] != base[k]] == [part]
    placement = journey_inputs(scenario, _inputs(children, settings), placement_only=True)
    older = _inputs(children.assign(ncy=9), settings)
    assert journey_inputs(scenario, older, placement_only=True)["children"] != placement["children"]


def test_a_stale_table_is_passed_over_without_reading_its_rows(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a cached table is for these inputs is read from its metadata alone: a stale
    national table (gigabytes) is never loaded only to be thrown away."""
    from solver.io.inputs import load_scenario_inputs
    from solver.io.scenario_file import load_scenario
    from solver.travel import tables as travel_table

    _append_child(sample)
    scenario = load_scenario(sample / "scenarios" / "baseline.yaml")
    inputs = load_scenario_inputs(scenario)

    def unread(path: Path) -> pd.DataFrame:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(travel_table, "load_journeys", unread)
    table = sample / "out" / TRAVEL_FILE
    assert travel_table.cached_journeys(table, scenario, inputs, can_search=True) is None
    assert travel_table.changed_inputs(travel_table.recorded_inputs(table) or {}, scenario, inputs)
