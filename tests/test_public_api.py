"""The public API in solver/__init__.py: every name in __all__ is the object its home module
defines, the type checker sees the same names, and `import solver` loads none of them."""

from __future__ import annotations

import ast
import importlib
import inspect
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


def numpydoc_gaps(function: object) -> list[str]:
    """The numpydoc sections a public function's docstring lacks: Parameters when it takes
    any (beyond self), Returns when it returns something."""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    doc = inspect.getdoc(function) or ""
    takes = [p for p in signature.parameters if p != "self"]
    gaps = []
    if takes and "Parameters\n----------" not in doc:
        gaps.append("Parameters")
    if signature.return_annotation not in ("None", None) and "Returns\n-------" not in doc:
        gaps.append("Returns")
    return gaps


def test_public_functions_and_workspace_methods_say_parameters_and_returns() -> None:
    """Each public function, and each public method of the Workspace, has numpydoc
    Parameters and Returns sections (a hand-made function without them is caught)."""
    functions = {n: getattr(solver, n) for n in solver.__all__ if n[0].islower()}
    functions |= {
        f"Workspace.{n}": getattr(solver.Workspace, n)
        for n in vars(solver.Workspace)
        if not n.startswith("_") and callable(getattr(solver.Workspace, n))
    }
    gaps = {name: numpydoc_gaps(f) for name, f in functions.items() if numpydoc_gaps(f)}
    assert gaps == {}

    def bare(x: int) -> int:
        """No sections."""
        return x

    assert numpydoc_gaps(bare) == ["Parameters", "Returns"]
