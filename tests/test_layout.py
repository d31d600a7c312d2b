"""The tests mirror the packages (issue 19): each test file sits in the folder of the package it
covers (tests/placement/ for solver/placement/, tests/geo/ for geo/), end-to-end runs in
tests/e2e/, and everything there, and nothing else, is marked `e2e`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

#: Test files about the whole library or the test harness, kept at the top of tests/.
WHOLE = frozenset(
    {
        "test_layering.py",
        "test_layout.py",
        "test_offline.py",
        "test_public_api.py",
        "test_typing.py",
    }
)
#: Test folders that name no package: CLI, app and browser runs, and the benchmarks' helpers.
APART = frozenset({"e2e", "benchmarks"})


def test_each_test_file_sits_in_the_folder_of_a_package() -> None:
    """Outside WHOLE, every test file is in tests/<package>/ (a package of solver/, or geo) or
    a folder APART, one level down, beside an __init__.py (so `tests.<package>.x` imports)."""
    misplaced = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("test_*.py"))
        if "node_modules" not in path.parts
        if not (
            (path.parent == TESTS and path.name in WHOLE)
            or (
                path.parent.parent == TESTS
                and (path.parent / "__init__.py").is_file()
                and (
                    path.parent.name in APART
                    or path.parent.name == "geo"
                    or (ROOT / "solver" / path.parent.name / "__init__.py").is_file()
                )
            )
        )
    ]
    assert misplaced == []


def _collected(marks: str, *files: str) -> set[str]:
    """The ids pytest collects from `files` with `-m marks`, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["-m", marks, *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing selected
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_e2e_marks_everything_under_tests_e2e_and_nothing_else() -> None:
    """Of a file in tests/e2e/ and one in tests/domain/, `-m e2e` selects the first's tests
    only and `-m "not e2e"` the second's only."""
    e2e, unit = "tests/e2e/test_compare_cli.py", "tests/domain/test_needs.py"
    marked, unmarked = _collected("e2e", e2e, unit), _collected("not e2e", e2e, unit)
    assert marked and all(test.startswith(f"{e2e}::") for test in marked)
    assert unmarked and all(test.startswith(f"{unit}::") for test in unmarked)
