"""The children loader: pseudonymous columns only, every bad row named without its values."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.domain.model import CHILD_COLUMNS
from solver.errors import InputError
from solver.io.inputs import load_children, read_gias
from tests.inputs_helpers import CHILD_HEADER, THREE_SETTINGS, child_row, write_csv, write_gias_rows

POSTCODES = pd.DataFrame(
    {
        "postcode": ["LE156AA", "LE150AQ"],
        "easting": [486000.0, 486137.0],
        "northing": [308000.0, 308843.0],
    }
)


def _settings(tmp_path: Path) -> pd.DataFrame:
    return read_gias(write_gias_rows(tmp_path / "g.csv", THREE_SETTINGS)).settings


def _problems(path: Path, **kwargs: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_children(path, **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_three_children_by_grid_and_postcode(tmp_path: Path) -> None:
    """Homes come from the grid reference or the postcode centroid; codes and flags are parsed."""
    rows = [
        child_row("c1"),
        child_row(
            "c2",
            sex="Female",
            primary_need="SpLD",
            secondary_need="SLCN",
            easting="",
            northing="",
            postcode="le15 6aa",
            current_urn="120003",
            transfer="Yes",
        ),
        child_row("c3", ncy="-4", transfer="0"),
    ]
    path = write_csv(tmp_path / "c.csv", CHILD_HEADER, rows)
    children = load_children(path, POSTCODES, _settings(tmp_path))
    assert tuple(children.columns) == CHILD_COLUMNS
    c2 = children.set_index("child_id").loc["c2"]
    assert (c2["easting"], c2["northing"]) == (486000.0, 308000.0)
    assert (c2["sex"], c2["primary_need"], c2["secondary_need"]) == ("F", "SPLD", "SLCN")
    assert c2["current_urn"] == "120003" and bool(c2["transfer"]) is True
    assert children["ncy"].tolist() == [3, 3, -4]
    assert children["transfer"].tolist() == [False, True, False]


def test_family_id_is_optional_and_blank_means_none(tmp_path: Path) -> None:
    """Siblings share a family_id (trimmed); a blank one, or a file without the column, is no
    family."""
    rows = [child_row("c1", family_id=" F1 "), child_row("c2", family_id="F1"), child_row("c3")]
    children = load_children(write_csv(tmp_path / "c.csv", CHILD_HEADER, rows))
    assert children["family_id"].tolist() == ["F1", "F1", ""]
    header = [c for c in CHILD_HEADER if c != "family_id"]
    plain = write_csv(tmp_path / "p.csv", header, [child_row("c1")[: len(header)]])
    assert load_children(plain)["family_id"].tolist() == [""]


def test_personal_columns_are_dropped_and_never_echoed(tmp_path: Path) -> None:
    """Names, dates of birth, addresses are dropped, counted, absent from output and errors."""
    secrets = ["Zebedee Quinlan-Smith", "2014-03-17", "7 Secret Lane, Oakham", "LE15 0AQ"]
    header = [*CHILD_HEADER, "name", "date_of_birth", "address"]
    good = child_row("c1", postcode=secrets[3], easting="", northing="") + secrets[:3]
    path = write_csv(tmp_path / "c.csv", header, [good])
    children = load_children(path, POSTCODES)
    assert children.attrs["dropped_columns"] == 3
    text = children.to_csv() + repr(children.attrs)
    assert not any(s in text or s.replace(" ", "") in text for s in secrets)
    assert "postcode" not in children.columns
    bad = child_row("c2", ncy="99", postcode="ZZ9 9ZZ", easting="", northing="") + secrets[:3]
    path = write_csv(tmp_path / "c.csv", header, [good, bad])
    with pytest.raises(InputError) as caught:
        load_children(path, POSTCODES)
    report = " ".join(f"{p.row} {p.column} {p.message}" for p in caught.value.problems)
    assert len(caught.value.problems) == 2
    assert not any(s in report for s in [*secrets, "ZZ9", "99"])


def test_ncy_out_of_range_and_not_a_number(tmp_path: Path) -> None:
    """NCY 21 and -5 are outside -4..20; "Y7" is not a whole number."""
    rows = [child_row("c1", ncy="21"), child_row("c2", ncy="-5"), child_row("c3", ncy="Y7")]
    path = write_csv(tmp_path / "c.csv", CHILD_HEADER, rows)
    assert _problems(path) == [
        f"{path}:2:ncy: NCY outside -4..20",
        f"{path}:3:ncy: NCY outside -4..20",
        f"{path}:4:ncy: NCY is not a whole number",
    ]


def test_duplicate_child_id(tmp_path: Path) -> None:
    """Both lines of a repeated child_id are reported."""
    rows = [child_row("c1"), child_row("c2"), child_row("c1")]
    path = write_csv(tmp_path / "c.csv", CHILD_HEADER, rows)
    assert _problems(path) == [
        f"{path}:2:child_id: duplicate child_id",
        f"{path}:4:child_id: duplicate child_id",
    ]


def test_unknown_need_sex_and_transfer(tmp_path: Path) -> None:
    """Unknown need codes, a sex other than M/F and a non-boolean transfer are each named."""
    rows = [
        child_row("c1", primary_need="XYZ"),
        child_row("c2", secondary_need="ABC"),
        child_row("c3", sex="X"),
        child_row("c4", transfer="maybe"),
        child_row("c5", primary_need=""),
    ]
    path = write_csv(tmp_path / "c.csv", CHILD_HEADER, rows)
    assert _problems(path) == [
        f"{path}:2:primary_need: blank or unknown need code",
        f"{path}:3:secondary_need: unknown need code",
        f"{path}:4:sex: sex is not M or F (Male/Female)",
        f"{path}:5:transfer: not true/false, yes/no, 1/0 or blank",
        f"{path}:6:primary_need: blank or unknown need code",
    ]


def test_location_problems(tmp_path: Path) -> None:
    """No location, an unknown postcode, and a grid reference outside GB are reported."""
    rows = [
        child_row("c1", easting="", northing=""),
        child_row("c2", easting="", northing="", postcode="ZZ9 9ZZ"),
        child_row("c3", easting="750000"),
        child_row("c4", northing="-10"),
    ]
    path = write_csv(tmp_path / "c.csv", CHILD_HEADER, rows)
    assert _problems(path, postcodes=POSTCODES) == [
        f"{path}:2:postcode: no home location: give a postcode or easting and northing",
        f"{path}:3:postcode: postcode not found in the postcode lookup",
        f"{path}:4:easting: grid reference outside Great Britain",
        f"{path}:5:easting: grid reference outside Great Britain",
    ]


def test_postcode_without_lookup_file(tmp_path: Path) -> None:
    """A home given only by postcode needs a postcode file; the problem says so."""
    path = write_csv(
        tmp_path / "c.csv",
        CHILD_HEADER,
        [child_row("c1", easting="", northing="", postcode="LE15 6AA")],
    )
    assert _problems(path) == [f"{path}:2:postcode: postcode given but no postcode lookup file"]


def test_unknown_current_urn(tmp_path: Path) -> None:
    """A current_urn that is not among the settings is reported; a blank one is fine."""
    rows = [
        child_row("c1", current_urn="120001"),
        child_row("c2", current_urn="555555"),
        child_row("c3"),
    ]
    path = write_csv(tmp_path / "c.csv", CHILD_HEADER, rows)
    assert _problems(path, settings=_settings(tmp_path)) == [
        f"{path}:3:current_urn: URN is not among the settings"
    ]


def test_missing_required_column_and_optional_absent(tmp_path: Path) -> None:
    """Without primary_need the header line is named; optional columns may be absent."""
    path = write_csv(tmp_path / "c.csv", ["child_id", "ncy", "sex"], [["c1", "3", "M"]])
    assert _problems(path) == [f"{path}:1:primary_need: required column is missing"]
    path = write_csv(
        tmp_path / "d.csv",
        ["child_id", "ncy", "sex", "primary_need", "easting", "northing"],
        [["c1", "3", "M", "ASD", "486000", "308000"]],
    )
    children = load_children(path)
    assert children["secondary_need"].tolist() == [""] and children["transfer"].tolist() == [False]


_CELLS = {
    "ncy": st.sampled_from(["-4", "0", "6", "11", "20", "21", "-5", "x", "", "3.5"]),
    "sex": st.sampled_from(["M", "F", "male", "FEMALE", "X", ""]),
    "primary_need": st.sampled_from(["ASD", "semh", "SpLD", "BESD", "XYZ", ""]),
    "secondary_need": st.sampled_from(["", "SLCN", "NOPE"]),
    "postcode": st.sampled_from(["", "LE15 6AA", "le150aq", "ZZ9 9ZZ"]),
    "easting": st.sampled_from(["", "486000", "800000", "abc"]),
    "northing": st.sampled_from(["", "308000", "-1"]),
    "transfer": st.sampled_from(["", "true", "No", "1", "perhaps"]),
}


def _reference_is_valid(row: dict[str, str]) -> bool:
    """An independent, row-by-row statement of the children file's rules."""
    ncy_ok = row["ncy"].lstrip("-").isdigit() and -4 <= int(row["ncy"]) <= 20
    sex_ok = row["sex"].lower() in {"m", "f", "male", "female"}
    primary_ok = row["primary_need"].upper() in {"ASD", "SEMH", "SPLD", "BESD"}
    secondary_ok = row["secondary_need"] in {"", "SLCN"}
    transfer_ok = row["transfer"].lower() in {"", "true", "no", "1"}
    numbers_ok = row["easting"] != "abc"
    if row["easting"] and row["northing"]:
        location_ok = row["easting"] == "486000" and row["northing"] == "308000"
    else:
        location_ok = row["postcode"] in {"LE15 6AA", "le150aq"}
    checks = (ncy_ok, sex_ok, primary_ok, secondary_ok, transfer_ok, numbers_ok, location_ok)
    return all(checks)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries(_CELLS), min_size=1, max_size=8))
def test_rows_with_problems_are_exactly_the_invalid_ones(rows: list[dict[str, str]]) -> None:
    """Every invalid row gets a problem on its line, no valid row does, and no child is dropped."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(
            Path(folder) / "c.csv",
            CHILD_HEADER,
            [child_row(f"c{i}", **row) for i, row in enumerate(rows)],
        )
        expected_bad = {i + 2 for i, row in enumerate(rows) if not _reference_is_valid(row)}
        try:
            children = load_children(path, POSTCODES)
        except InputError as exc:
            assert {p.row for p in exc.problems} == expected_bad
        else:
            assert not expected_bad
            assert children["child_id"].tolist() == [f"c{i}" for i in range(len(rows))]
