"""An independent checker of placement results, written apart from the optimiser.

It reads only the input tables, the policy and the result tables, and re-derives every rule
row by row with pandas, so a bug in the optimiser's vectorised rules or network shows up here:
every child exactly once, kept children where they are, every new placement suitable (age, sex,
need designation, journey limit), no place line over its vacancies, costs and journeys as
stated, and children said to have no suitable setting truly have none. It imports nothing of
solver but the domain and the errors (tests/test_layering.py), and looks journeys up its own way.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.domain.groups import SPECIALIST_TYPES
from solver.domain.model import SettingType
from solver.domain.needs import Need, phase_of
from solver.domain.reasons import SiblingOutcome, UnplacedReason
from solver.domain.scenario import Policy
from solver.domain.tariffs import Tariffs

_COST_TOLERANCE = 0.01  # pounds


def check_allocation(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    journeys: pd.DataFrame,
    tariffs: Tariffs,
    policy: Policy,
    placements: pd.DataFrame,
    unplaced: pd.DataFrame,
    families: pd.DataFrame | None = None,
) -> list[str]:
    """Every way the result breaks the rules, one message each; empty when it is valid.
    With siblings together on, `families` (the allocation's account of each family) is
    checked too."""
    violations: list[str] = []
    violations += _each_child_once(children, placements, unplaced)
    violations += _kept_where_they_are(children, placements, policy)
    new = placements[~placements["kept"].astype(bool)]
    violations += [
        f"child {c} placed at {u}: {why}"
        for c, u, why in verdicts(new, children, settings, journeys, policy)
        if why
    ]
    violations += _within_vacancies(new, places, policy, children)
    violations += _costs_as_stated(placements, children, settings, places, journeys, tariffs)
    violations += _none_suitable(unplaced, children, settings, journeys, policy)
    if policy.siblings_together:
        violations += _families_as_stated(
            families, children, settings, journeys, policy, placements, unplaced
        )
    return violations


def _each_child_once(
    children: pd.DataFrame, placements: pd.DataFrame, unplaced: pd.DataFrame
) -> list[str]:
    ids = pd.concat([placements["child_id"], unplaced["child_id"]]).astype(str)
    known = set(children["child_id"].astype(str))
    out = [f"child {c} appears {n} times" for c, n in ids.value_counts().items() if n > 1]
    out += [f"child {c} is not in the input" for c in sorted(set(ids) - known)]
    out += [f"child {c} is neither placed nor unplaced" for c in sorted(known - set(ids))]
    return out


def _kept_where_they_are(
    children: pd.DataFrame, placements: pd.DataFrame, policy: Policy
) -> list[str]:
    out = []
    placed = _records(placements, "child_id")
    for child in children.itertuples(index=False):
        current = "" if pd.isna(child.current_urn) else str(child.current_urn)
        stays = not policy.move_current and current != "" and not bool(child.transfer)
        cid = str(child.child_id)
        if cid not in placed:
            if stays:
                out.append(f"child {cid} should keep their placement but is unplaced")
            continue
        row = placed[cid]
        if stays and not (bool(row["kept"]) and str(row["urn"]) == current):
            out.append(f"child {cid} should keep their placement at {current}")
        if not stays and bool(row["kept"]):
            out.append(f"child {cid} is in scope but marked kept")
    return out


def verdicts(
    rows: pd.DataFrame,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    journeys: pd.DataFrame,
    policy: Policy,
) -> list[tuple[str, str, str]]:
    """(child_id, urn, why unsuitable or "") for each (child_id, urn) row, one by one: the
    checker's own reading of the suitability rules."""
    asked = children["child_id"].astype(str).isin(set(rows["child_id"].astype(str)))
    child = _records(children[asked.to_numpy()], "child_id")
    setting = _records(settings, "urn")
    return [
        (
            cid,
            urn,
            _unsuitable_because(child[cid], setting[urn], None if math.isnan(m) else m, policy)
            if urn in setting
            else "unknown setting",
        )
        for cid, urn, m in zip(
            rows["child_id"].astype(str),
            rows["urn"].astype(str),
            _minutes(rows, journeys),
            strict=True,
        )
    ]


def _minutes(rows: pd.DataFrame, journeys: pd.DataFrame) -> list[float]:
    """The journey minutes of each (child_id, urn) row, NaN where there is no journey (a
    repeated pair's first journey), read here apart from the optimiser's lookup: each pair is
    one integer from the ids' codes, and the journeys are scanned once through a hash of the
    pairs wanted, never sorted and never compared string by string."""
    child_codes, child_ids = _codes(journeys["child_id"])
    urn_codes, urns = _codes(journeys["urn"])
    width = len(urns) + 1
    child = child_ids.get_indexer(rows["child_id"].astype(str))
    urn = urns.get_indexer(rows["urn"].astype(str))
    wanted = np.where((child >= 0) & (urn >= 0), child * width + urn, -1)
    pairs = np.unique(wanted[wanted >= 0])
    found_at = pd.Index(pairs).get_indexer(child_codes * width + urn_codes)
    hits = np.flatnonzero(found_at >= 0)
    pair, first = np.unique(found_at[hits], return_index=True)
    minutes = np.full(len(pairs) + 1, np.nan)  # the last: no journey
    minutes[pair] = journeys["seconds"].to_numpy(float)[hits[first]] / 60.0
    at = np.where(wanted >= 0, np.searchsorted(pairs, wanted), len(pairs))
    found: list[float] = minutes[at].tolist()
    return found


def _codes(column: pd.Series) -> tuple[npt.NDArray[np.int64], pd.Index]:
    """An id column as integer codes and the ids (strings) they stand for."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, ids = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, ids = pd.factorize(column)
    return codes.astype(np.int64), pd.Index(ids.astype(str))


def _records(table: pd.DataFrame, key: str) -> dict[str, dict[str, object]]:
    return {str(r[key]): r for r in table.to_dict("records")}


def _unsuitable_because(
    child: Mapping[str, Any], setting: Mapping[str, Any], minutes: float | None, policy: Policy
) -> str:
    ncy = int(child["ncy"])
    if not int(setting["ncy_low"]) <= ncy <= int(setting["ncy_high"]):
        return "outside the age range"
    gender, sex = str(setting["gender"]), str(child["sex"])
    if (gender == "boys" and sex != "M") or (gender == "girls" and sex != "F"):
        return "single-sex setting of the other sex"
    designated = {str(n) for n in setting["designated_needs"]}
    child_needs = {str(child["primary_need"]), str(child["secondary_need"])} - {""}
    if SettingType(str(setting["setting_type"])) in SPECIALIST_TYPES and not (
        designated & child_needs
    ):
        return "not designated for the child's needs"
    if minutes is None or minutes > policy.limit_for(phase_of(ncy)):
        return "journey beyond the limit"
    return ""


def _within_vacancies(
    new: pd.DataFrame, places: pd.DataFrame, policy: Policy, children: pd.DataFrame
) -> list[str]:
    """No place line takes more new placements than its vacancies, plus (when everyone is
    placed afresh) the places its current pupils leave on it."""
    out = []
    line = places.assign(
        urn=places["urn"].astype(str), need=places["need"].fillna("").astype(str)
    ).set_index(["urn", "need"])["vacancies"]
    line = line[~line.index.duplicated()].astype(int)
    if policy.move_current:
        leaving = children[children["current_urn"].fillna("").astype(str) != ""]
        urns = leaving["current_urn"].astype(str).tolist()
        freed = Counter(zip(urns, [""] * len(urns), strict=True))
        freed += Counter(zip(urns, leaving["primary_need"].astype(str), strict=True))
        line = line + pd.Series(freed, dtype=int).reindex(line.index, fill_value=0)
    by_need = new.groupby([new["urn"].astype(str), new["need"].astype(str)]).size()
    for (urn, need), count in by_need.items():
        if (urn, need) in line.index and count > int(line[(urn, need)]):
            out.append(f"setting {urn} has {count} new {need} placements for {line[(urn, need)]}")
    by_setting = new.groupby(new["urn"].astype(str)).size()
    for urn, count in by_setting.items():
        if (urn, "") in line.index:
            free = int(line[(urn, "")]) - policy.reserved_places.get(urn, 0)
            if count > max(free, 0):
                out.append(f"setting {urn} has {count} new placements for {max(free, 0)} free")
    return out


def _place_cost(
    setting: Mapping[str, Any],
    need: str,
    line_costs: Mapping[tuple[str, str], float],
    tariffs: Tariffs,
) -> float:
    """The annual place cost: the need line's, else the whole line's, else the tariff; a general
    place in a mainstream setting with resourced provision costs a mainstream place."""
    kind = SettingType(str(setting["setting_type"]))
    general = kind is SettingType.MAINSTREAM_RP and need not in set(setting["designated_needs"])
    for key in (need, "") if not general else (need,):
        cost = line_costs.get((str(setting["urn"]), key), math.nan)
        if not math.isnan(cost):
            return float(cost)
    return tariffs.place_cost(SettingType.MAINSTREAM if general else kind, Need(need))


def _costs_as_stated(
    placements: pd.DataFrame,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    journeys: pd.DataFrame,
    tariffs: Tariffs,
) -> list[str]:
    setting = _records(settings, "urn")
    line_costs = dict(
        zip(
            zip(places["urn"].astype(str), places["need"].fillna("").astype(str), strict=True),
            places["annual_cost"].astype(float),
            strict=True,
        )
    )
    out = []
    minutes_of = _minutes(placements, journeys)
    for row, minutes in zip(placements.itertuples(index=False), minutes_of, strict=True):
        key = (str(row.child_id), str(row.urn))
        stated = float(row.travel_minutes)
        if not (math.isnan(minutes) and math.isnan(stated)) and not math.isclose(minutes, stated):
            out.append(f"child {key[0]} travel minutes {stated} but the journey is {minutes}")
        transport = 0.0 if math.isnan(minutes) else float(tariffs.transport.annual_cost(minutes))
        expected = _place_cost(setting[key[1]], str(row.need), line_costs, tariffs) + transport
        if abs(expected - float(row.annual_cost)) > _COST_TOLERANCE:
            out.append(f"child {key[0]} annual cost {row.annual_cost} but should be {expected}")
    return out


def _none_suitable(
    unplaced: pd.DataFrame,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    journeys: pd.DataFrame,
    policy: Policy,
) -> list[str]:
    """Children unplaced for want of a suitable setting must have no suitable setting in reach."""
    said = unplaced.loc[unplaced["reason"] == UnplacedReason.NO_SUITABLE, "child_id"]
    candidates = journeys[journeys["child_id"].isin(set(said.astype(str)))]
    return [
        f"child {c} unplaced as having no suitable setting but {u} is suitable"
        for c, u, why in verdicts(candidates, children, settings, journeys, policy)
        if not why
    ]


def _families_as_stated(
    families: pd.DataFrame | None,
    children: pd.DataFrame,
    settings: pd.DataFrame,
    journeys: pd.DataFrame,
    policy: Policy,
    placements: pd.DataFrame,
    unplaced: pd.DataFrame,
) -> list[str]:
    """Every family of two or more children being placed is accounted for once: together at
    one setting, apart with no setting suitable for all (re-derived here), or apart for want
    of room although such a setting exists."""
    if "family_id" not in children.columns:
        return []
    new = placements.loc[~placements["kept"].astype(bool), ["child_id", "urn"]].astype(str)
    being_placed = set(new["child_id"]) | set(unplaced["child_id"].astype(str))
    at = dict(zip(new["child_id"], new["urn"], strict=True))
    members: dict[str, list[str]] = {}
    for cid, fid in zip(children["child_id"].astype(str), children["family_id"], strict=True):
        if cid in being_placed and isinstance(fid, str) and fid.strip():
            members.setdefault(fid.strip(), []).append(cid)
    expected = {f: m for f, m in members.items() if len(m) >= 2}
    stated = (
        {}
        if families is None
        else dict(zip(families["family_id"], families["outcome"], strict=True))
    )
    out = [f"family {f} is not accounted for" for f in sorted(set(expected) - set(stated))]
    out += [f"family {f} is not a family being placed" for f in sorted(set(stated) - set(expected))]
    kids_of = {c: f for f, kids in expected.items() for c in kids}
    mine = journeys[journeys["child_id"].isin(set(kids_of))]
    suits: dict[str, set[str]] = {c: set() for c in kids_of}
    for cid, urn, why in verdicts(mine, children, settings, journeys, policy):
        if not why:
            suits[cid].add(urn)
    for family, kids in sorted(expected.items()):
        outcome = stated.get(family)
        together = len({at.get(c) for c in kids}) == 1 and kids[0] in at
        shared = set.intersection(*(suits[c] for c in kids))
        if outcome == SiblingOutcome.TOGETHER and not together:
            out.append(f"family {family} is said to be together but is not")
        elif outcome == SiblingOutcome.NO_COMMON_SETTING and shared:
            out.append(
                f"family {family} is said to have no common setting but {min(shared)} suits all"
            )
        elif outcome == SiblingOutcome.NO_ROOM_TOGETHER and (together or not shared):
            out.append(f"family {family} is said to lack room together, wrongly")
    return out
