"""The `rightplace` command: batch runs of everything the app does."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TypeVar

import typer

from solver.problems import InputError

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


def main() -> None:
    """Console entry point."""
    app()
