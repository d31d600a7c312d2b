"""Ranking candidate sites for a proposed setting: the children in reach of each site, the
sites ranked and the best k chosen, and what the user should be warned of. Computation over
tables and a road network; the workspace (solver/workspace.py) loads the scenario, solves with
the setting open, forecasts and has the files written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from solver.domain.scenario import Policy
from solver.errors import InputError
from solver.io.inputs import LoadedInputs
from solver.sites.proposal import Proposal
from solver.sites.reach import (
    choose_sites,
    eligible_children,
    rank_sites,
    reach_table,
    site_journeys,
    sites_off_network,
)

if TYPE_CHECKING:
    from geo.network import RoadNetwork


@dataclass(frozen=True)
class SiteRanking:
    """The reach table (children's pairs, internal), sites.csv's ranking and the chosen sites."""

    reach: pd.DataFrame
    ranked: pd.DataFrame
    chosen: list[str]


def rank_candidates(
    network: RoadNetwork,
    candidates: pd.DataFrame,
    candidates_path: Path,
    inputs: LoadedInputs,
    journeys: pd.DataFrame,
    policy: Policy,
    proposal: Proposal,
    k: int,
) -> SiteRanking:
    """Route the eligible children to each candidate site (none may lie off the network),
    rank the sites and choose the best k."""
    eligible = eligible_children(inputs.children, proposal)
    far = sites_off_network(network, candidates, candidates_path)
    if far:
        raise InputError(far)
    cutoff = min(policy.cutoff_minutes, proposal.within_minutes)
    trips = site_journeys(network, eligible, candidates, cutoff)
    reach = reach_table(
        eligible, inputs.settings, journeys, trips, proposal, inputs.tariffs, policy
    )
    site_ids = list(candidates["site_id"])
    ranked = rank_sites(reach, site_ids, proposal.places)
    return SiteRanking(reach, ranked, choose_sites(reach, site_ids, k, proposal.places))


def empty_site_warnings(ranked: pd.DataFrame, proposal: Proposal) -> tuple[str, ...]:
    """A warning for each site no eligible child can reach within the catchment."""
    empty = ranked.loc[ranked["children_in_reach"] == 0, "site_id"]
    return tuple(
        f"site {site}: no child with a matching need and age lives within "
        f"{proposal.within_minutes} minutes by road"
        for site in empty
    )
