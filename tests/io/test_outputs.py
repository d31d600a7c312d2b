"""Output files: atomic, private on request, no spreadsheet formulas."""

from __future__ import annotations

import ast
import csv
import stat
from pathlib import Path

import pandas as pd

from solver.io.outputs import csv_text, safe_cell, write_csv


def test_formula_cells_are_neutralised_and_numbers_kept() -> None:
    ids = ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "ok"]
    table = pd.DataFrame({"child_id": ids, "gap": [-5, 0, 1, 2, 3]})
    rows = list(csv.DictReader(csv_text(table).splitlines()))
    assert [r["child_id"] for r in rows] == ["'" + i for i in ids[:4]] + ["ok"]
    assert [r["gap"] for r in rows] == ["-5", "0", "1", "2", "3"]
    assert safe_cell("-12") == "-12" and safe_cell("<10") == "<10" and safe_cell(3) == 3


def test_write_is_atomic_and_private(tmp_path) -> None:
    target = tmp_path / "placements.csv"
    target.write_text("old")
    write_csv(target, pd.DataFrame({"a": [1]}), private=True)
    assert target.read_text() == "a\n1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["placements.csv"]  # no temporary left


#: Methods that write a file when given a path (pandas, pathlib); `to_csv()` with no path
#: returns text, which is how csv_text uses it.
_FILE_WRITERS = {"to_csv", "to_json", "to_parquet", "to_excel", "write_text", "write_bytes"}


def _direct_writes(path: Path) -> list[str]:
    """Calls in `path` that write a file other than through solver/io/outputs.py."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _FILE_WRITERS:
            if (
                func.attr.startswith("write_")
                or node.args
                or any(k.arg == "path_or_buf" for k in node.keywords)
            ):
                found.append(f"{path.name}:{node.lineno}: .{func.attr}(...)")
        elif isinstance(func, ast.Name) and func.id == "open":
            modes = [a for a in node.args[1:2]] + [
                k.value for k in node.keywords if k.arg == "mode"
            ]
            if any(isinstance(m, ast.Constant) and set(str(m.value)) & set("wax") for m in modes):
                found.append(f"{path.name}:{node.lineno}: open(..., write)")
    return found


def test_every_file_the_library_writes_goes_through_outputs() -> None:
    """Issue 15.6: outputs and caches are written atomically, so every writer in solver/ goes
    through solver/io/outputs.py (temporary file, then rename) and none in solver/ or geo/ writes
    a file directly."""
    root = Path(__file__).resolve().parents[2]
    files = sorted([*(root / "solver").rglob("*.py"), *(root / "geo").rglob("*.py")])
    found = [w for f in files if f.name != "outputs.py" for w in _direct_writes(f)]
    assert found == []
