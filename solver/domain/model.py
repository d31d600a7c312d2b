"""The domain: setting types, settings and children, and the column schemas of their tables.

Loaders return pandas DataFrames with the columns below (one row per setting, per place line or
per child) because every later step works on whole columns; `Child` is the immutable
one-record view used where a single child is explained (the caseworker page, the family page).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import pandas as pd

from solver.domain.needs import Need, Phase, phase_of

#: An id the product writes into file names, pages and cells (a child's, a candidate site's):
#: 1 to 64 letters, digits, `-`, `_` or `.`, the first a letter or digit, so never a path, a
#: spreadsheet formula, Markdown or a command-line option.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: What a problem with an id says (after the column's name).
ID_RULE = "must be 1 to 64 letters, digits, '-', '_' or '.', the first a letter or digit"


class SettingType(StrEnum):
    """Kinds of setting a child can be placed in (see docs/domain.md)."""

    MAINSTREAM = "mainstream"
    MAINSTREAM_RP = "mainstream_rp"  # mainstream with resourced provision and/or an SEN unit
    STATE_SPECIAL = "state_special"
    NON_MAINTAINED_SPECIAL = "non_maintained_special"
    INDEPENDENT_SPECIAL = "independent_special"
    INDEPENDENT_MAINSTREAM = "independent_mainstream"
    ALTERNATIVE_PROVISION = "alternative_provision"
    POST16 = "post16"  # FE college, special post-16 institution, 16-19 academy or free school


#: Every setting type in a fixed order: the integer type codes of the placement's pair arrays.
SETTING_TYPES: tuple[SettingType, ...] = tuple(SettingType)


#: The dearest annual cost (pounds) of a place, or of a year's transport, that inputs may hold:
#: far above any real fee (residential placements run to about 500,000), and low enough that
#: costs in pence stay exact in the flow's 64-bit integers however many children there are.
MAX_ANNUAL_COST = 2_000_000.0

#: GIAS `TypeOfEstablishment (code)` to setting type; mainstream becomes MAINSTREAM_RP when
#: `TypeOfResourcedProvision (name)` names resourced provision or an SEN unit.
GIAS_TYPE_CODES: Mapping[int, SettingType] = MappingProxyType(
    {
        **{c: SettingType.MAINSTREAM for c in (1, 2, 3, 5, 28, 34, 35)},
        **{c: SettingType.STATE_SPECIAL for c in (7, 12, 33, 36, 44)},
        8: SettingType.NON_MAINTAINED_SPECIAL,
        10: SettingType.INDEPENDENT_SPECIAL,
        11: SettingType.INDEPENDENT_MAINSTREAM,
        **{c: SettingType.ALTERNATIVE_PROVISION for c in (14, 38, 42, 43)},
        **{c: SettingType.POST16 for c in (18, 32, 39, 45, 46)},
    }
)


class Gender(StrEnum):
    """Who a setting admits (GIAS `Gender (name)`)."""

    MIXED = "mixed"
    BOYS = "boys"
    GIRLS = "girls"


class Sex(StrEnum):
    """A child's sex as recorded in SEN2."""

    MALE = "M"
    FEMALE = "F"


# Column schemas of the loaders' tables, in order. One place for each concept: the loaders,
# the synthetic generator and the sample all write and read these.
SETTING_COLUMNS: tuple[str, ...] = (
    "urn",  # str, unique
    "name",
    "setting_type",  # SettingType value
    "la_code",  # str, GIAS `LA (code)` e.g. "857"
    "low_age",
    "high_age",  # int, statutory ages
    "ncy_low",
    "ncy_high",  # int, NCYs taught, from the ages
    "gender",  # Gender value
    "easting",
    "northing",  # float, EPSG:27700 metres
    "postcode",
    "designated_needs",  # tuple[str, ...] of Need values, sorted
    "provision",  # "", "resourced provision", "SEN unit", "resourced provision and SEN unit"
    "capacity",  # Int64, SchoolCapacity (total places), may be NA
    "on_roll",  # Int64, NumberOfPupils, may be NA
    "ofsted",  # str, "" when none
    "section41",  # bool
)

PLACE_COLUMNS: tuple[str, ...] = (
    "urn",  # str
    "need",  # Need value, or "" for the whole setting
    "places",  # int >= 0, places commissioned for that need (or in total)
    "vacancies",  # int >= 0, of those places, free now
    "annual_cost",  # float, the LA's annual cost of a place (top-up or fee); NaN = from tariffs
)

CHILD_COLUMNS: tuple[str, ...] = (
    "child_id",  # str, pseudonymous, unique
    "ncy",  # int, NCY_MIN..NCY_MAX
    "sex",  # Sex value
    "primary_need",  # Need value
    "secondary_need",  # Need value or ""
    "easting",
    "northing",  # float, EPSG:27700 home location (postcode centroid if given by postcode)
    "current_urn",  # str, "" when none
    "transfer",  # bool: at a phase transfer this year
    "family_id",  # str, pseudonymous, "" when none: children sharing one are siblings
    "la_code",  # str, the LA responsible for the plan, "" when not given (one LA)
)


@dataclass(frozen=True)
class Child:
    """One child or young person with an EHCP, known only by a pseudonymous id."""

    child_id: str
    ncy: int
    sex: Sex
    primary_need: Need
    easting: float
    northing: float
    secondary_need: Need | None = None
    current_urn: str | None = None
    transfer: bool = False

    @property
    def phase(self) -> Phase:
        """The child's phase of education."""
        return phase_of(self.ncy)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Child:
        """A child from one row of a children table (CHILD_COLUMNS)."""
        secondary = str(row["secondary_need"])
        current = str(row["current_urn"])
        return cls(
            child_id=str(row["child_id"]),
            ncy=int(row["ncy"]),
            sex=Sex(str(row["sex"])),
            primary_need=Need(str(row["primary_need"])),
            easting=float(row["easting"]),
            northing=float(row["northing"]),
            secondary_need=Need(secondary) if secondary else None,
            current_urn=current or None,
            transfer=bool(row["transfer"]),
        )


def _optional_int(value: float | None) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def home_la(settings: pd.DataFrame) -> str:
    """The LA whose provision this is: the GIAS LA code holding most settings (the lowest code
    on a tie). Settings elsewhere are out of area; a newly opened setting is the home LA's."""
    return str(settings["la_code"].astype(str).mode().iloc[0])
