"""Free-school site selection: which candidate sites a proposed setting would serve best.

For each candidate site, the children with a matching need and age within their phase's
journey limit are in reach; those now in independent or out-of-area settings could move, saving
the difference in place and transport cost. The best k sites are a capacitated location problem
solved exactly with OR-Tools CP-SAT: open k sites, assign each child to at most one open site in
reach, at most `places` children per site, maximising children served (then saving).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from geo.snap import snap
from solver.domain.groups import INDEPENDENT_TYPES
from solver.domain.model import home_la
from solver.domain.needs import ncy_range_of_ages, phase_of
from solver.domain.scenario import Policy
from solver.domain.tariffs import Tariffs
from solver.errors import Problem
from solver.io.journeys import journey_minutes
from solver.placement.rules import positions
from solver.sites.proposal import (
    OpeningEffect,
    Proposal,
)
from solver.travel.journeys import journey_times

SITE_COLUMNS = (
    "site_id",
    "rank",
    "children_in_reach",
    "independent_placements_served",
    "annual_saving",
)

#: A candidate site farther than this from every road in the network is a problem.
SITE_MAX_DISTANCE_M = 1_000.0

if TYPE_CHECKING:
    from geo.network import RoadNetwork


def sites_off_network(network: RoadNetwork, candidates: pd.DataFrame, path: Path) -> list[Problem]:
    """A problem (row, site id, distance) for each candidate site farther than
    SITE_MAX_DISTANCE_M from every road: no child could reach it, so it must not rank."""
    snapped = snap(
        network,
        candidates["easting"].to_numpy(float),
        candidates["northing"].to_numpy(float),
        max_distance_m=SITE_MAX_DISTANCE_M,
    )
    return [
        Problem(
            str(path),
            int(i) + 2,
            "easting",
            f"site {candidates['site_id'].iloc[i]} is {snapped.distance_m[i] / 1000:,.1f} km from "
            f"the nearest road in the network (limit {SITE_MAX_DISTANCE_M / 1000:,.0f} km): wrong "
            "location, or a network that does not cover it",
        )
        for i in np.flatnonzero(snapped.off_network)
    ]


def eligible_children(children: pd.DataFrame, proposal: Proposal) -> pd.DataFrame:
    """Children whose primary need the setting is designated for and whose NCY it teaches."""
    low, high = ncy_range_of_ages(proposal.low_age, proposal.high_age)
    keep = children["primary_need"].astype(str).isin(proposal.needs) & children["ncy"].between(
        low, high
    )
    return children[keep].reset_index(drop=True)


def reach_table(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    journeys: pd.DataFrame,
    trips_to_sites: pd.DataFrame,
    proposal: Proposal,
    tariffs: Tariffs,
    policy: Policy,
) -> pd.DataFrame:
    """One row per eligible child and site within the proposal's catchment by road (never
    beyond the child's journey limit): whether the child is now in an independent
    (INDEPENDENT_TYPES) or out-of-area setting, their current annual cost (place and transport) and
    the annual saving if they moved there (current less new costs; 0 if not movable)."""
    eligible = eligible_children(children, proposal)
    ids = eligible["child_id"].astype(str)
    # Everything about a child is worked out once per child, then gathered onto their pairs.
    limit = np.array(
        [min(policy.limit_for(phase_of(int(n))), proposal.within_minutes) for n in eligible["ncy"]],
        dtype=float,
    )
    by_urn = settings.set_index(settings["urn"].astype(str))
    home = home_la(settings)
    current = eligible["current_urn"].fillna("").astype(str)
    current_type = current.map(by_urn["setting_type"].astype(str)).fillna("").to_numpy(str)
    independent = np.isin(current_type, [t.value for t in INDEPENDENT_TYPES])
    out_of_area = current.map(by_urn["la_code"].astype(str)).fillna(home) != home
    movable = independent | out_of_area.to_numpy()
    now_minutes = journey_minutes(journeys, ids, current)
    need = eligible["primary_need"].astype(str).to_numpy()
    types = np.where(current_type == "", proposal.setting_type.value, current_type)
    now_cost = tariffs.place_costs(types, need) + np.nan_to_num(
        tariffs.transport.annual_cost(now_minutes)
    )
    new_place = tariffs.place_costs(np.full(len(eligible), proposal.setting_type.value), need)
    child = positions(trips_to_sites["child_id"].astype(str), ids)
    minutes = trips_to_sites["seconds"].to_numpy(float) / 60.0
    keep = (child >= 0) & (minutes <= limit[np.maximum(child, 0)])
    child, minutes = child[keep], minutes[keep]
    saving = now_cost[child] - new_place[child] - tariffs.transport.annual_cost(minutes)
    pairs = pd.DataFrame(
        {
            "child_id": ids.to_numpy()[child],
            "site_id": trips_to_sites["site_id"].astype(str).to_numpy()[keep],
            "minutes": minutes,
            "independent": independent[child],
            "out_of_area": out_of_area.to_numpy()[child],
            "current_cost": now_cost[child],
            "saving": np.where(movable[child], np.maximum(saving, 0.0), 0.0),
        }
    )
    return pairs


def site_journeys(
    network: RoadNetwork, children: pd.DataFrame, candidates: pd.DataFrame, cutoff_minutes: int
) -> pd.DataFrame:
    """Drive times from each child's home to each candidate site (child_id, site_id, seconds)."""
    as_settings = candidates.rename(columns={"site_id": "urn"})
    table = journey_times(
        network,
        children,
        as_settings,
        cutoff_minutes=cutoff_minutes,
    )
    return table.rename(columns={"urn": "site_id"})[["child_id", "site_id", "seconds"]]


def choose_sites(
    reach: pd.DataFrame, site_ids: Sequence[str], k: int, places: int, time_limit_s: float = 60.0
) -> list[str]:
    """The k sites serving the most children within capacity (ties: larger saving, then id),
    solved exactly with CP-SAT as a capacitated maximal-covering location problem; for k = 1
    the ranking is already exact (a lone site serves its best `places` children)."""
    if k == 1 and site_ids:
        return [str(rank_sites(reach, site_ids, places)["site_id"].iloc[0])]
    model = cp_model.CpModel()
    sites = sorted(site_ids)
    open_ = {s: model.new_bool_var(f"open_{s}") for s in sites}
    model.add(sum(open_.values()) == min(k, len(sites)))
    assign = [model.new_bool_var(f"a{i}") for i in range(len(reach))]
    for _, rows in reach.groupby("child_id").indices.items():
        model.add(sum(assign[i] for i in rows) <= 1)
    for site, rows in reach.groupby("site_id").indices.items():
        model.add(sum(assign[i] for i in rows) <= places * open_[site])
    saving = np.rint(reach["saving"].to_numpy(float)).astype(np.int64)
    weight = int(saving.sum()) + 1  # one more child outweighs any saving
    order = {s: i for i, s in enumerate(sites)}
    model.maximize(
        sum(
            int(weight * (len(sites) + 1) + saving[i] * (len(sites) + 1)) * assign[i]
            for i in range(len(reach))
        )
        - sum(order[s] * open_[s] for s in sites)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 2
    solver.solve(model)
    return [s for s in sites if solver.value(open_[s])]


def served_pairs(reach: pd.DataFrame, places: int) -> pd.DataFrame:
    """The pairs of the children each site alone would serve: its best-saving `places`."""
    best = reach.sort_values(["site_id", "saving"], ascending=[True, False], kind="stable")
    return best[best.groupby("site_id").cumcount() < places]


def rank_sites(reach: pd.DataFrame, site_ids: Sequence[str], places: int) -> pd.DataFrame:
    """sites.csv: each site alone, ranked by children it would serve (capped at `places`),
    then children in reach (the demand beyond its places), then annual saving; independent
    placements served and the saving count the best-saving children first, up to the places."""
    served = served_pairs(reach, places)
    table = pd.DataFrame(
        {
            "children_in_reach": reach.groupby("site_id").size(),
            "independent_placements_served": served.groupby("site_id")["independent"].sum(),
            "annual_saving": served.groupby("site_id")["saving"].sum().round(2),
        }
    )
    table = table.reindex(pd.Index([str(s) for s in site_ids], name="site_id")).fillna(0)
    table = table.astype({"children_in_reach": int, "independent_placements_served": int})
    table = table.reset_index()
    table["served"] = table["children_in_reach"].clip(upper=places)
    table = table.sort_values(
        ["served", "children_in_reach", "annual_saving", "site_id"],
        ascending=[False, False, False, True],
    )
    table["rank"] = np.arange(1, len(table) + 1)
    return table[list(SITE_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class SiteEvaluation:
    """Everything `rightplace sites` finds: the ranked sites, the chosen ones, the effect of
    opening the setting there, and the children in reach in the forecast years (None without
    a forecast: the scenario lacks la_code, EHCP history or population); `reach` is the
    reach table (children's pairs, internal) and `warnings` what the user should know."""

    ranked: pd.DataFrame
    chosen: list[str]
    effect: OpeningEffect
    forecast: pd.DataFrame | None
    reach: pd.DataFrame | None = None
    warnings: tuple[str, ...] = ()
