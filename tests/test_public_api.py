"""The public API in solver/__init__.py: every name in __all__ is the object its home module
defines, the type checker sees the same names, and `import solver` loads none of them."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import solver

INIT = Path(solver.__file__)


def test_every_public_name_is_its_home_modules_object() -> None:
    """`solver.X` is the very object `X` in the module `_HOMES` names, for each X in __all__."""
    assert sorted(solver.__all__) == sorted(solver._HOMES)
    for name, home in solver._HOMES.items():
        assert getattr(solver, name) is getattr(importlib.import_module(home), name), name


def test_the_type_checker_sees_the_same_names_from_the_same_homes() -> None:
    """The TYPE_CHECKING imports name exactly the public names, each from its home module."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    (block,) = [n for n in tree.body if isinstance(n, ast.If)]
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == solver._HOMES


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A name outside the API is not found (and not imported from anywhere)."""
    try:
        solver.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("solver.no_such_name did not raise")


def test_importing_solver_loads_no_module_of_the_api() -> None:
    """`import solver` (which every command does first) loads none of the API's modules."""
    code = "import sys, solver; print(sorted(m for m in sys.modules if m.startswith('solver.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
