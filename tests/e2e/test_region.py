"""Regional runs on Dask: the same journeys, lists and placements as one machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.domain.needs import phase_of
from solver.errors import InputError
from solver.io.journeys import load_journeys
from solver.synth.instance import SynthSize, write_synth
from solver.travel.region import partitions, region_journeys
from solver.workspace import distributed_lists, open_workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic region of three adjacent LAs; its scenario file."""
    out = tmp_path_factory.mktemp("region")
    write_synth(SynthSize(children=900, settings=60, nodes=3000, seed=5, las=3), out)
    return out / "scenario.yaml"


def _run(*args: str) -> None:
    """The command in its own process, as a user runs it (worker processes start from it)."""
    command = [sys.executable, "-c", "from solver.cli import main; main()", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_regional_solve_equals_single_machine(region: Path, tmp_path: Path) -> None:
    """`solve --scheduler local --workers 2` writes the same placements, unplaced children
    and summary as the single-machine solve, and some children are placed across a border."""
    _run("solve", "--scenario", str(region), "--out", str(tmp_path / "one"))
    _run(
        "solve", "--scenario", str(region), "--out", str(tmp_path / "dask"),
        "--scheduler", "local", "--workers", "2",
    )  # fmt: skip
    for name in ("placements.csv", "unplaced.csv", "summary.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    ws = open_workspace(region, tmp_path / "one")
    placements = pd.read_csv(tmp_path / "one" / "placements.csv", dtype=str)
    setting_la = ws.inputs.settings.set_index("urn")["la_code"]
    child_la = ws.inputs.children.set_index("child_id")["la_code"]
    across = placements["urn"].map(setting_la) != placements["child_id"].map(child_la)
    assert across.any() and ws.inputs.children["la_code"].nunique() == 3


def test_regional_journeys_and_lists_equal_single_machine(region: Path, tmp_path: Path) -> None:
    """Partition by partition on two workers, the travel table and the tailored lists have
    exactly the single machine's rows."""
    from solver.travel.region import dask_client

    ws = open_workspace(region, tmp_path)
    some = ws.inputs.children["child_id"].astype(str).tolist()[::97]
    with dask_client("local", 2, processes=False) as client:
        journeys = region_journeys(
            client, ws.scenario, str(region), ws.inputs.children, ws.inputs.settings
        )
        lists = distributed_lists(ws, client, some)
    keys = ["child_id", "urn"]
    expected = ws.journeys.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(journeys.sort_values(keys).reset_index(drop=True), expected)
    single = ws.tailored_lists(some).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(lists.sort_values(keys).reset_index(drop=True), single)


def test_placement_only_journeys_solve_the_same(region: Path, tmp_path: Path) -> None:
    """`travel --placement-only`, on one machine or two workers, writes the same smaller
    table; the solve on it equals the solve on every journey; lists refuse it."""
    runner = CliRunner()
    ask = ["--scenario", str(region), "--placement-only", "--out"]
    assert runner.invoke(app, ["travel", *ask, str(tmp_path / "one")]).exit_code == 0
    _run("travel", *ask, str(tmp_path / "dask"), "--scheduler", "local", "--workers", "2")
    one, dask = (load_journeys(tmp_path / d / "travel_times.parquet") for d in ("one", "dask"))
    pd.testing.assert_frame_equal(one, dask)
    ws = open_workspace(region, tmp_path / "full")
    every = ws.journeys.astype({"child_id": str, "urn": str, "seconds": float})
    child = ws.inputs.children.set_index("child_id").loc[every["child_id"]].reset_index()
    setting = ws.inputs.settings.set_index("urn").loc[every["urn"]].reset_index()
    limit = child["ncy"].map(lambda n: ws.scenario.policy.limit_for(phase_of(n)))
    placing = child["current_urn"].isna() | child["transfer"].astype(bool)
    usable = (
        placing
        & (every["seconds"] / 60 <= limit)
        & (setting["ncy_low"] <= child["ncy"])
        & (child["ncy"] <= setting["ncy_high"])
    ) | (child["current_urn"] == every["urn"])
    expected = every[usable.to_numpy()].sort_values(["child_id", "urn"], ignore_index=True)
    got = one.astype({"child_id": str, "urn": str}).sort_values(
        ["child_id", "urn"], ignore_index=True
    )
    pd.testing.assert_frame_equal(got, expected)
    assert len(one) < len(every) / 2
    placement_only = tmp_path / "one" / "travel_times.parquet"
    for table, out in (
        (tmp_path / "full" / "travel_times.parquet", "all"),
        (placement_only, "some"),
    ):
        given = ["--scenario", str(region), "--out", str(tmp_path / out), "--journeys", str(table)]
        result = runner.invoke(app, ["solve", *given])
        assert result.exit_code == 0, result.output
    for name in ("placements.csv", "unplaced.csv", "summary.json"):
        assert (tmp_path / "all" / name).read_bytes() == (tmp_path / "some" / name).read_bytes()
    given = [
        "--scenario",
        str(region),
        "--out",
        str(tmp_path / "l"),
        "--journeys",
        str(placement_only),
    ]
    refused = runner.invoke(app, ["lists", *given])
    assert refused.exit_code == EXIT_BAD_INPUT
    assert "--journeys::travel table:" in refused.output
    assert "placement can use" in refused.output


def test_lists_for_some_children_route_only_theirs(region: Path, tmp_path: Path) -> None:
    """`lists --child` with no travel table computes those children's journeys alone (on one
    machine or the cluster), lists them as the full table does, and caches nothing."""
    ws = open_workspace(region, tmp_path / "full")
    some = ws.inputs.children["child_id"].astype(str).tolist()[5::150]
    asked = ["--scenario", str(region), *(a for child in some for a in ("--child", child))]
    full = str(tmp_path / "full" / "travel_times.parquet")
    runner = CliRunner()
    for args in (
        ["--out", str(tmp_path / "one")],
        ["--out", str(tmp_path / "all"), "--journeys", full],
    ):
        result = runner.invoke(app, ["lists", *asked, *args])
        assert result.exit_code == 0, result.output
    _run("lists", *asked, "--out", str(tmp_path / "dask"), "--scheduler", "local", "--workers", "2")
    expected = (tmp_path / "all" / "tailored_lists.csv").read_bytes()
    assert set(pd.read_csv(tmp_path / "all" / "tailored_lists.csv", dtype=str)["child_id"]) == set(
        some
    )
    for out in ("one", "dask"):
        assert (tmp_path / out / "tailored_lists.csv").read_bytes() == expected
        assert not (tmp_path / out / "travel_times.parquet").exists()


def test_partitions_search_each_setting_once_with_its_border_zone() -> None:
    """Two LAs 100 km apart, reach 10 km: each LA's settings are searched with the children
    near them, whichever LA is responsible, and a child who attends a far setting now."""
    children = pd.DataFrame(
        {
            "child_id": ["a1", "a2", "b1"],
            "la_code": ["A", "A", "B"],
            "easting": [400_000.0, 405_000.0, 500_000.0],
            "northing": [300_000.0] * 3,
            "current_urn": ["", "2", ""],
        }
    )
    settings = pd.DataFrame(
        {
            "urn": ["1", "2", "3"],
            "la_code": ["A", "B", "B"],
            "easting": [401_000.0, 501_000.0, 409_000.0],
            "northing": [300_000.0] * 3,
        }
    )
    parts = partitions(children, settings, reach_m=10_000.0)
    assert [(p.la_code, p.settings.tolist(), p.children.tolist()) for p in parts] == [
        ("A", [0], [0, 1]),
        ("B", [1, 2], [0, 1, 2]),  # a1 and a2 live within reach of B's setting 3; b1 of 2
    ]
    strips = partitions(children, settings, reach_m=10_000.0, most=1)
    assert [p.settings.tolist() for p in strips] == [[0], [2], [1]]  # B's cut west to east
    assert [p.children.tolist() for p in strips] == [[0, 1], [0, 1], [1, 2]]  # a2 attends 2


def test_a_child_no_partition_reaches_is_still_checked(region: Path, tmp_path: Path) -> None:
    """A home far from every road is an input error on the cluster, as on one machine, even
    though no partition's border zone holds it."""
    from solver.travel.region import dask_client

    ws = open_workspace(region, tmp_path)
    children = ws.inputs.children.copy()
    children.loc[children.index[3], "easting"] = 100_000.0  # 300 km west of the region
    with dask_client("local", 1, processes=False) as client, pytest.raises(InputError) as error:
        region_journeys(client, ws.scenario, str(region), children, ws.inputs.settings)
    (problem,) = error.value.problems
    assert (problem.row, problem.column) == (5, "easting")


def test_two_local_clusters_run_at_once() -> None:
    """Embedded clusters take free loopback ports, so a second one (another user's run, a
    benchmark) starts cleanly beside the first instead of fighting over Dask's default port."""
    from solver.travel.region import dask_client

    with (
        dask_client("local", 1, processes=False) as one,
        dask_client("local", 1, processes=False) as two,
    ):
        assert one.submit(sum, [1, 2]).result() == 3 and two.submit(sum, [3, 4]).result() == 7
        assert one.scheduler.address != two.scheduler.address


def test_unreachable_scheduler_is_bad_input(region: Path, tmp_path: Path) -> None:
    """A scheduler address nobody answers is reported (exit 2), never a traceback."""
    result = CliRunner().invoke(
        app,
        ["travel", "--scenario", str(region), "--out", str(tmp_path), "--scheduler",
         "tcp://127.0.0.1:9"],
    )  # fmt: skip
    assert result.exit_code == EXIT_BAD_INPUT
    assert "cannot reach the Dask scheduler" in result.output
