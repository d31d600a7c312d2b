"""The type-checking contract of issue 19, read from pyproject.toml and the source: mypy runs
strict over solver/ and geo/ (`make lint`, which CI runs), missing imports are let through only
for named untyped libraries, and any `type: ignore` names its error code and gives a reason."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: A narrow ignore: its error codes, then a comment saying why.
NARROW = re.compile(r"# type: ignore\[[a-z-]+(, [a-z-]+)*\]  # \S")


def _mypy() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]


def test_mypy_is_strict_over_solver_and_geo() -> None:
    config = _mypy()
    assert config["strict"] is True
    assert config["packages"] == ["solver", "geo"]
    assert "pydantic.mypy" in config["plugins"]
    assert "mypy" in (ROOT / "Makefile").read_text().split("\nlint:")[1].split("\n\n")[0]


def test_missing_imports_are_let_through_only_for_named_libraries() -> None:
    config = _mypy()
    assert "ignore_missing_imports" not in config
    overrides = config["overrides"]
    assert isinstance(overrides, list)
    for override in overrides:
        if override.get("ignore_missing_imports"):
            assert {m.split(".")[0] for m in override["module"]}.isdisjoint({"solver", "geo"})


def test_every_type_ignore_is_narrow_with_a_reason() -> None:
    loose = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("solver", "geo")
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "type: ignore" in line and not NARROW.search(line)
    ]
    assert loose == []


def test_the_narrow_pattern_tells_apart() -> None:
    assert NARROW.search("x = f()  # type: ignore[no-untyped-call]  # dask's Client is untyped")
    assert not NARROW.search("x = f()  # type: ignore")
    assert not NARROW.search("x = f()  # type: ignore[arg-type]")
