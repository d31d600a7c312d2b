"""Small hand-checked cases for NCY at a census date and the flows between two censuses."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.io.sen2_census import SEN2_CHILD_COLUMNS, ncy_at
from solver.io.sen2_flows import census_flows


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
    gias = pd.DataFrame({"urn": ["1", "2"], "setting_type": ["mainstream", "state_special"]})
    before = _children(
        [("a", 3, "ASD", "1", ""), ("b", 5, "SEMH", "1", ""), ("c", 7, "MLD", "2", ""),
         ("d", 13, "SLD", "2", "")]
    )  # fmt: skip
    after = _children(
        [("a", 4, "ASD", "1", ""), ("b", 6, "SEMH", "2", ""), ("c", 8, "SLD", "2", ""),
         ("e", 0, "SLCN", "", "NIEO")]
    )  # fmt: skip
    flows = census_flows(before, after, gias, pd.Series({"d": "4"}))
    assert flows.values.tolist() == [
        ["joiner", 0, "SLCN", "", "NIEO", "", 1],
        ["leaver", 13, "SLD", "state_special", "", "4", 1],
        ["mover", 6, "SEMH", "mainstream", "state_special", "", 1],
        ["need_change", 8, "SLD", "state_special", "state_special", "", 1],
    ]


CODES = ["ASD", "SLCN", "SEMH", "MLD", "SLD", "PD", "SPLD", "HI", "PMLD", "OTH", "VI", "MSI"]


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-4, 20),
            st.sampled_from(["M", "F"]),
            st.sampled_from(CODES),
            st.sampled_from(["", *CODES]),
            st.sampled_from(["", "100001", "100002"]),
            st.booleans(),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 1000),
)
def test_any_children_survive_a_synthetic_return(rows: list[tuple], seed: int) -> None:
    """Whatever the children, synth_history -> Blade files -> read -> census gives them back
    (NCY, sex, needs, home, setting, SEN unit flag, transfer), with no issue."""
    import tempfile
    from pathlib import Path

    from solver.io.sen2 import read_return
    from solver.io.sen2_census import census_children
    from solver.synth.sen2 import return_tables, synth_history, write_return

    children = pd.DataFrame(
        rows,
        columns=["ncy", "sex", "primary_need", "secondary_need", "current_urn", "transfer", "pc"],
    )
    children = children.assign(
        child_id=[f"c{i}" for i in range(len(children))],
        postcode=[f"AA{p} 1AA" for p in children["pc"]],
        current_place=np.where(children["current_urn"] == "100001", "sen_unit", ""),
    )
    gias = pd.DataFrame(
        {
            "urn": ["100001", "100002"],
            "provision": ["SEN unit", ""],
            "setting_type": ["mainstream_rp", "state_special"],
        }
    )
    postcodes = pd.DataFrame(
        {
            "postcode": ["AA01AA", "AA11AA", "AA21AA"],
            "easting": [1.0e5, 2.0e5, 3.0e5],
            "northing": [5.0e5, 6.0e5, 7.0e5],
        }
    )
    history = synth_history(children, gias, 2025, seed)
    with tempfile.TemporaryDirectory() as folder:
        write_return(return_tables(history, 2025), Path(folder), date(2025, 3, 7))
        found = census_children(
            read_return(Path(folder)),
            date(2025, 1, 16),
            key=b"k" * 16,
            postcodes=postcodes,
            settings=gias,
        )
    assert found.issues.empty
    keys = [
        "ncy",
        "sex",
        "primary_need",
        "secondary_need",
        "easting",
        "current_urn",
        "current_place",
        "transfer",
    ]
    expected = children.assign(easting=children["pc"].map({0: 1.0e5, 1: 2.0e5, 2: 3.0e5}))
    got = found.children[keys].sort_values(keys).reset_index(drop=True)
    want = expected[keys].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
