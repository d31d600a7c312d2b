"""Build the embedded Rutland sample in data/rutland/ from the public files in shared data.

Real: roads (OSM), postcode centroids (Code-Point Open), school names, URNs and sites (OSM),
Rutland's EHCP totals by age, placement, need and sex (DfE SEN2, January 2025). Illustrative:
everything else (see data/README.md). Deterministic: a rerun gives byte-identical files.
Run: python scripts/build_sample.py [--data /work/shared/data] [--out data/rutland]
"""

from __future__ import annotations

import argparse
import gzip
import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from solver.domain.model import GIAS_TYPE_CODES, SETTING_COLUMNS, SettingType
from solver.domain.needs import CODED_NEEDS, TRANSFER_NCYS, Need, ncy_of_age, ncy_range_of_ages
from solver.io.gias import write_gias
from solver.io.inputs import load_postcodes, read_gias
from solver.io.outputs import write_csv
from solver.io.sen2_files import import_sen2, read_gias_ids
from solver.synth.instance import (
    OFSTED_GRADES,
    OFSTED_SHARES,
    assign_exact,
    can_attend,
    choose_settings,
    deal,
    homes_at,
    need_indices,
    quota,
    vacancies_for,
)
from solver.synth.sen2 import write_synth_returns

REPO = Path(__file__).resolve().parent.parent
LA_CODE, LA_NAME, LA_GSS = "857", "Rutland", "E06000017"
SEED = 857
#: The census the sample's children are taken at, and its pseudonym key: public, because the
#: sample's identifiers are invented (an LA's own key stays private, see docs/inputs.md).
SAMPLE_CENSUS = date(2025, 1, 16)
SAMPLE_KEY = b"rutland-sample-key: public, for the illustrative sample's invented ids only\n"
YEAR = "202425"

# Placement categories: SEN2 caseload column, sen_needs_all_plans "Type of placement" label.
CATEGORIES: dict[str, tuple[str, str]] = {
    "mainstream_la_maintained": ("mainstream_la_maintained", "Mainstream - LA maintained"),
    "mainstream_academy": ("mainstream_academy", "Mainstream - academy"),
    "rp": ("mainstream_academy_resourced_provision", "Mainstream - academy (resourced provision)"),
    "unit": ("mainstream_academy_senunit", "Mainstream - academy (SEN unit)"),
    "mainstream_independent": ("mainstream_independent", "Mainstream - independent"),
    "special_la_maintained": ("special_la_maintained", "Special - LA maintained"),
    "special_academy_free": ("special_academy_free", "Special - Academy/free schools"),
    "special_independent": ("special_independent", "Special - independent"),
    "special_non_maintained": ("special_non_maintained", "Special - non-maintained"),
    "ap": ("ap_pru_total", "AP/PRU - total"),
    "general_fe": ("general_fe_tertiary_colleges", "FE - general FE and tertiary colleges"),
    "specialist_post16": (
        "specialist_post_16_institutions",
        "FE - specialist post-16 institutions",
    ),
    "elsewhere": ("ed_elsewhere", "Educated elsewhere - total"),
    "unknown": ("placement_unknown", "Placement not recorded"),
}
_NEED_COLUMNS = {n: f"number_{n.value.lower()}" for n in CODED_NEEDS}

# Rutland's schools from OSM, keyed by OSM name; facts OSM lacks are ILLUSTRATIVE:
# (URN or None = illustrative, GIAS type code, low age, high age, capacity, provision, needs).
RUTLAND_SCHOOLS: dict[str, tuple[str | None, int, int, int, int, str, tuple[str, ...]]] = {
    "Catmose Primary School": (
        "138113",
        34,
        4,
        11,
        420,
        "SEN unit",
        ("ASD", "OTH", "SEMH", "SLCN"),
    ),
    "Oakham Church of England Primary School": (None, 3, 4, 11, 420, "", ()),
    "Catmose College": (None, 34, 11, 19, 1200, "SEN unit", ("ASD", "OTH", "PD", "SEMH", "SLCN")),
    "Leighfield Primary School": ("139481", 34, 4, 11, 210, "", ()),
    "Uppingham Church of England Primary School": ("146428", 34, 4, 11, 315, "", ()),
    "Uppingham Community College": (
        "136629",
        34,
        11,
        18,
        1000,
        "resourced provision",
        ("ASD", "MLD", "SEMH", "SPLD"),
    ),
    "Uppingham School": ("120320", 11, 11, 18, 800, "", ()),
    "Brooke Priory School": ("120340", 11, 3, 11, 200, "", ()),
    "Empingham CofE Primary School": ("146425", 34, 4, 11, 105, "", ()),
    "Whissendine Church of England Primary School": ("141454", 34, 4, 11, 140, "", ()),
    "Edith Weston Academy": ("142544", 34, 4, 11, 210, "", ()),
    "Langham CE Primary School": ("139858", 34, 4, 11, 140, "", ()),
    "Exton Church of England Primary School": ("144847", 34, 4, 11, 105, "", ()),
    "The Shires": ("131018", 10, 11, 19, 60, "", ("ASD", "MLD", "SLD")),
    "Ketton C Of E Primary School": (None, 34, 4, 11, 210, "", ()),
    "Ryhall Church Of England Primary School": (None, 34, 4, 11, 210, "", ()),
    "Great Casterton Church Of England School": (None, 34, 4, 11, 140, "", ()),
    "Casterton College Rutland": (
        "137340",
        34,
        11,
        18,
        900,
        "SEN unit",
        ("ASD", "MLD", "SLCN", "SLD", "SPLD"),
    ),
    "St Mary and St John CofE VA Primary School": ("120229", 2, 4, 11, 105, "", ()),
    "English Martyrs' Catholic Primary School": ("139611", 34, 4, 11, 210, "", ()),
    "St Nicholas Church of England Primary School": ("141452", 34, 4, 11, 140, "", ()),
    "Brooke Hill Academy": (
        "137358",
        34,
        4,
        11,
        420,
        "SEN unit",
        ("ASD", "MLD", "PD", "SLCN", "SLD", "SPLD"),
    ),
    "Cottesmore Millfield Academy": ("142401", 34, 4, 11, 210, "", ()),
    "Crossroads Farm - Wilds Lodge School": (
        None,
        10,
        5,
        18,
        80,
        "",
        ("ASD", "MLD", "SEMH", "SLCN"),
    ),
}

# Out-of-county settings Rutland children attend: ALL ILLUSTRATIVE except the postcode sector,
# (name, type code, low, high, capacity, needs, outward code, sector, LA code, LA name).
OUT_OF_COUNTY: tuple[tuple[str, int, int, int, int, tuple[str, ...], str, str, str, str], ...] = (
    (
        "Special school (illustrative), Melton Mowbray",
        7,
        4,
        19,
        160,
        ("ASD", "MLD", "OTH", "SEMH", "SLCN", "SPLD"),
        "LE13",
        "0",
        "855",
        "Leicestershire",
    ),
    (
        "Special school (illustrative), Market Harborough",
        7,
        2,
        25,
        120,
        ("ASD", "MLD", "MSI", "PMLD", "SLCN", "SLD"),
        "LE16",
        "7",
        "855",
        "Leicestershire",
    ),
    (
        "Special academy (illustrative), Stamford",
        44,
        2,
        19,
        140,
        ("ASD", "MLD", "PD", "SLCN", "SPLD"),
        "PE9",
        "2",
        "925",
        "Lincolnshire",
    ),
    (
        "Special academy (illustrative), Peterborough",
        44,
        2,
        19,
        180,
        ("ASD", "MSI", "PD", "PMLD", "SLD"),
        "PE1",
        "4",
        "874",
        "Peterborough",
    ),
    (
        "Independent special school (illustrative), Oundle",
        10,
        7,
        19,
        70,
        ("ASD", "OTH", "SEMH", "SPLD"),
        "PE8",
        "4",
        "940",
        "North Northamptonshire",
    ),
    (
        "Independent special school (illustrative), Leicester",
        10,
        4,
        19,
        90,
        ("ASD", "HI", "MSI", "SLCN"),
        "LE4",
        "6",
        "856",
        "Leicester",
    ),
    (
        "Independent special school (illustrative), Bourne",
        10,
        8,
        18,
        50,
        ("ASD", "SEMH"),
        "PE10",
        "9",
        "925",
        "Lincolnshire",
    ),
    (
        "Non-maintained special school (illustrative), Leicester",
        8,
        5,
        25,
        100,
        ("ASD", "HI", "MSI", "VI"),
        "LE2",
        "3",
        "856",
        "Leicester",
    ),
    (
        "Alternative provision (illustrative), Melton Mowbray",
        14,
        5,
        16,
        40,
        (),
        "LE13",
        "1",
        "855",
        "Leicestershire",
    ),
    (
        "FE college (illustrative), Stamford",
        18,
        16,
        25,
        3000,
        (),
        "PE9",
        "1",
        "925",
        "Lincolnshire",
    ),
    (
        "FE college (illustrative), Melton Mowbray",
        18,
        16,
        25,
        2000,
        (),
        "LE13",
        "0",
        "855",
        "Leicestershire",
    ),
    (
        "FE college (illustrative), Peterborough",
        18,
        16,
        25,
        5000,
        (),
        "PE1",
        "5",
        "874",
        "Peterborough",
    ),
    (
        "Specialist post-16 institution (illustrative), Leicester",
        32,
        16,
        25,
        60,
        ("ASD", "MSI", "PMLD", "SLD"),
        "LE3",
        "1",
        "856",
        "Leicester",
    ),
)

# Annual fee per place (ILLUSTRATIVE) for settings priced per placement, by GIAS type code.
FEES = {10: (52000, 78000), 8: (50000, 62000), 32: (40000, 55000)}


def category_of(type_code: int, provision: str) -> set[str]:
    """The SEN2 placement categories a setting of this type and provision can hold."""
    by_code = {
        2: {"mainstream_la_maintained"},
        3: {"mainstream_la_maintained"},
        34: {"mainstream_academy"},
        11: {"mainstream_independent"},
        7: {"special_la_maintained"},
        44: {"special_academy_free"},
        10: {"special_independent"},
        8: {"special_non_maintained"},
        14: {"ap"},
        18: {"general_fe"},
        32: {"specialist_post16"},
    }[type_code]
    if "resourced" in provision:
        by_code = by_code | {"rp"}
    if "unit" in provision:
        by_code = by_code | {"unit"}
    return by_code


def _setting_type(type_code: int, provision: str) -> str:
    kind = GIAS_TYPE_CODES[type_code]
    return (
        SettingType.MAINSTREAM_RP if kind is SettingType.MAINSTREAM and provision else kind
    ).value


def spaced(postcodes: pd.Series) -> pd.Series:
    """Postcodes as people write them: outward code, one space, inward code."""
    bare = postcodes.str.replace(" ", "")
    return bare.str[:-3] + " " + bare.str[-3:]


def read_codepoint(path: Path) -> pd.DataFrame:
    """A Code-Point Open area file (gzipped, no header) as raw lines plus parsed columns."""
    lines = gzip.decompress(path.read_bytes()).decode("ascii").splitlines()
    table = pd.read_csv(io.StringIO("\n".join(lines)), header=None, dtype=str)
    return pd.DataFrame(
        {
            "line": lines,
            "postcode": table[0],
            "quality": table[1].astype(int),
            "easting": table[2].astype(float),
            "northing": table[3].astype(float),
        }
    )


def sector_postcode(area: pd.DataFrame, outward: str, sector: str) -> pd.Series:
    """The first (sorted) well-placed postcode in a sector, e.g. LE13 0: a real centroid."""
    code = area["postcode"].str.replace(" ", "")
    match = (code.str[:-3] == outward) & (code.str[-3] == sector) & (area["quality"] == 10)
    return area[match].sort_values("postcode").iloc[0]


def build_settings(
    data: Path, rutland_postcodes: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    """Rutland's schools (OSM sites, real names and URNs where mapped) and out-of-county ones."""
    osm = pd.read_csv(data / "osm-rutland" / "rutland_osm_schools.csv", dtype=str)
    osm = osm[osm["name"].isin(list(RUTLAND_SCHOOLS))].sort_values("name").reset_index(drop=True)
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    east, north = to_grid.transform(osm["lon"].astype(float), osm["lat"].astype(float))
    grid = rutland_postcodes[["easting", "northing"]].to_numpy()
    rows = []
    illustrative_urn = iter(range(990001, 990100))
    for name, ref, e, n in zip(osm["name"], osm["ref_edubase"], east, north, strict=True):
        urn, code, low, high, capacity, provision, needs = RUTLAND_SCHOOLS[name]
        if urn is not None and urn != ref:
            raise ValueError(f"URN for {name} differs from OSM")
        nearest = int(np.argmin(np.hypot(grid[:, 0] - e, grid[:, 1] - n)))
        rows.append(
            (
                urn or str(next(illustrative_urn)),
                name,
                code,
                low,
                high,
                capacity,
                provision,
                needs,
                round(e),
                round(n),
                rutland_postcodes["postcode"].iloc[nearest],
                LA_CODE,
                LA_NAME,
            )
        )
    outside = iter(range(990101, 990200))
    for name, code, low, high, capacity, needs, outward, sector, la, la_name in OUT_OF_COUNTY:
        place = sector_postcode(areas, outward, sector)
        rows.append(
            (
                str(next(outside)),
                name,
                code,
                low,
                high,
                capacity,
                "",
                needs,
                place["easting"],
                place["northing"],
                place["postcode"],
                la,
                la_name,
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "urn",
            "name",
            "type_code",
            "low_age",
            "high_age",
            "capacity",
            "provision",
            "designated_needs",
            "easting",
            "northing",
            "postcode",
            "la_code",
            "la_name",
        ],
    )
    ncy_low, ncy_high = ncy_range_of_ages(frame["low_age"], frame["high_age"])  # type: ignore[arg-type]
    frame["ncy_low"], frame["ncy_high"] = ncy_low, ncy_high
    frame["setting_type"] = [
        _setting_type(c, p) for c, p in zip(frame["type_code"], frame["provision"], strict=True)
    ]
    frame["gender"] = "mixed"
    frame["section41"] = frame["type_code"].isin([10, 32])
    frame["postcode"] = spaced(frame["postcode"])
    return frame


def read_release(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rutland's 2024/25 rows of the SEN2 caseload and primary-need tables; `c`/`x`/`z` = NA."""
    with zipfile.ZipFile(data / "ehcp-sen2" / "education-health-and-care-plans_2025.zip") as z:
        tables = [
            pd.read_csv(z.open(f"data/{name}.csv"), dtype=str, encoding="utf-8-sig")
            for name in ("caseload", "sen_needs_all_plans")
        ]
    out = []
    for t in tables:
        t = t[(t["new_la_code"] == LA_GSS) & (t["time_period"] == YEAR)]
        numbers = t.columns[t.columns.get_loc("breakdown") + 1 :]
        t = t.assign(
            **{
                c: pd.to_numeric(t[c].replace({"c": None, "x": None, "z": None, "low": None}))
                for c in numbers
            }
        )
        out.append(t.reset_index(drop=True))
    return out[0], out[1]


def fill_suppressed(cells: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Whole counts for suppressed (NA) cells: each column's shortfall on its total, by quota."""
    filled = cells.copy()
    for column in cells.columns:
        missing = cells[column].isna()
        if missing.any():
            short = int(totals[column] - cells[column].sum())
            filled.loc[missing, column] = quota(np.ones(int(missing.sum())), max(short, 0))
    return filled.astype(np.int64)


def age_placement_table(caseload: pd.DataFrame) -> pd.DataFrame:
    """Children by single year of age (rows) and placement category (columns), exact."""
    total = caseload[caseload["breakdown_topic"] == "All EHC plans"].iloc[0]
    ages = caseload[caseload["breakdown_topic"] == "Child or young persons age"]
    age = ages["breakdown"].str.extract(r"(\d+)")[0].astype(int)
    columns = [c for c, _ in CATEGORIES.values()]
    table = fill_suppressed(ages[columns].set_axis(age), total[columns])
    table.columns = list(CATEGORIES)
    return table.sort_index()


def need_counts(needs: pd.DataFrame, label: str, n: int, fallback: np.ndarray) -> np.ndarray:
    """Primary-need counts (CODED_NEEDS order) for a placement row; national-style fallback."""
    row = needs[(needs["breakdown_topic"] == "Type of placement") & (needs["breakdown"] == label)]
    if len(row) == 1:
        counts = row.iloc[0][list(_NEED_COLUMNS.values())].to_numpy(dtype=float)
        if not np.isnan(counts).any() and counts.sum() == n:
            return counts.astype(np.int64)
    return quota(fallback, n)


def build_children(
    rng: np.random.Generator,
    caseload: pd.DataFrame,
    needs: pd.DataFrame,
    settings: pd.DataFrame,
    postcodes: pd.DataFrame,
) -> tuple[pd.DataFrame, np.ndarray]:
    """376 pseudonymous children matching the published margins; and each one's category."""
    table = age_placement_table(caseload)
    stacked = table.stack()
    age = np.repeat(stacked.index.get_level_values(0).to_numpy(), stacked.to_numpy())
    category = np.repeat(stacked.index.get_level_values(1).to_numpy(), stacked.to_numpy())
    ncy = np.array([ncy_of_age(int(a)) for a in age], dtype=np.int64)
    n = len(ncy)
    la_mix = needs[needs["breakdown_topic"] == "All EHC plans"].iloc[0][
        list(_NEED_COLUMNS.values())
    ]
    la_mix = la_mix.to_numpy(dtype=float)

    by_age = needs[needs["breakdown_topic"] == "Child or young persons age"]
    age_of_row = by_age["breakdown"].str.extract(r"(\d+)")[0].astype(int)
    age_need = by_age[list(_NEED_COLUMNS.values())].fillna(0).set_axis(age_of_row)
    age_need = (age_need + 0.5).div(age_need.sum(axis=1) + 6, axis=0)
    by_sex = needs[needs["breakdown_topic"] == "Sex"].set_index("breakdown")
    sex_need = by_sex[list(_NEED_COLUMNS.values())].fillna(0) + 0.5

    primary = np.empty(n, dtype=object)
    for name, (_, label) in CATEGORIES.items():
        rows = np.flatnonzero(category == name)
        if len(rows) == 0:
            continue
        hosts = settings[[name in c for c in settings["categories"]]]
        weight = age_need.reindex(age[rows]).fillna(1.0).to_numpy()
        if len(hosts):
            for j, need in enumerate(CODED_NEEDS):
                fits = can_attend(
                    ncy[rows],
                    need_indices([need.value] * len(rows)),
                    hosts,
                    designated_only=name in ("rp", "unit"),
                )
                weight[:, j] *= np.where(fits.any(axis=1), 1.0, 1e-6)
        counts = need_counts(needs, label, len(rows), la_mix)
        primary[rows] = [CODED_NEEDS[j].value for j in assign_exact(rng, weight, counts)]

    sex = np.empty(n, dtype=object)
    sex_rows = caseload[caseload["breakdown_topic"] == "Sex"].set_index("breakdown")
    for name, (column, _) in CATEGORIES.items():
        rows = np.flatnonzero(category == name)
        if len(rows) == 0:
            continue
        female = sex_rows.loc["Female", column]
        female = int(female) if not pd.isna(female) else int(quota([124, 252], len(rows))[0])
        index = [list(_NEED_COLUMNS).index(Need(p)) for p in primary[rows]]
        weight = np.stack(
            [sex_need.loc["Female"].to_numpy()[index], sex_need.loc["Male"].to_numpy()[index]],
            axis=1,
        )
        pick = assign_exact(rng, weight, [female, len(rows) - female])
        sex[rows] = np.array(["F", "M"])[pick]

    other = deal(rng, [v.value for v in CODED_NEEDS], quota(la_mix, n))
    secondary = np.where((rng.random(n) < 0.3) & (other != primary), other, "")

    home = homes_at(rng, n, np.ones(len(postcodes)))
    homes = postcodes[["easting", "northing"]].to_numpy(dtype=np.float64)[home]
    current = np.full(n, "", dtype=object)
    places = settings[["easting", "northing"]].to_numpy(dtype=np.float64)
    for name in CATEGORIES:
        rows = np.flatnonzero(category == name)
        member = np.array([name in c for c in settings["categories"]])
        if len(rows) == 0 or not member.any():
            continue
        allowed = (
            can_attend(
                ncy[rows],
                need_indices(primary[rows]),
                settings,
                designated_only=name in ("rp", "unit"),
            )
            & member[None, :]
        )
        chosen = choose_settings(
            rng, homes[rows], lambda r, c, ok=allowed: ok[np.ix_(r, c)], places, scale_m=4000.0
        )
        if (chosen < 0).any():
            raise ValueError(f"no suitable {name} setting for some children")
        current[rows] = settings["urn"].to_numpy()[chosen]

    gridded = rng.random(n) < 0.1
    order = rng.permutation(n)
    children = pd.DataFrame(
        {
            "child_id": [f"RUT-{i + 1:04d}" for i in range(n)],
            "ncy": ncy[order],
            "sex": sex[order],
            "primary_need": primary[order],
            "secondary_need": secondary[order],
            "postcode": np.where(gridded, "", spaced(postcodes["postcode"]).to_numpy()[home])[
                order
            ],
            "easting": np.where(gridded, homes[:, 0].astype(np.int64).astype(str), "")[order],
            "northing": np.where(gridded, homes[:, 1].astype(np.int64).astype(str), "")[order],
            "current_urn": current[order],
            "transfer": np.isin(ncy, list(TRANSFER_NCYS))[order],
        }
    )
    return children, category[order]


def build_places(
    rng: np.random.Generator, settings: pd.DataFrame, children: pd.DataFrame, category: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Override lines (per-need RP/unit places, specialist places and fees) and settings rolls."""
    settings = settings.copy()
    for column in ("rp_capacity", "rp_on_roll", "unit_capacity", "unit_on_roll"):
        settings[column] = pd.array([pd.NA] * len(settings), dtype="Int64")
    settings["ofsted"] = deal(rng, OFSTED_GRADES, quota(OFSTED_SHARES, len(settings)))
    lines = []
    in_provision = np.isin(category, ["rp", "unit"])
    for i, s in settings.iterrows():
        here = children[(children["current_urn"] == s["urn"]).to_numpy() & in_provision]
        if s["provision"]:
            occupied = np.array([(here["primary_need"] == n).sum() for n in s["designated_needs"]])
            free = vacancies_for(np.ones(len(occupied), np.int64), rng, slack=0.0)
            for need, o, v in zip(s["designated_needs"], occupied, free, strict=True):
                lines.append((s["urn"], need, int(o + v), int(v), ""))
            column = "rp" if "resourced" in s["provision"] else "unit"
            settings.loc[i, f"{column}_capacity"] = int((occupied + free).sum())
            settings.loc[i, f"{column}_on_roll"] = int(occupied.sum())
        roll = int(round(s["capacity"] * rng.uniform(0.86, 1.02)))
        settings.loc[i, "on_roll"] = roll
        if s["setting_type"] not in (SettingType.MAINSTREAM.value, SettingType.MAINSTREAM_RP.value):
            fee = FEES.get(int(s["type_code"]))
            cost = str(int(rng.integers(fee[0] // 500, fee[1] // 500) * 500)) if fee else ""
            lines.append(
                (s["urn"], "", int(s["capacity"]), max(int(s["capacity"]) - roll, 0), cost)
            )
    overrides = pd.DataFrame(lines, columns=["urn", "need", "places", "vacancies", "annual_cost"])
    return settings, overrides


def write_postcodes(rutland: Path, areas: pd.DataFrame, settings: pd.DataFrame, out: Path) -> None:
    """Rutland's Code-Point file byte for byte, plus the out-of-county settings' postcode lines."""
    bare = areas["postcode"].str.replace(" ", "")
    needed = areas[bare.isin(settings["postcode"].str.replace(" ", ""))]
    published = rutland.read_bytes()
    extra = sorted(set(needed["line"]) - set(published.decode("ascii").splitlines()))
    (out / "postcodes.csv").write_bytes(published + "".join(f"{x}\r\n" for x in extra).encode())


def main() -> None:
    """Build data/rutland/ and scenarios/baseline.yaml."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="shared data folder")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "rutland")
    parser.add_argument("--scenarios", type=Path, default=REPO / "scenarios")
    args = parser.parse_args()
    data = args.data or next(
        p for p in (Path("/work/shared/data"), REPO.parent / "shared" / "data") if p.is_dir()
    )
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    shutil.copyfile(data / "osm-rutland" / "rutland-drive.osm.bz2", out / "roads.osm.bz2")
    codepoint = data / "postcodes-codepoint"
    rutland = pd.read_csv(codepoint / "rutland_E06000017_postcodes.csv", dtype=str)
    rutland = rutland.assign(
        easting=rutland["Eastings"].astype(float),
        northing=rutland["Northings"].astype(float),
        postcode=rutland["Postcode"],
    )
    rutland = rutland[(rutland["easting"] > 0) & (rutland["Positional_quality_indicator"] != "90")]
    rutland = rutland.reset_index(drop=True)
    areas = pd.concat(
        [read_codepoint(codepoint / f"codepoint_open_2014_08_{a}.csv.gz") for a in ("le", "pe")],
        ignore_index=True,
    )
    settings = build_settings(data, rutland, areas)
    settings["categories"] = [
        category_of(c, p) for c, p in zip(settings["type_code"], settings["provision"], strict=True)
    ]
    write_postcodes(codepoint / "rutland_E06000017_postcodes.csv", areas, settings, out)

    caseload, needs = read_release(data)
    children, category = build_children(rng, caseload, needs, settings, rutland)
    settings, overrides = build_places(rng, settings, children, category)
    write_gias(
        settings.drop(columns=["categories"])[
            [
                *SETTING_COLUMNS,
                "type_code",
                "la_name",
                *[c for c in ("rp_capacity", "rp_on_roll", "unit_capacity", "unit_on_roll")],
            ]
        ],
        out / "gias.csv",
    )
    overrides.to_csv(out / "overrides.csv", index=False, lineterminator="\n")
    write_sample_sen2(children, category, rutland, out)
    args.scenarios.mkdir(exist_ok=True)
    (args.scenarios / "baseline.yaml").write_text(BASELINE, encoding="utf-8")


def write_sample_sen2(
    children: pd.DataFrame, category: np.ndarray, rutland: pd.DataFrame, out: Path
) -> None:
    """The children as a synthetic SEN2 return (sen2/2024, sen2/2025), then children.csv
    derived from it exactly as `rightplace sen2` does, under the sample's (public) key."""
    centroid = rutland.drop_duplicates(["easting", "northing"]).set_index(["easting", "northing"])
    gridded = children["postcode"] == ""
    at = pd.MultiIndex.from_arrays(
        [
            children["easting"].where(gridded, "0").astype(float),
            children["northing"].where(gridded, "0").astype(float),
        ]
    )
    postcode = children["postcode"].where(
        ~gridded,
        spaced(pd.Series(centroid["postcode"].reindex(at).to_numpy(), index=children.index)),
    )
    place = np.select(
        [category == "rp", category == "unit"], ["resourced_provision", "sen_unit"], ""
    )
    sen2 = out / "sen2"
    settings = read_gias(out / "gias.csv").settings
    return_children = children.assign(postcode=postcode, current_place=place)
    write_synth_returns(return_children, settings, sen2, SAMPLE_CENSUS.year, seed=SEED, lea="857")
    derived = import_sen2(
        sen2 / str(SAMPLE_CENSUS.year),
        SAMPLE_CENSUS,
        key=SAMPLE_KEY.strip(),
        postcodes=load_postcodes(out / "postcodes.csv"),
        settings=settings,
        gias_ids=read_gias_ids(out / "gias.csv"),
    )
    if derived.census.unusable or len(derived.census.children) != len(children):
        raise ValueError("the sample's SEN2 return does not give back every child")
    (sen2 / "sample.key").write_bytes(SAMPLE_KEY)
    write_csv(out / "children.csv", derived.census.children, index=False)


BASELINE = """\
# The embedded Rutland sample: real roads, postcodes, schools and EHCP totals; illustrative
# capacities, designations, fees, out-of-county settings and children (see data/README.md).
name: Rutland baseline
description: Rutland (E06000017), January 2025 EHCP caseload, synthesised children
la_code: E06000017
la_name: Rutland County Council
inputs:
  settings: ../data/rutland/gias.csv
  overrides: ../data/rutland/overrides.csv
  children: ../data/rutland/children.csv
  postcodes: ../data/rutland/postcodes.csv
  network: ../data/rutland/roads.osm.bz2
  ehcp: ../data/rutland/ehcp
  population:
    - ../data/rutland/population/ONS2019_PopnByAgeYearEstimate.csv
    - ../data/rutland/population/ONS2020_PopnByAgeYearEstimate.csv
    - ../data/rutland/population/2022_SNPP_persons_Rutland_E06000017.csv
"""

if __name__ == "__main__":
    main()
