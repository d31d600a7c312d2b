"""The one orchestration layer the CLI and the app share: open a scenario (its inputs and
journeys loaded once, its changes applied), then tailored lists, allocation, the forecast, site
evaluation and comparison over it. Computation below never reads or writes a file for these;
the CLI and the app hand the results to the writers in solver/io (and the evidence pack's).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.basemap import boundary_beside, outline_paths, road_paths
from solver.domain.scenario import OpenSetting, Scenario
from solver.errors import CHILD_IDS, TRAVEL_TABLE, CheckFailed, InputError, Problem
from solver.forecast.model import History, all_las_forecast
from solver.forecast.sufficiency import Forecast, LaHistory, forecast_sources, scenario_forecast
from solver.io.candidates import load_candidates
from solver.io.ehcp import read_caseload_history, read_la_tables
from solver.io.inputs import LoadedInputs, load_scenario_inputs
from solver.io.journeys import PLACEMENT_ONLY, TRAVEL_FILE, write_journeys
from solver.io.population import read_population
from solver.io.scenario_file import load_scenario, write_scenario
from solver.io.sites import evidence_files, la_words, write_evidence, write_site_tables
from solver.placement.allocate import Allocation, allocate
from solver.placement.check import check_allocation
from solver.placement.tailored import tailored_lists
from solver.scenarios.changes import capacity_changes, with_changes
from solver.scenarios.compare import ScenarioRun, comparison_table, scenario_names, scenario_run
from solver.sites.evaluation import empty_site_warnings, rank_candidates
from solver.sites.evidence import PackContext, evidence_pack
from solver.sites.proposal import (
    OpeningEffect,
    Proposal,
    forecast_reach,
    opening_changes,
    opening_effect,
    with_openings,
)
from solver.sites.reach import SiteEvaluation
from solver.travel.journeys import (
    local_search,
    scenario_network,
    scenario_pairs,
    some_children,
    with_ids,
)
from solver.travel.region import la_codes, region_journeys, region_lists
from solver.travel.tables import Search, cached_journeys, given_journeys, stamped

if TYPE_CHECKING:
    from distributed import Client

    from geo.network import RoadNetwork

#: Years ahead of the forecast that scales a site's reach.
SITE_FORECAST_YEARS = 5


@dataclass(frozen=True)
class Workspace:
    """A loaded scenario: the file, its settings, its inputs with the scenario's provision
    changes applied and their journeys; and the inputs as loaded with their travel table,
    from which variants (a setting opened) and the forecast start."""

    scenario_path: Path
    scenario: Scenario
    inputs: LoadedInputs
    journeys: pd.DataFrame
    loaded: LoadedInputs
    loaded_journeys: pd.DataFrame

    def tailored_lists(self, child_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Every setting on or off each child's list (or the named children's), with reasons.

        Parameters
        ----------
        child_ids
            The children whose lists to make; every child when None.

        Returns
        -------
        pandas.DataFrame
            One row per child and setting: `solver.io.lists.LIST_COLUMNS`, then the setting's
            name, type, costs, Ofsted grade and designated needs.

        Raises
        ------
        InputError
            A child id not among the children, or a travel table of placement journeys only.
        """
        require_every_journey(self.journeys)
        wanted = None if child_ids is None else [str(c) for c in child_ids]
        if wanted:
            known = set(self.inputs.children["child_id"].astype(str))
            unknown = [c for c in wanted if c not in known]
            if unknown:
                raise InputError(
                    Problem(CHILD_IDS, None, "child_id", f"unknown child {c}") for c in unknown
                )
        return tailored_lists(
            self.inputs.children,
            self.inputs.settings,
            self.inputs.places,
            self.journeys,
            self.inputs.tariffs,
            self.scenario.policy,
            child_ids=wanted or None,
        )

    def allocation(self) -> Allocation:
        """The optimal allocation, verified by the independent checker before it is returned
        (solved afresh on each call).

        Returns
        -------
        Allocation
            Placements, unplaced children with reasons, families, status and proven bound.

        Raises
        ------
        CheckFailed
            The checker found a placement that breaks a rule, a capacity or a journey limit.
        """
        i, policy = self.inputs, self.scenario.policy
        result = allocate(i.children, i.settings, i.places, self.journeys, i.tariffs, policy)
        violations = check_allocation(
            i.children,
            i.settings,
            i.places,
            self.journeys,
            i.tariffs,
            policy,
            result.placements,
            result.unplaced,
            result.families,
        )
        if violations:
            raise CheckFailed(f"checker found {len(violations)} violations: {violations[:3]}")
        return result

    def forecast(self, years: int) -> Forecast:
        """The scenario's forecast `years` ahead (`planned_forecast`): demand from the LA's
        DfE history, supply with the scenario's changes year by year, and the gap.

        Parameters
        ----------
        years
            How many years ahead, from the latest January DfE publishes.

        Returns
        -------
        Forecast
            Demand, supply and gap by need, phase and setting type, with 80% intervals.

        Raises
        ------
        InputError
            The scenario names no la_code, EHCP folder or population files, or they are bad.
        """
        return planned_forecast(self.scenario_path, self.scenario, self.loaded, years)

    def with_openings(self, opened: Sequence[OpenSetting]) -> Workspace:
        """The workspace of the scenario with these settings opened too.

        Parameters
        ----------
        opened
            The settings to open (as a scenario's `open` changes).

        Returns
        -------
        Workspace
            A new workspace; this one is unchanged.
        """
        scenario = with_openings(self.scenario, opened)
        return changed(self.scenario_path, scenario, self.loaded, self.loaded_journeys)

    def opening_effect(self, opened: Sequence[OpenSetting]) -> OpeningEffect:
        """Solve without and with the openings; both allocations pass the checker.

        Parameters
        ----------
        opened
            The settings to open.

        Returns
        -------
        OpeningEffect
            The system's figures without, with and the change, and each existing setting
            whose placements change.
        """
        runs = {"without": self, "with": self.with_openings(opened)}
        solved = {label: (ws.allocation(), ws.inputs) for label, ws in runs.items()}
        return opening_effect(solved, self.loaded.settings, opened)

    def evaluate_sites(
        self, proposal: Proposal, candidates_path: Path, k: int, year: int
    ) -> SiteStudy:
        """Rank the candidate sites for `proposal`, choose the best k and solve with the
        setting open there from `year`; with the scenario's forecast, the reach in its years.

        Parameters
        ----------
        proposal
            The proposed setting: needs, ages, places and catchment.
        candidates_path
            The candidate sites CSV (site_id with a postcode or easting and northing).
        k
            How many sites to choose.
        year
            The year the setting opens (the CLI and the app give this year).

        Returns
        -------
        SiteStudy
            The evaluation and what its files need (`write_site_study`).

        Raises
        ------
        InputError
            Every problem of the candidate sites, or the road network.
        """
        scenario = self.scenario
        candidates = load_candidates(candidates_path, scenario.inputs.postcodes)
        network = scenario_network(scenario, str(self.scenario_path))
        ranking = rank_candidates(
            network,
            candidates,
            candidates_path,
            self.inputs,
            self.journeys,
            scenario.policy,
            proposal,
            k,
        )
        opened = opening_changes(proposal, candidates, ranking.chosen, year)
        effect = self.opening_effect(opened)
        future = None
        if scenario.la_code and scenario.inputs.ehcp and scenario.inputs.population:
            table = self.forecast(SITE_FORECAST_YEARS).table
            future = forecast_reach(ranking.reach, self.inputs.children, table)
        warnings = empty_site_warnings(ranking.ranked, proposal)
        evaluation = SiteEvaluation(
            ranking.ranked, ranking.chosen, effect, future, ranking.reach, warnings
        )
        proposed = with_openings(scenario, opened)
        return SiteStudy(evaluation, proposal, candidates, self.inputs.settings, proposed, network)


@dataclass(frozen=True)
class SiteStudy:
    """A site evaluation and what its files need: the proposal, the candidate sites, the
    settings it was solved on, the scenario with the setting opened at the chosen sites, and
    the road network drawn under the evidence pack's map."""

    evaluation: SiteEvaluation
    proposal: Proposal
    candidates: pd.DataFrame
    settings: pd.DataFrame
    proposed: Scenario
    network: RoadNetwork


def write_site_study(study: SiteStudy, out: Path, day: date) -> list[Path]:
    """`rightplace sites`' files in `out`: the internal tables, proposed_scenario.yaml (which
    `rightplace solve` reproduces the pack's figures from) and the evidence pack dated `day`.

    Parameters
    ----------
    study
        What `Workspace.evaluate_sites` returned.
    out
        The folder to write into.
    day
        The date the evidence pack is prepared (the CLI and the app give today).

    Returns
    -------
    list[Path]
        The files written.
    """
    e = study.evaluation
    paths = write_site_tables(e.ranked, e.effect.system, e.effect.settings, e.forecast, out)
    paths.append(write_scenario(study.proposed, out / "proposed_scenario.yaml"))
    return [*paths, *write_evidence(site_pack(study, day), out)]


def site_pack(study: SiteStudy, day: date) -> dict[str, bytes]:
    """The evidence pack of a site study, dated `day`, as its files by name (evidence.html and
    its CSVs): written by `write_site_study`, offered as downloads by the app."""
    outline = boundary_beside(study.proposed.inputs.network)
    context = PackContext(
        study.proposal,
        la_words(study.proposed.la_code, outline),
        day,
        road_paths(study.network),
        None if outline is None else outline_paths(outline),
    )
    pack = evidence_pack(study.evaluation, study.candidates, study.settings, context)
    return evidence_files(pack.tables, pack.page)


def require_every_journey(journeys: pd.DataFrame) -> None:
    """Tailored lists show every setting's journey: a placement-only table will not do."""
    if journeys.attrs.get(PLACEMENT_ONLY):
        message = (
            "holds only the journeys a placement can use (placement only); "
            "tailored lists need every journey: compute it again, not for placement only"
        )
        raise InputError([Problem(TRAVEL_TABLE, None, "travel table", message)])


def scenario_journeys(
    scenario_path: Path,
    scenario: Scenario,
    inputs: LoadedInputs,
    out_dir: Path,
    given: Path | None = None,
    *,
    only: list[str] | None = None,
    search: Search | None = None,
) -> pd.DataFrame:
    """The scenario's journeys: the table given (refused if computed from other inputs), else
    one cached in `out_dir` or beside the scenario and computed from these inputs, else searched
    now (by `search`, default on this machine) and cached in `out_dir`. With `only` some
    children, only theirs are searched, and not cached (a later run may want everyone's)."""
    if given is not None:
        return given_journeys(Path(given), scenario, inputs)
    can_search = scenario.inputs.network is not None
    for path in (Path(out_dir) / TRAVEL_FILE, Path(scenario_path).parent / TRAVEL_FILE):
        found = cached_journeys(path, scenario, inputs, can_search)
        if found is not None:
            return found
    if not can_search:
        message = f"no {TRAVEL_FILE} and no road network: give a travel table or inputs.network"
        raise InputError([Problem(str(scenario_path), None, "inputs.network", message)])
    children = some_children(inputs.children, only)
    journeys = (search or local_search)(scenario, str(scenario_path), children, inputs.settings)
    if only is None:
        write_journeys(stamped(journeys, scenario, inputs), Path(out_dir) / TRAVEL_FILE)
    return journeys


def open_workspace(
    scenario_path: Path,
    journeys_dir: Path,
    journeys: Path | None = None,
    *,
    only: list[str] | None = None,
    search: Search | None = None,
) -> Workspace:
    """Load a scenario's inputs and its journeys (read from `journeys`, or from or cached into
    `journeys_dir`; see `scenario_journeys`); every input problem of every file is raised
    together.

    Parameters
    ----------
    scenario_path
        The scenario YAML.
    journeys_dir
        Where a travel table for these inputs is looked for, and cached when one is searched.
    journeys
        A travel table to use instead (refused if computed from other inputs).
    only
        Search the journeys of these child ids only (not cached).
    search
        How to search journeys; default: on this machine.

    Returns
    -------
    Workspace
        The scenario, its inputs with its changes applied, and its journeys.

    Raises
    ------
    InputError
        Every problem of every input file.
    """
    scenario_path = Path(scenario_path)
    scenario = load_scenario(scenario_path)
    loaded = load_scenario_inputs(scenario)
    trips = scenario_journeys(
        scenario_path, scenario, loaded, Path(journeys_dir), journeys, only=only, search=search
    )
    return changed(scenario_path, scenario, loaded, trips)


def changed(
    scenario_path: Path, scenario: Scenario, loaded: LoadedInputs, journeys: pd.DataFrame
) -> Workspace:
    """The workspace of inputs as loaded and their travel table once the scenario's changes
    take effect (journeys to every opened setting added)."""
    inputs, trips = with_changes(scenario_path, scenario, loaded, journeys)
    return Workspace(scenario_path, scenario, inputs, trips, loaded, journeys)


def planned_forecast(
    scenario_path: Path, scenario: Scenario, loaded: LoadedInputs, years: int
) -> Forecast:
    """The one way a scenario's forecast is assembled, for the CLI, the app, comparisons and
    sites: from the inputs as loaded, with the scenario's changes to places year by year."""
    changes = capacity_changes(scenario, loaded)
    la = read_la_history(scenario_path, scenario)
    return scenario_forecast(la, loaded, years, demand=scenario.demand, changes=changes)


def read_la_history(scenario_path: Path, scenario: Scenario) -> LaHistory:
    """What the scenario's forecast learns from, read once: every LA's DfE caseload history,
    the LA's own tables by age and its ONS population. Raises what the scenario lacks for a
    forecast, or the problems of those files."""
    la_code, ehcp, population = forecast_sources(scenario, scenario_path)
    tables = read_la_tables(ehcp, la_code)
    return LaHistory(read_history(ehcp), tables, read_population(population, la_code))


def read_history(source: Path) -> History:
    """Every LA's January EHCPs by setting group from a folder of DfE releases."""
    return History.from_long(read_caseload_history(source))


def open_all_las_forecast(
    ehcp: Path, population: Path | None, origin: int | None, years: int
) -> pd.DataFrame:
    """`all_las_forecast` from a folder of DfE releases. `population` is checked but not used:
    the ONS files at hand are two mid-year estimates, not a series to learn from."""
    if population is not None and not Path(population).exists():
        raise InputError([Problem(str(population), None, "", "file or folder not found")])
    return all_las_forecast(read_history(ehcp), origin, years, ehcp)


def open_forecast(scenario_path: Path, years: int) -> Forecast:
    """`planned_forecast` of the scenario at `scenario_path`, its journeys never searched (a
    forecast needs none).

    Parameters
    ----------
    scenario_path
        The scenario YAML.
    years
        How many years ahead.

    Returns
    -------
    Forecast
        As `Workspace.forecast`.

    Raises
    ------
    InputError
        Every problem of the scenario and its input files.
    """
    scenario = load_scenario(Path(scenario_path))
    return planned_forecast(Path(scenario_path), scenario, load_scenario_inputs(scenario), years)


def run_scenario(path: Path, journeys_dir: Path, years: int = 5) -> ScenarioRun:
    """Solve and forecast one scenario for a comparison; its travel table cached in
    `journeys_dir`."""
    ws = open_workspace(path, journeys_dir)
    return scenario_run(ws.allocation(), ws.inputs, ws.forecast(years))


def compare_scenarios(paths: Sequence[Path], out: Path, years: int = 5) -> pd.DataFrame:
    """comparison.csv's table of every scenario, named by file stem, each caching its
    journeys in its own sub-folder of `out`.

    Parameters
    ----------
    paths
        The scenario YAML files.
    out
        The folder whose sub-folders cache each scenario's journeys.
    years
        How many years ahead each forecast looks.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: placement metrics and forecast gaps.
    """
    names = scenario_names(paths)
    runs = {
        name: run_scenario(Path(p), out / name, years) for name, p in zip(names, paths, strict=True)
    }
    return comparison_table(runs)


def travel_table(
    scenario_path: Path, placement_only: bool = False, client: Client | None = None
) -> pd.DataFrame:
    """`rightplace travel`'s table: the scenario's journeys within its cut-off (only those a
    placement can use with `placement_only`), searched here or, given a client, partition by
    partition on the cluster; stamped with what they are computed from."""
    scenario = load_scenario(Path(scenario_path))
    inputs = load_scenario_inputs(scenario)
    children, settings = inputs.children, inputs.settings
    if client is None:
        network = scenario_network(scenario, str(scenario_path))
        pairs = scenario_pairs(network, scenario, children, settings, placement_only)
        table = with_ids(pairs, children, settings)
    else:
        table = region_journeys(
            client, scenario, str(scenario_path), children, settings, placement_only
        )
    return stamped(table, scenario, inputs, placement_only)


def region_workspace(
    scenario_path: Path,
    out: Path,
    journeys: Path | None,
    client: Client,
    only: list[str] | None = None,
) -> Workspace:
    """A workspace whose journeys, unless a table is given or cached for these inputs, are
    searched on the cluster (only those of the `only` children, if given)."""
    search = functools.partial(region_journeys, client)
    return open_workspace(scenario_path, out, journeys, only=only, search=search)


def _lists_for(
    children: pd.DataFrame, journeys: pd.DataFrame, workspace: Workspace
) -> pd.DataFrame:
    return replace(
        workspace, inputs=replace(workspace.inputs, children=children), journeys=journeys
    ).tailored_lists()


def distributed_lists(
    workspace: Workspace, client: Client, child_ids: list[str] | None = None
) -> pd.DataFrame:
    """Tailored lists with each LA's children on a worker; the same rows as on one machine."""
    require_every_journey(workspace.journeys)
    children = workspace.inputs.children
    if child_ids:
        workspace.tailored_lists(child_ids[:1])  # unknown ids are reported as on one machine
        children = children[children["child_id"].astype(str).isin(child_ids)]
    # Each task gets its own children's journeys (and none of the loaded ones), not the whole
    # table.
    light = replace(
        workspace,
        journeys=workspace.journeys.iloc[:0],
        loaded_journeys=workspace.loaded_journeys.iloc[:0],
    )
    lists_of = functools.partial(_lists_for, workspace=light)
    table = region_lists(client, lists_of, children, workspace.journeys, la_codes(children))
    order = pd.Index(workspace.inputs.children["child_id"].astype(str))
    return table.iloc[
        np.argsort(order.get_indexer(table["child_id"].astype(str)), kind="stable")
    ].reset_index(drop=True)
