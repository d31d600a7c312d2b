"""Tailored lists: for each child, every setting on the list (ranked) or off it, with reasons.

A setting is on a child's list when it passes every suitability rule (age, sex, need, journey);
settings with no vacancy or much dearer than a suitable alternative stay on the list, marked.
The ranking follows the policy's keys in order (default: unmarked first, mainstream first,
shorter journey, lower cost), then URN, so it is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from solver.domain.reasons import Reason
from solver.domain.scenario import Policy, RankKey
from solver.domain.tariffs import Tariffs
from solver.placement.rules import (
    Pairs,
    assess,
    cross_index,
    free_places,
    is_mainstream,
    much_dearer,
    vacancy,
)


def tailored_lists(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    journeys: pd.DataFrame,
    tariffs: Tariffs,
    policy: Policy,
    child_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every setting for every child (or those named): solver.io.lists.LIST_COLUMNS, then detail."""
    children = children.reset_index(drop=True)
    settings = settings.reset_index(drop=True)
    if child_ids is not None:
        wanted = [str(c) for c in child_ids]
        children = children[children["child_id"].astype(str).isin(wanted)].reset_index(drop=True)
        journeys = journeys[journeys["child_id"].isin(wanted)]
    pairs = assess(
        children, settings, places, tariffs, policy, cross_index(children, settings, journeys)
    )
    room = vacancy(pairs, free_places(places, settings, policy))
    full = pairs.suitable & (room <= 0)
    dear = much_dearer(pairs, policy.dear_ratio)
    mainstream = is_mainstream(settings)[pairs.setting]
    rank = _rank(pairs, full | dear, mainstream, settings, policy)
    table = pd.DataFrame(
        {
            "child_id": children["child_id"].astype(str).to_numpy()[pairs.child],
            "urn": settings["urn"].astype(str).to_numpy()[pairs.setting],
            "on_list": pairs.suitable,
            "rank": pd.array(np.where(pairs.suitable, rank, 0), dtype="Int64"),
            "reasons": _reasons(pairs, full, dear, mainstream),
            "travel_minutes": pairs.minutes,
            "annual_cost": np.where(pairs.suitable, pairs.annual_cost, np.nan),
            "vacancy": pd.array(np.where(np.isinf(room), -1, room), dtype="Int64"),
            "name": settings["name"].astype(str).to_numpy()[pairs.setting],
            "setting_type": settings["setting_type"].astype(str).to_numpy()[pairs.setting],
            "place_cost": pairs.place_cost,
            "transport_cost": pairs.transport_cost,
            "estimated": pairs.estimated,
            "ofsted": settings["ofsted"].astype(str).to_numpy()[pairs.setting],
            "designated_needs": [
                " ".join(n) for n in settings["designated_needs"].to_numpy()[pairs.setting]
            ],
        }
    )
    table.loc[~table["on_list"], "rank"] = pd.NA
    table.loc[table["vacancy"] < 0, "vacancy"] = pd.NA  # no line bounds it: vacancy unknown
    order = np.lexsort(
        (table["urn"].to_numpy(), rank, ~pairs.suitable, table["child_id"].to_numpy())
    )
    return table.iloc[order].reset_index(drop=True)


def _rank(
    pairs: Pairs,
    marked: np.ndarray,
    mainstream: np.ndarray,
    settings: pd.DataFrame,
    policy: Policy,
) -> np.ndarray:
    """1-based rank of each suitable pair within its child's list, by the policy's keys."""
    keys = {
        RankKey.SUITABILITY: marked.astype(np.int64),
        RankKey.MAINSTREAM: (~mainstream).astype(np.int64) * int(policy.mainstream_first),
        RankKey.JOURNEY: pairs.minutes,
        RankKey.COST: pairs.annual_cost,
    }
    urn = settings["urn"].astype(str).to_numpy()[pairs.setting]
    order = np.lexsort(
        (urn, *[keys[k] for k in reversed(policy.ranking)], ~pairs.suitable, pairs.child)
    )
    rank = np.zeros(len(pairs), dtype=np.int64)
    child_sorted = pairs.child[order]
    starts = np.r_[0, np.flatnonzero(np.diff(child_sorted)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank[order] = np.arange(len(order)) - first + 1
    return rank


def _reasons(pairs: Pairs, full: np.ndarray, dear: np.ndarray, mainstream: np.ndarray) -> list[str]:
    """Semicolon-separated reason codes: why off the list, or why on it and how marked."""
    suitable = pairs.suitable
    codes: Sequence[tuple[Reason, np.ndarray]] = (
        (Reason.AGE, ~pairs.age_ok),
        (Reason.SEX, ~pairs.sex_ok),
        (Reason.NEED, ~pairs.need_ok),
        (Reason.JOURNEY, ~pairs.journey_ok),
        (Reason.FITS_AGE, suitable),
        (Reason.FITS_NEED, suitable & pairs.designated & ~pairs.via_secondary),
        (Reason.FITS_SECONDARY_NEED, suitable & pairs.via_secondary),
        (Reason.FITS_MAINSTREAM, suitable & mainstream & ~pairs.designated),
        (Reason.FITS_JOURNEY, suitable),
        (Reason.ESTIMATED, pairs.estimated & ~np.isnan(pairs.minutes)),
        (Reason.FULL, full),
        (Reason.COST, dear),
    )
    text = np.full(len(pairs), "", dtype=object)
    for reason, mask in codes:
        text[mask] = text[mask] + (reason.value + ";")
    return [t.rstrip(";") for t in text]
