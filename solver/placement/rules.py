"""Suitability rules over child x setting pairs, vectorised; each outcome has a reason code.

Every reason maps to a ground of the legal test (Children and Families Act 2014 s39, SEND Code
of Practice 9.79) or to the journey limit, so a tailored list explains itself.

Need designation and places (the capacity semantics every later step uses):
- specialist settings (state special, non-maintained, independent special) take a child only if
  designated for the child's primary need, or for its secondary need (which widens the list and
  says so); mainstream settings take any need;
- in a mainstream setting with resourced provision or an SEN unit (MAINSTREAM_RP), a child whose
  primary (else secondary) need the setting is designated for is placed in that provision: the
  need line bounds it and the RP tariff applies; any other child takes a general mainstream place
  at the mainstream tariff, bounded only by the whole-setting line;
- a need line (urn, need) bounds the new placements of children placed under that need, and the
  whole-setting line (need "") bounds all new placements in the setting; both by their vacancies
  (kept placements already hold their places). A setting without a whole-setting line has no
  overall bound beyond its need lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.domain.groups import MAINSTREAM_TYPES, SPECIALIST_TYPES
from solver.domain.model import SETTING_TYPES, Gender, SettingType, Sex
from solver.domain.needs import NCY_MAX, NCY_MIN, NEEDS, phase_of
from solver.domain.scenario import Policy
from solver.domain.tariffs import Tariffs

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


_WHOLE = len(NEEDS)  # the need code of a whole-setting line
_NEED_CODE: Mapping[str, int] = MappingProxyType({n.value: i for i, n in enumerate(NEEDS)})
_TYPE_CODE: Mapping[str, int] = MappingProxyType({t.value: i for i, t in enumerate(SETTING_TYPES)})


#: Narrower dtypes for the integer fields of the pairs a solve keeps (national solves keep
#: hundreds of millions): positions fit 32 bits, need codes 8.
NARROW: Mapping[str, type[np.signedinteger[Any]]] = MappingProxyType(
    {"child": np.int32, "setting": np.int32, "need": np.int8, "line": np.int32, "whole": np.int32}
)


@dataclass(frozen=True)
class Pairs:
    """Child x setting pairs and every rule's outcome, as aligned arrays (one entry per pair).

    `child` and `setting` are row positions in the children and settings tables; `line` and
    `whole` are row positions in the places table (-1 = no such line); `need` is the code (index
    into NEEDS) of the need the child would be placed under; costs are annual pounds.
    """

    child: IntArray
    setting: IntArray
    minutes: FloatArray  # NaN = beyond the cut-off
    estimated: BoolArray
    age_ok: BoolArray
    sex_ok: BoolArray
    need_ok: BoolArray
    journey_ok: BoolArray
    via_secondary: BoolArray
    designated: BoolArray
    need: IntArray
    line: IntArray
    whole: IntArray
    place_cost: FloatArray
    transport_cost: FloatArray

    @property
    def suitable(self) -> BoolArray:
        """Pairs that pass every rule: the setting is on the child's list."""
        return self.age_ok & self.sex_ok & self.need_ok & self.journey_ok

    @property
    def annual_cost(self) -> FloatArray:
        """Annual cost of the placement: place (top-up or fee) plus transport."""
        return self.place_cost + np.nan_to_num(self.transport_cost)

    def weighted_cost(self, policy: Policy) -> FloatArray:
        """The cost the optimiser minimises, with the policy's education and transport weights."""
        return policy.education_weight * self.place_cost + policy.transport_weight * np.nan_to_num(
            self.transport_cost
        )

    def take(self, mask: npt.ArrayLike) -> Pairs:
        """The pairs selected by a boolean mask or an index array."""
        index = np.asarray(mask)
        return Pairs(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    def __len__(self) -> int:
        return len(self.child)

    @staticmethod
    def concat(parts: list[dict[str, np.ndarray]]) -> Pairs:
        """The pairs of every part (the fields of a Pairs each, at least one part), in order;
        each field of the parts is let go once joined, so the peak is one field's copy."""
        joined = {}
        for name in Pairs.__dataclass_fields__:
            joined[name] = np.concatenate([part.pop(name) for part in parts])
        return Pairs(**joined)


def journey_index(
    children: pd.DataFrame, settings: pd.DataFrame, journeys: pd.DataFrame
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """Positions of the journeys' children and settings (rows naming others are left out), as
    32-bit integers: a national table has hundreds of millions of rows."""
    child = positions(journeys["child_id"], children["child_id"])
    setting = positions(journeys["urn"], settings["urn"])
    keep = (child >= 0) & (setting >= 0)
    seconds = journeys["seconds"].to_numpy(dtype=np.float64)[keep]
    estimated = journeys["estimated"].to_numpy(dtype=bool)[keep]
    return child[keep].astype(np.int32), setting[keep].astype(np.int32), seconds / 60.0, estimated


def positions(values: pd.Series, keys: pd.Series) -> IntArray:
    """Row position in `keys` of each value (-1 if absent); factorised first, as a long column
    repeats few distinct values."""
    codes, distinct = pd.factorize(values)
    found = pd.Index(keys.astype(str)).get_indexer(pd.Index(distinct).astype(str))
    return np.where(codes >= 0, found[codes], -1).astype(np.int64)


def cross_index(
    children: pd.DataFrame, settings: pd.DataFrame, journeys: pd.DataFrame
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """Every child x every setting, with the journey where one is within the cut-off."""
    n_children, n_settings = len(children), len(settings)
    child = np.repeat(np.arange(n_children, dtype=np.int64), n_settings)
    setting = np.tile(np.arange(n_settings, dtype=np.int64), n_children)
    minutes = np.full(n_children * n_settings, np.nan)
    estimated = np.zeros(n_children * n_settings, dtype=bool)
    j_child, j_setting, j_minutes, j_estimated = journey_index(children, settings, journeys)
    flat = j_child.astype(np.int64) * n_settings + j_setting
    minutes[flat] = j_minutes
    estimated[flat] = j_estimated
    return child, setting, minutes, estimated


def within_age_and_limit(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    policy: Policy,
    index: tuple[IntArray, IntArray, FloatArray, BoolArray],
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """The pairs of `index` passing the age and journey rules: a cheap first cut before assess."""
    child, setting, minutes, estimated = index
    keep = age_and_limit_met(children, settings, policy, child, setting, minutes)
    return child[keep], setting[keep], minutes[keep], estimated[keep]


def in_scope(children: pd.DataFrame, policy: Policy) -> BoolArray:
    """Children to be placed: new plans (no current setting), phase transfers, or all if moving."""
    current = children["current_urn"].fillna("").astype(str).to_numpy(dtype=object)
    transfer = children["transfer"].to_numpy(dtype=bool)
    placed: BoolArray = policy.move_current | (current == "") | transfer
    return placed


def age_and_limit_met(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    policy: Policy,
    child: IntArray,
    setting: IntArray,
    minutes: FloatArray,
) -> BoolArray:
    """Whether each (child, setting, minutes) pair, by position, is within the setting's year
    groups and the journey limit of the child's phase."""
    ncy_pair = children["ncy"].to_numpy(dtype=np.int64)[child]
    keep: BoolArray = (minutes <= journey_limits(policy)[ncy_pair - NCY_MIN]) & (
        settings["ncy_low"].to_numpy(dtype=np.int64)[setting] <= ncy_pair
    )
    keep &= ncy_pair <= settings["ncy_high"].to_numpy(dtype=np.int64)[setting]
    return keep


def need_codes(values: pd.Series) -> IntArray:
    """Integer need codes of a column of Need values ("" or missing = -1)."""
    text = values.fillna("").astype(str).to_numpy(dtype=object)
    return np.fromiter((_NEED_CODE.get(v, -1) for v in text), dtype=np.int64, count=len(text))


def type_codes(values: pd.Series) -> IntArray:
    """Integer setting-type codes of a column of SettingType values."""
    return np.fromiter((_TYPE_CODE[str(v)] for v in values), dtype=np.int64, count=len(values))


def designation_matrix(settings: pd.DataFrame) -> BoolArray:
    """settings x needs: True where the setting is designated for the need."""
    matrix = np.zeros((len(settings), len(NEEDS)), dtype=bool)
    for row, needs in enumerate(settings["designated_needs"]):
        for need in needs:
            matrix[row, _NEED_CODE[str(need)]] = True
    return matrix


def line_lookup(settings: pd.DataFrame, places: pd.DataFrame) -> IntArray:
    """settings x (needs + whole): the row position of each place line in `places`, or -1."""
    lookup = np.full((len(settings), _WHOLE + 1), -1, dtype=np.int64)
    setting = pd.Index(settings["urn"].astype(str)).get_indexer(places["urn"].astype(str))
    need_text = places["need"].fillna("").astype(str)
    need = np.where(need_text.to_numpy(dtype=object) == "", _WHOLE, need_codes(need_text))
    known = (setting >= 0) & (need >= 0)
    lookup[setting[known], need[known]] = np.flatnonzero(known)
    return lookup


def journey_limits(policy: Policy) -> FloatArray:
    """The journey limit in minutes for each NCY, indexed by ncy - NCY_MIN."""
    return np.array(
        [policy.limit_for(phase_of(ncy)) for ncy in range(NCY_MIN, NCY_MAX + 1)], dtype=np.float64
    )


def child_reach_minutes(children: pd.DataFrame, policy: Policy) -> FloatArray:
    """For each child, the journey limit of their phase if they are to be placed, else 0: no
    placement journey of theirs is longer, except to the setting they stay at."""
    ncy = children["ncy"].to_numpy(dtype=np.int64)
    return np.where(in_scope(children, policy), journey_limits(policy)[ncy - NCY_MIN], 0.0)


def current_settings(children: pd.DataFrame, settings: pd.DataFrame) -> IntArray:
    """Each child's current setting by row position in `settings` (-1 for none)."""
    if "current_urn" not in children.columns:
        return np.full(len(children), -1, dtype=np.int64)
    return positions(children["current_urn"].fillna(""), settings["urn"])


def setting_reach_minutes(settings: pd.DataFrame, policy: Policy) -> FloatArray:
    """For each setting, the longest journey limit of the year groups it takes: no placement
    journey to it is longer (a primary school is never more than the primary limit away)."""
    limits = journey_limits(policy)
    ncy = np.arange(NCY_MIN, NCY_MAX + 1)
    low = settings["ncy_low"].to_numpy(dtype=np.int64)[:, None]
    high = settings["ncy_high"].to_numpy(dtype=np.int64)[:, None]
    reach: FloatArray = np.where((low <= ncy) & (ncy <= high), limits, 0.0).max(axis=1, initial=0.0)
    return reach


def tariff_matrix(tariffs: Tariffs) -> FloatArray:
    """setting types x needs: the tariff of a place."""
    return np.array([[tariffs.place_cost(t, n) for n in NEEDS] for t in SETTING_TYPES])


def assess(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    tariffs: Tariffs,
    policy: Policy,
    index: tuple[IntArray, IntArray, FloatArray, BoolArray],
) -> Pairs:
    """Apply every rule and the cost model to the pairs `index` (from journey_ or cross_index)."""
    child, setting, minutes, estimated = index
    # Per child and per setting first (few), then one gather per pair (many).
    ncy = children["ncy"].to_numpy(dtype=np.int64)[child]
    age_ok = (settings["ncy_low"].to_numpy(dtype=np.int64)[setting] <= ncy) & (
        ncy <= settings["ncy_high"].to_numpy(dtype=np.int64)[setting]
    )
    gender = settings["gender"].astype(str)
    male = (children["sex"].astype(str) == Sex.MALE.value).to_numpy()
    admits = np.stack(  # settings x (female, male)
        [
            (gender != Gender.BOYS.value).to_numpy(),
            (gender != Gender.GIRLS.value).to_numpy(),
        ],
        axis=1,
    )
    sex_ok = admits[setting, male[child].astype(np.int64)]

    kinds = type_codes(settings["setting_type"])
    specialist = np.isin(kinds, [_TYPE_CODE[t.value] for t in SPECIALIST_TYPES])[setting]
    resourced = (kinds == _TYPE_CODE[SettingType.MAINSTREAM_RP.value])[setting]
    kind = kinds[setting]
    designations = designation_matrix(settings)
    primary = need_codes(children["primary_need"])[child]
    secondary = need_codes(children["secondary_need"])[child]
    primary_fits = designations[setting, primary]
    secondary_fits = (secondary >= 0) & designations[setting, np.maximum(secondary, 0)]
    need_ok = ~specialist | primary_fits | secondary_fits
    via_secondary = (specialist | resourced) & ~primary_fits & secondary_fits
    designated = (specialist | resourced) & (primary_fits | secondary_fits)
    need = np.where(via_secondary, secondary, primary)

    limit = journey_limits(policy)[ncy - NCY_MIN]
    journey_ok = ~np.isnan(minutes) & (minutes <= limit)

    lookup = line_lookup(settings, places)
    line = lookup[setting, need]
    whole = lookup[setting, _WHOLE]
    general = resourced & ~designated  # a general mainstream place in an RP setting
    # A trailing NaN makes "no line" (-1) read as "no line cost".
    line_cost = np.append(
        places["annual_cost"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan), np.nan
    )
    cost_kind = np.where(general, _TYPE_CODE[SettingType.MAINSTREAM.value], kind)
    place_cost = tariff_matrix(tariffs)[cost_kind, need]
    whole_cost = np.where(general, np.nan, line_cost[whole])
    place_cost = np.where(np.isnan(whole_cost), place_cost, whole_cost)
    need_cost = line_cost[line]
    place_cost = np.where(np.isnan(need_cost), place_cost, need_cost)
    transport = np.where(np.isnan(minutes), np.nan, tariffs.transport.annual_cost(minutes))

    return Pairs(
        child=child,
        setting=setting,
        minutes=minutes,
        estimated=estimated,
        age_ok=age_ok,
        sex_ok=sex_ok,
        need_ok=need_ok,
        journey_ok=journey_ok,
        via_secondary=via_secondary,
        designated=designated,
        need=need,
        line=line,
        whole=whole,
        place_cost=place_cost,
        transport_cost=transport,
    )


def free_places(places: pd.DataFrame, settings: pd.DataFrame, policy: Policy) -> IntArray:
    """Vacancies of each place line open to new placements (whole lines less reserved places)."""
    vacancies: IntArray = places["vacancies"].astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    whole = places["need"].fillna("").astype(str).to_numpy(dtype=object) == ""
    reserved = places["urn"].astype(str).map(policy.reserved_places).fillna(0)
    held = np.where(whole, reserved.to_numpy(dtype=np.int64), 0)
    return np.maximum(vacancies - held, 0)


def vacancy(pairs: Pairs, free: IntArray) -> FloatArray:
    """Places open to the child in each pair: the tighter of its need line and whole line."""
    open_places = np.append(free.astype(np.float64), np.inf)  # -1 (no line) reads as unbounded
    places: FloatArray = np.minimum(open_places[pairs.line], open_places[pairs.whole])
    return places


def much_dearer(pairs: Pairs, ratio: float) -> BoolArray:
    """Suitable pairs costing more than `ratio` x the child's cheapest suitable alternative."""
    suitable = pairs.suitable
    cost = np.where(suitable, pairs.annual_cost, np.inf)
    cheapest = np.full(int(pairs.child.max(initial=-1)) + 1, np.inf)
    np.minimum.at(cheapest, pairs.child, cost)
    return suitable & (pairs.annual_cost > ratio * cheapest[pairs.child])


#: Where in a setting a placed child is taught (placements.csv `provision`), by setting type;
#: a mainstream school's resourced provision or SEN unit takes the children it is designated for.
PROVISION_OF_TYPE: Mapping[SettingType, str] = MappingProxyType(
    {
        SettingType.MAINSTREAM: "mainstream",
        SettingType.MAINSTREAM_RP: "mainstream",
        SettingType.STATE_SPECIAL: "special",
        SettingType.NON_MAINTAINED_SPECIAL: "special",
        SettingType.INDEPENDENT_SPECIAL: "special",
        SettingType.INDEPENDENT_MAINSTREAM: "mainstream",
        SettingType.ALTERNATIVE_PROVISION: "alternative_provision",
        SettingType.POST16: "post16",
    }
)
#: GIAS provision (the settings table's `provision`) to where a designated child is taught.
PROVISION_OF_BASE: Mapping[str, str] = MappingProxyType(
    {
        "resourced provision": "resourced_provision",
        "SEN unit": "sen_unit",
        "resourced provision and SEN unit": "resourced_provision_or_sen_unit",
        "": "resourced_provision_or_sen_unit",  # designated, GIAS silent on which
    }
)


def provision(settings: pd.DataFrame, setting: IntArray, designated: BoolArray) -> np.ndarray:
    """Where each placed child is taught: a mainstream school's resourced provision or SEN unit
    when placed under a need it is designated for, else the setting type's provision."""
    kinds = settings["setting_type"].astype(str).to_numpy()[setting]
    base = settings["provision"].astype(str).to_numpy()[setting]
    by_type = np.array([PROVISION_OF_TYPE[SettingType(k)] for k in kinds], dtype=object)
    in_base = (kinds == SettingType.MAINSTREAM_RP.value) & designated
    by_base = np.array(
        [PROVISION_OF_BASE.get(b, PROVISION_OF_BASE[""]) for b in base], dtype=object
    )
    return np.where(in_base, by_base, by_type)


def is_mainstream(settings: pd.DataFrame) -> BoolArray:
    """Settings that count as mainstream for the inclusion policy."""
    mainstream: BoolArray = (
        settings["setting_type"].astype(str).isin([t.value for t in MAINSTREAM_TYPES]).to_numpy()
    )
    return mainstream
