"""ONS population by single year of age, read from the files as ONS publishes them.

Two formats: mid-year estimates (MYE2 persons: `Code, Name, Geography, All ages, 0..89, 90+`,
cp1252, quoted thousands; the year is in the file name, e.g. `ONS2020_...`) and sub-national
projections (SNPP: `AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP, 2022, 2023, ...`).
Estimates win over projections for a year both cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.errors import InputError, Problem

_YEAR_IN_NAME = re.compile(r"(19|20)\d\d")


def _age(label: pd.Series) -> pd.Series:
    return pd.to_numeric(label.astype(str).str.extract(r"^(\d+)", expand=False), errors="coerce")


def _read_mye(path: Path, table: pd.DataFrame, la_code: str) -> pd.DataFrame:
    found = _YEAR_IN_NAME.search(path.name)
    if found is None:
        raise InputError([Problem(str(path), None, "", "no mid-year (e.g. 2020) in the file name")])
    rows = table[table["Code"].astype(str).str.strip() == la_code]
    ages = [c for c in table.columns if re.fullmatch(r"\d+\+?", str(c))]
    long = rows.melt(value_vars=ages, var_name="age", value_name="population")
    long["age"] = _age(long["age"])
    long["year"] = int(found.group(0))
    return long


def _read_snpp(table: pd.DataFrame, la_code: str) -> pd.DataFrame:
    rows = table[
        (table["AREA_CODE"] == la_code)
        & (table["COMPONENT"].str.lower() == "population")
        & (table["SEX"].str.lower().isin(["persons", "all"]))
    ]
    years = [c for c in table.columns if re.fullmatch(r"\d{4}", str(c))]
    long = rows.melt(
        id_vars="AGE_GROUP", value_vars=years, var_name="year", value_name="population"
    )
    long["age"] = _age(long["AGE_GROUP"])
    long["year"] = long["year"].astype(int)
    return long


def read_population(paths: Iterable[Path], la_code: str) -> pd.DataFrame:
    """Persons by year and single age (0..90, 90 = 90 and over) for one area: year, age,
    population; InputError if a file is unreadable or no file has the area."""
    parts, problems = [], []
    for rank, path in enumerate(Path(p) for p in paths):
        try:
            table = pd.read_csv(path, dtype=str, encoding="cp1252", keep_default_na=False)
        except (FileNotFoundError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            problems.append(Problem(str(path), None, "", f"cannot read: {type(exc).__name__}"))
            continue
        table = table.loc[:, ~table.columns.str.startswith("Unnamed")]
        if "Code" in table.columns:
            long, kind = _read_mye(path, table, la_code), 0
        elif "AREA_CODE" in table.columns:
            long, kind = _read_snpp(table, la_code), 1
        else:
            problems.append(Problem(str(path), 1, "", "neither an ONS MYE2 nor an SNPP table"))
            continue
        long["population"] = pd.to_numeric(
            long["population"].astype(str).str.replace(",", "", regex=False), errors="coerce"
        )
        long["priority"] = kind * 1000 + rank
        parts.append(
            long.dropna(subset=["age", "population"])[["year", "age", "population", "priority"]]
        )
    if problems:
        raise InputError(problems)
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if found.empty:
        raise InputError(
            [Problem(", ".join(map(str, paths)), None, "Code", f"no rows for {la_code}")]
        )
    best = found.sort_values("priority").drop_duplicates(["year", "age"], keep="first")
    best = best.astype({"age": int, "year": int})
    return best.drop(columns="priority").sort_values(["year", "age"]).reset_index(drop=True)


def population_by_age(
    population: pd.DataFrame, years: Iterable[int], ages: Iterable[int]
) -> npt.NDArray[np.float64]:
    """Years x ages matrix; years outside the data take the nearest year the data have."""
    wide = population.pivot(index="year", columns="age", values="population")
    wide = wide.reindex(columns=list(ages))
    known = wide.index.to_numpy()
    nearest = [known[np.abs(known - y).argmin()] for y in years]
    rates: npt.NDArray[np.float64] = wide.loc[nearest].to_numpy(dtype=float)
    return rates
