"""The offline postcode lookup reads Code-Point Open and ONSPD layouts."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from solver.errors import InputError
from solver.io.inputs import load_postcodes

RUTLAND = Path("/work/shared/data/postcodes-codepoint/rutland_E06000017_postcodes.csv")
ROWS = [
    '"LE15 6AA",10,486000,308000,"E92000001","","","","E06000017",""',
    '"le156ab",10,486100,308100,"E92000001","","","","E06000017",""',
    '"LE15 6AZ",90,0,0,"E92000001","","","","",""',
]


def test_headerless_codepoint_gz_normalises_and_drops_ungridded(tmp_path: Path) -> None:
    """Headerless gzipped Code-Point: postcodes upper case, no spaces; 0/0 rows dropped, counted."""
    path = tmp_path / "le.csv.gz"
    path.write_bytes(gzip.compress("\n".join(ROWS).encode()))
    table = load_postcodes(path)
    assert table["postcode"].tolist() == ["LE156AA", "LE156AB"]
    assert table["easting"].tolist() == [486000.0, 486100.0]
    assert table["northing"].tolist() == [308000.0, 308100.0]
    assert table.attrs["dropped_no_grid"] == 1


def test_onspd_columns(tmp_path: Path) -> None:
    """ONSPD's pcds/oseast1m/osnrth1m are found by name in any position; blanks are dropped."""
    path = tmp_path / "onspd.csv"
    path.write_text(
        "pcd,pcd2,pcds,usertype,oseast1m,osnrth1m\n"
        "LE156AA,LE15 6AA,LE15 6AA,0,486000,308000\n"
        "LE156AB,LE15 6AB,LE15 6AB,0,,\n"
    )
    table = load_postcodes(path)
    assert table["postcode"].tolist() == ["LE156AA"]
    assert table.attrs["dropped_no_grid"] == 1


def test_real_rutland_file_with_header() -> None:
    """The Rutland extract (OS header row) gives its 1,207 units with grid references."""
    table = load_postcodes(RUTLAND)
    assert len(table) == 1207
    assert table["postcode"].str.contains(" ").sum() == 0
    assert table["easting"].between(440_000, 510_000).all()


def test_not_a_postcode_file(tmp_path: Path) -> None:
    """A CSV without postcode or grid columns is one file-level problem, not a traceback."""
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as caught:
        load_postcodes(path)
    assert [p.row for p in caught.value.problems] == [None]
    assert "not a postcode lookup" in caught.value.problems[0].message
