"""Reading a SEN2 return as LAs hold it: folder or zip, UTF-8 with or without BOM or
Windows-1252, and file-level problems as file:row:column."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from solver.errors import InputError
from solver.io.sen2 import parse_bools, parse_dates, read_return
from tests.io.test_sen2_quality import FILES, write_return


def _tables_equal(a: Path, b: Path) -> None:
    left, right = read_return(a), read_return(b)
    for name, table in left.tables.items():
        pd.testing.assert_frame_equal(table, right.tables[name])
    pd.testing.assert_frame_equal(left.issues, right.issues)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_encodings_read_the_same(tmp_path: Path, encoding: str) -> None:
    """A BOM or Windows-1252 (a name with an accent) reads as the plain UTF-8 file does."""
    files = {**FILES, "person": FILES["person"].replace("Aone", "Zoë")}
    _tables_equal(
        write_return(tmp_path / "utf8", files), write_return(tmp_path / "x", files, encoding)
    )


def test_zip_reads_like_the_folder(tmp_path: Path) -> None:
    """A zip of the module files (in a subfolder, with other files) reads like the folder."""
    folder = write_return(tmp_path / "return")
    archive = tmp_path / "return.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"export/{path.name}")
        z.writestr("export/readme.txt", "not a module")
    _tables_equal(folder, archive)


def test_missing_module_files_are_named(tmp_path: Path) -> None:
    """A return without its senneed and activeplans files: one problem each, exit-worthy."""
    files = {k: v for k, v in FILES.items() if k not in ("senneed", "activeplans")}
    with pytest.raises(InputError) as caught:
        read_return(write_return(tmp_path / "r", files))
    messages = sorted(p.message for p in caught.value.problems)
    assert messages == [
        "no activeplans file (..._activeplans.csv) in the return",
        "no senneed file (..._senneed.csv) in the return",
    ]


def test_missing_key_column_is_file_row_column(tmp_path: Path) -> None:
    """A module file without its key column: file, line 1 and the column, nothing else."""
    files = {**FILES, "senneed": FILES["senneed"].replace("senneedtableid", "id")}
    with pytest.raises(InputError) as caught:
        read_return(write_return(tmp_path / "r", files))
    [problem] = caught.value.problems
    assert (
        str(problem)
        == "r/Blade-Export_07-03-2025_senneed.csv:1:senneedtableid: required column is missing"
    )


def test_not_a_return_is_a_problem(tmp_path: Path) -> None:
    """A path that does not exist, or a file that is not a zip, is one problem, no traceback."""
    for path in (tmp_path / "nothing", tmp_path / "x.zip"):
        if path.suffix:
            path.write_text("not a zip")
        with pytest.raises(InputError) as caught:
            read_return(path)
        assert len(caught.value.problems) == 1


def test_dates_and_bools_as_exported() -> None:
    """`2022-Sep-28 00:00:00` (also ISO, dd/mm/yyyy) and every bool spelling witan meets."""
    dates, bad = parse_dates(
        pd.Series(["2022-Sep-28 00:00:00", "2022-09-28", "28/09/2022", "", "x"])
    )
    assert dates[:3].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-28"] * 3
    assert bad.tolist() == [False, False, False, False, True]
    values, bad = parse_bools(pd.Series(["True", "f", "YES", "n", "1", "0", "", "maybe"]))
    assert values[:6].tolist() == [True, False, True, False, True, False]
    assert bad.tolist() == [False] * 7 + [True]


def test_upload_gives_the_same_report_as_the_folder(tmp_path: Path) -> None:
    """The Data page's path (a zip's bytes or module files' bytes, read in memory, checked
    against a GIAS file) reports what the folder does, and writes no file."""
    from solver.io.inputs import read_gias
    from solver.io.outputs import csv_text
    from solver.io.sen2 import return_from_bytes
    from solver.io.sen2_census import census_children
    from solver.io.sen2_files import sen2_quality
    from tests.io.test_sen2_quality import CENSUS, KEY

    folder = write_return(tmp_path / "return")
    archive = tmp_path / "return.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, path.name)
    sample = Path(__file__).resolve().parents[2] / "data" / "rutland"
    before = set(tmp_path.rglob("*"))
    uploads = [
        {"return.zip": archive.read_bytes()},
        {p.name: p.read_bytes() for p in folder.iterdir()},
    ]
    reports = [
        csv_text(sen2_quality(return_from_bytes(u), CENSUS, sample / "gias.csv", None).report())
        for u in uploads
    ]
    assert set(tmp_path.rglob("*")) == before
    gias = pd.read_csv(sample / "gias.csv", dtype=str, encoding="cp1252", keep_default_na=False)
    columns = {"URN": "urn", "UKPRN": "ukprn", "TypeOfEstablishment (code)": "type_code"}
    expected = census_children(
        read_return(folder),
        CENSUS,
        key=KEY,
        postcodes=None,
        settings=read_gias(sample / "gias.csv").settings,
        gias_ids=gias.rename(columns=columns)[list(columns.values())],
    )
    assert reports[0] == reports[1] == csv_text(expected.report())
