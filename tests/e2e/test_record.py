"""`lists --record` and `replay`: an issued list made again byte for byte, or the changed inputs
named (exit 3)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import solver.cli
from solver.cli import EXIT_BAD_INPUT, EXIT_INPUT_CHANGED, app
from tests.placement_tables import write_case

ISSUED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


class _Then(datetime):
    """A clock stopped at ISSUED, so a record is made on another day than its replay."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return ISSUED


def _record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Lists for K-1 and K-3 issued with --record on 1 March 2025: the scenario and the folder."""
    scenario = write_case(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(solver.cli, "datetime", _Then)
    command = ["lists", "--scenario", str(scenario), "--out", str(out), "--record"]
    result = CliRunner().invoke(app, [*command, "--child", "K-1", "--child", "K-3"])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    return scenario, out


def _list_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in {"record.json", "travel_times.parquet"}
    }


def test_record_holds_date_children_input_hashes_policy_lists_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """record.json holds the issue date, the children, each input's SHA-256 (checked against
    hashlib on the file), the policy, every list row with its reasons and each file's hash."""
    scenario, out = _record(tmp_path, monkeypatch)
    record = json.loads((out / "record.json").read_text())
    assert record["date"] == "2025-03-01" and record["child_ids"] == ["K-1", "K-3"]
    inputs = record["inputs"]
    assert set(inputs) == {"scenario", "settings", "overrides", "children", "journeys"}
    for role, name in (("scenario", "s.yaml"), ("children", "children.csv")):
        path = tmp_path / name
        assert inputs[role] == {
            "path": str(path.resolve()),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    assert record["policy"]["journey_limit_minutes"]["primary"] == 45
    rows = {(r["child_id"], r["urn"]): r for r in record["lists"]}
    assert len(rows) == 6 and rows[("K-3", "100003")]["rank"] == 1
    assert rows[("K-3", "100001")]["reasons"] == "AGE"
    files = _list_files(out)
    assert set(files) == {
        "tailored_lists.csv",
        "tailored_lists.json",
        "family/K-1.html",
        "family/K-3.html",
    }
    assert record["files"] == {n: hashlib.sha256(b).hexdigest() for n, b in files.items()}
    assert record["software"]["version"].startswith("0.")
    assert "1 March 2025" in files["family/K-1.html"].decode()


def test_replay_writes_the_same_files_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replayed on another day, the list files (the family pages' issue date included) are the
    recorded ones, byte for byte."""
    _, out = _record(tmp_path, monkeypatch)
    again = tmp_path / "again"
    result = CliRunner().invoke(app, ["replay", str(out / "record.json"), "--out", str(again)])
    assert result.exit_code == 0, result.output
    assert _list_files(again) == _list_files(out)


@pytest.mark.parametrize(
    ("role", "file"),
    [
        ("children", "children.csv"),
        ("scenario", "s.yaml"),
        ("journeys", "out/travel_times.parquet"),
    ],
)
def test_replay_exits_3_naming_a_changed_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str, file: str
) -> None:
    """An input whose bytes changed since the record: exit 3, that input named (and no other),
    no list written."""
    _, out = _record(tmp_path, monkeypatch)
    changed = tmp_path / file
    changed.write_bytes(changed.read_bytes() + b"\n")
    again = tmp_path / "again"
    result = CliRunner().invoke(app, ["replay", str(out / "record.json"), "--out", str(again)])
    assert result.exit_code == EXIT_INPUT_CHANGED, result.output
    named = [line for line in result.output.splitlines() if "changed since the record" in line]
    assert named == [f"{role} ({changed.resolve()}): content changed since the record"]
    assert not again.exists()


def test_replay_names_a_missing_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deleted input is named as missing: exit 3."""
    _, out = _record(tmp_path, monkeypatch)
    (tmp_path / "overrides.csv").unlink()
    result = CliRunner().invoke(app, ["replay", str(out / "record.json"), "--out", str(tmp_path)])
    assert result.exit_code == EXIT_INPUT_CHANGED
    assert "overrides (" in result.output and "missing since the record" in result.output


@pytest.mark.parametrize("text", ["{not json", '{"date": "2025-03-01"}', "[]"])
def test_replay_of_a_bad_record_is_a_problem(tmp_path: Path, text: str) -> None:
    """A garbled or incomplete record.json: exit 2 naming the file, never a traceback."""
    record = tmp_path / "record.json"
    record.write_text(text)
    result = CliRunner().invoke(app, ["replay", str(record), "--out", str(tmp_path / "o")])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert str(record) in result.output and "Traceback" not in result.output
