"""Synthetic inputs of any size, and the generators the embedded Rutland sample shares.

One place for each concept: a mix becomes exact counts (`quota`), labels are dealt to children
with exact counts (`deal`, `assign_exact`), children live at postcode-like points (`homes_at`)
and attend a suitable setting near home (`can_attend`, `choose_settings`). `write_synth`
builds a whole LA-like instance on a perturbed-grid road network; everything is seeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml
from ortools.graph.python import min_cost_flow
from pyproj import Transformer

from solver.domain.groups import SPECIALIST_TYPES
from solver.domain.model import SettingType
from solver.domain.needs import (
    CODED_NEEDS,
    NATIONAL_NEED_MIX,
    TRANSFER_NCYS,
    Need,
    ncy_range_of_ages,
)
from solver.io.csvfile import GB_EASTING
from solver.io.gias import write_gias
from solver.io.outputs import write_text

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: Synthetic children attend a setting within this distance of home where one can take them
#: (so placing them is linear in the instance's size, not children x settings).
NEAR_HOME_M = 40_000.0

#: Share of EHCPs held by boys and young men in England, January 2025 (DfE).
NATIONAL_MALE_SHARE = 0.706

_SCHOOL_AGE_SHAPE = np.array([5, 6, 7, 8, 9, 10, 10, 10, 10, 9, 8], dtype=np.float64)

#: Share of EHCPs by NCY (England, shape of Jan 2025): 78% aged 5-15, i.e. NCY 1..11.
NATIONAL_NCY_MIX: Mapping[int, float] = MappingProxyType(
    {
        -2: 0.002,
        -1: 0.008,
        0: 0.030,
        **dict(zip(range(1, 12), 0.78 * _SCHOOL_AGE_SHAPE / _SCHOOL_AGE_SHAPE.sum(), strict=True)),
        12: 0.060,
        13: 0.050,
        14: 0.035,
        15: 0.020,
        16: 0.010,
        17: 0.004,
        18: 0.001,
    }
)


def quota(shares: npt.ArrayLike, n: int) -> Ints:
    """Split `n` into whole counts proportional to `shares` (largest remainder, ties first)."""
    weights = np.asarray(shares, dtype=np.float64)
    exact = n * weights / weights.sum()
    counts: Ints = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def deal(rng: np.random.Generator, labels: Sequence[object], counts: npt.ArrayLike) -> np.ndarray:
    """The labels, each repeated `counts` times, in a random order."""
    return rng.permutation(np.repeat(np.asarray(labels, dtype=object), np.asarray(counts)))


def assign_exact(rng: np.random.Generator, weights: npt.ArrayLike, counts: npt.ArrayLike) -> Ints:
    """Give each row one label (column) so label j is used exactly counts[j] times.

    Rows favour labels with high weight: a random (Gumbel-perturbed) maximum-likelihood matching
    solved as a min-cost flow, so exact margins and soft preferences hold together.
    """
    w = np.asarray(weights, dtype=np.float64)
    need = np.asarray(counts, dtype=np.int64)
    n, k = w.shape
    if int(need.sum()) != n:
        raise ValueError(f"counts sum to {int(need.sum())}, expected {n}")
    score = np.log(np.maximum(w, 1e-9)) - np.log(-np.log(rng.random((n, k))))
    cost = np.round(-1000 * score).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.repeat(np.arange(n), k),
        n + np.tile(np.arange(k), n),
        np.ones(n * k, np.int64),
        cost.ravel(),
    )
    flow.set_nodes_supplies(np.arange(n + k), np.concatenate([np.ones(n, np.int64), -need]))
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("no assignment meets the counts")
    chosen: Ints = np.argmax(flow.flows(arcs).reshape(n, k), axis=1).astype(np.int64)
    return chosen


def homes_at(rng: np.random.Generator, n: int, weights: npt.ArrayLike) -> Ints:
    """Indices of the points (postcode centroids) `n` children live at, drawn by `weights`."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def designation_matrix(settings: pd.DataFrame) -> Bools:
    """(settings x coded needs) True where the setting is designated for the need."""
    index = {need.value: j for j, need in enumerate(Need)}
    out = np.zeros((len(settings), len(Need)), dtype=bool)
    for i, needs in enumerate(settings["designated_needs"]):
        out[i, [index[n] for n in needs]] = True
    return out


def need_indices(needs: pd.Series | Sequence[str]) -> Ints:
    """Position of each need value in `Need` (the columns of `designation_matrix`)."""
    index = {need.value: j for j, need in enumerate(Need)}
    return np.asarray([index[str(n)] for n in needs], dtype=np.int64)


def can_attend(
    ncy: npt.ArrayLike,
    needs: Ints,
    settings: pd.DataFrame,
    *,
    designated_only: bool = False,
    designations: Bools | None = None,
) -> Bools:
    """(children x settings) True where the age fits and, for specialist settings, the need does.

    With `designated_only`, every setting must be designated for the need (RP and SEN units).
    `designations`: the settings' `designation_matrix`, if already made.
    """
    years = np.asarray(ncy, dtype=np.int64)[:, None]
    age_ok: Bools = (years >= settings["ncy_low"].to_numpy()[None, :]) & (
        years <= settings["ncy_high"].to_numpy()[None, :]
    )
    matrix = designation_matrix(settings) if designations is None else designations
    designated = matrix[:, needs].T
    if designated_only:
        return age_ok & designated
    specialist: Bools = (
        settings["setting_type"].isin([t.value for t in SPECIALIST_TYPES]).to_numpy()
    )
    return age_ok & (designated | ~specialist[None, :])


def choose_settings(
    rng: np.random.Generator,
    homes: Floats,
    allowed: Callable[[Ints, Ints], Bools],
    places: Floats,
    *,
    scale_m: float,
    within_m: float | None = None,
    chunk: int = 2048,
) -> Ints:
    """For each child, an allowed setting drawn with weight exp(-distance / scale); -1 if none.

    `homes` and `places` are (n, 2) and (m, 2) easting/northing arrays in metres;
    `allowed(rows, columns)` gives the allowed matrix of some children and settings, so the
    whole children x settings matrix (gigabytes at national size) is never held. With
    `within_m`, the draw is among the allowed settings within that distance of home (children
    taken a tile at a time against the settings near the tile), or among all allowed settings
    for a child with none that near.
    """
    n = len(homes)
    out = np.full(n, -1, dtype=np.int64)
    draws = rng.random(n)
    everything = np.arange(len(places))

    def draw(blocks: Iterable[tuple[Ints, Ints]], within: float | None) -> None:
        for rows, columns in blocks:
            if len(columns):
                ok = allowed(rows, columns)
                pick = _draw(homes[rows], places[columns], ok, draws[rows], scale_m, within)
                out[rows] = np.where(pick >= 0, columns[np.maximum(pick, 0)], -1)

    if within_m is None:
        draw(_chunks(np.arange(n), everything, chunk), None)
    else:
        draw(_tiles(homes, places, within_m, chunk), within_m)
        draw(_chunks(np.flatnonzero(out < 0), everything, chunk), None)  # none that near
    return out


def _chunks(rows: Ints, columns: Ints, chunk: int) -> Iterator[tuple[Ints, Ints]]:
    """`rows` at most `chunk` at a time, each with all of `columns`."""
    for start in range(0, len(rows), chunk):
        yield rows[start : start + chunk], columns


def _tiles(
    homes: Floats, places: Floats, within_m: float, chunk: int
) -> Iterator[tuple[Ints, Ints]]:
    """The children of each square tile (side `within_m` / 4, at most `chunk` at a time) with
    the settings within `within_m` of the tile's children's bounding box."""
    side = within_m / 4
    key = np.floor(homes / side).astype(np.int64)
    order = np.lexsort((key[:, 1], key[:, 0]))
    edges = np.flatnonzero(np.any(np.diff(key[order], axis=0) != 0, axis=1)) + 1
    for tile in np.split(order, edges):
        for start in range(0, len(tile), chunk):
            rows = np.sort(tile[start : start + chunk])
            low, high = homes[rows].min(axis=0) - within_m, homes[rows].max(axis=0) + within_m
            near = np.all((places >= low) & (places <= high), axis=1)
            yield rows, np.flatnonzero(near)


def _draw(
    homes: Floats,
    places: Floats,
    allowed: Bools,
    draws: Floats,
    scale_m: float,
    within_m: float | None,
) -> Ints:
    """Each child's pick (a column of `places`) by inverse-CDF of its draw; -1 if no weight."""
    gap = np.hypot(homes[:, None, 0] - places[None, :, 0], homes[:, None, 1] - places[None, :, 1])
    if within_m is not None:
        allowed = allowed & (gap <= within_m)
    weight = np.where(allowed, np.exp(-gap / scale_m), 0.0)
    cumulative = np.cumsum(weight, axis=1)
    total = cumulative[:, -1]
    pick = (cumulative < (draws * total)[:, None]).sum(axis=1)
    return np.where(total > 0, np.minimum(pick, len(places) - 1), -1)


def vacancies_for(demand: Ints, rng: np.random.Generator, *, slack: float = 0.1) -> Ints:
    """Vacancies that meet a demand with a little slack: ceil((1 + slack) * demand) + 0..1."""
    vacancies: Ints = np.ceil((1 + slack) * demand).astype(np.int64)
    return vacancies + rng.integers(0, 2, len(demand))


# --- the synthetic instance -------------------------------------------------------------------

#: Setting types whose places are their GIAS capacity (large schools with headroom).
_HEADROOM_TYPES = (
    SettingType.MAINSTREAM,
    SettingType.MAINSTREAM_RP,
    SettingType.INDEPENDENT_MAINSTREAM,
)

#: Where synthetic areas sit: British National Grid metres near Coventry (inland England).
SYNTH_ORIGIN = (420000.0, 270000.0)

#: Kinds of synthetic setting: type, GIAS type code, statutory ages and share of all settings.
_SETTING_KINDS: tuple[tuple[str, SettingType, int, int, int, float], ...] = (
    ("primary school", SettingType.MAINSTREAM, 34, 4, 11, 0.60),
    ("primary school with resourced provision", SettingType.MAINSTREAM_RP, 34, 4, 11, 0.06),
    ("secondary school", SettingType.MAINSTREAM, 28, 11, 18, 0.12),
    ("secondary school with SEN unit", SettingType.MAINSTREAM_RP, 28, 11, 18, 0.03),
    ("special school", SettingType.STATE_SPECIAL, 7, 2, 19, 0.05),
    ("non-maintained special school", SettingType.NON_MAINTAINED_SPECIAL, 8, 5, 19, 0.005),
    ("independent special school", SettingType.INDEPENDENT_SPECIAL, 10, 5, 19, 0.04),
    ("independent school", SettingType.INDEPENDENT_MAINSTREAM, 11, 3, 18, 0.03),
    ("alternative provision", SettingType.ALTERNATIVE_PROVISION, 14, 5, 16, 0.025),
    ("further education college", SettingType.POST16, 18, 16, 25, 0.04),
)

#: The fewest settings a synthetic instance has: one of each kind.
MIN_SETTINGS = len(_SETTING_KINDS)

#: Where children with EHCPs are placed, by phase (school age, early years, post-16): shares.
_PLACEMENT_MIX: Mapping[str, Mapping[SettingType, float]] = MappingProxyType(
    {
        "early": {SettingType.MAINSTREAM: 0.6, SettingType.STATE_SPECIAL: 0.4},
        "school": {
            SettingType.MAINSTREAM: 0.45,
            SettingType.MAINSTREAM_RP: 0.07,
            SettingType.STATE_SPECIAL: 0.32,
            SettingType.NON_MAINTAINED_SPECIAL: 0.01,
            SettingType.INDEPENDENT_SPECIAL: 0.07,
            SettingType.INDEPENDENT_MAINSTREAM: 0.02,
            SettingType.ALTERNATIVE_PROVISION: 0.03,
        },
        "post16": {
            SettingType.POST16: 0.65,
            SettingType.STATE_SPECIAL: 0.20,
            SettingType.INDEPENDENT_SPECIAL: 0.05,
            SettingType.MAINSTREAM: 0.10,
        },
    }
)

#: Ofsted overall grades and their rough shares among schools (illustrative).
OFSTED_GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
OFSTED_SHARES = (0.18, 0.68, 0.11, 0.03)


@dataclass(frozen=True)
class SyntheticRoads:
    """The synthetic roads as OSM draws them, before they are written as OSM XML: node positions
    and ways (node index runs with a highway tag). `rightplace` reads them back as any OSM file,
    into a geo.network.RoadNetwork."""

    easting: Floats
    northing: Floats
    ways: tuple[tuple[str, str, Ints], ...]  # (highway, maxspeed or "", node indices)
    spacing_m: float


def _road_class(line: int, lines: int) -> str:
    """The highway class of grid line `line` of `lines`: every other line residential, then
    unclassified, tertiary, secondary, primary and trunk at ever wider spacings; one motorway."""
    if line == lines // 2:
        return "motorway"
    if line % 2:
        return "residential"
    steps = ((4, "unclassified"), (8, "tertiary"), (16, "secondary"), (32, "primary"))
    for step, kind in (*steps, (64, "primary")):
        if line % step == step // 2:
            return kind
    return "trunk"


_MAXSPEED: Mapping[str, tuple[str, float]] = MappingProxyType(
    {
        "motorway": ("70 mph", 1.0),
        "trunk": ("60 mph", 0.6),
        "primary": ("50 mph", 0.4),
        "secondary": ("40 mph", 0.3),
        "tertiary": ("30 mph", 0.2),
        "unclassified": ("30 mph", 0.1),
        "residential": ("20 mph", 0.2),
    }
)


#: Side of a typical English LA (about 850 km2: England's 130,000 km2 over 153 LAs), metres.
LA_SIDE_M = 29_000.0


def synth_roads(rng: np.random.Generator, nodes: int, las: int = 1) -> SyntheticRoads:
    """A connected, perturbed grid of `nodes` nodes with a road hierarchy on its lines.

    About 60 km across at 200,000 nodes (width grows as nodes**0.25), so journeys take minutes
    to an hour; at least `las` LAs of LA_SIDE_M across, so a national instance has England's
    area and sparser roads. Each row and column of the grid is one way; a partial last row
    stays connected.
    """
    if nodes < 4:
        raise ValueError("a road network needs at least 4 nodes")
    side = math.ceil(math.sqrt(nodes))
    width = max(60000.0 * (nodes / 200000) ** 0.25, LA_SIDE_M * math.sqrt(las))
    spacing = width / side
    index = np.arange(nodes)
    row, col = index // side, index % side
    jitter = rng.uniform(-0.3, 0.3, (2, nodes)) * spacing
    west = min(SYNTH_ORIGIN[0], GB_EASTING[1] - 50_000.0 - width)  # stays inside GB
    easting = west + col * spacing + jitter[0]
    northing = SYNTH_ORIGIN[1] + row * spacing + jitter[1]
    rows = math.ceil(nodes / side)
    lines = [(r, index[row == r]) for r in range(rows)] + [
        (c, index[col == c]) for c in range(side)
    ]
    ways = []
    for line, members in lines:
        if len(members) < 2:
            continue
        highway = _road_class(line, side)
        speed, share = _MAXSPEED[highway]
        ways.append((highway, speed if rng.random() < share else "", members))
    return SyntheticRoads(easting, northing, tuple(ways), spacing)


def write_osm(roads: SyntheticRoads, path: Path) -> None:
    """Write the roads as OSM XML (WGS84 nodes, ways with highway and maxspeed tags)."""
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(roads.easting, roads.northing)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<osm version="0.6" generator="rightplace synth">\n',
        f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
        f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>\n',
    ]
    parts += [
        f'  <node id="{i}" lat="{y:.7f}" lon="{x:.7f}"/>\n'
        for i, y, x in zip(range(1, len(lat) + 1), lat.tolist(), lon.tolist(), strict=True)
    ]
    for way_id, (highway, maxspeed, members) in enumerate(roads.ways, start=1):
        refs = "".join(f'<nd ref="{j}"/>' for j in (members + 1).tolist())
        tags = f'<tag k="highway" v="{highway}"/>'
        if maxspeed:
            tags += f'<tag k="maxspeed" v="{maxspeed}"/>'
        parts.append(f'  <way id="{way_id}">{refs}{tags}</way>\n')
    parts.append("</osm>\n")
    write_text(Path(path), "".join(parts))


def _town_weights(rng: np.random.Generator, roads: SyntheticRoads, las: int = 1) -> Floats:
    """Population weight of each node: a rural floor plus towns (Gaussian bumps), six for a
    small area and one per LA in a large one, each about a quarter of an LA across."""
    x, y = roads.easting, roads.northing
    centres = rng.choice(len(x), size=min(max(6, las), len(x)), replace=False)
    width = (x.max() - x.min() + roads.spacing_m) / (8 * max(1.0, math.sqrt(las) / 2))
    bumps = sum(np.exp(-((x - x[c]) ** 2 + (y - y[c]) ** 2) / (2 * width**2)) for c in centres)
    return 0.15 + np.asarray(bumps, dtype=np.float64)


def synth_postcodes(
    rng: np.random.Generator, roads: SyntheticRoads, count: int, las: int = 1
) -> pd.DataFrame:
    """`count` postcode-like points near the roads' nodes, denser in towns."""
    at = homes_at(rng, count, _town_weights(rng, roads, las))
    jitter = rng.uniform(-0.3, 0.3, (2, count)) * roads.spacing_m
    district, rest = np.divmod(np.arange(count), 10 * 26 * 26)
    sector, unit = np.divmod(rest, 26 * 26)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    codes = [
        f"ZZ{d + 1} {s}{letters[u // 26]}{letters[u % 26]}"
        for d, s, u in zip(district.tolist(), sector.tolist(), unit.tolist(), strict=True)
    ]
    return pd.DataFrame(
        {
            "postcode": codes,
            "easting": np.round(roads.easting[at] + jitter[0]),
            "northing": np.round(roads.northing[at] + jitter[1]),
        }
    )


def _designations(rng: np.random.Generator, m: int, low: int, high: int) -> list[tuple[str, ...]]:
    """`m` random sets of `low`..`high` coded needs, common needs likelier (Gumbel top-k)."""
    mix = np.array([NATIONAL_NEED_MIX[n] for n in CODED_NEEDS])
    keys = np.log(mix)[None, :] - np.log(-np.log(rng.random((m, len(mix)))))
    order = np.argsort(-keys, axis=1)
    sizes = rng.integers(low, high + 1, m)
    return [tuple(sorted(CODED_NEEDS[j].value for j in order[i, : sizes[i]])) for i in range(m)]


def synth_settings(
    rng: np.random.Generator, m: int, postcodes: pd.DataFrame, *, la_code: str = "900"
) -> pd.DataFrame:
    """`m` settings of a realistic mix at postcode points (SETTING_COLUMNS + GIAS extras)."""
    counts = quota([k[5] for k in _SETTING_KINDS], m)
    kind = np.repeat(np.arange(len(_SETTING_KINDS)), counts)
    table = pd.DataFrame(
        [_SETTING_KINDS[k][:5] for k in kind],
        columns=["kind", "setting_type", "type_code", "low_age", "high_age"],
    )
    table["setting_type"] = table["setting_type"].map(str)
    ncy_low, ncy_high = ncy_range_of_ages(table["low_age"], table["high_age"])
    site = homes_at(rng, m, np.ones(len(postcodes)))
    setting_type = table["setting_type"].to_numpy()
    specialist = np.isin(setting_type, [t.value for t in SPECIALIST_TYPES])
    rp = setting_type == SettingType.MAINSTREAM_RP.value
    needs: list[tuple[str, ...]] = [()] * m
    for mask, low, high in ((specialist, 2, 5), (rp, 1, 2)):
        for i, d in zip(
            np.flatnonzero(mask), _designations(rng, int(mask.sum()), low, high), strict=True
        ):
            needs[i] = d
    secondary = table["kind"].str.startswith("secondary")
    capacity = np.select(  # specialist, AP and post-16 places follow from the children later
        [table["kind"].str.contains("primary"), secondary],
        [rng.choice([105, 210, 315, 420, 630], m), rng.integers(6, 16, m) * 100],
        rng.integers(4, 30, m) * 10,
    )
    first_urn = 900001
    return pd.DataFrame(
        {
            "urn": [str(first_urn + i) for i in range(m)],
            "name": [f"Synthetic {k} {i + 1}" for i, k in enumerate(table["kind"])],
            "setting_type": setting_type,
            "la_code": la_code,
            "low_age": table["low_age"],
            "high_age": table["high_age"],
            "ncy_low": ncy_low,
            "ncy_high": ncy_high,
            "gender": "mixed",
            "easting": postcodes["easting"].to_numpy()[site],
            "northing": postcodes["northing"].to_numpy()[site],
            "postcode": postcodes["postcode"].to_numpy()[site],
            "designated_needs": pd.Series(needs, dtype=object),
            "provision": np.where(rp, np.where(secondary, "SEN unit", "resourced provision"), ""),
            "capacity": pd.array(capacity, dtype="Int64"),
            "on_roll": pd.array(capacity, dtype="Int64"),
            "ofsted": deal(rng, OFSTED_GRADES, quota(OFSTED_SHARES, m)),
            "section41": (setting_type == SettingType.INDEPENDENT_SPECIAL.value)
            & (rng.random(m) < 0.7),
            "type_code": table["type_code"],
            "la_name": "Synthshire (synthetic)",
        }
    )


def _preferred_types(rng: np.random.Generator, ncy: Ints) -> np.ndarray:
    """The setting type each child is placed in, drawn from the placement mix of its phase."""
    out = np.empty(len(ncy), dtype=object)
    phase = np.where(ncy < 0, "early", np.where(ncy >= 12, "post16", "school"))
    for name, mix in _PLACEMENT_MIX.items():
        rows = np.flatnonzero(phase == name)
        out[rows] = deal(rng, [t.value for t in mix], quota(list(mix.values()), len(rows)))
    return out


def place_children(
    rng: np.random.Generator,
    ncy: Ints,
    needs: Ints,
    homes: Floats,
    settings: pd.DataFrame,
    preferred: np.ndarray,
    *,
    scale_m: float,
    within_m: float | None = None,
) -> Ints:
    """A suitable setting near home for each child, of the preferred type where one can take them.

    RP/unit settings count as suitable only for their designated needs; -1 where none is.
    `scale_m` and `within_m` are as for `choose_settings`.
    """
    rp = (settings["setting_type"] == SettingType.MAINSTREAM_RP.value).to_numpy()
    kinds, kind_names = pd.factorize(settings["setting_type"])
    wanted = pd.Index(kind_names).get_indexer(preferred)
    slim = settings[["ncy_low", "ncy_high", "setting_type"]]
    matrix = designation_matrix(settings)

    def allowed(rows: Ints, columns: Ints) -> Bools:
        year, need, some = ncy[rows], needs[rows], slim.iloc[columns]
        fits = can_attend(year, need, some, designations=matrix[columns])
        unit = can_attend(year, need, some, designated_only=True, designations=matrix[columns])
        ok: Bools = fits & (~rp[None, columns] | unit)
        return ok

    def preferred_allowed(rows: Ints, columns: Ints) -> Bools:
        ok: Bools = allowed(rows, columns) & (kinds[None, columns] == wanted[rows][:, None])
        return ok

    places = settings[["easting", "northing"]].to_numpy(dtype=np.float64)
    chosen = choose_settings(
        rng, homes, preferred_allowed, places, scale_m=scale_m, within_m=within_m
    )
    rest = np.flatnonzero(chosen < 0)
    chosen[rest] = choose_settings(
        rng,
        homes[rest],
        lambda rows, columns: allowed(rest[rows], columns),
        places,
        scale_m=scale_m,
        within_m=within_m,
    )
    return chosen


def synth_children(
    rng: np.random.Generator, n: int, postcodes: pd.DataFrame, settings: pd.DataFrame
) -> tuple[pd.DataFrame, Ints]:
    """`n` children with national need, sex and age mixes, placed unless at a transfer.

    Returns the children (child columns plus `postcode`) and, for each, the setting a transfer
    child would likely move to (-1 otherwise), used to size vacancies.
    """
    ncy = deal(rng, list(NATIONAL_NCY_MIX), quota(list(NATIONAL_NCY_MIX.values()), n)).astype(
        np.int64
    )
    primary = deal(
        rng, [k.value for k in NATIONAL_NEED_MIX], quota(list(NATIONAL_NEED_MIX.values()), n)
    )
    sex = deal(rng, ["M", "F"], quota([NATIONAL_MALE_SHARE, 1 - NATIONAL_MALE_SHARE], n))
    secondary = deal(
        rng, [k.value for k in NATIONAL_NEED_MIX], quota(list(NATIONAL_NEED_MIX.values()), n)
    )
    secondary = np.where(
        (rng.random(n) < 0.3) & (secondary != primary) & (secondary != "UNKNOWN"), secondary, ""
    )
    home = homes_at(rng, n, np.ones(len(postcodes)))
    homes = postcodes[["easting", "northing"]].to_numpy(dtype=np.float64)[home]
    transfer = np.isin(ncy, list(TRANSFER_NCYS))
    needs = need_indices(primary)
    scale = 5000.0
    preferred = _preferred_types(rng, np.where(transfer, np.minimum(ncy + 1, 20), ncy))
    chosen = place_children(
        rng,
        np.where(transfer, np.minimum(ncy + 1, 20), ncy),
        needs,
        homes,
        settings,
        preferred,
        scale_m=scale,
        within_m=NEAR_HOME_M,
    )
    urns = settings["urn"].to_numpy()
    current = np.where(~transfer & (chosen >= 0), urns[np.maximum(chosen, 0)], "")
    children = pd.DataFrame(
        {
            "child_id": [f"SYN-{i + 1:06d}" for i in range(n)],
            "ncy": ncy,
            "sex": sex,
            "primary_need": primary,
            "secondary_need": secondary,
            "postcode": postcodes["postcode"].to_numpy()[home],
            "easting": homes[:, 0],
            "northing": homes[:, 1],
            "current_urn": current,
            "transfer": transfer,
        }
    )
    return with_siblings(rng, children), np.where(transfer, chosen, -1)


def with_siblings(
    rng: np.random.Generator, children: pd.DataFrame, share: float = 0.04
) -> pd.DataFrame:
    """Make `share` of the children the younger sibling of another: same family_id and home."""
    n_pairs = int(len(children) * share / 2)
    pick = rng.permutation(len(children))[: 2 * n_pairs]
    elder, younger = pick[:n_pairs], pick[n_pairs:]
    family = np.full(len(children), "", dtype=object)
    family[elder] = family[younger] = [f"FAM-{i + 1:06d}" for i in range(n_pairs)]
    home = ["postcode", "easting", "northing"]
    children = children.assign(family_id=family)
    children.loc[younger, home] = children.loc[elder, home].to_numpy()
    return children


def synth_places(
    rng: np.random.Generator, settings: pd.DataFrame, children: pd.DataFrame, moves: Ints
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolls, capacities and override lines that make the instance feasible but tight.

    Every setting keeps its current children and gets vacancies for about 1.1 times the
    transfer children who would likely move there (`moves`); mainstream schools also have
    their GIAS headroom. Returns the updated settings and the override lines (PLACE_COLUMNS).
    """
    m = len(settings)
    index = pd.Index(settings["urn"])
    at = index.get_indexer(children["current_urn"])
    kept = np.bincount(at[at >= 0], minlength=m)
    demand = np.bincount(moves[moves >= 0], minlength=m)
    free = vacancies_for(demand, rng)
    kinds = settings["setting_type"].to_numpy()
    mainstream = np.isin(kinds, [t.value for t in _HEADROOM_TYPES])
    capacity = settings["capacity"].to_numpy(dtype=np.int64)
    headroom = np.round(capacity * rng.uniform(0.0, 0.08, m)).astype(np.int64)
    free = np.where(mainstream, np.maximum(free, headroom), free)
    places = np.where(mainstream, np.maximum(capacity, kept + free), kept + free)
    settings = settings.assign(
        capacity=pd.array(places, dtype="Int64"), on_roll=pd.array(places - free, dtype="Int64")
    )
    fee = np.where(
        kinds == SettingType.INDEPENDENT_SPECIAL.value,
        rng.integers(90, 180, m) * 500.0,
        np.where(kinds == SettingType.NON_MAINTAINED_SPECIAL.value, 55000.0, np.nan),
    )
    whole = pd.DataFrame(
        {
            "urn": settings["urn"],
            "need": "",
            "places": places,
            "vacancies": free,
            "annual_cost": fee,
        }
    )[~mainstream]
    rp = np.flatnonzero(kinds == SettingType.MAINSTREAM_RP.value)
    # Children by (setting, primary need): staying there, and likely to move there.
    need_of = children["primary_need"].astype(str).to_numpy()
    staying = pd.Series(list(zip(at, need_of, strict=True))).value_counts().to_dict()
    moving = pd.Series(list(zip(moves, need_of, strict=True))).value_counts().to_dict()
    need_lines = []
    for i in rp:
        for need in settings["designated_needs"].iat[i]:
            taken = int(staying.get((i, need), 0))
            wanted = int(moving.get((i, need), 0))
            spare = int(vacancies_for(np.array([wanted]), rng)[0])
            need_lines.append((settings["urn"].iat[i], need, taken + spare, spare, np.nan))
    lines = pd.concat(
        [whole, pd.DataFrame(need_lines, columns=list(whole.columns))], ignore_index=True
    )
    totals = lines[lines["need"] != ""].groupby("urn")[["places", "vacancies"]].sum()
    totals = totals.reindex(settings["urn"]).reset_index(drop=True)
    roll = totals["places"] - totals["vacancies"]
    unit = pd.Series(settings["provision"].to_numpy() == "SEN unit")
    settings = settings.assign(
        rp_capacity=totals["places"].where(~unit).astype("Int64").to_numpy(),
        rp_on_roll=roll.where(~unit).astype("Int64").to_numpy(),
        unit_capacity=totals["places"].where(unit).astype("Int64").to_numpy(),
        unit_on_roll=roll.where(unit).astype("Int64").to_numpy(),
    )
    return settings, lines.sort_values(["urn", "need"], kind="stable").reset_index(drop=True)


def synth_scenario(name: str, *, postcodes: bool) -> dict[str, object]:
    """A scenario (solver.domain.scenario schema) naming the synthetic files beside it."""
    inputs = {
        "settings": "gias.csv",
        "overrides": "overrides.csv",
        "children": "children.csv",
        **({"postcodes": "postcodes.csv"} if postcodes else {}),
        "network": "roads.osm",
    }
    return {"name": name, "description": "Synthetic instance (rightplace synth)", "inputs": inputs}


#: Bump when what a size and seed generate changes, so instances cached by benchmarks are
#: made again rather than reused (2: children choose among settings within NEAR_HOME_M).
SYNTH_VERSION = 2


@dataclass(frozen=True)
class SynthSize:
    """How big a synthetic instance is, and its seed."""

    children: int
    settings: int
    nodes: int
    seed: int = 0
    las: int = 1


def write_synth(size: SynthSize, out: Path, *, postcodes: bool = False) -> dict[str, Path]:
    """Write a complete, valid synthetic input set to `out`; the same size and seed, same bytes.

    Files: gias.csv, overrides.csv, children.csv (grid references, or postcodes with
    postcodes.csv), roads.osm and scenario.yaml. Returns the paths by role.
    """
    if size.children < 1 or size.settings < MIN_SETTINGS:
        raise ValueError(f"need at least 1 child and {MIN_SETTINGS} settings")
    rng = np.random.default_rng(size.seed)
    roads = synth_roads(rng, size.nodes, size.las)
    points = synth_postcodes(rng, roads, max(size.children // 3, 50), size.las)
    settings = synth_settings(rng, size.settings, points)
    children, moves = synth_children(rng, size.children, points, settings)
    settings, lines = synth_places(rng, settings, children, moves)
    if size.las > 1:
        settings, children = split_into_las(roads, settings, children, size.las)
    out = Path(out)
    paths = {
        "settings": out / "gias.csv",
        "overrides": out / "overrides.csv",
        "children": out / "children.csv",
        "network": out / "roads.osm",
        "scenario": out / "scenario.yaml",
    }
    paths["scenario"].unlink(missing_ok=True)  # written last: its presence marks a whole set
    write_gias(settings, paths["settings"])
    write_text(paths["overrides"], lines.to_csv(index=False, lineterminator="\n"))
    if postcodes:
        paths["postcodes"] = out / "postcodes.csv"
        table = points.rename(
            columns={"postcode": "Postcode", "easting": "Eastings", "northing": "Northings"}
        )
        write_text(paths["postcodes"], _csv(table))
        children = children.assign(easting="", northing="")
    else:
        children = children.assign(postcode="")
    write_text(paths["children"], _csv(children))
    write_osm(roads, paths["network"])
    scenario = synth_scenario(f"synthetic {size.children}x{size.settings}", postcodes=postcodes)
    write_text(paths["scenario"], yaml.safe_dump(scenario, sort_keys=False))
    return paths


def _csv(table: pd.DataFrame) -> str:
    """A synthetic table as CSV: Unix line ends, whole metres."""
    return str(table.to_csv(index=False, lineterminator="\n", float_format="%.0f"))


def la_of(roads: SyntheticRoads, easting: Floats, northing: Floats, las: int) -> np.ndarray:
    """The LA code of each point when the roads' extent is cut into `las` LAs (a grid of
    near-square cells, row by row; codes 801, 802, ...)."""
    columns = int(np.ceil(np.sqrt(las)))
    rows = int(np.ceil(las / columns))
    x0, x1 = roads.easting.min(), roads.easting.max()
    y0, y1 = roads.northing.min(), roads.northing.max()
    col = np.clip(((easting - x0) / max(x1 - x0, 1.0) * columns).astype(np.int64), 0, columns - 1)
    row = np.clip(((northing - y0) / max(y1 - y0, 1.0) * rows).astype(np.int64), 0, rows - 1)
    cell = np.minimum(row * columns + col, las - 1)
    codes: np.ndarray = np.array([str(801 + c) for c in range(las)], dtype=object)[cell]
    return codes


def split_into_las(
    roads: SyntheticRoads, settings: pd.DataFrame, children: pd.DataFrame, las: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A region of `las` adjacent LAs: each setting's GIAS LA and each child's responsible LA
    (`la_code`) from where they are; placements across borders stay as they were."""

    def codes(table: pd.DataFrame) -> np.ndarray:
        xy = table[["easting", "northing"]].to_numpy(np.float64)
        return la_of(roads, xy[:, 0], xy[:, 1], las)

    return settings.assign(la_code=codes(settings)), children.assign(la_code=codes(children))
