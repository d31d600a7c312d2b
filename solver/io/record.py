"""The record of an issued tailored list: what is needed to make the same list again later, for
a review or a tribunal, and to tell whether its inputs have changed since.

record.json holds the issue date and LA, the children, the SHA-256 of the scenario and of every
input file it names (and of the travel table used, if any), the policy, each list with its
reasons, the SHA-256 of every list file written, and the software version.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from solver.domain.scenario import Scenario
from solver.errors import InputError, Problem
from solver.io.family_page import Issue
from solver.io.journeys import TRAVEL_FILE
from solver.io.lists import LIST_COLUMNS

RECORD_FILE = "record.json"
RECORD_VERSION = 1
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes; of a folder, over each file's relative path and hash in order."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for member in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{member.relative_to(path).as_posix()}\0{sha256_of(member)}\n".encode())
        return digest.hexdigest()
    with path.open("rb") as file:
        while block := file.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def input_paths(scenario_path: Path, scenario: Scenario, journeys: Path | None) -> dict[str, Path]:
    """Every file a list is made from, by role: the scenario, each input it names, and the
    travel table `journeys_used` gives."""
    paths: dict[str, Path] = {"scenario": Path(scenario_path)}
    for role, value in scenario.inputs:
        if isinstance(value, list):
            paths.update({f"{role}[{i}]": Path(p) for i, p in enumerate(value)})
        elif value is not None:
            paths[role] = Path(value)
    if journeys is not None:
        paths["journeys"] = Path(journeys)
    return {role: path.resolve() for role, path in paths.items()}


def journeys_used(
    scenario_path: Path, scenario: Scenario, out_dir: Path, given: Path | None
) -> Path | None:
    """The travel table behind a list that its inputs cannot make again: the one given, else,
    with no road network, the one cached in `out_dir` or beside the scenario."""
    if given is not None:
        return Path(given)
    if scenario.inputs.network is not None:
        return None  # searched again from the recorded inputs
    cached = (Path(out_dir) / TRAVEL_FILE, Path(scenario_path).parent / TRAVEL_FILE)
    return next((path for path in cached if path.exists()), None)


def software_version() -> str:
    """The installed rightplace version, with the git commit (and whether it was modified) when
    run from a checkout."""
    version = metadata.version("rightplace")
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty=-modified", "--abbrev=12"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+g{commit}" if commit else version


def make_record(
    *,
    issued: datetime,
    issue: Issue,
    child_ids: Sequence[str] | None,
    scenario: Scenario,
    inputs: Mapping[str, Path],
    lists: pd.DataFrame,
    files: Mapping[str, str],
) -> dict[str, Any]:
    """The record of lists issued at `issued` from `inputs`, written as `files` (SHA-256 by
    name, as `write_lists` returns them)."""
    shown = [*LIST_COLUMNS, "name", "setting_type"]
    return {
        "record_version": RECORD_VERSION,
        "issued": issued.astimezone(UTC).isoformat(timespec="seconds"),
        "date": issue.day.isoformat(),
        "la": issue.la,
        "child_ids": None if child_ids is None else [str(c) for c in child_ids],
        "inputs": {
            role: {"path": str(path), "sha256": sha256_of(path)} for role, path in inputs.items()
        },
        "policy": scenario.policy.model_dump(mode="json"),
        "lists": json.loads(lists[shown].to_json(orient="records")),
        "files": dict(files),
        "software": {"name": "rightplace", "version": software_version()},
    }


def record_json(record: Mapping[str, Any]) -> str:
    """The record as the text of record.json."""
    return json.dumps(record, indent=1, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Recorded:
    """What replaying a record needs: the issue, the children, the inputs and their hashes."""

    issue: Issue
    child_ids: list[str] | None
    inputs: dict[str, tuple[Path, str]]
    files: dict[str, str]
    version: str

    @property
    def scenario(self) -> Path:
        """The scenario file the lists were made from."""
        return self.inputs["scenario"][0]

    @property
    def journeys(self) -> Path | None:
        """The travel table read, if one was."""
        entry = self.inputs.get("journeys")
        return None if entry is None else entry[0]


def read_record(path: Path) -> Recorded:
    """A record.json read back; a missing, garbled or incomplete one is a problem."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Recorded(
            issue=Issue(date.fromisoformat(data["date"]), str(data["la"])),
            child_ids=None if data["child_ids"] is None else [str(c) for c in data["child_ids"]],
            inputs={
                str(role): (Path(entry["path"]), str(entry["sha256"]))
                for role, entry in data["inputs"].items()
            },
            files={str(k): str(v) for k, v in data["files"].items()},
            version=str(data["software"]["version"]),
        )
    except FileNotFoundError:
        raise InputError([Problem(where, None, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(where, None, "", f"not a readable record: {exc}")]) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        message = f"not a RightPlace record (missing or bad {exc})"
        raise InputError([Problem(where, None, "", message)]) from None


def changed_inputs(recorded: Recorded) -> list[str]:
    """Each input whose content differs from the record (or that is gone), in words."""
    changes = []
    for role, (path, expected) in recorded.inputs.items():
        if not path.exists():
            changes.append(f"{role} ({path}): missing since the record")
        elif sha256_of(path) != expected:
            changes.append(f"{role} ({path}): content changed since the record")
    return changes
