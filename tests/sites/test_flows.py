"""Placement flows count children by home area and setting, never by home."""

from __future__ import annotations

import pandas as pd

from solver.sites.flows import FLOW_COLUMNS, home_areas, placement_flows


def test_flows_count_children_by_area_and_setting() -> None:
    """Two children in one 2 km square going to one setting make one flow of 2; the third
    child, in another square, makes a flow of 1; areas are square centres, not homes."""
    children = pd.DataFrame(
        {
            "child_id": ["A", "B", "C"],
            "easting": [480100.0, 481900.0, 484500.0],
            "northing": [300100.0, 301500.0, 300100.0],
        }
    )
    settings = pd.DataFrame(
        {"urn": ["1", "2"], "easting": [483000.0, 490000.0], "northing": [305000.0, 305000.0]}
    )
    placements = pd.DataFrame({"child_id": ["A", "B", "C"], "urn": ["1", "1", "1"]})
    flows = placement_flows(placements, children, settings)
    assert list(flows.columns) == list(FLOW_COLUMNS)
    assert flows[["area_easting", "area_northing", "urn", "children"]].values.tolist() == [
        [481000.0, 301000.0, "1", 2],
        [485000.0, 301000.0, "1", 1],
    ]
    assert flows["children"].sum() == len(placements)


def test_home_area_is_the_cell_centre() -> None:
    """A home on a cell edge and one inside the same cell share its centre."""
    areas = home_areas(pd.Series([2000.0, 3999.0]), pd.Series([0.0, 1999.0]))
    assert areas.values.tolist() == [[3000.0, 1000.0], [3000.0, 1000.0]]
