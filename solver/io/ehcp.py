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

import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.domain.groups import SETTING_GROUPS
from solver.domain.needs import Need
from solver.errors import InputError, Problem

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


#: Columns every LA-level DfE table has.
_ID_COLUMNS = ("time_period", "geographic_level", "new_la_code", "la_name")


@functools.lru_cache(maxsize=32)
def read_table(source: Path, name: str) -> pd.DataFrame | None:
    """The LA-level rows of DfE table `name` (e.g. "caseload.csv") found in `source`, or None.

    Every column is read as text; `la_code` is the 9-character new LA code. When several
    releases hold the table, each year comes from the latest release that has it. Cached per
    run (calibration reads some tables several times); callers must not modify the result.
    """
    found = []
    for member, archive, where in _sources(source):
        if member != name:
            continue
        handle = archive.open(str(where)) if archive else open(where, "rb")  # noqa: SIM115
        label = f"{source}:{where}" if archive else str(where)
        with handle:
            raw = handle.read()
        try:
            table = pd.read_csv(
                io.BytesIO(raw), dtype=str, encoding="utf-8-sig", keep_default_na=False
            )
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(
                [Problem(label, None, "", f"not a readable CSV ({type(exc).__name__})")]
            ) from None
        _check_last_row(raw, table, label)
        missing = [c for c in _ID_COLUMNS if c not in table]
        if missing:
            raise InputError(
                [
                    Problem(label, 1, c, "required column is missing (not a DfE SEN2 LA table)")
                    for c in missing
                ]
            )
        years = pd.Series(_year_or_none(table["time_period"]), index=table.index)
        bad = years.isna()
        if bad.any():
            row = int(table.index[bad.to_numpy()][0]) + 2
            value = table.loc[bad, "time_period"].iloc[0]
            raise InputError([Problem(label, row, "time_period", f"not a year: {value!r}")])
        if table.empty:
            raise InputError([Problem(label, None, "", "no data rows")])
        table = table.assign(_file=label, _year=years.astype(int), _release=int(years.max()))
        local = table[table["geographic_level"] == "Local authority"]
        found.append(local.rename(columns={"new_la_code": "la_code"}))
    if not found:
        return None
    tables = pd.concat(found, ignore_index=True)
    latest = tables.groupby("_year")["_release"].transform("max")
    tables = tables[tables["_release"] == latest]
    return tables.drop(columns=["_year", "_release"]).reset_index(drop=True)


def _check_last_row(raw: bytes, table: pd.DataFrame, label: str) -> None:
    """InputError if the file's last line has fewer cells than its header (a cut-off file)."""
    last = raw.rstrip(b"\r\n").rsplit(b"\n", 1)[-1].decode("utf-8-sig", errors="replace")
    cells = next(csv.reader([last]), [])
    if table.shape[0] and len(cells) < table.shape[1]:
        column = str(table.columns[len(cells)])
        raise InputError(
            [
                Problem(
                    label,
                    table.shape[0] + 1,
                    column,
                    f"the row ends after {len(cells)} of {table.shape[1]} columns (file cut off?)",
                )
            ]
        )


def _year_or_none(time_period: pd.Series) -> npt.NDArray[np.float64]:
    """January years of `time_period` cells (see `_year`), NaN where a cell is not a period."""
    text = time_period.astype(str).str.strip()
    ok = text.str.fullmatch(r"\d{4}|\d{6}")
    return np.where(ok, _year(text.where(ok, "0")), np.nan)


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
        _require(table, ["characteristic_age", old_column])
        rows = table[table["characteristic_age"] == "Total"]
        parts.append(_totals(rows, {measure: counts(rows, old_column)}, 0))
    new_file, topic, new_column = new
    table = read_table(source, new_file)
    if table is not None:
        _require(table, ["breakdown_topic", new_column])
        rows = table[table["breakdown_topic"] == topic]
        parts.append(_totals(rows, {measure: counts(rows, new_column)}, 1))
    return _splice(parts, source, f"{old_file} or {new_file}")


def _require(table: pd.DataFrame, columns: Iterable[str]) -> None:
    """InputError naming each of `columns` missing from a `read_table` table."""
    missing = [c for c in columns if c not in table]
    if missing:
        label = str(table["_file"].iloc[0]) if len(table) else "table"
        raise InputError([Problem(label, 1, c, "required column is missing") for c in missing])


def counts(rows: pd.DataFrame, column: str) -> pd.Series:
    """`column` of `read_table` rows parsed by `parse_counts`; a cell that is neither a number
    nor a DfE symbol is a problem naming its file, line and value."""
    try:
        return parse_counts(rows[column])
    except ValueError:
        parsed = rows[column].astype("string").str.strip().str.replace(",", "", regex=False)
        bad = pd.to_numeric(parsed, errors="coerce").isna() & ~(
            parsed.str.lower().isin(SUPPRESSED) | parsed.isna()
        )
        first = bad.to_numpy().argmax()
        line = int(rows.index[first]) + 2
        value = rows[column].iloc[first]
        raise InputError(
            [Problem(str(rows["_file"].iloc[first]), line, column, f"not a count: {value!r}")]
        ) from None


def _totals(rows: pd.DataFrame, measures: Mapping[str, pd.Series], release: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": rows["la_code"],
            "la_name": rows["la_name"],
            "year": _year(rows["time_period"]),
            **measures,
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


#: The sum of an LA forecast's setting groups (SETTING_GROUPS).
ALL = "all"

#: `caseload.csv` placement columns counted in each group but `other` (the rest of the plans:
#: AP/PRU, home education, other arrangements, NEET, early years, not recorded).
GROUP_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "mainstream": tuple(
        f"mainstream_{kind}{unit}"
        for kind in ("la_maintained", "academy", "free_school")
        for unit in ("", "_resourced_provision", "_senunit")
    )
    + ("mainstream_independent",),
    "state_special": ("special_la_maintained", "special_academy_free"),
    "independent_special": ("special_independent", "special_non_maintained"),
    "post16": ("general_fe_tertiary_colleges", "specialist_post_16_institutions", "ukrlp_provider"),
}

#: `sen2_estab_caseload.csv` (2022 release) rows counted in each group, as
#: (establishment_type, establishment_group); the type "Total" is the whole group.
OLD_GROUP_ROWS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "mainstream": (("Total", "Mainstream school"),),
    "state_special": tuple(
        (f"Special - {kind}", "Special school")
        for kind in ("LA maintained", "Academy/free", "Academy", "Free school")
    ),
    "independent_special": (
        ("Special - Non-maintained", "Special school"),
        ("Special - Independent", "Special school"),
    ),
    "post16": (("Total", "Further education"),),
}


def caseload_groups(source: Path) -> pd.DataFrame:
    """January EHCPs by LA, year and setting group: la_code, la_name, year, plus one column per
    SETTING_GROUPS and ALL (NA where the total is unknown); person-level release from 2019."""
    parts = []
    old = read_table(source, "sen2_estab_caseload.csv")
    if old is not None:
        parts.append(_old_groups(old))
    new = read_table(source, "caseload.csv")
    if new is not None:
        _require(new, ["breakdown_topic", "ehcplans"])
        rows = new[new["breakdown_topic"] == "All EHC plans"]
        known = [c for cols in GROUP_COLUMNS.values() for c in cols if c in rows]
        parsed = {c: counts(rows, c).fillna(0.0) for c in known}
        measures = {
            group: sum((parsed[c] for c in cols if c in parsed), pd.Series(0.0, index=rows.index))
            for group, cols in GROUP_COLUMNS.items()
        }
        if not known:  # no placement columns: the total only
            measures = {g: pd.Series(np.nan, index=rows.index) for g in GROUP_COLUMNS}
        parts.append(_totals(rows, _with_other(counts(rows, "ehcplans"), measures), 1))
    return _splice(parts, source, "sen2_estab_caseload.csv or caseload.csv")


def caseload_history(source: Path) -> pd.DataFrame:
    """`caseload_groups`, plus LA-years only the age tables have (`caseload_totals`: the
    2022 release's `sen2_age_caseload.csv`) with their total in ALL and the groups NA."""
    have = {name: read_table(source, name) is not None for name in _CASELOAD_TABLES}
    if not (have["sen2_estab_caseload.csv"] or have["caseload.csv"]):
        if not have["sen2_age_caseload.csv"]:
            caseload_groups(source)  # raises: no caseload table at all
        totals = caseload_totals(source).rename(columns={"ehcps": ALL})
        return totals.assign(**dict.fromkeys(SETTING_GROUPS, np.nan))
    groups = caseload_groups(source)
    if not have["sen2_age_caseload.csv"]:
        return groups
    totals = caseload_totals(source).rename(columns={"ehcps": ALL})
    known = pd.MultiIndex.from_frame(groups[_KEY])
    extra = totals[~pd.MultiIndex.from_frame(totals[_KEY]).isin(known)]
    both = pd.concat([groups, extra.assign(**dict.fromkeys(SETTING_GROUPS, np.nan))])
    return both.sort_values(_KEY).reset_index(drop=True)


_CASELOAD_TABLES = ("sen2_estab_caseload.csv", "caseload.csv", "sen2_age_caseload.csv")


def _old_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Group columns from the 2022 release's establishment table (see OLD_GROUP_ROWS)."""
    _require(table, ["establishment_type", "establishment_group", "Total_all"])
    table = table.assign(_count=counts(table, "Total_all"))
    keyed = table.set_index(["la_code", "time_period", "establishment_type", "establishment_group"])
    totals = table[
        (table["establishment_type"] == "Total") & (table["establishment_group"] == "Total")
    ]
    index = pd.MultiIndex.from_frame(totals[["la_code", "time_period"]])
    measures = {}
    for group, keys in OLD_GROUP_ROWS.items():
        found = pd.Series(0.0, index=index)
        for establishment in keys:
            rows = keyed.xs(establishment, level=[2, 3], drop_level=True)["_count"]
            rows = rows[~rows.index.duplicated()]
            found = found + rows.reindex(index).fillna(0.0).astype(float)
        measures[group] = pd.Series(found.to_numpy(), index=totals.index)
    return _totals(totals, _with_other(totals["_count"], measures), 0)


def _with_other(total: pd.Series, groups: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """Groups, `other` (the rest of the total, at least 0) and ALL; NA where the total is."""
    total = total.astype(float)
    named = dict(groups)
    named["other"] = (total - sum(named.values())).clip(lower=0.0)
    out = {g: named[g].astype(float).where(total.notna()) for g in SETTING_GROUPS}
    out[ALL] = total
    return out


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


#: Codes DfE has used for one LA whose area did not change (recoded, and sometimes back).
ALIASES: tuple[tuple[str, str], ...] = (
    ("E10000002", "E06000060"),  # Buckinghamshire, unitary from April 2020
    ("E06000048", "E06000057"),  # Northumberland
    ("E08000020", "E08000037"),  # Gateshead
    ("E10000023", "E06000065"),  # North Yorkshire, unitary from April 2023
    ("E10000027", "E06000066"),  # Somerset, unitary from April 2023
)


@dataclass(frozen=True)
class Split:
    """An LA divided between `successors`; `whole` names LAs a successor took in full."""

    predecessor: str
    successors: tuple[str, ...]
    whole: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


#: Reorganisations since the series began (2010) that divided an LA.
SPLITS: tuple[Split, ...] = (
    # April 2019: Bournemouth, Christchurch and Poole; the rest of Dorset county is Dorset.
    Split("E10000009", ("E06000058", "E06000059"), {"E06000058": ("E06000028", "E06000029")}),
    Split("E10000021", ("E06000061", "E06000062")),  # April 2021: North, West Northamptonshire
    Split("E10000006", ("E06000063", "E06000064")),  # April 2023: Cumberland, Westmorland
)


def on_current_las(table: pd.DataFrame, values: Sequence[str]) -> pd.DataFrame:
    """`table` (la_code, la_name, year, `values`) for the LAs of its latest year only, each
    with its predecessors' history in the years before it existed (ALIASES, SPLITS).

    A divided LA's history is shared so that every part grows alike across the split: shares
    from the successors' first year and the predecessor's last (geography, not demand, so
    taken from whatever year the successors first appear in).
    """
    latest = table[table["year"] == table["year"].max()]
    names = dict(zip(latest["la_code"], latest["la_name"], strict=False))
    wide = table.set_index(["la_code", "year"])[list(values)].astype(float)
    wide = wide[~wide.index.duplicated(keep="last")]
    codes = set(wide.index.get_level_values(0))
    found = [wide]
    for pair in ALIASES:
        for new, old in (pair, pair[::-1]):
            if new in names and old in codes:
                found.append(_relabel(wide.loc[[old]], new))
    for split in SPLITS:
        if all(s in names for s in split.successors) and split.predecessor in codes:
            found.extend(_split_history(wide, split))
    merged = pd.concat(found)
    merged = merged[merged.index.get_level_values(0).isin(names)]
    merged = merged[~merged.index.duplicated(keep="first")].reset_index()
    merged.insert(1, "la_name", merged["la_code"].map(names))
    return merged.sort_values(_KEY).reset_index(drop=True)


def _relabel(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    """`rows` indexed by year alone or (la_code, year), re-indexed (code, year)."""
    years = rows.index.get_level_values(-1)
    index = pd.MultiIndex.from_arrays([[code] * len(rows), years], names=_KEY)
    return rows.set_axis(index, axis=0)


def _split_history(wide: pd.DataFrame, split: Split) -> list[pd.DataFrame]:
    """Each successor's rows for the years before its first, from the predecessor's."""
    series = {code: wide.loc[code] for code in wide.index.get_level_values(0).unique()}
    before = series[split.predecessor].dropna(how="all")
    firsts = [series[s].dropna(how="all").index.min() for s in split.successors if s in series]
    if len(firsts) < len(split.successors) or before.empty:
        return []
    first = max(firsts)
    last = before.index[before.index < first].max()
    if pd.isna(last):
        return []

    def whole(code: str, year: int) -> pd.Series:
        wholes = [series[w] for w in split.whole.get(code, ()) if w in series]
        parts = [w.loc[year].fillna(0.0) for w in wholes if year in w.index]
        return sum(parts, pd.Series(0.0, index=wide.columns))

    after = {s: series[s].loc[first] for s in split.successors}
    growth = sum(after.values()) / (
        before.loc[last] + sum((whole(s, last) for s in split.successors), 0.0)
    )
    raw = {
        s: ((after[s] / growth - whole(s, last)) / before.loc[last]).clip(lower=0.0)
        for s in split.successors
    }
    total = sum(raw.values())
    even = 1.0 / len(split.successors)
    shares = {s: (r / total).where(total > 0, even).fillna(even) for s, r in raw.items()}
    out = []
    for s in split.successors:
        years = [y for y in before.index if y < first]
        rows = pd.DataFrame([before.loc[y] * shares[s] + whole(s, y) for y in years], index=years)
        out.append(_relabel(rows, s))
    return out


@dataclass(frozen=True)
class LaTables:
    """One LA's DfE tables a forecast calibrates on, read once (`read_la_tables`): January
    caseload, needs of all plans, new plans, ceased plans and needs of new plans, each by single
    year of age (`by_age`); its new plans a year; its old GIAS code. `source` is named in
    problems."""

    source: Path
    la_code: str
    caseload: pd.DataFrame
    needs: pd.DataFrame
    joined: pd.DataFrame
    ceased: pd.DataFrame
    joiner_needs: pd.DataFrame
    new_plans: pd.Series
    gias_code: str | None


def read_la_tables(source: Path, la_code: str) -> LaTables:
    """The LA's `LaTables` from a folder of DfE releases; no caseload by age for the LA is a
    problem (a wrong LA code, most likely)."""
    age = "Child or young persons age"
    caseload = by_age(source, "caseload.csv", age, "ehcplans", la_code)
    if caseload.empty:
        message = f"no caseload by age for LA {la_code}: is the LA code right?"
        raise InputError([Problem(f"{source}:caseload.csv", None, "new_la_code", message)])
    needs = by_age(source, "sen_needs_all_plans.csv", age, "ehc_plans", la_code)
    gias_code = gias_la_code(source, la_code)
    joined = by_age(source, "newplans.csv", "Age when plan started", "new_ehc_plans", la_code)
    ceased = by_age(source, "ceased_plans.csv", "Age plan ceased", "total_ceased", la_code)
    joiner_needs = by_age(source, "sen_need_newplans.csv", age, "ehc_plans", la_code)
    totals = new_plan_totals(source)
    new_plans = totals[totals["la_code"] == la_code].set_index("year")["new_plans"].dropna()
    return LaTables(
        source, la_code, caseload, needs, joined, ceased, joiner_needs, new_plans, gias_code
    )


#: The caseload history's columns: each setting group, then ALL.
HISTORY_GROUPS: tuple[str, ...] = (*SETTING_GROUPS, ALL)


def read_caseload_history(source: Path) -> pd.DataFrame:
    """Every LA's January EHCPs (la_code, la_name, year and HISTORY_GROUPS) on today's LAs, from
    a folder of DfE releases; a folder where no LA has a January caseload is a problem."""
    long = caseload_history(source)
    if long.empty or long[ALL].isna().all():
        message = (
            "no LA has a January EHCP caseload (caseload.csv rows of topic 'All EHC plans', or "
            "the 2022 release's totals)"
        )
        raise InputError([Problem(str(source), None, "breakdown_topic", message)])
    return on_current_las(long, HISTORY_GROUPS)
