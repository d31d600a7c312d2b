"""The `rightplace` command: batch runs of everything the app does."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from solver.problems import InputError
from solver.synth import MIN_SETTINGS, SynthSize, write_synth
from solver.validate import ValidationReport, validate_files

app = typer.Typer(
    name="rightplace",
    help="RightPlace: tailored lists, placement optimisation and sufficiency for SEND.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")

#: Exit code for bad input: every problem has been printed, one per line.
EXIT_BAD_INPUT = 2


def report_problems(action: Callable[[], T]) -> T:
    """Run `action`; on bad input print every problem as `file:row:column: message` and exit 2."""
    try:
        return action()
    except InputError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) found", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


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
        Path, typer.Option("--settings", help="GIAS establishment download (CSV).")
    ],
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
) -> None:
    """Check input files: print a one-line summary, or every problem (exit 2)."""

    def check() -> ValidationReport:
        report = validate_files(settings, overrides, children, postcodes)
        if not report.ok:
            raise InputError(report.problems)
        return report

    typer.echo(report_problems(check).summary())


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
) -> None:
    """Write a synthetic, valid input set (GIAS, overrides, children, roads, scenario)."""
    paths = write_synth(SynthSize(children, settings, nodes, seed), out, postcodes=postcodes)
    typer.echo(f"wrote {len(paths)} files to {out}: " + ", ".join(p.name for p in paths.values()))


def main() -> None:
    """Console entry point."""
    app()
