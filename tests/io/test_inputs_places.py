"""Place overrides, GIAS default places and how overrides replace them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.domain.model import PLACE_COLUMNS
from solver.errors import InputError
from solver.io.inputs import load_overrides, merge_places, read_gias
from solver.io.places import split_largest_remainder
from tests.inputs_helpers import THREE_SETTINGS, write_csv, write_gias_rows

HEADER = ["urn", "need", "places", "vacancies", "annual_cost"]


def _settings(tmp_path: Path) -> pd.DataFrame:
    return read_gias(write_gias_rows(tmp_path / "g.csv", THREE_SETTINGS)).settings


def _problems(path: Path, settings: pd.DataFrame | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_overrides(path, settings)
    return [str(p) for p in caught.value.problems]


def test_overrides_are_read(tmp_path: Path) -> None:
    """Codes and GIAS spellings are read; blank need = whole setting; blanks become NA/NaN."""
    path = write_csv(
        tmp_path / "o.csv",
        HEADER,
        [
            ["120003", "ASD - Autistic Spectrum Disorder", "40", "", "21000"],
            ["120003", "", "90", "5", ""],
        ],
    )
    overrides = load_overrides(path, _settings(tmp_path))
    assert tuple(overrides.columns) == PLACE_COLUMNS
    assert overrides["need"].tolist() == ["ASD", ""]
    assert overrides["places"].tolist() == [40, 90]
    assert pd.isna(overrides["vacancies"].iloc[0]) and overrides["vacancies"].iloc[1] == 5
    assert overrides["annual_cost"].iloc[0] == 21000.0 and np.isnan(
        overrides["annual_cost"].iloc[1]
    )


def test_vacancies_above_places(tmp_path: Path) -> None:
    """More vacancies than places is a problem on the vacancies column of that line."""
    path = write_csv(tmp_path / "o.csv", HEADER, [["120003", "SLD", "10", "11", ""]])
    assert _problems(path) == [f"{path}:2:vacancies: more vacancies than places"]


def test_unknown_urn_need_duplicate_and_negative(tmp_path: Path) -> None:
    """Each bad line is named: URN not a setting, unknown need, negative places, duplicate key."""
    path = write_csv(
        tmp_path / "o.csv",
        HEADER,
        [
            ["999999", "ASD", "5", "", ""],
            ["120003", "XYZ", "5", "", ""],
            ["120003", "SLD", "-2", "", ""],
            ["120001", "", "30", "1", ""],
            ["120001", "", "31", "2", ""],
        ],
    )
    assert _problems(path, _settings(tmp_path)) == [
        f"{path}:2:urn: URN is not among the settings '999999'",
        f"{path}:3:need: unknown need code 'XYZ'",
        f"{path}:4:places: negative number of places",
        f"{path}:5:need: duplicate line for this URN and need '120001'",
        f"{path}:6:need: duplicate line for this URN and need '120001'",
    ]


def test_missing_places_column(tmp_path: Path) -> None:
    """A file without `places` names the column on line 1; vacancies and cost may be absent."""
    path = write_csv(tmp_path / "o.csv", ["urn", "need"], [["120001", ""]])
    assert _problems(path) == [f"{path}:1:places: required column is missing"]


def test_override_replaces_default_line_and_keeps_others() -> None:
    """An override (urn, need) line replaces that default; a blank vacancy keeps the default's."""
    defaults = pd.DataFrame(
        {
            "urn": ["1", "2", "2"],
            "need": ["", "", "ASD"],
            "places": [100, 200, 10],
            "vacancies": [5, 0, 6],
            "annual_cost": [np.nan, np.nan, np.nan],
        }
    )
    overrides = pd.DataFrame(
        {
            "urn": ["2", "2"],
            "need": ["ASD", "SLD"],
            "places": [4, 8],
            "vacancies": pd.array([pd.NA, 3], dtype="Int64"),
            "annual_cost": [15000.0, np.nan],
        }
    )
    merged = merge_places(defaults, overrides).set_index(["urn", "need"])
    assert len(merged) == 4
    assert merged.loc[("1", ""), "places"] == 100
    assert merged.loc[("2", "ASD"), "places"] == 4
    assert merged.loc[("2", "ASD"), "vacancies"] == 4  # default 6 capped at the new 4 places
    assert merged.loc[("2", "ASD"), "annual_cost"] == 15000.0
    assert merged.loc[("2", "SLD"), "vacancies"] == 3


@given(st.integers(0, 10_000), st.integers(1, 13))
def test_largest_remainder_split_matches_exact_shares(total: int, parts: int) -> None:
    """Shares sum to the total and each is its exact share rounded down or up (Hamilton method)."""
    shares = split_largest_remainder(total, parts)
    assert sum(shares) == total
    exact = [total / parts] * parts
    assert all(int(e) <= s <= int(e) + 1 for s, e in zip(shares, exact, strict=True))
    assert shares == sorted(shares, reverse=True)


def test_header_only_override_file_changes_nothing(tmp_path: Path) -> None:
    """An override file with no lines is valid and leaves the defaults as they are."""
    path = write_csv(tmp_path / "o.csv", ["urn", "need", "places"], [])
    overrides = load_overrides(path)
    assert overrides.empty and tuple(overrides.columns) == PLACE_COLUMNS
    defaults = pd.DataFrame(
        {"urn": ["1"], "need": [""], "places": [9], "vacancies": [2], "annual_cost": [np.nan]}
    )
    merged = merge_places(defaults, overrides)
    assert merged[["urn", "places", "vacancies"]].values.tolist() == [["1", 9, 2]]
