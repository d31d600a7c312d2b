"""`rightplace validate`: a one-line summary when all is well, every problem with exit 2 if not."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from solver.cli import app
from solver.io.validate import validate_files
from tests.inputs_helpers import CHILD_HEADER, THREE_SETTINGS, child_row, write_csv, write_gias_rows

runner = CliRunner()


def _files(tmp_path: Path, children: list[list[str]]) -> list[str]:
    gias = write_gias_rows(tmp_path / "gias.csv", THREE_SETTINGS)
    kids = write_csv(tmp_path / "children.csv", CHILD_HEADER, children)
    return ["validate", "--settings", str(gias), "--children", str(kids)]


def test_valid_files_exit_0_with_counts(tmp_path: Path) -> None:
    """Good files print one line counting settings by type, need places and children by need."""
    args = _files(tmp_path, [child_row("c1"), child_row("c2", primary_need="SLD")])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "3 settings (mainstream 1, mainstream_rp 1, state_special 1)" in lines[0]
    assert "10 need places (ASD 4, SEMH 3, SLCN 3)" in lines[0]
    assert "2 children (ASD 1, SLD 1)" in lines[0]


def test_every_problem_printed_with_exit_2(tmp_path: Path) -> None:
    """Problems in two files are all printed as file:row:column: message, then a count."""
    args = _files(tmp_path, [child_row("c1", ncy="50"), child_row("c1", sex="Q")])
    overrides = write_csv(
        tmp_path / "o.csv", ["urn", "need", "places", "vacancies"], [["120001", "", "5", "9"]]
    )
    result = runner.invoke(app, [*args, "--overrides", str(overrides)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    kids = tmp_path / "children.csv"
    assert lines == [
        f"{overrides}:2:vacancies: more vacancies than places",
        f"{kids}:2:child_id: duplicate child_id",
        f"{kids}:2:ncy: NCY outside -4..20",
        f"{kids}:3:child_id: duplicate child_id",
        f"{kids}:3:sex: sex is not M or F (Male/Female)",
        "5 problem(s) found",
    ]
    assert "Traceback" not in result.output


def test_unreadable_files_are_problems_not_tracebacks(tmp_path: Path) -> None:
    """Missing, empty, non-CSV and wrongly encoded files each give one file-level problem."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    binary = tmp_path / "book.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x00\x81\x9d")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("child_id,ncy,sex,primary_need\nc1,3,M,ASD\xe9\n".encode("latin-1"))
    result = runner.invoke(
        app,
        [
            "validate",
            "--settings",
            str(tmp_path / "missing.csv"),
            "--overrides",
            str(empty),
            "--children",
            str(latin),
            "--postcodes",
            str(binary),
        ],
    )
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert lines[0] == f"{tmp_path / 'missing.csv'}::: file not found"
    assert lines[1] == f"{empty}::: empty file"
    assert lines[2].startswith(f"{binary}::: not readable as utf-8")
    assert lines[3].startswith(f"{latin}::: not readable as utf-8")
    assert lines[-1] == "4 problem(s) found"


def test_report_summary_is_one_line(tmp_path: Path) -> None:
    """validate_files (as the app calls it) returns counts and a one-line summary."""
    gias = write_gias_rows(tmp_path / "gias.csv", THREE_SETTINGS)
    report = validate_files(gias)
    assert report.ok
    assert dict(report.settings_by_type) == {
        "mainstream": 1,
        "mainstream_rp": 1,
        "state_special": 1,
    }
    assert "\n" not in report.summary() and report.summary().endswith("0 problem(s)")


def test_unread_child_columns_are_counted_in_the_summary(tmp_path: Path) -> None:
    """A children file with a name column validates; the summary counts it, never shows it."""
    gias = write_gias_rows(tmp_path / "gias.csv", THREE_SETTINGS)
    kids = write_csv(
        tmp_path / "children.csv", [*CHILD_HEADER, "full_name"], [[*child_row("c1"), "Ada Byron"]]
    )
    result = runner.invoke(app, ["validate", "--settings", str(gias), "--children", str(kids)])
    assert result.exit_code == 0, result.output
    assert "1 other children columns not read" in result.output
    assert "Ada" not in result.output and "full_name" not in result.output


def test_broken_postcode_file_is_reported_once_not_per_child(tmp_path: Path) -> None:
    """If the postcode file cannot be read, children located by postcode are not each reported."""
    gias = write_gias_rows(tmp_path / "gias.csv", THREE_SETTINGS)
    kids = write_csv(
        tmp_path / "children.csv",
        CHILD_HEADER,
        [child_row(f"c{i}", easting="", northing="", postcode="LE15 6AA") for i in range(3)],
    )
    report = validate_files(gias, children=kids, postcodes=tmp_path / "missing.csv")
    assert [str(p) for p in report.problems] == [f"{tmp_path / 'missing.csv'}::: file not found"]
