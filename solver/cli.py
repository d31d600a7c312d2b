"""The `rightplace` command: batch runs of everything the app does."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from solver.cli_report import EXIT_BAD_INPUT as EXIT_BAD_INPUT  # re-exported for the tests
from solver.cli_report import report_problems
from solver.errors import InputError, Problem
from solver.io.family_page import Issue
from solver.io.lists import write_lists
from solver.io.outputs import write_csv, write_text
from solver.io.placements import write_placements
from solver.io.record import (
    RECORD_FILE,
    changed_inputs,
    input_paths,
    journeys_used,
    make_record,
    read_record,
    record_json,
    software_version,
)
from solver.io.validate import ValidationReport, validate_files
from solver.placement.memory import return_freed_arrays
from solver.sen2_cli import sen2_command, validate_sen2
from solver.synth.instance import MIN_SETTINGS, SynthSize, write_synth
from solver.synth.sen2 import write_synth_sen2

if TYPE_CHECKING:
    from solver.workspace import Workspace

app = typer.Typer(
    name="rightplace",
    help="RightPlace: tailored lists, placement optimisation and sufficiency for SEND.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress.")) -> None:
    """RightPlace works offline on pseudonymous ids; it never logs personal details."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def validate(
    settings: Annotated[
        Path | None, typer.Option("--settings", help="GIAS establishment download (CSV).")
    ] = None,
    overrides: Annotated[
        Path | None,
        typer.Option("--overrides", help="Places, vacancies and costs by URN and need (CSV)."),
    ] = None,
    children: Annotated[
        Path | None, typer.Option("--children", help="Children with EHCPs (CSV).")
    ] = None,
    postcodes: Annotated[
        Path | None,
        typer.Option("--postcodes", help="Postcode centroids: Code-Point Open or ONSPD."),
    ] = None,
    sen2: Annotated[
        Path | None, typer.Option("--sen2", help="SEN2 return: Blade CSV folder or zip.")
    ] = None,
) -> None:
    """Check input files: print a one-line summary, or every problem (exit 2)."""
    if sen2 is not None:
        validate_sen2(sen2, settings, postcodes)
        if settings is None:
            return
    if settings is None:
        raise typer.BadParameter("give --settings (and other files) or --sen2")

    def check() -> ValidationReport:
        report = validate_files(settings, overrides, children, postcodes)
        if not report.ok:
            raise InputError(report.problems)
        return report

    typer.echo(report_problems(check).summary())


ScenarioOption = Annotated[Path, typer.Option("--scenario", help="scenario YAML")]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="run partitions by LA on Dask: 'local' (an embedded cluster) or a scheduler "
        "address such as tcp://10.0.0.5:8786; default: this process only",
    ),
]
WorkersOption = Annotated[
    int, typer.Option("--workers", min=1, help="worker processes for --scheduler local")
]


def on_cluster(scheduler: str | None, workers: int, work: Callable[[Any], T]) -> T:
    """Run `work(client)` on a Dask cluster (`work(None)` without --scheduler), bad input
    reported as usual; the dashboard address, if any, goes to stderr."""
    if scheduler is None:
        return report_problems(lambda: work(None))
    from solver.travel.region import dashboard, dask_client

    if not logging.getLogger().isEnabledFor(logging.INFO):  # quiet unless --verbose
        import distributed  # noqa: F401  (sets its loggers' levels on import)

        for name in list(logging.root.manager.loggerDict):
            if name.startswith("distributed"):
                logging.getLogger(name).setLevel(logging.WARNING)

    def run() -> T:
        with dask_client(scheduler, workers) as client:
            link = dashboard(client)
            if link:
                typer.echo(f"Dask dashboard: {link}", err=True)
            return work(client)

    return report_problems(run)


OutOption = Annotated[Path, typer.Option("--out", help="output folder")]
JourneysOption = Annotated[
    Path | None,
    typer.Option(
        "--journeys",
        help="travel table; default: travel_times.parquet in --out, else computed and cached",
    ),
]


@app.command()
def travel(
    scenario: ScenarioOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for travel_times.parquet.")],
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    placement_only: Annotated[
        bool,
        typer.Option(
            "--placement-only",
            help="Only the journeys a placement can use (children in scope to settings for "
            "their year group within their phase's limit; others to their current setting): "
            "far smaller for national runs, but not for tailored lists.",
        ),
    ] = False,
) -> None:
    """Drive times from every child's home to every setting within the scenario's cut-off."""

    def work(client: Any) -> Path:
        return write_travel(scenario, out, client, placement_only)

    typer.echo(f"wrote {on_cluster(scheduler, workers, work)}")


def write_travel(scenario: Path, out: Path, client: Any, placement_only: bool = False) -> Path:
    """The scenario's travel table in `out`, on the cluster if any."""
    from solver.io.journeys import TRAVEL_FILE, write_journeys
    from solver.workspace import travel_table

    return write_journeys(travel_table(scenario, placement_only, client), out / TRAVEL_FILE)


def workspace_for(
    scenario: Path, out: Path, journeys: Path | None, client: Any, only: list[str] | None = None
) -> Workspace:
    """The scenario's workspace, its journeys searched on the cluster when there is one. With
    no travel table for these inputs and `only` some children, theirs alone are searched (as
    wide, but a small table) and not cached, as a later run may want everyone's."""
    from solver.workspace import open_workspace  # loads geo: only when a command needs it

    if client is None:
        return open_workspace(scenario, out, journeys, only=only)
    from solver.workspace import region_workspace

    return region_workspace(scenario, out, journeys, client, only)


@app.command()
def lists(
    scenario: ScenarioOption,
    out: OutOption,
    child: Annotated[
        list[str] | None, typer.Option("--child", help="child id (repeat); default: all")
    ] = None,
    journeys: JourneysOption = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help=f"also write {RECORD_FILE}: the date, input hashes, policy, lists and version "
            "that `rightplace replay` reproduces them from",
        ),
    ] = False,
) -> None:
    """Tailored lists: every setting on or off each child's list, ranked, with reasons."""

    def work(client: Any) -> int:
        ws = workspace_for(scenario, out, journeys, client, child)
        if client is None:
            table = ws.tailored_lists(child)
        else:
            from solver.workspace import distributed_lists

            table = distributed_lists(ws, client, child)
        issued = datetime.now(UTC)
        issue = Issue.of(ws.scenario, issued.date())
        files = write_lists(table, ws.inputs.children, ws.scenario.policy, issue, out)
        if record:
            made = make_record(
                issued=issued,
                issue=issue,
                child_ids=child or None,
                scenario=ws.scenario,
                inputs=input_paths(
                    scenario, ws.scenario, journeys_used(scenario, ws.scenario, out, journeys)
                ),
                lists=table,
                files=files,
            )
            write_text(out / RECORD_FILE, record_json(made), private=True)
        return int(table["child_id"].nunique())

    count = on_cluster(scheduler, workers, work)
    typer.echo(f"tailored lists for {count} children written to {out}")


#: Exit codes of `replay`: an input changed since the record; the same inputs gave other files.
EXIT_INPUT_CHANGED = 3
EXIT_NOT_REPRODUCED = 4


@app.command()
def replay(
    record: Annotated[Path, typer.Argument(help=f"a {RECORD_FILE} written by lists --record")],
    out: OutOption,
) -> None:
    """Make a recorded list again, byte for byte; exit 3 naming each input changed since the
    record, 4 if the same inputs gave different files (another software version)."""
    recorded = report_problems(lambda: read_record(record))
    changes = changed_inputs(recorded)
    if changes:
        for change in changes:
            typer.echo(change, err=True)
        typer.echo(f"{len(changes)} input(s) changed: the list cannot be reproduced", err=True)
        raise typer.Exit(EXIT_INPUT_CHANGED)

    def work() -> dict[str, str]:
        children = recorded.child_ids
        ws = workspace_for(recorded.scenario, out, recorded.journeys, None, children)
        table = ws.tailored_lists(children)
        return write_lists(table, ws.inputs.children, ws.scenario.policy, recorded.issue, out)

    written = report_problems(work)
    differ = sorted(
        n for n in set(written) | set(recorded.files) if written.get(n) != recorded.files.get(n)
    )
    if differ:
        for name in differ:
            typer.echo(f"{name}: differs from the record", err=True)
        typer.echo(
            f"recorded with rightplace {recorded.version}, replayed with {software_version()}",
            err=True,
        )
        raise typer.Exit(EXIT_NOT_REPRODUCED)
    typer.echo(f"reproduced {len(written)} file(s) byte for byte in {out}")


@app.command()
def solve(
    scenario: ScenarioOption,
    out: OutOption,
    journeys: JourneysOption = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Placement optimisation: every child in scope to a suitable setting at least cost
    (with --scheduler, journeys by LA on Dask, then one global flow)."""

    def work(client: Any) -> dict[str, object]:
        result = workspace_for(scenario, out, journeys, client).allocation()
        summary = result.summary()
        write_placements(result.placements, result.unplaced, result.families, summary, out)
        return result.summary()

    typer.echo(json.dumps(on_cluster(scheduler, workers, work)))


@app.command()
def synth(
    children: Annotated[int, typer.Option("--children", min=1, help="Children with EHCPs.")],
    settings: Annotated[
        int, typer.Option("--settings", min=MIN_SETTINGS, help="Schools, colleges and others.")
    ],
    nodes: Annotated[int, typer.Option("--nodes", min=4, help="Road network nodes.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the input set to.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 0,
    postcodes: Annotated[
        bool, typer.Option("--postcodes", help="Give homes as postcodes, with postcodes.csv.")
    ] = False,
    las: Annotated[
        int,
        typer.Option(
            "--las",
            min=1,
            help="Adjacent LAs of about 850 km2 each (1: one LA; 153: England-sized).",
        ),
    ] = 1,
    sen2: Annotated[
        bool,
        typer.Option("--sen2", help="Also write the children as SEN2 returns (sen2/2024, 2025)."),
    ] = False,
) -> None:
    """Write a synthetic, valid input set (GIAS, overrides, children, roads, scenario)."""
    size = SynthSize(children, settings, nodes, seed, las)
    paths = write_synth(size, out, postcodes=postcodes or sen2)
    if sen2:
        returns = write_synth_sen2(out, seed)
        typer.echo(f"wrote {len(returns)} SEN2 module files to {out / 'sen2'}")
    typer.echo(f"wrote {len(paths)} files to {out}: " + ", ".join(p.name for p in paths.values()))


app.command("sen2")(sen2_command)


@app.command()
def compare(
    scenario: Annotated[
        list[Path], typer.Option("--scenario", help="scenario YAML; repeat for each")
    ],
    out: OutOption,
    years: Annotated[int, typer.Option(min=1, max=25, help="Forecast years ahead.")] = 5,
) -> None:
    """Side-by-side comparison.csv: one row per metric, one column per scenario, differences."""
    from solver.scenarios.compare import COMPARISON_FILE
    from solver.workspace import compare_scenarios

    table = report_problems(lambda: compare_scenarios(scenario, out, years))
    typer.echo(f"wrote {write_csv(out / COMPARISON_FILE, table.round(4), index=True)}")


@app.command()
def sites(
    scenario: ScenarioOption,
    need: Annotated[list[str], typer.Option("--need", help="designated need; repeat")],
    ages: Annotated[str, typer.Option("--ages", help="statutory age range, e.g. 11-16")],
    places: Annotated[int, typer.Option("--places", min=1, help="places at the setting")],
    candidates: Annotated[Path, typer.Option("--candidates", help="candidate sites CSV")],
    out: OutOption,
    k: Annotated[int, typer.Option("--k", min=1, help="how many sites to choose")] = 1,
    within: Annotated[
        int | None,
        typer.Option("--within", min=1, help="catchment: minutes by road (default 20)"),
    ] = None,
) -> None:
    """Rank candidate sites for a proposed setting; sites.csv and a suppressed evidence pack."""
    from solver.domain.needs import parse_need
    from solver.sites.proposal import CATCHMENT_MINUTES, Proposal, parse_ages
    from solver.workspace import open_workspace, write_site_study

    def run() -> list[str]:
        low, high = parse_ages(ages)
        needs = []
        for value in need:
            try:
                needs.append(parse_need(value).value)
            except ValueError:
                raise InputError(
                    [Problem("--need", None, "need", f"unknown need {value}")]
                ) from None
        catchment = CATCHMENT_MINUTES if within is None else within
        proposal = Proposal(tuple(needs), low, high, places, within_minutes=catchment)
        today = date.today()
        study = open_workspace(scenario, out).evaluate_sites(proposal, candidates, k, today.year)
        write_site_study(study, out, today)
        for warning in study.evaluation.warnings:
            typer.echo(f"warning: {warning}", err=True)
        return study.evaluation.chosen

    chosen = report_problems(run)
    typer.echo(f"best site(s): {', '.join(chosen)}; wrote {out / 'sites.csv'}")


def main() -> None:
    """Console entry point."""
    return_freed_arrays()
    app()


def _origins(values: list[str]) -> list[int]:
    """Origin years from `2018`, repeated options, or ranges such as `2018-2021`."""
    years: list[int] = []
    for value in values:
        first, _, last = value.partition("-")
        try:
            years.extend(range(int(first), int(last or first) + 1))
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not a year or a range like 2018-2021") from None
    return years


@app.command()
def backtest(
    ehcp: Annotated[Path, typer.Option(help="Folder of DfE EHCP release zips, or their CSVs.")],
    origin: Annotated[list[str], typer.Option(help="Origin year; repeat it, or 2018-2024.")],
    out: Annotated[Path, typer.Option(help="Folder for backtest_errors/summary.csv.")],
    horizon: Annotated[int, typer.Option(min=1, help="Score horizons 1..H years ahead.")] = 3,
) -> None:
    """Forecast every LA and setting group from data up to each origin and score them."""
    from solver.forecast.backtest import run_backtest
    from solver.workspace import read_history

    def work() -> None:
        history = read_history(ehcp)
        errors, summary = run_backtest(history, _origins(origin), range(1, horizon + 1))
        write_csv(out / "backtest_errors.csv", errors)
        write_csv(out / "backtest_summary.csv", summary)
        total = summary[summary["setting_group"] == "all"]
        typer.echo(total.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    report_problems(work)


@app.command()
def forecast(
    out: Annotated[
        Path,
        typer.Option(help="Folder for forecast.csv, scap_send.csv, effects.csv (la_forecast.csv)."),
    ],
    scenario: Annotated[
        Path | None,
        typer.Option(help="Scenario YAML with la_code, inputs.ehcp, inputs.population."),
    ] = None,
    years: Annotated[int, typer.Option(min=1, max=25, help="Years ahead.")] = 10,
    all_las: Annotated[
        bool, typer.Option("--all-las", help="Every LA in England by setting group.")
    ] = False,
    ehcp: Annotated[
        Path | None, typer.Option(help="With --all-las: folder of DfE EHCP releases.")
    ] = None,
    population: Annotated[
        Path | None, typer.Option(help="With --all-las: folder of ONS population files.")
    ] = None,
    origin: Annotated[
        int | None,
        typer.Option(help="With --all-las: use data published for January YEAR and before."),
    ] = None,
) -> None:
    """Demand by need, phase and setting type with 80% intervals, places, gap and its cost;
    with --all-las, every LA's demand by setting group (la_forecast.csv)."""
    from solver.io.forecast import write_forecast, write_la_forecast
    from solver.workspace import open_all_las_forecast, open_forecast

    def work() -> None:
        if all_las:
            if ehcp is None:
                raise InputError([Problem("--ehcp", None, "", "--all-las needs --ehcp DIR")])
            table = open_all_las_forecast(ehcp, population, origin, years)
            typer.echo(str(write_la_forecast(table, out)))
            return
        if scenario is None:
            raise InputError([Problem("--scenario", None, "", "give --scenario or --all-las")])
        result = open_forecast(scenario, years)
        for path in write_forecast(result.table, result.scap, result.effects, out):
            typer.echo(str(path))

    report_problems(work)
