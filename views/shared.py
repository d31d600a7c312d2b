"""What every page shares: the session's workspace, problem tables and the offline map."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.basemap import boundary_beside, outline_paths, road_paths, to_lonlat, view_centre
from geo.network import RoadNetwork, compiled_path, network_key
from solver.domain.scenario import Scenario
from solver.errors import InputError, Problem
from solver.io.children import OPTIONAL_CHILD_COLUMNS, REQUIRED_CHILD_COLUMNS
from solver.io.csvfile import trimmed_csv
from solver.io.gias_reader import GIAS_COLUMNS
from solver.io.places import OPTIONAL_OVERRIDE_COLUMNS, REQUIRED_OVERRIDE_COLUMNS
from solver.io.scenario_file import load_scenario
from solver.io.words import setting_type_words
from solver.travel.journeys import scenario_network
from solver.workspace import Workspace, open_workspace

ATTRIBUTION = "Roads and LA outline © OpenStreetMap contributors (ODbL)."
#: The map style Streamlit's front end reads as "no base map". Any other value, None or ""
#: included, makes it fetch Carto's style from basemaps.cartocdn.com (tests/e2e/test_browser.py
#: records every request the pages make and fails on any leaving the machine).
NO_BASEMAP = "__MAP_STYLE__"
REPO = Path(__file__).resolve().parent.parent
SAMPLE_SCENARIO = REPO / "scenarios" / "baseline.yaml"
#: The sample's files: what a scenario edited in the app may read besides the visitor's own.
SAMPLE_DATA = REPO / "data"

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
ROAD_COLOUR = [160, 160, 160]
#: Roads are drawn simplified within this many metres: unseen at the maps' zoom, half the points.
ROAD_TOLERANCE_M = 10.0
OUTLINE_COLOUR = [60, 60, 60]
#: The child's own 1 km square and the area the journey limit reaches from it (RGBA).
HOME_AREA_COLOUR = [255, 0, 0, 90]
REACH_COLOUR = [0, 120, 200, 50]
#: Placement flows: line colour and width (pixels) per child; the centres they start from.
FLOW_COLOUR = [31, 119, 180, 170]
FLOW_PX_PER_CHILD = 0.4
HOME_AREA_DOT = [40, 40, 40]
#: A map key entry: the CSS of its swatch and its words.
KeyEntry = tuple[str, str]


#: A visitor's folder in the system temporary folder is `rightplace-<server pid>-<random>`.
FOLDER_PREFIX = "rightplace-"

#: The columns kept from each upload, by role: those its reader reads. Postcode lookups are
#: public and may have no header (Code-Point Open), so they are kept as given.
UPLOAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "settings": GIAS_COLUMNS,
    "overrides": (*REQUIRED_OVERRIDE_COLUMNS, *OPTIONAL_OVERRIDE_COLUMNS),
    "children": (*REQUIRED_CHILD_COLUMNS, *OPTIONAL_CHILD_COLUMNS),
    "candidate_sites": ("site_id", "postcode", "easting", "northing"),
}


class SessionFolder:
    """A visitor's own folder for uploads and journeys: deleted when their session ends (see
    `_session_folders`), and at the latest when the server stops."""

    def __init__(self) -> None:
        prefix = f"{FOLDER_PREFIX}{os.getpid()}-"
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self.delete = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)


def _delete_all(folders: list[SessionFolder]) -> None:
    for folder in folders:
        folder.delete()


@st.cache_resource(scope="session", on_release=_delete_all, show_spinner=False)
def _session_folders() -> list[SessionFolder]:
    """The folders of this session: Streamlit releases them, so they are deleted, when the
    session disconnects."""
    return []


def session_dir() -> Path:
    """This session's own folder: never shared between users, gone when the visit ends. A
    session resumed after its folder went starts afresh (its files are gone with it)."""
    folder = st.session_state.get("session_folder")
    if folder is None or not folder.path.is_dir():
        if folder is not None:
            st.session_state.clear()
        folder = SessionFolder()
        _session_folders().append(folder)
        st.session_state["session_folder"] = folder
    return Path(folder.path)


#: A visitor's folder: `rightplace-<server pid>-<random>`, or with no pid as older versions
#: named them (`tempfile.mkdtemp`'s 8 characters), which are stale after STALE_UNNAMED_SECONDS.
_FOLDER_NAME = re.compile(rf"{FOLDER_PREFIX}(?:(\d+)-)?[a-z0-9_]{{8}}")
STALE_UNNAMED_SECONDS = 24 * 3600


def stale_folders(root: Path, running: Callable[[int], bool]) -> list[Path]:
    """Visitors' folders in `root` that no running server owns: their server's process is not
    `running`, or they carry no pid and were last changed over STALE_UNNAMED_SECONDS ago."""
    now = time.time()
    stale = []
    for path in root.glob(f"{FOLDER_PREFIX}*"):
        match = _FOLDER_NAME.fullmatch(path.name)
        if match is None or not path.is_dir():
            continue
        if match[1] is None:
            if now - path.stat().st_mtime > STALE_UNNAMED_SECONDS:
                stale.append(path)
        elif not running(int(match[1])):
            stale.append(path)
    return stale


def _running(pid: int) -> bool:
    """Whether a process with this id exists (maybe another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@st.cache_resource(show_spinner=False)
def delete_stale_folders() -> int:
    """Once per server, at start: delete the visitors' folders of servers that stopped without
    deleting them (killed); how many."""
    stale = stale_folders(Path(tempfile.gettempdir()), _running)
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def outside_own_files(scenario: Scenario, file: str) -> list[Problem]:
    """A problem for each input of a scenario edited in the app that lies outside the sample's
    data and this visitor's own folder (the server's files, another visitor's uploads)."""
    allowed = (SAMPLE_DATA.resolve(), session_dir().resolve())
    inputs = scenario.inputs
    named: list[tuple[str, Path]] = [
        (key, path)
        for key, value in inputs
        if key != "sen2"
        for path in (value if isinstance(value, list) else [value] if value else [])
    ]
    if inputs.sen2 is not None:  # a return and its key file
        named += [("sen2.path", inputs.sen2.path)]
        named += [("sen2.key", inputs.sen2.key)] if inputs.sen2.key else []
    return [
        Problem(file, None, f"inputs.{key}", "not a sample file nor one of your uploads")
        for key, path in named
        if not any(Path(path).resolve().is_relative_to(root) for root in allowed)
    ]


def save_upload(role: str, data: bytes) -> Path:
    """Keep an upload in this session's folder as `<role>.csv`, only the columns its reader
    reads (see UPLOAD_COLUMNS); InputError if it cannot be read as CSV."""
    path = session_dir() / "uploads" / f"{role}.csv"
    path.parent.mkdir(exist_ok=True)
    if role in UPLOAD_COLUMNS:
        fallback = "cp1252" if role == "settings" else None
        data = trimmed_csv(path, data, UPLOAD_COLUMNS[role], fallback_encoding=fallback)
    path.write_bytes(data)
    return path


def workspace() -> Workspace | None:
    """The session's workspace, opening the Rutland sample the first time (or again when the
    session's folder went with its visit); None on bad input."""
    session_dir()  # a session resumed after its folder went starts afresh
    if "workspace" not in st.session_state:
        use_scenario(SAMPLE_SCENARIO)
    return st.session_state.get("workspace")


def opening_message(path: Path) -> str:
    """What opening the scenario at `path` is doing, said while it runs: compiling its road
    network the first time the machine sees it, else loading its files and journeys."""
    try:
        network = load_scenario(path).inputs.network
    except InputError:
        network = None
    if network is not None and Path(network).is_file() and not compiled_path(network).exists():
        return (
            f"Compiling the road network {Path(network).name}: this happens once, on the first "
            "start with a new road network, and takes up to a minute. Later visits open in "
            "seconds..."
        )
    return f"Loading the scenario {path.stem}: its files and journey times..."


def use_scenario(path: Path) -> list[Problem]:
    """Open `path` as the session's workspace, saying what it is doing; its problems (empty
    when it opened)."""
    try:
        with st.spinner(opening_message(path)):
            opened = open_workspace(path, session_dir() / f"journeys-{abs(hash(str(path)))}")
    except InputError as exc:
        return list(exc.problems)
    st.session_state["workspace"] = opened
    for key in ("allocation", "forecast"):
        st.session_state.pop(key, None)
    return []


def plain(text: object) -> str:
    """`text` for st.markdown/st.write shown as itself: every ASCII punctuation character
    backslash-escaped, so an id or name holding Markdown or HTML is never rendered (no image
    fetched, no live link)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(text))


def file_words(file: str) -> str:
    """A problem's file as the visitor knows it, never a server path: "your upload:
    children.csv", "your copy: x.yaml", a sample file from the repository root, else its name."""
    path = Path(file)
    if not path.is_absolute():
        return file
    own = {"uploads": "your upload", "scenarios": "your copy"}
    for root in (session_dir(), REPO):
        try:
            inside = path.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        if root == REPO:
            return inside.as_posix()
        return f"{own[inside.parts[0]]}: {path.name}" if inside.parts[0] in own else path.name
    return path.name


def problems_table(problems: list[Problem]) -> None:
    """Every problem as a table row: file (as the visitor knows it), row, column, message."""
    st.error(f"{len(problems)} problem(s) found: nothing was loaded.")
    rows = [vars(p) | {"file": file_words(str(p.file))} for p in problems]
    st.dataframe(
        pd.DataFrame(rows, columns=["file", "row", "column", "message"]),
        hide_index=True,
        width="stretch",
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_network(key: str, _ws: Workspace) -> RoadNetwork:
    """The road network whose content `network_key` gives `key`: public, so loaded once and
    shared between sessions."""
    return scenario_network(_ws.scenario, str(_ws.scenario_path))


def road_network(ws: Workspace) -> RoadNetwork:
    """The scenario's road network, shared between sessions by content; a missing or
    unreadable one is an input problem."""
    network = ws.scenario.inputs.network
    if network is None or not Path(network).is_file():
        return scenario_network(ws.scenario, str(ws.scenario_path))  # says what is wrong
    return _shared_network(network_key(network), ws)


@dataclass(frozen=True)
class EncodedLayer:
    """A map layer already written as compact deck.gl JSON (the shared base map)."""

    json: str


def _path_layer(name: str, paths: pd.DataFrame, colour: list[int], width_px: int) -> EncodedLayer:
    """Paths (`path` column) as a deck.gl PathLayer in compact JSON, written as pydeck writes
    one (accessors as "@@=column"), without its slow pretty-printing."""
    spec = {
        "@@type": "PathLayer",
        "id": name,
        "data": paths[["path"]].to_dict("records"),
        "getPath": "@@=path",
        "getColor": colour,
        "widthMinPixels": width_px,
    }
    return EncodedLayer(json.dumps(spec, separators=(",", ":")))


@st.cache_resource(show_spinner=False, max_entries=4)
def _base_layers(key: str, outline: str | None, _ws: Workspace) -> tuple[EncodedLayer, ...]:
    """`base_layers` for the network and outline file whose content `key` names: public, so
    encoded once and shared between sessions."""
    roads = road_paths(road_network(_ws), ROAD_TOLERANCE_M)
    layers = [_path_layer("roads", roads, ROAD_COLOUR, 1)]
    if outline is not None:
        layers.append(_path_layer("outline", outline_paths(Path(outline)), OUTLINE_COLOUR, 2))
    return tuple(layers)


def base_layers(ws: Workspace) -> list[pdk.Layer | EncodedLayer]:
    """The offline base map: the scenario's roads and, when it is next to them, the LA outline."""
    road_network(ws)  # a missing network is a problem
    network = ws.scenario.inputs.network
    outline = boundary_beside(network)
    key = network_key(network)  # type: ignore[arg-type]
    if outline is not None:
        status = outline.stat()
        key += f"|{outline}|{status.st_size}|{status.st_mtime_ns}"
    return list(_base_layers(key, None if outline is None else str(outline), ws))


class _Deck(pdk.Deck):
    """A Deck whose JSON is compact and starts with layers already encoded."""

    def __init__(self, encoded: list[EncodedLayer], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.encoded = encoded

    def to_json(self) -> str:
        """The deck as compact JSON, the encoded layers drawn first."""
        encoded = self.__dict__.pop("encoded")  # pydeck would write every attribute
        try:
            spec = json.loads(super().to_json())
        finally:
            self.encoded = encoded
        own = [json.dumps(layer, separators=(",", ":")) for layer in spec.pop("layers")]
        rest = json.dumps(spec, separators=(",", ":"))
        layers = ",".join([*(e.json for e in self.encoded), *own])
        return '{"layers":[' + layers + "]" + ("," + rest[1:] if spec else "}")


def show_map(
    layers: Sequence[pdk.Layer | EncodedLayer], lon: pd.Series, lat: pd.Series, tooltip: str
) -> None:
    """A pydeck map with no base map (so no request leaves the machine: our own layers only),
    centred on the given points; encoded layers (the base map) are drawn first."""
    centre_lon, centre_lat = view_centre(lon, lat)
    st.pydeck_chart(
        _Deck(
            [layer for layer in layers if isinstance(layer, EncodedLayer)],
            layers=[layer for layer in layers if not isinstance(layer, EncodedLayer)],
            map_style=NO_BASEMAP,
            map_provider=None,
            initial_view_state=pdk.ViewState(latitude=centre_lat, longitude=centre_lon, zoom=9),
            tooltip={"text": tooltip},
        )
    )


def _rgb(colour: Sequence[int]) -> str:
    """A colour (RGB or RGBA, 0-255) in CSS."""
    r, g, b, *a = colour
    return f"rgba({r},{g},{b},{a[0] / 255 if a else 1:.2f})"


def dot_key(colour: Sequence[int], words: str) -> KeyEntry:
    """A key entry for dots of `colour`."""
    css = f"width:12px;height:12px;border-radius:50%;background:{_rgb(colour)}"
    return css + ";border:1px solid rgba(0,0,0,0.6)", words


def line_key(colour: Sequence[int], words: str, width_px: float = 2) -> KeyEntry:
    """A key entry for lines of `colour`, `width_px` wide."""
    return f"width:28px;height:{width_px:.0f}px;background:{_rgb(colour)}", words


def area_key(colour: Sequence[int], words: str) -> KeyEntry:
    """A key entry for areas filled with `colour`."""
    edge = _rgb([*colour[:3], 255])
    return f"width:18px;height:12px;background:{_rgb(colour)};border:1px solid {edge}", words


def base_key(ws: Workspace) -> list[KeyEntry]:
    """Key entries of `base_layers`: roads and, when drawn, the LA outline."""
    entries = [line_key(ROAD_COLOUR, "Roads", 1)]
    if boundary_beside(ws.scenario.inputs.network) is not None:
        entries.append(line_key(OUTLINE_COLOUR, "LA boundary"))
    return entries


def type_key(setting_types: pd.Series) -> list[KeyEntry]:
    """Key entries of the setting types among `setting_types`, in TYPE_COLOURS order."""
    shown = set(setting_types)
    return [
        dot_key(colour, setting_type_words(code))
        for code, colour in TYPE_COLOURS.items()
        if code in shown
    ]


def map_key(entries: list[KeyEntry]) -> None:
    """The key (legend) of a map, under it: each swatch beside its words."""
    items = "".join(
        "<li style='display:inline-flex;align-items:center;margin:0 1.2em 0 0'>"
        f"<span aria-hidden='true' style='display:inline-block;margin-right:.4em;{css}'></span>"
        f"{html.escape(words)}</li>"
        for css, words in entries
    )
    st.markdown(
        f"<ul aria-label='Map key' style='list-style:none;padding:0;margin:0'>{items}</ul>",
        unsafe_allow_html=True,
    )


def settings_points(settings: pd.DataFrame, ranks: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Settings as map points: lon, lat, name, setting_type, kind (in words), colour by type
    and tip (name and kind, after the rank in `ranks` by URN when given)."""
    lon, lat = to_lonlat(settings["easting"], settings["northing"])
    kinds = settings["setting_type"].map(setting_type_words)
    tips = settings["name"].astype(str) + " (" + kinds + ")"
    if ranks is not None:
        rank = settings["urn"].astype(str).map(ranks)
        tips = ("Rank " + rank.astype("Int64").astype(str) + ": ").where(rank.notna(), "") + tips
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "name": settings["name"].to_numpy(),
            "setting_type": settings["setting_type"].to_numpy(),
            "kind": kinds.to_numpy(),
            "colour": [TYPE_COLOURS[t] for t in settings["setting_type"]],
            "tip": tips.to_numpy(),
        }
    )


def settings_layer(points: pd.DataFrame) -> pdk.Layer:
    """Settings as dots coloured by type."""
    return pdk.Layer(
        "ScatterplotLayer",
        points,
        id="settings",
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
    ranks: Mapping[str, int] | None = None,
) -> None:
    """Settings over the offline base map, with its key; `area` is a 1 km square to shade,
    `reach` polygons (from `polygon_rings`) to draw under them, `ranks` by URN for the tips."""
    settings = ws.inputs.settings
    if urns is not None:
        settings = settings[settings["urn"].isin(urns)]
    points = settings_points(settings, ranks)
    layers = base_layers(ws)
    key = base_key(ws)
    if reach is not None:
        layers.append(
            pdk.Layer(
                "PolygonLayer",
                reach,
                id="journey-area",
                get_polygon="polygon",
                get_fill_color=REACH_COLOUR,
            )
        )
        key.append(area_key(REACH_COLOUR, "Within the journey limit by road"))
    layers.append(settings_layer(points))
    if area is not None:
        e, n = area
        xs, ys = to_lonlat([e, e + 1000, e + 1000, e], [n, n, n + 1000, n + 1000])
        square = pd.DataFrame({"polygon": [[[x, y] for x, y in zip(xs, ys, strict=True)]]})
        layers.append(
            pdk.Layer(
                "PolygonLayer",
                square,
                id="home-area",
                get_polygon="polygon",
                get_fill_color=HOME_AREA_COLOUR,
            )
        )
        key.append(area_key(HOME_AREA_COLOUR, "The child's 1 km area"))
    show_map(layers, points["lon"], points["lat"], "{tip}")
    map_key(type_key(points["setting_type"]) + key)
    st.caption(ATTRIBUTION + " Point at a setting for its name.")
