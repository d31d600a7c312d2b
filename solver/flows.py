"""Placement flows by area: how many children travel from each home area to each setting.

A home area is the centre of a square grid cell, so no flow reveals a child's exact home.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Side of the grid cells that stand for children's home areas (metres, EPSG:27700).
AREA_CELL_M = 2000
FLOW_COLUMNS = (
    "area_easting",
    "area_northing",
    "urn",
    "setting_easting",
    "setting_northing",
    "children",
)


def home_areas(easting: pd.Series, northing: pd.Series, cell_m: int = AREA_CELL_M) -> pd.DataFrame:
    """The centre of the grid cell holding each home: `area_easting`, `area_northing`."""

    def centre(v: pd.Series) -> np.ndarray:
        return (np.floor(v.to_numpy(float) / cell_m) + 0.5) * cell_m

    return pd.DataFrame({"area_easting": centre(easting), "area_northing": centre(northing)})


def placement_flows(
    placements: pd.DataFrame,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    cell_m: int = AREA_CELL_M,
) -> pd.DataFrame:
    """Children placed, counted by home area and setting (FLOW_COLUMNS), largest flow first;
    no child ids."""
    homes = (
        children[["child_id"]]
        .astype(str)
        .join(home_areas(children["easting"], children["northing"], cell_m))
    )
    sites = settings[["urn", "easting", "northing"]].astype({"urn": str})
    sites = sites.rename(columns={"easting": "setting_easting", "northing": "setting_northing"})
    placed = placements[["child_id", "urn"]].astype(str).merge(homes, on="child_id")
    flows = (
        placed.merge(sites, on="urn")
        .groupby(list(FLOW_COLUMNS[:-1]), as_index=False)
        .size()
        .rename(columns={"size": "children"})
    )
    return flows.sort_values(["children", "urn"], ascending=[False, True], ignore_index=True)
