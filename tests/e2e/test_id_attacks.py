"""Ids that try to escape: paths, huge ids, spreadsheet formulas and Markdown are problems on
input, file names never leave their folder, no CSV cell written starts a formula, and the app
shows ids as text (issue 15, item 5)."""

from __future__ import annotations

import csv
import shutil
from html import escape
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.io.outputs import id_file_name, safe_cell
from views.shared import plain

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

ATTACKS = [
    "../../../PWNED",
    "a/b",
    "x" * 300,
    '=HYPERLINK("http://example.invalid","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    ".hidden",
    "![x](http://example.invalid/x.png)",
    "[click](http://example.invalid)",
]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of the sample (data/ and scenarios/baseline.yaml, same layout): its scenario."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "scenarios").mkdir()
    shutil.copy(ROOT / "scenarios" / "baseline.yaml", tmp_path / "scenarios")
    return tmp_path / "scenarios" / "baseline.yaml"


def _replace_cell(path: Path, column: str, row: int, value: str) -> None:
    """Set one cell (row 0 = first data row) of a CSV, keeping every other cell."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    rows[row][column] = value
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("bad", ATTACKS)
def test_a_child_id_that_is_no_safe_id_is_a_problem_not_a_file(sample: Path, bad: str) -> None:
    """`lists` on children holding a path, a 300-character id, a formula or Markdown as an id
    exits 2 naming file, row and column, quotes no id, writes nothing outside --out."""
    children = sample.parent.parent / "data" / "rutland" / "children.csv"
    _replace_cell(children, "child_id", 4, bad)
    out = sample.parent.parent / "a" / "b" / "out"
    result = runner.invoke(app, ["lists", "--scenario", str(sample), "--out", str(out)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "Traceback" not in result.output
    assert "data/rutland/children.csv:6:child_id: child_id must be 1 to 64 letters" in result.output
    assert bad not in result.output
    assert not list(sample.parent.parent.rglob("PWNED*"))


def test_a_site_id_that_is_no_safe_id_is_a_problem_quoting_it(sample: Path) -> None:
    """`sites` with candidate site ids holding a path or a formula exits 2 naming each row
    (site ids are public: the problem shows them)."""
    candidates = sample.parent.parent / "data" / "rutland" / "candidate_sites.csv"
    _replace_cell(candidates, "site_id", 0, "../../PWNED")
    _replace_cell(candidates, "site_id", 1, "=1+1")
    args = ["sites", "--scenario", str(sample), "--need", "ASD", "--ages", "11-16"]
    args += ["--places", "60", "--candidates", str(candidates), "--out", str(sample.parent)]
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "rutland/candidate_sites.csv:2:site_id: site_id must be" in result.output
    assert "'../../PWNED'" in result.output and "'=1+1'" in result.output
    assert "rutland/candidate_sites.csv:3:site_id" in result.output


def test_file_names_from_ids_stay_in_their_folder(tmp_path: Path) -> None:
    """A safe id names its file; any other (a path, a long id) is replaced by a digest that
    stays inside the folder, different ids giving different names."""
    assert id_file_name("RUT-0001", ".html") == "RUT-0001.html"
    names = {id_file_name(bad, ".html") for bad in ATTACKS}
    assert len(names) == len(ATTACKS)
    for name in names:
        assert (tmp_path / name).resolve().parent == tmp_path.resolve()
        assert len(name) < 64 and "/" not in name and not name.startswith(".")


def _formula_cells(folder: Path) -> list[tuple[str, str]]:
    """Every cell of every CSV under `folder` that a spreadsheet would run as a formula."""
    found = []
    for path in sorted(folder.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as file:
            for row in csv.reader(file):
                found += [(path.name, c) for c in row if safe_cell(c) != c]
    return found


def test_no_csv_written_for_people_starts_a_formula(sample: Path) -> None:
    """Setting names starting with = + - @ (allowed: names are free text) come out of `solve`,
    `lists` and `sites` (placements, tailored lists, sites and the evidence pack) as text
    cells: no cell of any CSV written starts a formula, and the names that reach one are there,
    neutralised."""
    data = sample.parent.parent / "data" / "rutland"
    names = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+A1", "@SUM(A1)"]
    with (data / "gias.csv").open(newline="", encoding="cp1252") as file:
        rows = list(csv.DictReader(file))
    for i, name in enumerate(names * (len(rows) // len(names))):
        rows[i]["EstablishmentName"] = f"{name} {i}"
    with (data / "gias.csv").open("w", newline="", encoding="cp1252") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = sample.parent / "out"
    scenario = ["--scenario", str(sample), "--out", str(out)]
    sites = ["--need", "ASD", "--ages", "11-16", "--places", "60"]
    sites += ["--candidates", str(data / "candidate_sites.csv")]
    first = pd.read_csv(data / "children.csv", dtype=str)["child_id"].iloc[0]
    for command in (["solve"], ["lists", "--child", first], ["sites", *sites]):
        result = runner.invoke(app, [*command, *scenario])
        assert result.exit_code == 0, result.output
    written = {p.name for p in out.rglob("*.csv")}
    assert {"placements.csv", "tailored_lists.csv", "sites.csv", "evidence_sites.csv"} <= written
    assert _formula_cells(out) == []
    with (out / "effect_on_settings.csv").open(newline="", encoding="utf-8") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert any(c.startswith(tuple(f"'{name} " for name in names)) for c in cells)  # they got out


@pytest.mark.parametrize("bad", ATTACKS)
def test_ids_shown_as_markdown_render_as_text(bad: str) -> None:
    """An id through `plain` renders, as Streamlit's Markdown (CommonMark) would, to exactly
    its own characters: no image fetched, no link, no HTML."""
    markdown = MarkdownIt("commonmark")
    html = markdown.render(f"**{plain(bad)}**: NCY 5")
    shown = escape(bad, quote=False).replace('"', "&quot;")
    assert html == f"<p><strong>{shown}</strong>: NCY 5</p>\n"


def test_markdown_ids_would_render_without_plain() -> None:
    """The attack is real: unescaped, such ids render an image and a live link."""
    markdown = MarkdownIt("commonmark")
    assert "<img" in markdown.render(ATTACKS[-2]) and "<a " in markdown.render(ATTACKS[-1])


def test_setting_ids_that_are_no_safe_ids_are_problems(sample: Path) -> None:
    """A GIAS URN holding a path, and a scenario's new setting named by a formula, are problems
    naming file, row (or key) and quoting the public value; exit 2."""
    data = sample.parent.parent / "data" / "rutland"
    with (data / "gias.csv").open(newline="", encoding="cp1252") as file:
        rows = list(csv.DictReader(file))
    rows[2]["URN"] = "../../PWNED"
    with (data / "gias.csv").open("w", newline="", encoding="cp1252") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["validate", "--settings", str(data / "gias.csv")])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert f"{data / 'gias.csv'}:4:URN: URN must be" in result.output
    assert "'../../PWNED'" in result.output
    scenario = sample.parent / "opened.yaml"
    opening = (
        "changes:\n- {action: open, year: 2026, urn: '=cmd|calc', name: x, setting_type: "
        "state_special, low_age: 5, high_age: 10, places: 1, easting: 1, northing: 1}\n"
    )
    scenario.write_text(sample.read_text(encoding="utf-8") + opening, encoding="utf-8")
    result = runner.invoke(app, ["solve", "--scenario", str(scenario), "--out", str(sample.parent)])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "urn" in result.output and "Traceback" not in result.output
