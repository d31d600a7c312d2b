"""Synthetic SEN2 returns in the exact Blade export format (2025 layout), for any children table.

`synth_history` turns children on a census date into invented persons with plan and placement
histories over two census years: stayers, joiners (plan started after last year's census),
movers (changed setting between the censuses) and leavers (plan ceased between them, with a
cease reason). `return_tables` cuts one return year out of that history, and `write_return`
writes its module files. Every name, UPN and birth date is invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from solver.domain.needs import TRANSFER_NCYS, Need
from solver.io.gias_reader import read_gias
from solver.io.outputs import write_csv
from solver.io.sen2_files import census_date

#: Column order of each module file (2025 layout, SEN2.md §7) after its key.
LAYOUT: Mapping[str, tuple[str, ...]] = {
    "sen2": (
        "collection", "year", "referencedate", "sourcelevel", "lea", "softwarecode", "release",
        "serialno", "datetime", "dmo", "dco", "dsco",
    ),
    "person": (
        "sen2tableid", "surname", "forename", "personbirthdate", "sex", "ethnicity", "postcode",
        "upn", "uniquelearnernumber", "upnunknown",
    ),
    "requests": (
        "persontableid", "receiveddate", "requestsource", "rya", "requestoutcomedate",
        "requestoutcome", "requestmediation", "requesttribunal", "exported",
    ),
    "assessment": (
        "requeststableid", "assessmentoutcome", "assessmentoutcomedate", "assessmentmediation",
        "assessmenttribunal", "othermediation", "othertribunal", "week20",
    ),
    "namedplan": (
        "assessmenttableid", "startdate", "planres", "planwbp", "pb", "oa", "dp", "ceasedate",
        "ceasereason",
    ),
    "plandetail": (
        "namedplantableid", "urn", "ukprn", "sensetting", "sensettingother", "placementrank",
        "senunitindicator", "resourcedprovisionindicator",
    ),
    "activeplans": (
        "requeststableid", "transferla", "reviewmeeting", "reviewoutcome", "reviewdraft",
        "phasetransferduedate", "phasetransferfinaldate", "lastreview",
    ),
    "placementdetail": (
        "activeplanstableid", "urn", "ukprn", "sensetting", "sensettingother", "placementrank",
        "entrydate", "leavingdate", "senunitindicator", "resourcedprovisionindicator", "res",
        "wbp",
    ),
    "senneed": ("activeplanstableid", "sentype", "sentyperank"),
}  # fmt: skip

_SURNAMES = ("Testone", "Fakeley", "Madeup", "Notreal", "Synthson", "Invento", "Sample", "Mock")
_FORENAMES = ("Alex", "Sam", "Kit", "Jo", "Robin", "Charlie", "Ash", "Rowan", "Sky", "Remy")
JOINER_SHARE, MOVER_SHARE, LEAVER_SHARE = 0.12, 0.10, 0.08
_NO_SETTING = "NIEO"  # not in education or training, other: awaiting a place


@dataclass(frozen=True)
class History:
    """Invented persons (one plan each) and their placements over two census years."""

    persons: pd.DataFrame  # upn, surname, forename, birth, sex, postcode, needs, plan dates
    placements: pd.DataFrame  # person, urn, sensetting, unit, rp, entry, leaving
    year: int  # the later census year


def birth_dates(rng: np.random.Generator, ncy: np.ndarray, census: date) -> pd.Series:
    """Birth dates giving NCY `ncy` on `census` (age on 31 August before the school year)."""
    school_year = census.year - (1 if census.month < 9 else 0)
    born_school_year = school_year - (ncy + 4) - 1
    month = rng.integers(1, 13, len(ncy))
    year = np.where(month >= 9, born_school_year, born_school_year + 1)
    day = rng.integers(1, 29, len(ncy))
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}))


def synth_history(
    children: pd.DataFrame, settings: pd.DataFrame, year: int, seed: int = 0
) -> History:
    """Persons whose census record on `year`'s census date is `children` (child columns with
    `postcode`, optionally `current_place`), plus leavers seen only a year before."""
    rng = np.random.default_rng(seed)
    now, before = pd.Timestamp(census_date(year)), pd.Timestamp(census_date(year - 1))
    between = (now - before).days
    n = len(children)
    ncy = children["ncy"].astype("int64").to_numpy()
    birth = birth_dates(rng, ncy, now.date())
    earliest = (birth + pd.Timedelta(days=60)).clip(lower=before - pd.Timedelta(days=2500))
    span = (before - earliest).dt.days.to_numpy()
    joiner = (rng.random(n) < JOINER_SHARE) | (ncy <= -3) | (span < 30)
    start = np.where(
        joiner,
        before + pd.to_timedelta(rng.integers(1, between, n), unit="D"),
        before - pd.to_timedelta((rng.random(n) * np.maximum(span - 1, 1)).astype(int) + 1, "D"),
    )
    start = pd.Series(pd.to_datetime(start)).dt.normalize()
    start = start.clip(lower=birth + pd.Timedelta(days=30), upper=now)
    current = children["current_urn"].fillna("").astype(str).to_numpy()
    place = (
        children["current_place"].fillna("").astype(str).to_numpy()
        if "current_place" in children.columns
        else np.full(n, "")
    )
    persons = pd.DataFrame(
        {
            "upn": [f"Z{seed % 100:02d}{year % 100:02d}{i:08d}" for i in range(n)],
            "birth": birth,
            "sex": children["sex"].astype(str).to_numpy(),
            "postcode": children["postcode"].astype(str).to_numpy(),
            "primary": _coded(children["primary_need"]),
            "secondary": _coded(children["secondary_need"]),
            "start": start,
            "cease": pd.NaT,
            "ceasereason": pd.NA,
            "transfer_now": children["transfer"].astype(bool).to_numpy(),
            "transfer_before": np.isin(ncy - 1, list(TRANSFER_NCYS)),
        }
    )
    urns = settings["urn"].astype(str).to_numpy()
    mover = ~joiner & (current != "") & (rng.random(n) < MOVER_SHARE)
    move_day = before + pd.to_timedelta(rng.integers(1, between - 1, n), unit="D")
    entry = pd.Series(np.where(mover, move_day + pd.Timedelta(days=1), start))
    placements = [
        pd.DataFrame(
            {
                "person": np.arange(n),
                "urn": current,
                "sensetting": np.where(current == "", _NO_SETTING, ""),
                "unit": place == "sen_unit",
                "rp": place == "resourced_provision",
                "entry": pd.to_datetime(entry),
                "leaving": pd.NaT,
            }
        ),
        pd.DataFrame(
            {
                "person": np.flatnonzero(mover),
                "urn": rng.choice(urns, int(mover.sum())),
                "sensetting": "",
                "unit": False,
                "rp": False,
                "entry": start[mover].to_numpy(),
                "leaving": move_day[mover].to_numpy(),
            }
        ),
    ]
    leavers, leaver_places = _leavers(rng, children, int(round(LEAVER_SHARE * n)), before, n)
    persons = pd.concat([persons, leavers], ignore_index=True)
    placements.append(leaver_places)
    names = len(persons)
    persons["surname"] = [f"{s}{i:06d}" for i, s in enumerate(rng.choice(_SURNAMES, names))]
    persons["forename"] = rng.choice(_FORENAMES, names)
    table = pd.concat(placements, ignore_index=True).sort_values(["person", "entry"])
    return History(persons, table.reset_index(drop=True), year)


def _coded(need: pd.Series) -> np.ndarray:
    """Need codes as SEN2 can hold them: it has no code for an unknown need, so OTH."""
    codes: np.ndarray = (
        need.fillna("").astype(str).replace(Need.UNKNOWN.value, Need.OTH.value).to_numpy()
    )
    return codes


def _leavers(
    rng: np.random.Generator, children: pd.DataFrame, m: int, before: pd.Timestamp, first: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`m` persons in a plan on last year's census whose plan ceased before this year's."""
    pick = rng.integers(0, len(children), m)
    like = children.iloc[pick]
    ncy = np.clip(like["ncy"].astype("int64").to_numpy(), -3, 19)
    birth = birth_dates(rng, ncy, before.date())
    start = (before - pd.to_timedelta(rng.integers(30, 400, m), unit="D")).normalize()
    start = pd.Series(start).where(start > birth + pd.Timedelta(days=60), before).to_numpy()
    cease = before + pd.to_timedelta(rng.integers(1, 300, m), unit="D")
    urn = like["current_urn"].fillna("").astype(str).to_numpy()
    persons = pd.DataFrame(
        {
            "upn": [f"Y{i + first:012d}" for i in range(m)],
            "birth": birth.to_numpy(),
            "sex": like["sex"].astype(str).to_numpy(),
            "postcode": like["postcode"].astype(str).to_numpy(),
            "primary": _coded(like["primary_need"]),
            "secondary": "",
            "start": pd.to_datetime(start),
            "cease": cease,
            "ceasereason": rng.integers(1, 10, m),
            "transfer_now": False,
            "transfer_before": np.isin(ncy, list(TRANSFER_NCYS)),
        }
    )
    places = pd.DataFrame(
        {
            "person": np.arange(first, first + m),
            "urn": urn,
            "sensetting": np.where(urn == "", _NO_SETTING, ""),
            "unit": False,
            "rp": False,
            "entry": pd.to_datetime(start),
            "leaving": cease,
        }
    )
    return persons, places


def _date(values: pd.Series) -> pd.Series:
    """Dates as the Blade export writes them: `2022-Sep-28 00:00:00`, "" when none."""
    text = values.dt.strftime("%Y-%b-%d 00:00:00")
    return text.where(values.notna(), "")


def _bool(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "True", "False")


def return_tables(history: History, year: int, lea: str = "999") -> dict[str, pd.DataFrame]:
    """The module tables of return `year` (census dates of `year` - 1 and `year`): persons with
    a plan in force in that time; dates after `year`'s census are not yet known, so blank."""
    census = pd.Timestamp(census_date(year))
    window = pd.Timestamp(year - 1, 1, 1)
    people = history.persons
    seen = (people["start"] <= census) & (people["cease"].isna() | (people["cease"] >= window))
    people = people[seen]
    known_cease = people["cease"].where(people["cease"] <= census)
    place = history.placements
    place = place[
        place["person"].isin(people.index)
        & (place["entry"] <= census)
        & (place["leaving"].isna() | (place["leaving"] >= window))
    ]
    place = place.assign(leaving=place["leaving"].where(place["leaving"] <= census))
    n = len(people)
    ids = np.arange(1, n + 1)
    person_id = pd.Series(ids, index=people.index)
    academic = pd.Timestamp(census.year, 2, 15)
    transfer = people["transfer_now"] if year == history.year else people["transfer_before"]
    tables = {
        "sen2": pd.DataFrame(
            {
                "collection": ["SEN2"],
                "year": [str(year)],
                "referencedate": _date(pd.Series([census])),
                "sourcelevel": ["L"],
                "lea": [lea],
                "softwarecode": ["SYNTH"],
                "release": ["1"],
                "serialno": ["1"],
                "datetime": [f"{year}-Mar-07 09:30:00"],
                "dmo": [""],
                "dco": [""],
                "dsco": [""],
            }
        ),
        "person": pd.DataFrame(
            {
                "sen2tableid": "1",
                "surname": people["surname"],
                "forename": people["forename"],
                "personbirthdate": _date(people["birth"]),
                "sex": people["sex"],
                "ethnicity": "NOBT",
                "postcode": people["postcode"],
                "upn": people["upn"],
                "uniquelearnernumber": "",
                "upnunknown": "",
            }
        ),
        "requests": pd.DataFrame(
            {
                "persontableid": ids,
                "receiveddate": _date(people["start"] - pd.Timedelta(days=140)),
                "requestsource": "1",
                "rya": "False",
                "requestoutcomedate": _date(people["start"] - pd.Timedelta(days=100)),
                "requestoutcome": "A",
                "requestmediation": "False",
                "requesttribunal": "False",
                "exported": "",
            }
        ),
        "assessment": pd.DataFrame(
            {
                "requeststableid": ids,
                "assessmentoutcome": "A",
                "assessmentoutcomedate": _date(people["start"] - pd.Timedelta(days=14)),
                **{
                    c: "False"
                    for c in (
                        "assessmentmediation",
                        "assessmenttribunal",
                        "othermediation",
                        "othertribunal",
                        "week20",
                    )
                },
            }
        ),
        "namedplan": pd.DataFrame(
            {
                "assessmenttableid": ids,
                "startdate": _date(people["start"]),
                "planres": "",
                "planwbp": "",
                "pb": "False",
                "oa": "False",
                "dp": "",
                "ceasedate": _date(known_cease),
                "ceasereason": np.where(known_cease.notna(), people["ceasereason"].astype(str), ""),
            }
        ),
        "activeplans": pd.DataFrame(
            {
                "requeststableid": ids,
                "transferla": "",
                "reviewmeeting": _date(people["start"] + pd.Timedelta(days=300)),
                "reviewoutcome": "M",
                "reviewdraft": "",
                "phasetransferduedate": np.where(
                    transfer, _date(pd.Series([academic])).iloc[0], ""
                ),
                "phasetransferfinaldate": np.where(
                    transfer, _date(pd.Series([academic])).iloc[0], ""
                ),
                "lastreview": _date(people["start"] + pd.Timedelta(days=310)),
            }
        ),
    }
    latest = place.drop_duplicates("person", keep="last").set_index("person")
    tables["plandetail"] = pd.DataFrame(
        {
            "namedplantableid": ids,
            "urn": people.index.map(latest["urn"]),
            "ukprn": "",
            "sensetting": people.index.map(latest["sensetting"]),
            "sensettingother": "",
            "placementrank": "1",
            "senunitindicator": _bool(people.index.map(latest["unit"])),
            "resourcedprovisionindicator": _bool(people.index.map(latest["rp"])),
        }
    )
    tables["placementdetail"] = pd.DataFrame(
        {
            "activeplanstableid": place["person"].map(person_id).to_numpy(),
            "urn": place["urn"].to_numpy(),
            "ukprn": "",
            "sensetting": place["sensetting"].to_numpy(),
            "sensettingother": "",
            "placementrank": "1",
            "entrydate": _date(place["entry"]).to_numpy(),
            "leavingdate": _date(place["leaving"]).to_numpy(),
            "senunitindicator": _bool(place["unit"]),
            "resourcedprovisionindicator": _bool(place["rp"]),
            "res": "",
            "wbp": "",
        }
    )
    need = pd.concat(
        [
            pd.DataFrame(
                {"activeplanstableid": ids, "sentype": people["primary"], "sentyperank": "1"}
            ),
            pd.DataFrame(
                {"activeplanstableid": ids, "sentype": people["secondary"], "sentyperank": "2"}
            )[people["secondary"].to_numpy() != ""],
        ]
    ).sort_values("activeplanstableid", kind="stable")
    tables["senneed"] = need
    return {name: _with_keys(name, table) for name, table in tables.items()}


def _with_keys(module: str, table: pd.DataFrame) -> pd.DataFrame:
    """The module table with its key, NativeId, order sequence and sourceid columns first."""
    n = len(table)
    offset = 1000 * (list(LAYOUT).index(module) + 1)
    keys = pd.DataFrame(
        {
            f"{module}tableid": np.arange(1, n + 1) if module != "sen2" else [1],
            "NativeId": np.arange(offset + 1, offset + n + 1) * 10,
            f"{module}orderseqcolumn": np.arange(1, n + 1),
            "sourceid": 77,
        }
    )
    body = table.reset_index(drop=True).loc[:, list(LAYOUT[module])]
    return pd.concat([keys, body], axis=1).astype(str)


def write_return(tables: Mapping[str, pd.DataFrame], folder: Path, exported: date) -> list[Path]:
    """Write each module as `Blade-Export_<DD-MM-YYYY>_<module>.csv` in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = exported.strftime("%d-%m-%Y")
    return [
        write_csv(
            folder / f"Blade-Export_{stamp}_{name}.csv", table, index=False, lineterminator="\n"
        )
        for name, table in tables.items()
    ]


def write_synth_returns(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    folder: Path,
    year: int,
    seed: int = 0,
    lea: str = "999",
) -> list[Path]:
    """Write returns `year` - 1 and `year` of LA `lea` (folders named by year) whose census on
    `year`'s census date gives back `children`."""
    history = synth_history(children, settings, year, seed)
    paths: list[Path] = []
    for return_year in (year - 1, year):
        tables = return_tables(history, return_year, lea)
        paths += write_return(tables, folder / str(return_year), date(return_year, 3, 7))
    return paths


#: The return year synthetic returns are written for (census dates 2024-01-18 and 2025-01-16).
SYNTH_YEAR = 2025


def write_synth_sen2(folder: Path, seed: int = 0, year: int = SYNTH_YEAR) -> list[Path]:
    """SEN2 returns (`folder`/sen2/<year>) for the synthetic input set in `folder` (its
    children.csv with postcodes, and gias.csv)."""
    children = pd.read_csv(folder / "children.csv", dtype=str, keep_default_na=False)
    children = children.assign(
        ncy=children["ncy"].astype("int64"), transfer=children["transfer"] == "True"
    )
    settings = read_gias(folder / "gias.csv").settings
    return write_synth_returns(children, settings, folder / "sen2", year, seed)
