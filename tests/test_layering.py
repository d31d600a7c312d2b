"""The layering of solver/ and geo/ (issue 19), read from the source with `ast`: each layer
imports only the layers below it (LAYERS), no import cycle among solver modules, nothing in
solver imports the CLI or the app, geo never imports solver, and no import hidden inside a
function outside the CLI except the few allowed below."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from solver.cli_report import FLAGS
from solver.errors import GIVEN

ROOT = Path(__file__).resolve().parent.parent

#: What each package of solver/ may import of solver/ besides itself and `solver.errors`
#: (docs/architecture.md draws it). The workspace and the CLI above them may import any.
LAYERS: Mapping[str, frozenset[str]] = {
    "domain": frozenset(),
    "io": frozenset({"domain"}),
    "placement": frozenset({"domain", "io"}),
    "travel": frozenset({"domain", "io", "placement"}),
    "forecast": frozenset({"domain", "io"}),
    "synth": frozenset({"domain", "io"}),
    "scenarios": frozenset({"domain", "io", "placement", "travel", "forecast"}),
    "sites": frozenset({"domain", "io", "placement", "travel", "forecast", "scenarios"}),
}
#: The independent checker and what of solver it may import: the domain and the errors only,
#: never the optimiser, the rules it checks or the readers (issue 19).
CHECKER = "solver.placement.check"
CHECKER_MAY_IMPORT = ("solver.domain", "solver.errors")

#: Modules of the command-line layer: they may defer imports to keep `rightplace` quick to start.
CLI_MODULES = frozenset({"solver.cli"})
#: Modules that know the command-line flags (the library names concepts instead).
FLAG_MODULES = frozenset({"solver.cli", "solver.cli_report", "solver.sen2_cli"})
#: A command-line flag in a string: `--child`, `--journeys`.
FLAG = re.compile(r"(^|[\s(`'\"])--[a-z]")

#: Function-level imports outside the CLI that must stay, as (module, imported module).
ALLOWED_IN_FUNCTIONS = frozenset(
    {
        # scipy.optimize only for the rare multi-row relaxation: not loaded for every solve.
        ("solver.placement.allocate", "scipy.optimize"),
        # Dask is optional (only with --scheduler); bokeh only to say if a dashboard is offered.
        ("solver.travel.region", "distributed"),
        ("solver.travel.region", "bokeh"),
    }
)


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it stands, and whether it runs at import time."""

    module: str
    line: int
    in_function: bool
    type_checking: bool


def imports_of(source: str, package: str = "solver") -> list[Import]:
    """Every module `source` imports (`from solver import x` counts as `solver.x`; relative
    imports resolve against `package`), marking function-level and TYPE_CHECKING imports."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(alias.name, child.lineno, in_function, type_checking))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(filter(None, [package, base]))
                for target in _targets(base, [a.name for a in child.names]):
                    found.append(Import(target, child.lineno, in_function, type_checking))
            else:
                visit(
                    child,
                    in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef),
                    type_checking or _is_type_checking(child),
                )

    visit(ast.parse(source), False, False)
    return found


def _targets(base: str, names: list[str]) -> Iterator[str]:
    """`from solver import a, b` (or from a package of it, `from solver.io import c`) imports
    the modules solver.a, solver.b (solver.io.c); `from x import y` imports x."""
    parts = base.split(".")
    if parts[0] in ("solver", "geo") and (
        len(parts) == 1 or (len(parts) == 2 and parts[1] in LAYERS)
    ):
        yield from (f"{base}.{name}" for name in names)
    else:
        yield base


def _is_type_checking(node: ast.AST) -> bool:
    """An `if TYPE_CHECKING:` block (its imports never run)."""
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )


def package_imports(package: str) -> dict[str, list[Import]]:
    """Each module of a top-level package (`solver.x`, `solver.sub.y`) and its imports."""
    modules = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = imports_of(path.read_text(encoding="utf-8"), name.rpartition(".")[0])
    return modules


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def runtime_graph(modules: Mapping[str, list[Import]]) -> dict[str, set[str]]:
    """Which of these modules each one imports when it runs (TYPE_CHECKING imports left out)."""
    return {
        name: {i.module for i in found if i.module in modules and not i.type_checking}
        for name, found in modules.items()
    }


def layer_breaches(modules: Mapping[str, list[Import]]) -> set[tuple[str, str]]:
    """(module, imported module) for each import of a layer's module outside the layers below
    it (LAYERS), a package's __init__ included; `solver.errors` and the shipped data are open
    to all; `import solver` (the public API, which reaches the workspace) is a breach;
    TYPE_CHECKING imports are left out."""
    breaches = set()
    for name, found in modules.items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in LAYERS:
            continue
        allowed = LAYERS[parts[1]] | {parts[1], "errors", "data"}
        breaches |= {
            (name, i.module)
            for i in found
            if not i.type_checking
            and (
                i.module == "solver"
                or (i.module.startswith("solver.") and i.module.split(".")[1] not in allowed)
            )
        }
    return breaches


def test_each_layer_imports_only_the_layers_below() -> None:
    """domain imports nothing of ours; io only domain; travel, placement and forecast never
    import scenarios or sites; nothing below the workspace imports it (LAYERS)."""
    assert layer_breaches(package_imports("solver")) == set()


def test_the_layer_check_catches_a_breach() -> None:
    """Hand-made modules: domain importing io, io importing sites, io's __init__ importing the
    workspace and forecast importing the public API are breaches; io importing domain and the
    errors is not."""
    modules = {
        "solver.domain.a": imports_of("from solver.io import b\nfrom solver import errors\n"),
        "solver.io.b": imports_of("from solver.domain.a import x\nfrom solver.sites import c\n"),
        "solver.io": imports_of("from solver.workspace import Workspace\n"),
        "solver.forecast.d": imports_of("import solver\n"),
    }
    assert layer_breaches(modules) == {
        ("solver.domain.a", "solver.io.b"),
        ("solver.io.b", "solver.sites.c"),
        ("solver.io", "solver.workspace"),
        ("solver.forecast.d", "solver"),
    }


def solver_imports_beyond(found: list[Import], allowed: tuple[str, ...]) -> set[str]:
    """The solver modules among `found` (TYPE_CHECKING and function-level imports included)
    that are neither one of `allowed` nor inside one of them."""
    return {
        i.module
        for i in found
        if i.module.split(".")[0] == "solver"
        and not any(i.module == a or i.module.startswith(a + ".") for a in allowed)
    }


def test_the_checker_imports_only_the_domain_and_the_errors() -> None:
    """solver.placement.check imports nothing of solver but solver.domain and solver.errors;
    a hand-made checker reaching for the journeys reader and the siblings' constants fails."""
    assert solver_imports_beyond(package_imports("solver")[CHECKER], CHECKER_MAY_IMPORT) == set()
    reaching = imports_of(
        "from solver.domain.model import SettingType\n"
        "from solver import errors\n"
        "from solver.io.journeys import journey_minutes\n"
        "from solver.placement import siblings\n"
        "import solver.domainish\n",
        "solver.placement",
    )
    assert solver_imports_beyond(reaching, CHECKER_MAY_IMPORT) == {
        "solver.io.journeys",
        "solver.placement.siblings",
        "solver.domainish",
    }


def test_no_import_cycle_among_solver_modules() -> None:
    """No solver module imports, even inside a function, one that imports it back."""
    assert cycles(runtime_graph(package_imports("solver"))) == []


def test_nothing_in_solver_imports_the_cli_or_the_app() -> None:
    """The library never reaches up: no solver module but the CLI itself imports solver.cli,
    and none imports the app (app.py, views)."""
    wrong = [
        f"{name}:{i.line} imports {i.module}"
        for name, found in package_imports("solver").items()
        for i in found
        if (i.module == "solver.cli" and name not in CLI_MODULES)
        or i.module.split(".")[0] in ("app", "views", "streamlit")
    ]
    assert wrong == []


def test_geo_never_imports_solver() -> None:
    """geo is domain-free: it imports nothing of solver."""
    wrong = [
        f"{name}:{i.line} imports {i.module}"
        for name, found in package_imports("geo").items()
        for i in found
        if i.module.split(".")[0] == "solver"
    ]
    assert wrong == []


def test_no_imports_hidden_in_functions_outside_the_cli() -> None:
    """Imports sit at the top of each module, except in the CLI (which defers heavy ones for
    start-up time) and the few ALLOWED_IN_FUNCTIONS, each with its reason."""
    hidden = [
        f"{name}:{i.line} imports {i.module}"
        for name, found in package_imports("solver").items()
        if name not in CLI_MODULES
        for i in found
        if i.in_function and (name, i.module) not in ALLOWED_IN_FUNCTIONS
    ]
    assert hidden == []


def test_every_allowed_function_import_is_still_there() -> None:
    """The allow-list holds nothing stale: each entry is a function-level import that exists."""
    present = {
        (name, i.module)
        for name, found in package_imports("solver").items()
        for i in found
        if i.in_function
    }
    assert ALLOWED_IN_FUNCTIONS - present == set()


def problem_texts(source: str) -> list[tuple[int, str]]:
    """The line and text of each string in a `Problem(...)` call or assigned to `message`."""
    texts = []
    for node in ast.walk(ast.parse(source)):
        is_problem = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem"
        is_message = isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "message" for t in node.targets
        )
        if is_problem or is_message:
            texts.extend(
                (inner.lineno, inner.value)
                for inner in ast.walk(node)
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str)
            )
    return texts


def test_library_problems_name_no_command_line_flags() -> None:
    """Outside the CLI, problems name the concept (`child ids`, `travel table`), never a flag:
    the app shows them too, and the CLI maps each to its flag (solver.cli_report.FLAGS)."""
    flagged = [
        f"{path.name}:{line}: {text}"
        for path in sorted((ROOT / "solver").rglob("*.py"))
        if f"solver.{path.stem}" not in FLAG_MODULES
        for line, text in problem_texts(path.read_text(encoding="utf-8"))
        if FLAG.search(text)
    ]
    assert flagged == []
    assert [line for _, line in problem_texts('message = "give --journeys"')] == ["give --journeys"]


def test_the_cli_has_a_flag_for_every_value_given_directly() -> None:
    """Each concept a problem may name in place of a file has its flag in the CLI."""
    assert set(FLAGS) == set(GIVEN)


def test_imports_of_reads_where_each_import_stands() -> None:
    """Hand-made source: top-level, `from solver.placement import x`, relative, TYPE_CHECKING and
    function-level imports are each read as such."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import numpy as np\n"
        "from solver.placement import rules\n"
        "from .errors import Problem\n"
        "if TYPE_CHECKING:\n"
        "    from solver.workspace import Workspace\n"
        "def f():\n"
        "    from solver.travel.journeys import journey_times\n"
        "    return journey_times\n"
    )
    assert imports_of(source, "solver") == [
        Import("typing", 1, False, False),
        Import("numpy", 2, False, False),
        Import("solver.placement.rules", 3, False, False),
        Import("solver.errors", 4, False, False),
        Import("solver.workspace", 6, False, True),
        Import("solver.travel.journeys", 8, True, False),
    ]


def test_cycles_finds_each_loop_once_and_nothing_else() -> None:
    """A two-module loop and a three-module loop are found; a chain and a self-free tree are not."""
    graph = {
        "a": {"b"},
        "b": {"a", "c"},
        "c": {"d"},
        "d": {"e"},
        "e": {"c"},
        "f": {"a"},
    }
    assert sorted(cycles(graph)) == [["a", "b"], ["c", "d", "e"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


#: Calls that read the clock: `date.today()`, `datetime.now()`, `time.time()` ...
CLOCK_CALLS = frozenset(
    {("date", "today"), ("datetime", "today"), ("datetime", "now"), ("datetime", "utcnow")}
    | {("time", "time"), ("time", "time_ns")}
)


def clock_reads(source: str) -> list[int]:
    """The lines of `source` that read the clock (CLOCK_CALLS)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and (node.func.value.id, node.func.attr) in CLOCK_CALLS
    ]


def test_only_the_command_line_reads_the_clock() -> None:
    """The day a list is issued, a setting opens or a pack is dated is given by the CLI or the
    app: no library module reads the clock (hand-made source shows the check finds it)."""
    read = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in ("solver", "geo")
        for path in sorted((ROOT / package).rglob("*.py"))
        if f"solver.{path.stem}" not in FLAG_MODULES
        for line in clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert read == []
    assert sorted(clock_reads("x = 1\nd = date.today().year\nt = time.time()\n")) == [2, 3]


#: Calls that write or remove a file (a DataFrame's own `rename`/`replace` are not among them).
FILE_WRITES = frozenset(
    {"open", "to_csv", "to_parquet", "to_json", "write_text", "write_bytes", "mkdir", "unlink"}
)
#: The packages that compute: they take and return tables and objects, and the workspace or the
#: edges hand those to io's writers (synth's job is to write an instance; io's is files).
COMPUTING = ("domain", "placement", "travel", "forecast", "scenarios", "sites")


def file_writes(source: str) -> list[int]:
    """The lines of calls that write a file: `write...(...)`, or one of FILE_WRITES."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name.startswith("write") or name in FILE_WRITES:
                lines.append(node.lineno)
    return lines


def test_computation_writes_no_file() -> None:
    """Nothing in the computing packages writes a file: the lists, placements, forecasts, site
    tables, evidence pack and journey cache are written by io, called from the workspace or the
    edges (hand-made source shows the check finds a writer)."""
    written = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in COMPUTING
        for path in sorted((ROOT / "solver" / package).rglob("*.py"))
        for line in file_writes(path.read_text(encoding="utf-8"))
    ]
    assert written == []
    source = "t.rename(columns=c)\nwrite_csv(p, t)\nt.to_csv(p)\nopen(p, 'w')\n"
    assert file_writes(source) == [2, 3, 4]
