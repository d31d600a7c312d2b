"""The offline postcode lookup reads Code-Point Open and ONSPD layouts."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from solver.errors import InputError
from solver.io.inputs import load_postcodes
from solver.io.postcodes import postcode_centroids

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


def test_a_postcode_is_found_however_it_is_spaced_or_cased() -> None:
    """By hand: "le15 6aa", " LE15  6AA" and "LE156AA" all find LE156AA's centroid; an unknown
    postcode and a blank one find nothing (NaN); the lookup's first row of a repeated code wins."""
    lookup = pd.DataFrame(
        {
            "postcode": ["LE156AA", "LE156AA", "PE94AA"],
            "easting": [486000.0, 1.0, 503000.0],
            "northing": [308000.0, 1.0, 306000.0],
        }
    )
    codes = pd.Series(["le15 6aa", " LE15  6AA", "LE156AA", "ZZ1 1ZZ", "", "pe9 4aa"])
    easting, northing = postcode_centroids(codes, lookup)
    assert easting.tolist()[:3] == [486000.0] * 3 and northing.tolist()[:3] == [308000.0] * 3
    assert easting.isna().tolist() == [False, False, False, True, True, False]
    assert (easting.iloc[5], northing.iloc[5]) == (503000.0, 306000.0)
