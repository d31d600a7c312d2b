"""Small hand-checked cases for NCY at a census date and the flows between two censuses."""

from __future__ import annotations

from datetime import date

import pandas as pd

from solver.sen2_census import SEN2_CHILD_COLUMNS, ncy_at
from solver.sen2_flows import census_flows


def test_ncy_at_the_census_date() -> None:
    """SEN2.md §4: born 2016-02-10 is NCY 4 on 2025-01-16; 31 August joins the older cohort,
    1 September the younger; ages outside 0-24 and a missing birth date give NA."""
    births = pd.Series(
        pd.to_datetime(["2016-02-10", "2015-08-31", "2015-09-01", "1990-01-01", None, "2024-09-01"])
    )
    got = ncy_at(births, date(2025, 1, 16))
    assert got.tolist()[:3] == [4, 5, 4]
    assert got[3:].isna().all()


def _children(rows: list[tuple[str, int, str, str, str]]) -> pd.DataFrame:
    """Children (id, ncy, need, current_urn, situation) with the other columns blank."""
    frame = pd.DataFrame(
        rows, columns=["child_id", "ncy", "primary_need", "current_urn", "situation"]
    )
    return frame.assign(current_place="").reindex(columns=list(SEN2_CHILD_COLUMNS), fill_value="")


def test_flows_between_two_censuses() -> None:
    """a stays put, b moves from a mainstream to a special school, c changes need, d leaves
    (cease reason 4), e joins and awaits a place (NIEO)."""
    settings = pd.DataFrame({"urn": ["1", "2"], "setting_type": ["mainstream", "state_special"]})
    before = _children(
        [("a", 3, "ASD", "1", ""), ("b", 5, "SEMH", "1", ""), ("c", 7, "MLD", "2", ""),
         ("d", 13, "SLD", "2", "")]
    )  # fmt: skip
    after = _children(
        [("a", 4, "ASD", "1", ""), ("b", 6, "SEMH", "2", ""), ("c", 8, "SLD", "2", ""),
         ("e", 0, "SLCN", "", "NIEO")]
    )  # fmt: skip
    flows = census_flows(before, after, settings, pd.Series({"d": "4"}))
    assert flows.values.tolist() == [
        ["joiner", 0, "SLCN", "", "NIEO", "", 1],
        ["leaver", 13, "SLD", "state_special", "", "4", 1],
        ["mover", 6, "SEMH", "mainstream", "state_special", "", 1],
        ["need_change", 8, "SLD", "state_special", "state_special", "", 1],
    ]
