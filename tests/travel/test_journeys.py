"""Scenario journey times: children's homes to settings, with homes and settings off the roads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from solver.errors import InputError
from solver.io.journeys import JOURNEY_COLUMNS
from solver.travel.journeys import journey_times
from tests.geo_fixtures import cross_network


def _children(points):
    return pd.DataFrame(
        {
            "child_id": [f"C{i}" for i in range(len(points))],
            "easting": [p[0] for p in points],
            "northing": [p[1] for p in points],
        }
    )


SETTINGS = pd.DataFrame(
    {"urn": ["100", "200", "300"], "easting": [1500.0, 0.0, 1000.0], "northing": [0, 0, 3000.0]}
)


def test_three_children_three_settings():
    """Times by child and URN; the setting 2 km off the network is estimated, the others not."""
    children = _children([(500, 0), (1000, 500), (2000, 0)])
    times = journey_times(cross_network(), children, SETTINGS, cutoff_minutes=60)
    assert list(times.columns) == list(JOURNEY_COLUMNS)
    got = {(c, u): (s, e) for c, u, s, e in times.itertuples(index=False)}
    assert got[("C0", "100")] == (60, False)  # 30 s to B, 30 s along the one-way road
    assert got[("C0", "200")] == (30, False)
    assert got[("C0", "300")] == (150 + 188, True)  # + 2 km x 1.3 at 50 km/h = 187.2 s
    assert got[("C1", "200")] == (60 + 60, False)
    # C2 lives at the dead end of the one-way road: nothing is reachable
    assert not any(c == "C2" for c, _ in got)


def test_home_far_from_roads_is_reported_by_row():
    """A home beyond the guard is an input problem naming file, line and column, not a value."""
    children = _children([(500, 0), (500, 5000), (1000, 500)])
    with pytest.raises(InputError) as caught:
        journey_times(cross_network(), children, SETTINGS, cutoff_minutes=60)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("children", 3, "easting")
    assert "4,031 m from the nearest road" in problem.message


def test_missing_coordinates_are_all_reported():
    """Every child and setting without coordinates is reported at once."""
    children = _children([(500, 0), (np.nan, 0), (0, np.nan)])
    settings = SETTINGS.assign(easting=[1500.0, np.nan, 1000.0])
    with pytest.raises(InputError) as caught:
        journey_times(cross_network(), children, settings, cutoff_minutes=60)
    assert sorted((p.file, p.row, p.column) for p in caught.value.problems) == [
        ("children", 3, "easting"),
        ("children", 4, "northing"),
        ("settings", 3, "easting"),
    ]


def test_journey_to_current_setting_is_kept_beyond_the_cutoff():
    """A child's current setting stays in the table past the cut-off (a kept placement is
    costed, not free); other settings past the cut-off stay out."""
    children = _children([(500, 0), (1000, 500)]).assign(current_urn=["300", ""])
    full = journey_times(cross_network(), children, SETTINGS, cutoff_minutes=60)
    short = journey_times(cross_network(), children, SETTINGS, cutoff_minutes=1)
    seconds = {(c, u): s for c, u, s, _ in full.itertuples(index=False)}
    kept = {(c, u): s for c, u, s, _ in short.itertuples(index=False)}
    assert seconds[("C0", "300")] > 60
    assert kept[("C0", "300")] == seconds[("C0", "300")]
    assert all(s <= 60 for (c, u), s in kept.items() if (c, u) != ("C0", "300"))
    assert ("C1", "300") not in kept
