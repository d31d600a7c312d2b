"""Site selection's reach table, by hand: who is in reach of a site, who is independent or
out of area, and who could move for a saving."""

from __future__ import annotations

import pandas as pd

from solver.domain.scenario import Policy
from solver.io.tariffs import load_tariffs
from solver.sites.proposal import Proposal
from solver.sites.reach import reach_table


def test_reach_counts_independent_schools_only_and_out_of_area() -> None:
    """Four Y8 ASD children 10 minutes from site a, now in (by hand) a non-maintained special,
    an independent special and an independent mainstream school in the LA, and a state special
    school outside it: the independent ones are the two independent schools (the comparison's
    `share_independent` group), so the non-maintained child is neither independent nor movable
    and saves nothing; the out-of-area one is movable."""
    kinds = {
        "NM": ("non_maintained_special", "857"),
        "IS": ("independent_special", "857"),
        "IM": ("independent_mainstream", "857"),
        "SS": ("state_special", "999"),
        "HOME": ("state_special", "857"),
    }
    settings = pd.DataFrame(
        {
            "urn": list(kinds),
            "setting_type": [t for t, _ in kinds.values()],
            "la_code": [la for _, la in kinds.values()],
        }
    )
    ids = ["nm", "is", "im", "ss"]
    children = pd.DataFrame(
        {
            "child_id": ids,
            "primary_need": ["ASD"] * 4,
            "ncy": [8] * 4,
            "current_urn": ["NM", "IS", "IM", "SS"],
        }
    )
    journeys = pd.DataFrame(
        {"child_id": ids, "urn": ["NM", "IS", "IM", "SS"], "seconds": [1800.0] * 4}
    )
    trips = pd.DataFrame({"child_id": ids, "site_id": ["a"] * 4, "seconds": [600.0] * 4})
    proposal = Proposal(needs=("ASD",), low_age=11, high_age=16, places=10)
    table = reach_table(
        children, settings, journeys, trips, proposal, load_tariffs(), Policy()
    ).set_index("child_id")
    assert table["independent"].to_dict() == {"nm": False, "is": True, "im": True, "ss": False}
    assert table["out_of_area"].to_dict() == {"nm": False, "is": False, "im": False, "ss": True}
    assert table.loc["nm", "saving"] == 0.0
    assert (table.loc[["is", "ss"], "saving"] > 0).all()
