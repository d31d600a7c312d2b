"""Builders of small input tables (settings, places, children, journeys) for placement tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from solver.domain.model import CHILD_COLUMNS, PLACE_COLUMNS, SETTING_COLUMNS
from solver.domain.tariffs import Tariffs
from solver.io.gias import write_gias
from solver.io.tariffs import load_tariffs

TARIFFS: Tariffs = load_tariffs()


def setting(urn: str, setting_type: str = "mainstream", **values: Any) -> dict[str, Any]:
    """One settings row: mixed, all ages, no designations unless given."""
    row: dict[str, Any] = {
        "urn": urn,
        "name": f"Setting {urn}",
        "setting_type": setting_type,
        "la_code": "857",
        "low_age": 2,
        "high_age": 25,
        "ncy_low": -2,
        "ncy_high": 20,
        "gender": "mixed",
        "easting": 490000.0,
        "northing": 305000.0,
        "postcode": "",
        "designated_needs": (),
        "provision": "",
        "capacity": pd.NA,
        "on_roll": pd.NA,
        "ofsted": "Good",
        "section41": False,
    }
    row.update(values)
    return row


def child(child_id: str, ncy: int = 3, primary_need: str = "ASD", **values: Any) -> dict[str, Any]:
    """One children row: a new plan (no current setting), not at a transfer."""
    row: dict[str, Any] = {
        "child_id": child_id,
        "ncy": ncy,
        "sex": "M",
        "primary_need": primary_need,
        "secondary_need": "",
        "easting": 490000.0,
        "northing": 305000.0,
        "current_urn": "",
        "transfer": False,
    }
    row.update(values)
    return row


def place(
    urn: str, places: int, vacancies: int | None = None, need: str = "", cost: float = np.nan
):
    """One place line; vacancies default to all the places."""
    return {
        "urn": urn,
        "need": need,
        "places": places,
        "vacancies": places if vacancies is None else vacancies,
        "annual_cost": cost,
    }


def settings_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A settings table with SETTING_COLUMNS."""
    table = pd.DataFrame(list(rows), columns=list(SETTING_COLUMNS))
    table["designated_needs"] = [tuple(sorted(n)) for n in table["designated_needs"]]
    return table


def children_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A children table with CHILD_COLUMNS."""
    return pd.DataFrame(list(rows), columns=list(CHILD_COLUMNS))


def places_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A places table with PLACE_COLUMNS."""
    table = pd.DataFrame(list(rows), columns=list(PLACE_COLUMNS))
    return table.astype({"places": "int64", "vacancies": "int64", "annual_cost": "float64"})


def journeys_table(minutes: dict[tuple[str, str], float], estimated: Sequence = ()) -> pd.DataFrame:
    """A journeys table from {(child_id, urn): minutes}."""
    keys = list(minutes)
    return pd.DataFrame(
        {
            "child_id": [k[0] for k in keys],
            "urn": [k[1] for k in keys],
            "seconds": [60.0 * minutes[k] for k in keys],
            "estimated": [k in set(estimated) for k in keys],
        }
    )


@dataclass(frozen=True)
class Instance:
    """The input tables of one placement problem."""

    children: pd.DataFrame
    settings: pd.DataFrame
    places: pd.DataFrame
    journeys: pd.DataFrame


_TYPES = ["mainstream", "mainstream_rp", "state_special", "independent_special"]
_NEEDS = ["ASD", "SEMH", "MLD"]


@st.composite
def instances(draw: st.DrawFn, max_children: int = 8, max_settings: int = 4) -> Instance:
    """Small random instances: mixed types, designations, need lines, journeys, kept children."""
    n_settings = draw(st.integers(1, max_settings))
    settings, places = [], []
    for s in range(n_settings):
        urn = f"1{s:05d}"
        kind = draw(st.sampled_from(_TYPES))
        needs = draw(st.sets(st.sampled_from(_NEEDS), max_size=2)) if kind != "mainstream" else ()
        low = draw(st.integers(0, 6))
        settings.append(
            setting(
                urn,
                kind,
                ncy_low=low,
                ncy_high=low + draw(st.integers(4, 13)),
                gender=draw(st.sampled_from(["mixed", "mixed", "boys", "girls"])),
                designated_needs=tuple(sorted(needs)),
            )
        )
        if draw(st.booleans()):
            places.append(place(urn, draw(st.integers(0, 4)) + 2, draw(st.integers(0, 4))))
        for need in sorted(needs):
            if draw(st.booleans()):
                cost = draw(st.sampled_from([np.nan, 15000.0, 41000.0]))
                places.append(place(urn, 3, draw(st.integers(0, 3)), need=need, cost=cost))
    n_children = draw(st.integers(1, max_children))
    children, minutes = [], {}
    for c in range(n_children):
        cid = f"C{c:03d}"
        kept = draw(st.integers(0, 4)) == 0
        children.append(
            child(
                cid,
                ncy=draw(st.integers(0, 13)),
                primary_need=draw(st.sampled_from(_NEEDS)),
                secondary_need=draw(st.sampled_from(["", "", *_NEEDS])),
                sex=draw(st.sampled_from(["M", "F"])),
                current_urn=settings[draw(st.integers(0, n_settings - 1))]["urn"] if kept else "",
            )
        )
        for s in settings:
            if draw(st.integers(0, 5)) > 0:
                minutes[(cid, s["urn"])] = float(draw(st.integers(1, 90)))
    return Instance(
        children_table(children),
        settings_table(settings),
        places_table(places),
        journeys_table(minutes),
    )


def write_case(folder: Path) -> Path:
    """Three settings (GIAS format), overrides, four children and a travel table; the scenario."""
    settings = settings_table(
        [
            setting(
                "100001",
                "mainstream",
                low_age=4,
                high_age=11,
                ncy_low=0,
                ncy_high=6,
                easting=490000.0,
                northing=305000.0,
            ),
            setting(
                "100002",
                "state_special",
                low_age=4,
                high_age=19,
                ncy_low=0,
                ncy_high=14,
                designated_needs=("ASD",),
                easting=491000.0,
                northing=306000.0,
            ),
            setting(
                "100003",
                "mainstream",
                low_age=11,
                high_age=16,
                ncy_low=7,
                ncy_high=11,
                easting=492000.0,
                northing=307000.0,
            ),
        ]
    ).assign(capacity=[200, 60, 900], on_roll=[190, 50, 880])
    write_gias(settings.assign(type_code=[2, 7, 28]), folder / "gias.csv")
    (folder / "overrides.csv").write_text(
        "urn,need,places,vacancies,annual_cost\n100001,,200,1,\n100002,,60,1,\n", encoding="utf-8"
    )
    children = children_table(
        [
            child("K-1", 3, "ASD"),
            child("K-2", 3, "ASD"),
            child("K-3", 8, "SEMH"),
            child("K-4", 4, "MLD", current_urn="100001"),
        ]
    )
    children.to_csv(folder / "children.csv", index=False)
    minutes = {(c, u): 15.0 for c in children["child_id"] for u in ("100001", "100002", "100003")}
    out = folder / "out"
    out.mkdir()
    journeys_table(minutes).to_parquet(out / "travel_times.parquet")
    scenario = folder / "s.yaml"
    scenario.write_text(
        "name: t\ninputs: {settings: gias.csv, overrides: overrides.csv, children: children.csv}\n"
    )
    return scenario
