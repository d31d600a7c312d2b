"""SEN primary-need codes, their GIAS spellings, national curriculum years and phases."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Need(StrEnum):
    """A primary (or secondary) SEN need, as coded in SEN2 and GIAS."""

    ASD = "ASD"
    SLCN = "SLCN"
    SEMH = "SEMH"
    MLD = "MLD"
    SLD = "SLD"
    PD = "PD"
    SPLD = "SPLD"
    HI = "HI"
    PMLD = "PMLD"
    OTH = "OTH"
    VI = "VI"
    MSI = "MSI"
    UNKNOWN = "UNKNOWN"


#: Every need in a fixed order: the integer need codes of the placement's pair arrays and the
#: forecast's need axis.
NEEDS: tuple[Need, ...] = tuple(Need)
#: The twelve coded needs, in docs/domain.md order (most to least common); UNKNOWN excluded.
CODED_NEEDS: tuple[Need, ...] = tuple(n for n in Need if n is not Need.UNKNOWN)

#: GIAS `SENn (name)` spellings, exactly as DfE publishes them.
GIAS_SPELLING: Mapping[Need, str] = MappingProxyType(
    {
        Need.ASD: "ASD - Autistic Spectrum Disorder",
        Need.HI: "HI - Hearing Impairment",
        Need.MLD: "MLD - Moderate Learning Difficulty",
        Need.MSI: "MSI - Multi-Sensory Impairment",
        Need.OTH: "OTH - Other Difficulty/Disability",
        Need.PD: "PD - Physical Disability",
        Need.PMLD: "PMLD - Profound and Multiple Learning Difficulty",
        Need.SEMH: "SEMH - Social, Emotional and Mental Health",
        Need.SLCN: "SLCN - Speech, language and Communication",
        Need.SLD: "SLD - Severe Learning Difficulty",
        Need.SPLD: "SpLD - Specific Learning Difficulty",
        Need.VI: "VI - Visual Impairment",
    }
)

#: Share of EHCPs by primary need in England, January 2025 (DfE); sums to 0.994 before UNKNOWN.
NATIONAL_NEED_MIX: Mapping[Need, float] = MappingProxyType(
    {
        Need.ASD: 0.315,
        Need.SLCN: 0.213,
        Need.SEMH: 0.207,
        Need.MLD: 0.106,
        Need.SLD: 0.040,
        Need.PD: 0.039,
        Need.SPLD: 0.024,
        Need.HI: 0.014,
        Need.PMLD: 0.013,
        Need.OTH: 0.012,
        Need.VI: 0.008,
        Need.MSI: 0.003,
        Need.UNKNOWN: 0.006,
    }
)

# Older or alternative spellings seen in DfE and LA files, upper-cased.
_ALIASES: Mapping[str, Need] = MappingProxyType(
    {
        "BESD": Need.SEMH,  # GIAS's pre-2014 code: Behaviour, Emotional and Social Difficulties
        "UNK": Need.UNKNOWN,
        "UNKNOWN": Need.UNKNOWN,
        "NOT RECORDED": Need.UNKNOWN,
        "OTHER": Need.OTH,
    }
)


def parse_need(text: str) -> Need:
    """Read a need from a code ("SpLD"), a GIAS spelling or a known alias; ValueError otherwise."""
    cleaned = text.strip()
    code = cleaned.split(" - ", 1)[0].strip().upper()
    if code in Need.__members__:
        return Need[code]
    if code in _ALIASES:
        return _ALIASES[code]
    if cleaned.upper() in _ALIASES:
        return _ALIASES[cleaned.upper()]
    known = ", ".join(n.value for n in Need)
    raise ValueError(f"unknown need code {cleaned!r} (expected one of {known})")


class Phase(StrEnum):
    """Phase of education, from the national curriculum year."""

    EARLY_YEARS = "early_years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    POST16 = "post16"
    POST19 = "post19"


#: Youngest and oldest NCY a plan can cover: age 0 (NCY -4) to age 24 (NCY 20).
NCY_MIN = -4
NCY_MAX = 20


def phase_of(ncy: int) -> Phase:
    """The phase of a national curriculum year (Reception = 0, Y7 = 7, Y12 = 12)."""
    if not NCY_MIN <= ncy <= NCY_MAX:
        raise ValueError(f"NCY {ncy} outside {NCY_MIN}..{NCY_MAX}")
    if ncy < 0:
        return Phase.EARLY_YEARS
    if ncy <= 6:
        return Phase.PRIMARY
    if ncy <= 11:
        return Phase.SECONDARY
    if ncy <= 13:
        return Phase.POST16
    return Phase.POST19


def ncy_of_age(age: int) -> int:
    """NCY from the age on 31 August before the academic year."""
    return age - 4


def ncy_range_of_ages(low_age: int, high_age: int) -> tuple[int, int]:
    """NCYs a setting with statutory ages low..high teaches (ages 4-11 gives Reception..Y6)."""
    return low_age - 4, high_age - 5


#: Phase transfers: the last NCY of the phase a child leaves, so NCY 6 (Y6) moves to Y7.
TRANSFER_NCYS: frozenset[int] = frozenset({-1, 6, 11, 13})
