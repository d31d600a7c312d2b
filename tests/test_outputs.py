"""Output files: atomic, private on request, no spreadsheet formulas."""

from __future__ import annotations

import csv
import stat

import pandas as pd

from solver.outputs import csv_text, safe_cell, write_csv


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
