"""What every page shares: the session's workspace, problem tables and the offline map."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.basemap import boundary_beside, outline_paths, road_paths, to_lonlat, view_centre
from solver.journeys import scenario_network
from solver.problems import InputError, Problem
from solver.workspace import Workspace, open_workspace

ATTRIBUTION = "Roads and LA outline © OpenStreetMap contributors (ODbL)."
#: The map style Streamlit's front end reads as "no base map". Any other value, None or ""
#: included, makes it fetch Carto's style from basemaps.cartocdn.com (tests/test_browser.py
#: records every request the pages make and fails on any leaving the machine).
NO_BASEMAP = "__MAP_STYLE__"
REPO = Path(__file__).resolve().parent.parent
SAMPLE_SCENARIO = REPO / "scenarios" / "baseline.yaml"

#: Marker colours by setting type (RGB), shared by every map.
TYPE_COLOURS: dict[str, list[int]] = {
    "mainstream": [31, 119, 180],
    "mainstream_rp": [23, 190, 207],
    "state_special": [214, 39, 40],
    "non_maintained_special": [255, 127, 14],
    "independent_special": [148, 103, 189],
    "independent_mainstream": [140, 86, 75],
    "alternative_provision": [227, 119, 194],
    "post16": [44, 160, 44],
}


def session_dir() -> Path:
    """This session's own folder for uploads and journeys: never shared between users."""
    if "session_dir" not in st.session_state:
        st.session_state["session_dir"] = tempfile.mkdtemp(prefix="rightplace-")
    return Path(st.session_state["session_dir"])


def workspace() -> Workspace | None:
    """The session's workspace, opening the Rutland sample the first time; None on bad input."""
    if "workspace" not in st.session_state:
        with st.spinner("Loading the Rutland sample and its journey times..."):
            use_scenario(SAMPLE_SCENARIO)
    return st.session_state.get("workspace")


def use_scenario(path: Path) -> list[Problem]:
    """Open `path` as the session's workspace; its problems (empty when it opened)."""
    try:
        opened = open_workspace(path, session_dir() / f"journeys-{abs(hash(str(path)))}")
    except InputError as exc:
        return list(exc.problems)
    st.session_state["workspace"] = opened
    for key in ("allocation", "forecast"):
        st.session_state.pop(key, None)
    return []


def problems_table(problems: list[Problem]) -> None:
    """Every problem as a table row: file, row, column, message."""
    st.error(f"{len(problems)} problem(s) found: nothing was loaded.")
    st.dataframe(
        pd.DataFrame([vars(p) for p in problems], columns=["file", "row", "column", "message"]),
        hide_index=True,
        width="stretch",
    )


@st.cache_data(show_spinner=False)
def _roads(network: str) -> pd.DataFrame:
    """The road paths of a network file: public data, so shared between sessions."""
    from geo.network import load_network

    return road_paths(load_network(Path(network)))


@st.cache_data(show_spinner=False)
def _outline(path: str) -> pd.DataFrame:
    """The LA outline's rings: public data, so shared between sessions."""
    return outline_paths(Path(path))


def base_layers(ws: Workspace) -> list[pdk.Layer]:
    """The offline base map: the scenario's roads and, when it is next to them, the LA outline."""
    scenario_network(ws.scenario, str(ws.scenario_path))  # a missing network is a problem
    network = ws.scenario.inputs.network
    layers = [
        pdk.Layer(
            "PathLayer",
            _roads(str(network)),
            get_path="path",
            get_color=[160, 160, 160],
            width_min_pixels=1,
        )
    ]
    outline = boundary_beside(network)
    if outline is not None:
        layers.append(
            pdk.Layer(
                "PathLayer",
                _outline(str(outline)),
                get_path="path",
                get_color=[60, 60, 60],
                width_min_pixels=2,
            )
        )
    return layers


def show_map(layers: list[pdk.Layer], lon: pd.Series, lat: pd.Series, tooltip: str) -> None:
    """A pydeck map with no base map (so no request leaves the machine: our own layers only),
    centred on the given points."""
    centre_lon, centre_lat = view_centre(lon, lat)
    st.pydeck_chart(
        pdk.Deck(
            layers=layers,
            map_style=NO_BASEMAP,
            map_provider=None,
            initial_view_state=pdk.ViewState(latitude=centre_lat, longitude=centre_lon, zoom=9),
            tooltip={"text": tooltip},
        )
    )


def settings_points(settings: pd.DataFrame) -> pd.DataFrame:
    """Settings as map points: lon, lat, name, setting_type and colour by type."""
    lon, lat = to_lonlat(settings["easting"], settings["northing"])
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "name": settings["name"].to_numpy(),
            "setting_type": settings["setting_type"].to_numpy(),
            "colour": [TYPE_COLOURS[t] for t in settings["setting_type"]],
        }
    )


def settings_layer(points: pd.DataFrame) -> pdk.Layer:
    """Settings as dots coloured by type."""
    return pdk.Layer(
        "ScatterplotLayer",
        points,
        get_position=["lon", "lat"],
        get_fill_color="colour",
        radius_min_pixels=5,
        pickable=True,
    )


def settings_map(
    ws: Workspace,
    urns: list[str] | None = None,
    area: tuple[float, float] | None = None,
    reach: pd.DataFrame | None = None,
) -> None:
    """Settings over the offline base map; `area` is a 1 km square to shade, `reach` polygons
    (from `polygon_rings`) to draw under them."""
    settings = ws.inputs.settings
    if urns is not None:
        settings = settings[settings["urn"].isin(urns)]
    points = settings_points(settings)
    layers = base_layers(ws)
    if reach is not None:
        layers.append(
            pdk.Layer(
                "PolygonLayer", reach, get_polygon="polygon", get_fill_color=[0, 120, 200, 40]
            )
        )
    layers.append(settings_layer(points))
    if area is not None:
        e, n = area
        xs, ys = to_lonlat([e, e + 1000, e + 1000, e], [n, n, n + 1000, n + 1000])
        square = pd.DataFrame({"polygon": [[[x, y] for x, y in zip(xs, ys, strict=True)]]})
        layers.append(
            pdk.Layer("PolygonLayer", square, get_polygon="polygon", get_fill_color=[255, 0, 0, 90])
        )
    show_map(layers, points["lon"], points["lat"], "{name} ({setting_type})")
    st.caption(ATTRIBUTION + " Colours: setting type.")
