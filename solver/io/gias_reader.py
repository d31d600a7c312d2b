"""Reading the GIAS "all establishment data" download into the settings table.

Open establishments of the types RightPlace models are kept; closed ones, other types (nurseries,
higher education, children's centres, ...) and ones without a grid reference or statutory age range
are skipped and counted, not errors. Resourced provision (RP) and SEN unit capacities are kept
aside so that default places can be derived from them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from solver.domain.model import GIAS_TYPE_CODES, ID_RULE, SETTING_COLUMNS, Gender, SettingType
from solver.domain.needs import Need, ncy_range_of_ages
from solver.errors import Problem
from solver.io.csvfile import (
    outside_gb,
    parse_float,
    parse_int,
    parse_needs,
    problems_where,
    raise_if_any,
    read_columns,
    unsafe_ids,
)
from solver.io.gias import RP_COLUMNS, SEN_COLUMNS

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

#: Columns a settings file must have; the others (SEN, RP, Ofsted, ...) may be absent.
REQUIRED_GIAS_COLUMNS: tuple[str, ...] = (
    "URN",
    "EstablishmentName",
    "LA (code)",
    "TypeOfEstablishment (code)",
    "EstablishmentStatus (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "SchoolCapacity",
    "NumberOfPupils",
    "Easting",
    "Northing",
)

#: Other columns read when present (SEN and RP columns too); blank when absent.
OPTIONAL_GIAS_COLUMNS: tuple[str, ...] = (
    "Gender (name)",
    "Postcode",
    "TypeOfResourcedProvision (name)",
    "OfstedRating (name)",
    "Section41Approved (name)",
)

#: `EstablishmentStatus (name)` values of establishments that can take a child.
OPEN_STATUSES: frozenset[str] = frozenset({"Open", "Open, but proposed to close"})

#: GIAS columns holding RP and SEN unit figures, by the name RightPlace gives them.
_RP_FIELDS: Mapping[str, str] = MappingProxyType(
    dict(
        zip(
            RP_COLUMNS,
            (
                "ResourcedProvisionCapacity",
                "ResourcedProvisionOnRoll",
                "SenUnitCapacity",
                "SenUnitOnRoll",
            ),
            strict=True,
        )
    )
)

#: Every column read from a GIAS download (the rest are never parsed, nor kept from an upload).
GIAS_COLUMNS: tuple[str, ...] = (
    *REQUIRED_GIAS_COLUMNS,
    *SEN_COLUMNS,
    *_RP_FIELDS.values(),
    *OPTIONAL_GIAS_COLUMNS,
)

#: `TypeOfResourcedProvision (name)` (lower case) to the settings table's `provision` value.
_PROVISION: Mapping[str, str] = MappingProxyType(
    {
        "": "",
        "resourced provision": "resourced provision",
        "sen unit": "SEN unit",
        "resourced provision and sen unit": "resourced provision and SEN unit",
    }
)

_GENDER: Mapping[str, str] = MappingProxyType(
    {"": Gender.MIXED.value, "mixed": Gender.MIXED.value} | {g.value: g.value for g in Gender}
)


@dataclass(frozen=True)
class GiasRead:
    """What a GIAS download yields: settings, their RP/unit figures, and what was skipped."""

    settings: pd.DataFrame  # SETTING_COLUMNS
    provision: pd.DataFrame  # urn + RP_COLUMNS (Int64, NA when blank), one row per setting
    skipped: Mapping[str, int]  # establishments left out, by reason


def load_gias(path: Path) -> pd.DataFrame:
    """The settings (SETTING_COLUMNS) in a GIAS download; InputError lists every problem."""
    return read_gias(path).settings


def read_gias(path: Path) -> GiasRead:
    """Read a GIAS download (cp1252 as published, or re-saved as UTF-8 or UTF-16; quoted
    codes, "Not applicable" = none) in full."""
    path = Path(path)
    optional = [*SEN_COLUMNS, *_RP_FIELDS.values(), *OPTIONAL_GIAS_COLUMNS]
    raw = read_columns(path, REQUIRED_GIAS_COLUMNS, optional, fallback_encoding="cp1252")
    raw = raw.replace("Not applicable", "")

    type_code, bad_type = parse_int(raw["TypeOfEstablishment (code)"])
    problems = problems_where(
        path,
        bad_type,
        "TypeOfEstablishment (code)",
        "type code is not a number",
        raw["TypeOfEstablishment (code)"],
    )
    is_open = raw["EstablishmentStatus (name)"].isin(OPEN_STATUSES)
    modelled = type_code.isin(list(GIAS_TYPE_CODES)).fillna(False).astype(bool)
    duplicate = raw["URN"].duplicated(keep=False) & (raw["URN"] != "")
    problems += problems_where(path, duplicate, "URN", "duplicate URN", raw["URN"])
    problems += problems_where(path, raw["URN"] == "", "URN", "URN is blank")
    problems += problems_where(path, unsafe_ids(raw["URN"]), "URN", f"URN {ID_RULE}:", raw["URN"])

    frame = raw[is_open & modelled]
    codes = type_code[is_open & modelled]
    easting, bad_e = parse_float(frame["Easting"])
    northing, bad_n = parse_float(frame["Northing"])
    problems += problems_where(path, bad_e, "Easting", "not a number", frame["Easting"])
    problems += problems_where(path, bad_n, "Northing", "not a number", frame["Northing"])
    problems += problems_where(
        path, outside_gb(easting, northing), "Easting", "grid reference outside Great Britain"
    )
    located = easting.notna() & northing.notna() & (easting > 0) & (northing > 0)
    aged = (frame["StatutoryLowAge"] != "") & (frame["StatutoryHighAge"] != "")
    skipped = {
        "closed": int((~is_open).sum()),
        "other type": int((is_open & ~modelled).sum()),
        "no location": int((~located).sum()),
        "no age range": int((located & ~aged).sum()),
    }
    frame, codes = frame[located & aged], codes[located & aged]
    easting, northing = easting[located & aged], northing[located & aged]

    numbers: dict[str, pd.Series] = {}
    for ours, theirs in {"low_age": "StatutoryLowAge", "high_age": "StatutoryHighAge"}.items():
        numbers[ours], bad = parse_int(frame[theirs])
        problems += problems_where(path, bad, theirs, "not a whole number", frame[theirs])
    problems += problems_where(
        path,
        numbers["high_age"] < numbers["low_age"],
        "StatutoryHighAge",
        "below StatutoryLowAge",
    )
    counts = {"capacity": "SchoolCapacity", "on_roll": "NumberOfPupils", **_RP_FIELDS}
    for ours, theirs in counts.items():
        numbers[ours], bad = parse_int(frame[theirs])
        problems += problems_where(path, bad, theirs, "not a whole number", frame[theirs])
        problems += problems_where(path, numbers[ours] < 0, theirs, "negative number")

    needs, need_problems = _designated_needs(path, frame)
    provision = frame["TypeOfResourcedProvision (name)"].str.lower().map(_PROVISION)
    problems += problems_where(
        path,
        provision.isna(),
        "TypeOfResourcedProvision (name)",
        "unknown provision type",
        frame["TypeOfResourcedProvision (name)"],
    )
    gender = frame["Gender (name)"].str.lower().map(_GENDER)
    problems += problems_where(
        path, gender.isna(), "Gender (name)", "unknown gender", frame["Gender (name)"]
    )
    problems += need_problems
    if frame.empty:
        problems.append(Problem(str(path), None, "", "no open settings of the types modelled"))
    raise_if_any(problems)

    setting_type = codes.map(lambda c: GIAS_TYPE_CODES[int(c)].value).astype(str)
    rp = (setting_type == SettingType.MAINSTREAM.value) & (provision != "")
    setting_type = setting_type.where(~rp, SettingType.MAINSTREAM_RP.value)
    low, high = numbers["low_age"].astype(int), numbers["high_age"].astype(int)
    ncy_low, ncy_high = ncy_range_of_ages(low, high)
    settings = pd.DataFrame(
        {
            "urn": frame["URN"],
            "name": frame["EstablishmentName"],
            "setting_type": setting_type,
            "la_code": frame["LA (code)"],
            "low_age": low,
            "high_age": high,
            "ncy_low": ncy_low,
            "ncy_high": ncy_high,
            "gender": gender,
            "easting": easting,
            "northing": northing,
            "postcode": frame["Postcode"],
            "designated_needs": needs,
            "provision": provision,
            "capacity": numbers["capacity"],
            "on_roll": numbers["on_roll"],
            "ofsted": frame["OfstedRating (name)"],
            "section41": frame["Section41Approved (name)"].str.lower() == "approved",
        },
        columns=list(SETTING_COLUMNS),
    ).reset_index(drop=True)
    provision_table = pd.DataFrame(
        {"urn": frame["URN"], **{c: numbers[c] for c in RP_COLUMNS}}
    ).reset_index(drop=True)
    logger.info("read %d settings from %s; skipped %s", len(settings), path.name, skipped)
    return GiasRead(settings, provision_table, MappingProxyType(skipped))


def _designated_needs(path: Path, frame: pd.DataFrame) -> tuple[pd.Series, list[Problem]]:
    """Sorted tuples of the need codes in SEN1..SEN13, and a problem per unknown spelling."""
    problems: list[Problem] = []
    codes = []
    for column in SEN_COLUMNS:
        code, unknown = parse_needs(frame[column])
        codes.append(code.to_numpy(dtype=object))
        for spelling in pd.unique(frame[column][unknown]):
            problems += problems_where(
                path, frame[column] == spelling, column, f"unknown need code {spelling!r}"
            )
    table = np.column_stack(codes) if codes else np.empty((len(frame), 0), dtype=object)
    needs = sorted(n.value for n in Need)
    has = np.column_stack([(table == need).any(axis=1) for need in needs])
    # rows share few distinct designations: build each distinct tuple once
    patterns, which = np.unique(has, axis=0, return_inverse=True)
    tuples = np.empty(len(patterns), dtype=object)
    tuples[:] = [tuple(n for n, on in zip(needs, row, strict=True) if on) for row in patterns]
    return pd.Series(tuples[which.ravel()], index=frame.index, dtype=object), problems
