"""Maps people can read: the journey area has no gaps beside roads the limit reaches, and
placement flows are merged into areas until none is drawn from fewer than 10 children."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo.isochrones import isochrone
from geo.network import compiled_path
from solver.sites.flows import shown_flows
from solver.travel.journeys import scenario_network
from solver.workspace import open_workspace
from tests.geo_fixtures import cross_network
from views.shared import opening_message, settings_points

REPO = Path(__file__).resolve().parents[2]


def test_journey_area_fills_the_land_between_reached_roads() -> None:
    """From D, 3 minutes reach all of D-B and B-A: a place 300 m from both roads is within the
    500 m snapping guard of a reached road, so in the area; 600 m from both it is not. With
    the old 100 m buffer the first was a white gap."""
    net = cross_network()
    [area] = isochrone(net, 1000, 1000, 3, towards=False).geometry
    assert area.contains(shapely.Point(700, 300)) and area.contains(shapely.Point(500, -450))
    assert not area.contains(shapely.Point(400, 600))
    [thin] = isochrone(net, 1000, 1000, 3, towards=False, buffer_m=100).geometry
    assert not thin.contains(shapely.Point(700, 300))


def test_journey_area_of_a_sample_child_covers_the_land_around_their_square() -> None:
    """The first sample child's 75-minute area as drawn (its outer ring, as `polygon_rings`
    gives it, from their 1 km square's centre) covers every place within 1 km of that square:
    no white gap beside it."""
    ws = open_workspace(REPO / "scenarios" / "baseline.yaml", Path(tempfile.mkdtemp()))
    child = ws.inputs.children.iloc[0]
    e, n = child["easting"] // 1000 * 1000, child["northing"] // 1000 * 1000
    network = scenario_network(ws.scenario, str(ws.scenario_path))
    [area] = isochrone(network, e + 500, n + 500, 75, towards=False).geometry
    assert shapely.Polygon(area.exterior).contains(
        shapely.box(e - 1000, n - 1000, e + 2000, n + 2000)
    )


def _homes(cells: list[tuple[float, float, str, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Children and their placements: `count` children at (easting, northing) placed at urn."""
    rows = [(e, n, urn) for e, n, urn, count in cells for _ in range(count)]
    ids = [f"C{i}" for i in range(len(rows))]
    children = pd.DataFrame(
        {"child_id": ids, "easting": [r[0] for r in rows], "northing": [r[1] for r in rows]}
    )
    return children, pd.DataFrame({"child_id": ids, "urn": [r[2] for r in rows]})


def test_small_flows_merge_into_larger_areas_and_none_below_10_is_drawn() -> None:
    """Hand-worked: 12 children in one 2 km square to S1 are one 2 km flow; 6 and 5 children in
    two 2 km squares of one 4 km square to S2 are one 4 km flow of 11; 3 children to S3 (and
    4 more to S2 from 40 km away) stay fewer than 10 at every size and are drawn nowhere."""
    children, placements = _homes(
        [
            (500, 500, "S1", 12),
            (500, 500, "S2", 6),
            (2500, 500, "S2", 5),
            (500, 500, "S3", 3),
            (40500, 40500, "S2", 4),
        ]
    )
    settings = pd.DataFrame(
        {"urn": ["S1", "S2", "S3"], "easting": [0, 100, 200], "northing": [0, 100, 200]}
    )
    flows = shown_flows(placements, children, settings)
    got = flows[["area_easting", "area_northing", "urn", "children", "cell_m"]]
    assert got.values.tolist() == [
        [1000.0, 1000.0, "S1", 12, 2000],
        [2000.0, 2000.0, "S2", 11, 4000],
    ]


def test_settings_carry_name_kind_and_rank_on_hover() -> None:
    """A setting's tip gives its rank when ranked, its name and its type in words."""
    settings = pd.DataFrame(
        {
            "urn": ["100", "200"],
            "name": ["Oak School", "Elm Academy"],
            "setting_type": ["state_special", "mainstream"],
            "easting": [486000, 487000],
            "northing": [300000, 301000],
        }
    )
    tips = settings_points(settings, {"200": 1})["tip"].tolist()
    assert tips == ["Oak School (State special school)", "Rank 1: Elm Academy (Mainstream school)"]


def test_opening_says_when_the_road_network_is_being_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the sample's network is compiled into the cache, opening it says so (it takes
    up to a minute); once compiled, it says it is loading."""
    monkeypatch.setenv("RIGHTPLACE_CACHE", str(tmp_path))
    scenario = REPO / "scenarios" / "baseline.yaml"
    assert opening_message(scenario).startswith("Compiling the road network roads.osm.bz2")
    compiled = compiled_path(REPO / "data" / "rutland" / "roads.osm.bz2")
    assert compiled.parent == tmp_path
    compiled.touch()
    assert (
        opening_message(scenario) == "Loading the scenario baseline: its files and journey times..."
    )
