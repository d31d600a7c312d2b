"""Placement flows by area: how many children travel from each home area to each setting.

A home area is the centre of a square grid cell, so no flow reveals a child's exact home.
`shown_flows` merges small flows into ever larger areas so a map shows a few flows, none of
fewer than SUPPRESS_BELOW children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from solver.sites.disclosure import SUPPRESS_BELOW

#: Side of the grid cells that stand for children's home areas (metres, EPSG:27700).
AREA_CELL_M = 2000
#: The cell sides `shown_flows` tries in turn: a flow too small in one joins the next.
MERGED_CELLS_M = (AREA_CELL_M, 4000, 8000, 16000, 32000)
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
        metres: np.ndarray = v.to_numpy(float)
        return (np.floor(metres / cell_m) + 0.5) * cell_m

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


def shown_flows(
    placements: pd.DataFrame,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    cells_m: tuple[int, ...] = MERGED_CELLS_M,
    least: int = SUPPRESS_BELOW,
) -> pd.DataFrame:
    """Flows of at least `least` children (FLOW_COLUMNS and `cell_m`, the side of the area they
    come from): each setting's flows from the smallest cells that hold that many, the children
    of smaller ones merged into the next cell size; children left in flows below `least` at the
    largest size are in no row. No flow is drawn from a count below `least`."""
    shown, left = [], placements
    for cell_m in cells_m:
        flows = placement_flows(left, children, settings, cell_m)
        big = flows[flows["children"] >= least]
        shown.append(big.assign(cell_m=cell_m))
        homes = home_areas(children["easting"], children["northing"], cell_m)
        keys = children[["child_id"]].astype(str).join(homes)
        cell = left[["child_id", "urn"]].astype(str).merge(keys, on="child_id", how="left")
        drawn = cell.merge(
            big[["area_easting", "area_northing", "urn"]], how="left", indicator=True
        )["_merge"].eq("both")
        left = left[~drawn.to_numpy()]
    columns = [*FLOW_COLUMNS, "cell_m"]
    return pd.concat(shown, ignore_index=True)[columns].sort_values(
        ["children", "urn"], ascending=[False, True], ignore_index=True
    )
