"""`rightplace sen2` and `rightplace validate --sen2`: children and a quality report from a
SEN2 return (the command-line flags live here; solver.cli registers them)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from solver.cli_report import EXIT_BAD_INPUT, report_problems
from solver.errors import InputError, Problem
from solver.io.inputs import gather, load_postcodes, read_gias
from solver.io.sen2 import read_return
from solver.io.sen2_census import CensusChildren, census_children
from solver.io.sen2_files import census_date, import_sen2, load_key, read_gias_ids, write_sen2


def sen2_command(
    source: Annotated[
        Path, typer.Option("--return", help="SEN2 return: folder or zip of Blade CSV files.")
    ],
    census: Annotated[datetime, typer.Option("--census", formats=["%Y-%m-%d"], help="census date")],
    postcodes: Annotated[
        Path, typer.Option("--postcodes", help="Postcode centroids: Code-Point Open or ONSPD.")
    ],
    settings: Annotated[
        Path, typer.Option("--settings", help="GIAS establishment download (CSV).")
    ],
    out: Annotated[Path, typer.Option("--out", help="output folder")],
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="last year's return, for sen2_flows.csv"),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="pseudonym key file (created if absent); default: ~/.config/rightplace/sen2.key",
        ),
    ] = None,
) -> None:
    """Children at the census date (children.csv), the quality report (sen2_issues.csv) and,
    with --previous, the flows between the two returns (sen2_flows.csv)."""

    def run() -> CensusChildren:
        problems: list[Problem] = []
        lookup = gather(problems, lambda: load_postcodes(postcodes))
        gias = gather(problems, lambda: read_gias(settings))
        ids = gather(problems, lambda: read_gias_ids(settings))
        secret = gather(problems, lambda: load_key(key))
        sen2 = gather(problems, lambda: read_return(source))
        before = None if previous is None else gather(problems, lambda: read_return(previous))
        if problems or gias is None or secret is None or sen2 is None:
            raise InputError(problems)
        result = import_sen2(
            sen2,
            census.date(),
            key=secret,
            postcodes=lookup,
            settings=gias.settings,
            gias_ids=ids,
            previous=before,
        )
        paths = write_sen2(result, out)
        typer.echo(f"wrote {', '.join(p.name for p in paths)} to {out}")
        return result.census

    typer.echo(summary(report_problems(run)))


def validate_sen2(source: Path, settings: Path | None, postcodes: Path | None) -> None:
    """Print every issue of a return at its later census date (the return year's), then the
    counts; exit 2 when there is any."""

    def run() -> tuple[CensusChildren, dict[str, str]]:
        problems: list[Problem] = []
        sen2 = gather(problems, lambda: read_return(source))
        lookup = None if postcodes is None else gather(problems, lambda: load_postcodes(postcodes))
        gias = None if settings is None else gather(problems, lambda: read_gias(settings))
        ids = None if settings is None else gather(problems, lambda: read_gias_ids(settings))
        if problems or sen2 is None:
            raise InputError(problems)
        year = sen2.year or datetime.now().year
        found = census_children(
            sen2,
            census_date(year),
            key=b"validate-only: ids are not written",
            postcodes=lookup,
            settings=None if gias is None else gias.settings,
            gias_ids=ids,
        )
        return found, dict(sen2.files)

    found, files = report_problems(run)
    for issue in found.issues.sort_values(["module", "row"]).itertuples():
        file = files.get(str(issue.module), str(issue.module))
        message = f"{issue.kind}: {issue.message}"
        typer.echo(str(Problem(file, int(issue.row), str(issue.field), message)), err=True)
    typer.echo(summary(found))
    if not found.issues.empty:
        raise typer.Exit(EXIT_BAD_INPUT)


def summary(found: CensusChildren) -> str:
    """One line: persons in scope = children + unusable, then issues by kind."""
    counts = found.issues["kind"].value_counts().sort_index()
    kinds = ", ".join(f"{k} {n}" for k, n in counts.items()) or "none"
    children = len(found.children)
    return (
        f"{found.in_scope} persons in scope = {children} children + {found.unusable} unusable; "
        f"{len(found.issues)} issue(s) ({kinds})"
    )
