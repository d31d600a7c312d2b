"""Evaluating candidate sites for a proposed setting, end to end: load the scenario, route,
rank and choose the sites, solve with the setting open, forecast, and write the tables and the
evidence pack. Orchestration over `solver.sites.reach` (the site rules) and
`solver.sites.evidence` (the pack), kept apart from both so neither imports the other's caller.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from geo.basemap import boundary_beside, outline_paths, road_paths
from solver.errors import InputError
from solver.forecast.sufficiency import scenario_forecast
from solver.io.inputs import load_scenario_inputs
from solver.io.outputs import write_csv
from solver.io.scenario_file import load_scenario
from solver.scenarios.changes import with_changes
from solver.sites.evidence import PackContext, write_evidence
from solver.sites.proposal import (
    Proposal,
    forecast_reach,
    opening_changes,
    opening_effect,
    write_proposed_scenario,
)
from solver.sites.reach import (
    SiteEvaluation,
    choose_sites,
    eligible_children,
    load_candidates,
    rank_sites,
    reach_table,
    site_journeys,
    sites_off_network,
)
from solver.travel.journeys import scenario_journeys, scenario_network


def _la_words(la_code: str | None, outline: Path | None) -> str:
    """The LA as the pack names it: the outline's name and the LA code, as far as known."""
    name = ""
    if outline is not None:
        features = json.loads(outline.read_text(encoding="utf-8")).get("features", [])
        name = str(features[0].get("properties", {}).get("name", "")) if features else ""
    return " ".join(filter(None, [name, f"({la_code})" if la_code else ""])) or "the LA"


def evaluate_sites(
    scenario_path: Path, proposal: Proposal, candidates_path: Path, out: Path, k: int = 1
) -> SiteEvaluation:
    """Rank the candidate sites for `proposal`, choose the best k and solve with the setting
    open there; writes the internal tables, the proposed scenario and the evidence pack into
    `out`. The inputs are the scenario's once its changes take effect.

    Parameters
    ----------
    scenario_path
        The scenario YAML.
    proposal
        The proposed setting: needs, ages, places and catchment.
    candidates_path
        The candidate sites CSV (site_id with a postcode or easting and northing).
    out
        The folder written to (sites.csv, effect tables, proposed_scenario.yaml, evidence pack).
    k
        How many sites to choose.

    Returns
    -------
    SiteEvaluation
        The ranked and chosen sites, the effect of opening there and the forecast reach.

    Raises
    ------
    InputError
        Every problem of the scenario, its inputs or the candidate sites.
    """
    scenario = load_scenario(scenario_path)
    loaded = load_scenario_inputs(scenario)
    base_journeys = scenario_journeys(scenario_path, scenario, loaded, out)
    inputs, journeys = with_changes(scenario_path, scenario, loaded, base_journeys)
    candidates = load_candidates(candidates_path, scenario.inputs.postcodes)
    eligible = eligible_children(inputs.children, proposal)
    network = scenario_network(scenario, str(scenario_path))
    far = sites_off_network(network, candidates, candidates_path)
    if far:
        raise InputError(far)
    cutoff = min(scenario.policy.cutoff_minutes, proposal.within_minutes)
    trips = site_journeys(network, eligible, candidates, cutoff)
    reach = reach_table(
        eligible, inputs.settings, journeys, trips, proposal, inputs.tariffs, scenario.policy
    )
    site_ids = list(candidates["site_id"])
    ranked = rank_sites(reach, site_ids, proposal.places)
    chosen = choose_sites(reach, site_ids, k, proposal.places)
    opened = opening_changes(proposal, candidates, chosen, date.today().year)
    effect = opening_effect(scenario_path, scenario, loaded, opened, base_journeys)
    future = None
    if scenario.la_code and scenario.inputs.ehcp and scenario.inputs.population:
        table = scenario_forecast(scenario, loaded, 5, scenario_path=scenario_path).table
        future = forecast_reach(reach, inputs.children, table)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "sites.csv", ranked)
    write_csv(out / "effect.csv", effect.system)
    write_csv(out / "effect_on_settings.csv", effect.settings)
    if future is not None:
        write_csv(out / "forecast_reach.csv", future)
    write_proposed_scenario(scenario, opened, out / "proposed_scenario.yaml")
    outline = boundary_beside(scenario.inputs.network)
    context = PackContext(
        proposal,
        _la_words(scenario.la_code, outline),
        date.today(),
        road_paths(network),
        None if outline is None else outline_paths(outline),
    )
    empty = ranked.loc[ranked["children_in_reach"] == 0, "site_id"]
    warnings = tuple(
        f"site {site}: no child with a matching need and age lives within "
        f"{proposal.within_minutes} minutes by road"
        for site in empty
    )
    evaluation = SiteEvaluation(ranked, chosen, effect, future, reach, warnings)
    write_evidence(evaluation, candidates, inputs.settings, context, out)
    return evaluation
