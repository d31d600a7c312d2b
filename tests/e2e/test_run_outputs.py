"""Half-written outputs (issue 15.6): a run killed while writing leaves whole files and never an
old summary beside new placements; a damaged cache entry is replaced, not refused.

The kills are real: the command runs in its own process, which sends itself SIGKILL at the
chosen moment of a write (no timing involved).
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from geo.network import load_network
from solver.cli import EXIT_BAD_INPUT, app
from solver.io.journeys import INPUTS, TRAVEL_FILE, load_journeys
from tests.placement_tables import write_case

ROOT = Path(__file__).resolve().parents[2]
RUTLAND_ROADS = ROOT / "data" / "rutland" / "roads.osm.bz2"

#: Runs `rightplace` with a kill switch: signal argv[1] (SIGKILL by default) just before a file
#: named argv[2] would replace its old version (the last moment a write can be interrupted).
KILLED_BEFORE_REPLACING = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal, even if ignored
number, name = int(sys.argv.pop(1)), sys.argv.pop(1)
real = os.replace
def replace(source, target, *args, **kwargs):
    if os.path.basename(target) == name:
        os.kill(os.getpid(), number)
    return real(source, target, *args, **kwargs)
os.replace = replace
from solver.cli import main
main()
"""
#: Runs `rightplace` with a kill switch: SIGKILL half way through writing a parquet file.
KILLED_MID_PARQUET = """
import os, signal
import pyarrow.parquet as pq
real = pq.write_table
def write_table(table, where, *args, **kwargs):
    real(table, where, *args, **kwargs)
    os.truncate(where, os.path.getsize(where) // 2)
    os.kill(os.getpid(), signal.SIGKILL)
pq.write_table = write_table
from solver.cli import main
main()
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's own compiled-network cache."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def sample(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Rutland sample's data and scenarios copied into the test's folder."""
    monkeypatch.setenv("RIGHTPLACE_CACHE", str(cache))
    for name in ("data", "scenarios"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _process(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`rightplace` run in its own process from `cwd` under `script`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", script, *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _invoke(*args: str) -> str:
    """`rightplace` in this process; exit 0 required; its output."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _solve(scenario: Path, out: Path, *more: str) -> None:
    _invoke("solve", "--scenario", str(scenario), "--out", str(out), *more)


@pytest.mark.parametrize("killed_at", ["placements.csv", "unplaced.csv", "summary.json"])
def test_a_solve_killed_while_writing_leaves_no_old_summary(tmp_path: Path, killed_at: str) -> None:
    """A solve killed at any file of its set leaves no summary.json (the previous run's is gone
    before anything new is written), no half file, and the next run writes a fresh folder's."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    _solve(scenario, out)
    previous = {p.name: p.read_bytes() for p in out.iterdir()}
    args = ["solve", "--scenario", str(scenario), "--out", str(out)]
    killed = _process(KILLED_BEFORE_REPLACING, str(signal.SIGKILL), killed_at, *args, cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (out / "summary.json").exists()
    for name in ("placements.csv", "unplaced.csv"):  # whole: as before (the same run's)
        assert (out / name).read_bytes() == previous[name]
    assert list(out.glob(f".{killed_at}.*.tmp"))  # the killed run's temporary
    _solve(scenario, out)
    assert not list(out.glob(".*"))  # removed by the next run
    fresh = tmp_path / "fresh"
    shutil.copytree(out, fresh, ignore=shutil.ignore_patterns("*.csv", "*.json", ".*"))
    _solve(scenario, fresh)
    for name in ("placements.csv", "unplaced.csv", "summary.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()


def test_a_solve_interrupted_while_writing_cleans_up(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) as placements.csv is about to be replaced: the run stops with no
    summary.json, the previous placements whole, and no temporary file left behind."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    _solve(scenario, out)
    previous = (out / "placements.csv").read_bytes()
    args = ["solve", "--scenario", str(scenario), "--out", str(out)]
    stopped = _process(
        KILLED_BEFORE_REPLACING, str(signal.SIGINT), "placements.csv", *args, cwd=ROOT
    )
    assert stopped.returncode != 0 and "Traceback" not in stopped.stderr
    assert not (out / "summary.json").exists()
    assert (out / "placements.csv").read_bytes() == previous
    assert not list(out.glob(".*"))


def test_lists_killed_while_writing_leave_no_old_record(tmp_path: Path) -> None:
    """Tailored lists killed before their JSON record is in place leave no previous record
    beside the new CSV."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    args = ["lists", "--scenario", str(scenario), "--out", str(out)]
    _invoke(*args)
    assert (out / "tailored_lists.json").exists()
    kill = str(signal.SIGKILL)
    killed = _process(KILLED_BEFORE_REPLACING, kill, "tailored_lists.json", *args, cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (out / "tailored_lists.json").exists()
    _invoke(*args)
    assert (out / "tailored_lists.json").exists()


def test_a_solve_killed_mid_travel_table_leaves_a_next_run_that_succeeds(sample: Path) -> None:
    """SIGKILL half way through writing travel_times.parquet leaves no damaged table in the
    output folder: the next solve succeeds and gives a fresh folder's answer."""
    args = ["solve", "--scenario", "scenarios/baseline.yaml", "--out", "out"]
    killed = _process(KILLED_MID_PARQUET, *args, cwd=sample)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    table = sample / "out" / TRAVEL_FILE
    assert not table.exists() or load_journeys(table) is not None
    again = _process("from solver.cli import main; main()", *args, cwd=sample)
    assert again.returncode == 0, again.stderr
    _solve(sample / "scenarios" / "baseline.yaml", sample / "fresh")
    for name in ("placements.csv", "unplaced.csv", "summary.json"):
        assert (sample / "out" / name).read_bytes() == (sample / "fresh" / name).read_bytes()


@pytest.mark.parametrize("damage", [b"", b"PAR1 not a parquet file PAR1"])
def test_a_damaged_cached_travel_table_is_replaced(sample: Path, damage: bytes) -> None:
    """A 0-byte or garbled travel_times.parquet in the output folder is computed again and
    replaced by a whole, stamped table; the same file given with --journeys is a problem."""
    scenario = sample / "scenarios" / "baseline.yaml"
    table = sample / "out" / TRAVEL_FILE
    table.parent.mkdir()
    table.write_bytes(damage)
    given = sample / "given.parquet"
    given.write_bytes(damage)
    args = ["solve", "--scenario", str(scenario), "--out", str(sample / "other")]
    refused = CliRunner().invoke(app, [*args, "--journeys", str(given)])
    assert refused.exit_code == EXIT_BAD_INPUT
    assert f"{given}::: not readable" in refused.output
    _solve(scenario, sample / "out")
    assert INPUTS in load_journeys(table).attrs
    assert stat.S_IMODE(table.stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", ["empty", "half", "garbled"])
def test_a_damaged_compiled_network_is_compiled_again(
    tmp_path: Path, cache: Path, damage: str
) -> None:
    """A compiled network cut short or overwritten in the cache is compiled again (the same
    arrays) and the cache entry replaced, instead of failing every later load."""
    first = load_network(RUTLAND_ROADS, cache_dir=cache)
    (compiled,) = cache.glob("roads-*.npz")
    entry = tmp_path / compiled.name
    whole = compiled.read_bytes()
    damaged = {"empty": b"", "half": whole[: len(whole) // 2], "garbled": b"PK\x03\x04" * 99}
    entry.write_bytes(damaged[damage])
    again = load_network(RUTLAND_ROADS, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.road_fwd_ds, first.road_fwd_ds)
    np.testing.assert_array_equal(again.node_x, first.node_x)
    assert entry.stat().st_size == len(whole)
    assert [p.name for p in tmp_path.iterdir()] == [entry.name]  # no temporary left


def test_outputs_holding_childrens_rows_are_private(tmp_path: Path) -> None:
    """Placements, unplaced children, tailored lists, family pages and the travel table are
    readable by their owner only; the summary (counts and costs) is not restricted."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    _solve(scenario, out)
    _invoke("lists", "--scenario", str(scenario), "--out", str(out))
    private = ["placements.csv", "unplaced.csv", "tailored_lists.csv", "tailored_lists.json"]
    private += [str(p.relative_to(out)) for p in (out / "family").iterdir()]
    assert len(private) == 8  # four children's pages
    for name in private:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((out / "summary.json").stat().st_mode) == 0o644


def test_a_previous_runs_families_file_is_removed(tmp_path: Path) -> None:
    """families.csv from an earlier run that kept siblings together is not left beside a run
    that did not: the folder holds one run's set."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    (out / "families.csv").write_text("family_id,urn\nF1,100001\n")
    _solve(scenario, out)
    assert not (out / "families.csv").exists()
    assert pd.read_csv(out / "placements.csv").shape[0] > 0


def test_a_lists_folder_holds_one_runs_pages(tmp_path: Path) -> None:
    """Lists for one child after lists for all leave that child's page alone under family/,
    matching the CSV and JSON (no other child's page is left behind)."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    args = ["lists", "--scenario", str(scenario), "--out", str(out)]
    _invoke(*args)
    assert len(list((out / "family").iterdir())) == 4
    _invoke(*args, "--child", "K-2")
    assert [p.name for p in (out / "family").iterdir()] == ["K-2.html"]
    assert set(pd.read_csv(out / "tailored_lists.csv")["child_id"]) == {"K-2"}
