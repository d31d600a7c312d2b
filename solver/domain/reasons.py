"""Reasons and outcomes: why a setting is off a child's list, marked on it, or fits the child,
and the legal ground behind each (Children and Families Act 2014 s39, s33; the LA's travel
policy); why a child is unplaced; whether siblings are together; how good an allocation is.
Each is an enum whose values are the codes written in the output files."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Reason(StrEnum):
    """Why a setting is off a child's list, marked on it, or fits the child."""

    AGE = "AGE"  # off: NCY outside the setting's age range
    SEX = "SEX"  # off: single-sex setting of the other sex
    NEED = "NEED"  # off: specialist setting not designated for the child's needs
    JOURNEY = "JOURNEY"  # off: journey beyond the limit for the child's phase (or unknown)
    FULL = "FULL"  # marked: no vacancy for the child's need or in the setting
    COST = "COST"  # marked: much dearer than the cheapest suitable alternative
    ESTIMATED = "ESTIMATED"  # marked: the journey time is an estimate
    FITS_AGE = "FITS_AGE"  # fits: age range and sex
    FITS_NEED = "FITS_NEED"  # fits: designated for the child's primary need
    FITS_SECONDARY_NEED = "FITS_SECONDARY_NEED"  # fits: designated for the secondary need only
    FITS_MAINSTREAM = "FITS_MAINSTREAM"  # fits: a mainstream place can meet any need
    FITS_JOURNEY = "FITS_JOURNEY"  # fits: journey within the limit


_AGE_GROUND = "s39(4)(a): unsuitable for the child's age, ability, aptitude or SEN"
_SEN_GROUND = "s39(4)(a): suitable for the child's age, ability, aptitude and SEN"
_LIMIT_GROUND = "journey limit: the LA's home-to-school travel policy"

#: The legal ground (or the journey limit) behind each reason.
LEGAL_GROUND: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.AGE: _AGE_GROUND,
        Reason.SEX: _AGE_GROUND,
        Reason.NEED: _AGE_GROUND,
        Reason.JOURNEY: _LIMIT_GROUND,
        Reason.FULL: "s39(4)(b)(i): incompatible with the efficient education of others (full)",
        Reason.COST: "s39(4)(b)(ii): incompatible with the efficient use of resources",
        Reason.ESTIMATED: _LIMIT_GROUND,
        Reason.FITS_AGE: _SEN_GROUND,
        Reason.FITS_NEED: _SEN_GROUND,
        Reason.FITS_SECONDARY_NEED: _SEN_GROUND,
        Reason.FITS_MAINSTREAM: _SEN_GROUND + "; presumption of mainstream (s33)",
        Reason.FITS_JOURNEY: _LIMIT_GROUND,
    }
)


class UnplacedReason(StrEnum):
    """Why a child is left unplaced (unplaced.csv `reason`)."""

    NO_SUITABLE = "no suitable setting in reach"  # no setting on the child's list
    ALL_FULL = "all full"  # every setting on the list is full
    OVER_BUDGET = "over budget"  # placing the child would break the budget cap
    MAINSTREAM_SHARE = "minimum mainstream share"  # held back by the minimum mainstream share


class SiblingOutcome(StrEnum):
    """Whether a family of two or more is placed together, or apart and why (families.csv)."""

    TOGETHER = "together"
    NO_COMMON_SETTING = "apart: no setting suitable for all of them"
    NO_ROOM_TOGETHER = "apart: no room for all of them in one setting"


class AllocationStatus(StrEnum):
    """How good an allocation is proved to be (summary.json `status`)."""

    OPTIMAL = "optimal"  # its cost equals the proven lower bound
    FEASIBLE = "feasible"  # valid, with a gap to the bound
