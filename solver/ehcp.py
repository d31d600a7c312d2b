"""Readers for DfE's "Education, health and care plans" (SEN2) releases, as published.

Two collections are read: the aggregate returns (2022 release: `sen2_age_caseload.csv`,
`sen2_age_new_plans.csv`, calendar years 2010-2022) and the person-level returns that replaced
them in 2023 (2025 release: `caseload.csv`, `newplans.csv`, `ceased_plans.csv`,
`sen_need_newplans.csv`, January 2019-2025). Counts are January caseloads, keyed by the
calendar year of the January; new and ceased plans by the calendar year they happened in.

Splice at the 2023 break: DfE republished 2019-2022 on the new basis, and the two releases agree
exactly for every LA in those years, so the person-level release is used wherever it has a year
and the aggregate release only before 2019. A source is a folder of release zips (read with
`zipfile`, unmodified) and/or their unpacked CSVs, or a single zip or CSV.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from solver.needs import Need
from solver.problems import InputError, Problem

#: DfE's symbols for cells with no number: suppressed (c), not available (x), not applicable (z),
#: and the rarer low (< 0.5), unreliable (u) and blank.
SUPPRESSED = frozenset({"c", "x", "z", "low", "u", ":", "..", ""})

#: Need columns of the person-level need tables, to the need they count.
NEED_COLUMNS = {
    "number_asd": Need.ASD,
    "number_hi": Need.HI,
    "number_mld": Need.MLD,
    "number_msi": Need.MSI,
    "number_oth": Need.OTH,
    "number_pd": Need.PD,
    "number_pmld": Need.PMLD,
    "number_semh": Need.SEMH,
    "number_slcn": Need.SLCN,
    "number_sld": Need.SLD,
    "number_spld": Need.SPLD,
    "number_vi": Need.VI,
    "number_need_unknown": Need.UNKNOWN,
}

_KEY = ["la_code", "year"]


def parse_counts(values: pd.Series) -> pd.Series:
    """Counts from DfE cells: numbers (thousands separators allowed) or NA for c, x, z, low..."""
    text = values.astype("string").str.strip().str.replace(",", "", regex=False)
    suppressed = text.str.lower().isin(SUPPRESSED) | text.isna()
    numbers = pd.to_numeric(text.where(~suppressed), errors="coerce")
    bad = numbers.isna() & ~suppressed
    if bad.any():
        raise ValueError(f"{int(bad.sum())} cell(s) are neither numbers nor DfE symbols")
    return numbers.astype("Float64")


def _sources(source: Path) -> Iterator[tuple[str, zipfile.ZipFile | None, Path | str]]:
    """Every CSV in `source`: (its name, the zip holding it or None, its path or member)."""
    source = Path(source)
    if not source.exists():
        raise InputError([Problem(str(source), None, "", "file or folder not found")])
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in files:
        if path.suffix.lower() == ".zip":
            archive = zipfile.ZipFile(path)
            for member in archive.namelist():
                if member.lower().endswith(".csv"):
                    yield Path(member).name, archive, member
        elif path.suffix.lower() == ".csv":
            yield path.name, None, path


@functools.lru_cache(maxsize=32)
def read_table(source: Path, name: str) -> pd.DataFrame | None:
    """The LA-level rows of DfE table `name` (e.g. "caseload.csv") found in `source`, or None.

    Every column is read as text; `la_code` is the 9-character new LA code. Cached per run
    (calibration reads some tables several times); callers must not modify the result.
    """
    for found, archive, where in _sources(source):
        if found != name:
            continue
        handle = archive.open(str(where)) if archive else open(where, "rb")  # noqa: SIM115
        with handle:
            table = pd.read_csv(handle, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        if "geographic_level" not in table or "new_la_code" not in table:
            raise InputError(
                [Problem(f"{source}:{name}", 1, "new_la_code", "not a DfE SEN2 LA-level table")]
            )
        table = table[table["geographic_level"] == "Local authority"]
        return table.rename(columns={"new_la_code": "la_code"}).reset_index(drop=True)
    return None


def _year(time_period: pd.Series) -> pd.Series:
    """January year: "201819" (academic year) is January 2019; "2022" (calendar) stays."""
    text = time_period.astype(str)
    academic = text.str.len() == 6
    return np.where(academic, text.str[:4].astype(int) + 1, text.astype(int))


def caseload_totals(source: Path) -> pd.DataFrame:
    """EHCPs (and statements before 2014) in January by LA and year: la_code, la_name, year,
    ehcps; person-level figures from 2019, aggregate ones before (see the module note)."""
    return _la_totals(
        source,
        "ehcps",
        old=("sen2_age_caseload.csv", "Total_all"),
        new=("caseload.csv", "All EHC plans", "ehcplans"),
    )


def new_plan_totals(source: Path) -> pd.DataFrame:
    """New EHCPs made in each calendar year by LA: la_code, la_name, year, new_plans."""
    return _la_totals(
        source,
        "new_plans",
        old=("sen2_age_new_plans.csv", "Total_new_all"),
        new=("newplans.csv", "New EHC plans", "new_ehc_plans"),
    )


def _la_totals(
    source: Path, measure: str, *, old: tuple[str, str], new: tuple[str, str, str]
) -> pd.DataFrame:
    """One LA-total series spliced from the old release's `(file, column)` (age "Total" rows)
    and the new release's `(file, breakdown topic, column)`."""
    parts = []
    old_file, old_column = old
    table = read_table(source, old_file)
    if table is not None:
        parts.append(_totals(table[table["characteristic_age"] == "Total"], old_column, measure, 0))
    new_file, topic, new_column = new
    table = read_table(source, new_file)
    if table is not None:
        parts.append(_totals(table[table["breakdown_topic"] == topic], new_column, measure, 1))
    return _splice(parts, source, f"{old_file} or {new_file}")


def _totals(rows: pd.DataFrame, column: str, measure: str, release: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": rows["la_code"],
            "la_name": rows["la_name"],
            "year": _year(rows["time_period"]),
            measure: parse_counts(rows[column]),
            "release": release,
        }
    )


def _splice(parts: list[pd.DataFrame], source: Path, wanted: str) -> pd.DataFrame:
    """One row per LA and year, the later release winning where both have the year."""
    if not parts:
        raise InputError([Problem(str(source), None, "", f"no {wanted} found")])
    both = pd.concat(parts, ignore_index=True).sort_values([*_KEY, "release"])
    spliced = both.drop_duplicates(_KEY, keep="last").drop(columns="release")
    return spliced.sort_values(_KEY).reset_index(drop=True)


_AGE = re.compile(r"(\d+)")


def _age_of(breakdown: pd.Series) -> pd.Series:
    """Single year of age from "age 7", "age 2 and under" (2), "under 3" (2), "age 20 and over"."""
    text = breakdown.astype(str).str.lower()
    number = pd.to_numeric(text.str.extract(_AGE, expand=False), errors="coerce")
    return number.where(~text.str.startswith("under"), number - 1).astype("Int64")


def by_age(source: Path, name: str, topic: str, count: str, la_code: str) -> pd.DataFrame:
    """One LA's rows of person-level table `name` broken down by single year of age:
    year, age and the table's other columns parsed as counts (`count` renamed to "count")."""
    table = read_table(source, name)
    if table is None:
        raise InputError([Problem(str(source), None, "", f"no {name} found")])
    rows = table[(table["la_code"] == la_code) & (table["breakdown_topic"] == topic)]
    numeric = [c for c in rows.columns if c == count or c.startswith(("number_", "mainstream_"))]
    numeric += [c for c in _PLACEMENT_COLUMNS if c in rows.columns and c not in numeric]
    out = pd.DataFrame({"year": _year(rows["time_period"]), "age": _age_of(rows["breakdown"])})
    for column in numeric:
        out[column] = parse_counts(rows[column]).to_numpy()
    out = out.rename(columns={count: "count"}).dropna(subset=["age"])
    return out.reset_index(drop=True)


#: Placement columns of `caseload.csv` and `newplans.csv` that name one kind of placement.
_PLACEMENT_COLUMNS = (
    "special_la_maintained",
    "special_academy_free",
    "special_independent",
    "special_non_maintained",
    "ap_pru_total",
    "general_fe_tertiary_colleges",
    "specialist_post_16_institutions",
)


def gias_la_code(source: Path, la_code: str) -> str | None:
    """The LA's old three-digit code (GIAS `LA (code)`, e.g. "857") from `caseload.csv`."""
    table = read_table(source, "caseload.csv")
    if table is None or "old_la_code" not in table:
        return None
    codes = table.loc[table["la_code"] == la_code, "old_la_code"].unique()
    return str(codes[0]) if len(codes) else None
