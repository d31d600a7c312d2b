"""Plain English for people: the one mapping from codes (setting types, needs, phases, year
groups, reasons, placement outcomes) to words, and numbers as people read them.

Codes stay in CSV and JSON files; every page, table and document for people goes through here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from solver.domain.model import SettingType
from solver.domain.needs import Need, Phase
from solver.domain.reasons import (
    LEGAL_GROUND,
    AllocationStatus,
    Reason,
    SiblingOutcome,
    UnplacedReason,
)
from solver.domain.scenario import RankKey

SETTING_TYPE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        SettingType.MAINSTREAM: "Mainstream school",
        SettingType.MAINSTREAM_RP: "Mainstream school with a specialist base",
        SettingType.STATE_SPECIAL: "State special school",
        SettingType.NON_MAINTAINED_SPECIAL: "Non-maintained special school",
        SettingType.INDEPENDENT_SPECIAL: "Independent special school",
        SettingType.INDEPENDENT_MAINSTREAM: "Independent mainstream school",
        SettingType.ALTERNATIVE_PROVISION: "Alternative provision",
        SettingType.POST16: "College or post-16 provider",
    }
)

NEED_WORDS: Mapping[str, str] = MappingProxyType(
    {
        Need.ASD: "Autism",
        Need.SLCN: "Speech, language and communication needs",
        Need.SEMH: "Social, emotional and mental health needs",
        Need.MLD: "Moderate learning difficulty",
        Need.SLD: "Severe learning difficulty",
        Need.PD: "Physical disability",
        Need.SPLD: "Specific learning difficulty (such as dyslexia)",
        Need.HI: "Hearing impairment",
        Need.PMLD: "Profound and multiple learning difficulty",
        Need.OTH: "Other difficulty or disability",
        Need.VI: "Visual impairment",
        Need.MSI: "Multi-sensory impairment",
        Need.UNKNOWN: "Need not recorded",
    }
)

PHASE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        Phase.EARLY_YEARS: "early years",
        Phase.PRIMARY: "primary",
        Phase.SECONDARY: "secondary",
        Phase.POST16: "post-16",
        Phase.POST19: "post-19",
    }
)

#: Each reason in full, for the family's page: why a setting is off the list, why it fits, or
#: what to know about it.
REASON_WORDS: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.AGE: "It does not teach your child's year group.",
        Reason.SEX: "It is a single-sex school for the other sex.",
        Reason.NEED: "It is a special school that does not cater for your child's needs.",
        Reason.JOURNEY: "The journey from home is longer than the council's limit.",
        Reason.FULL: "It has no vacancy at present: the council would need to ask it to make room.",
        Reason.COST: "It costs much more than another suitable setting, counting transport: "
        "the council may say naming it would not be an efficient use of resources.",
        Reason.ESTIMATED: "The journey time is an estimate.",
        Reason.FITS_AGE: "It teaches your child's year group.",
        Reason.FITS_NEED: "It caters for your child's main need.",
        Reason.FITS_SECONDARY_NEED: "It caters for your child's other need.",
        Reason.FITS_MAINSTREAM: "It is a mainstream school, which can meet any need with the "
        "right support.",
        Reason.FITS_JOURNEY: "The journey from home is within the council's limit.",
    }
)

#: Each reason in two or three words, for tables.
REASON_SHORT: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.AGE: "wrong year group",
        Reason.SEX: "single-sex",
        Reason.NEED: "need not catered for",
        Reason.JOURNEY: "journey too long",
        Reason.FULL: "no vacancy",
        Reason.COST: "much dearer",
        Reason.ESTIMATED: "journey estimated",
        Reason.FITS_AGE: "year group",
        Reason.FITS_NEED: "main need",
        Reason.FITS_SECONDARY_NEED: "other need",
        Reason.FITS_MAINSTREAM: "mainstream",
        Reason.FITS_JOURNEY: "journey",
    }
)

#: Reasons that say why a setting fits; the rest say why it is off, or what to know about it.
FITS: frozenset[Reason] = frozenset(
    {
        Reason.FITS_AGE,
        Reason.FITS_NEED,
        Reason.FITS_SECONDARY_NEED,
        Reason.FITS_MAINSTREAM,
        Reason.FITS_JOURNEY,
    }
)
#: How a listed setting meets the child's needs (every listed one fits age and journey).
NEED_FITS: frozenset[Reason] = frozenset(
    {Reason.FITS_NEED, Reason.FITS_SECONDARY_NEED, Reason.FITS_MAINSTREAM}
)
#: Said of a listed setting no need-designation rule applies to (independent mainstream,
#: alternative provision, post-16): it takes a child whatever their need.
ANY_NEED_WORDS = "It takes children whatever their need."
ANY_NEED_SHORT = "any need"
#: Reasons a setting on the list is marked with: things to know, never why it fits.
MARKS: frozenset[Reason] = frozenset({Reason.FULL, Reason.COST, Reason.ESTIMATED})

#: How each ranking key orders a tailored list, in words.
RANK_WORDS: Mapping[RankKey, str] = MappingProxyType(
    {
        RankKey.SUITABILITY: "settings with something to know (no vacancy, much dearer) after "
        "the others",
        RankKey.MAINSTREAM: "state mainstream schools (with or without a specialist base) "
        "before other settings (special and independent schools, colleges, alternative "
        "provision)",
        RankKey.JOURNEY: "shorter journeys first",
        RankKey.COST: "lower cost to the council first",
    }
)

#: Why a child was left unplaced, whether a family is placed together, and the solve's status.
OUTCOME_WORDS: Mapping[str, str] = MappingProxyType(
    {
        UnplacedReason.NO_SUITABLE: "No suitable setting within the journey limit",
        UnplacedReason.ALL_FULL: "Every suitable setting is full",
        UnplacedReason.OVER_BUDGET: "Placing the child would break the budget cap",
        UnplacedReason.MAINSTREAM_SHARE: "Held back by the minimum mainstream share",
        SiblingOutcome.TOGETHER: "Placed together",
        SiblingOutcome.NO_COMMON_SETTING: "Apart: no setting suits all of them",
        SiblingOutcome.NO_ROOM_TOGETHER: "Apart: no setting has room for all of them",
        AllocationStatus.OPTIMAL: "Best possible (proved)",
        AllocationStatus.FEASIBLE: "Valid, not proved best",
    }
)

#: Where a placed child is taught (placements.csv `provision`, rules.provision), in words.
PROVISION_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "mainstream": "Mainstream classes",
        "resourced_provision": "Resourced provision",
        "sen_unit": "SEN unit",
        "resourced_provision_or_sen_unit": "Resourced provision or SEN unit",
        "special": "Special school",
        "alternative_provision": "Alternative provision",
        "post16": "College or post-16 provider",
    }
)


#: The metrics of comparison.csv (solver/scenarios/compare.py) in words, with their kind of value.
METRIC_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "placed": ("Children placed", "children"),
        "unplaced": ("Children unplaced", "children"),
        "share_mainstream": ("Share placed in mainstream schools", "share"),
        "share_resourced": ("Share placed in schools with a specialist base", "share"),
        "share_special": ("Share placed in state or non-maintained special schools", "share"),
        "share_independent": ("Share placed in independent schools", "share"),
        "out_of_area": ("Children placed outside the LA", "children"),
        "mean_journey_minutes": ("Mean journey (minutes)", "minutes"),
        "p95_journey_minutes": ("Journey 95 in 100 children are within (minutes)", "minutes"),
        "education_cost": ("Annual cost of places", "money"),
        "transport_cost": ("Annual cost of transport", "money"),
        "total_cost": ("Total annual cost", "money"),
    }
)


#: The evidence pack's effect-of-opening metrics (solver/sites/evidence.py) in words.
EFFECT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "placed": "Children placed",
        "unplaced": "Children without a suitable place",
        "placed_in_new_settings": "Children placed at the new school",
        "independent_placements": "Placements in independent schools",
        "out_of_area": "Placements outside the LA",
        "mean_journey_minutes": "Average journey (minutes)",
        "education_cost": "Education cost a year",
        "transport_cost": "Transport cost a year",
        "total_cost": "Total cost a year",
    }
)


def metric_words(name: str) -> str:
    """A comparison metric in words; gap rows ("gap_2027_ASD_secondary") by year, need, phase."""
    if name in METRIC_WORDS:
        return METRIC_WORDS[name][0]
    kind, year, need, phase = (name.split("_", 3) + ["", "", ""])[:4]
    if kind == "gap" and year.isdigit():
        return f"Places short in {year}: {need_words(need)}, {phase_words(phase)} (children)"
    return name


def _metric_kind(name: str) -> str:
    """A comparison metric's kind of value: children, share, minutes or money."""
    return METRIC_WORDS.get(name, ("", "children"))[1]


def _shown(name: str, value: float) -> int:
    """A comparison value rounded as shown: whole, and shares in whole percent."""
    return round(value * 100 if _metric_kind(name) == "share" else value)


def _written(name: str, rounded: int, signed: bool) -> str:
    """A rounded comparison value in words (see metric_value)."""
    kind = _metric_kind(name)
    sign = "-" if rounded < 0 else "+" if signed and rounded > 0 else ""
    body = f"£{abs(rounded):,}" if kind == "money" else f"{abs(rounded):,}"
    unit = ("" if not rounded else " point" if abs(rounded) == 1 else " points") if signed else "%"
    return sign + body + (unit if kind == "share" else "")


def metric_value(name: str, value: float, *, signed: bool = False) -> str:
    """A comparison value as people read it: £ for money, % for shares (percentage points for
    a difference), whole otherwise; `signed` differences carry + or -, and 0 none."""
    if value is None or not math.isfinite(value):
        return ""
    return _written(name, _shown(name, value), signed)


def metric_change(name: str, value: float, base: float) -> str:
    """The difference between two comparison values as shown (rounded first), so a reader
    taking one shown value from the other gets the shown difference; "" when one is unknown."""
    if any(v is None or not math.isfinite(v) for v in (value, base)):
        return ""
    return _written(name, _shown(name, value) - _shown(name, base), True)


def provision_words(code: str) -> str:
    """Where a placed child is taught, in words ("sen_unit" -> "SEN unit")."""
    return PROVISION_WORDS.get(code, code)


def setting_type_words(code: str) -> str:
    """A setting type in words ("state_special" -> "State special school")."""
    return SETTING_TYPE_WORDS.get(code, code)


def need_words(code: str) -> str:
    """A need in words ("ASD" -> "Autism"); an unknown code is left as it is."""
    return NEED_WORDS.get(code, code)


def phase_words(code: str) -> str:
    """A phase in words ("post16" -> "post-16")."""
    return PHASE_WORDS.get(code, code)


def year_group(ncy: int) -> str:
    """A national curriculum year as schools say it: Reception, Year 7, or by age outside."""
    if ncy < 0:
        return f"early years (age {ncy + 4})"
    if ncy == 0:
        return "Reception"
    if ncy <= 13:
        return f"Year {ncy}"
    return f"post-19 (age {ncy + 4})"


def reasons_of(codes: str) -> list[Reason]:
    """Semicolon-separated reason codes ("AGE;FULL") as reasons, in their order."""
    return [Reason(c) for c in codes.split(";") if c]


def reasons_short(codes: str, among: frozenset[Reason] | None = None) -> str:
    """Reason codes (those `among` the given ones, if any) in a few words each, comma-separated
    (for tables)."""
    return ", ".join(REASON_SHORT[r] for r in reasons_of(codes) if among is None or r in among)


def legal_grounds(
    codes: str, among: frozenset[Reason] | None = None, *, cited: bool = False
) -> str:
    """The legal grounds (Children and Families Act 2014 s39, s33, or the LA's travel policy)
    behind reason codes (those `among` the given ones, if any), each once, in order; `cited`
    gives only each ground's citation ("s39(4)(a)", "journey limit"), for tables."""
    grounds = [LEGAL_GROUND[r] for r in reasons_of(codes) if among is None or r in among]
    if cited:
        grounds = [g.split(":")[0] for g in grounds]
    return "; ".join(dict.fromkeys(grounds))


def outcome_words(code: str) -> str:
    """An unplaced reason, a family's outcome or a solve status in words."""
    return OUTCOME_WORDS.get(code, code)


def pounds(value: float | None) -> str:
    """Money as people read it: "£28,846"; "" when unknown."""
    if value is None or not math.isfinite(value):
        return ""
    return f"£{value:,.0f}"


def minutes(value: float | None) -> str:
    """A journey as whole minutes: "11 min"; "" when unknown."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:.0f} min"


def count(n: int, thing: str, things: str | None = None) -> str:
    """A count with its noun: "1 setting", "3 settings"."""
    return f"{n:,} {thing if n == 1 else things or thing + 's'}"


def whole_numbers(values: Sequence[float]) -> list[int]:
    """Values rounded to whole numbers that add up to their rounded total (largest remainder),
    so a table's shown rows add to its shown total."""
    array = np.asarray(values, dtype=np.float64)
    if len(array) == 0:
        return []
    floors = np.floor(array)
    short = int(round(float(array.sum()))) - int(floors.sum())
    order = np.argsort(-(array - floors), kind="stable")
    floors[order[:short]] += 1
    return [int(v) for v in floors]
