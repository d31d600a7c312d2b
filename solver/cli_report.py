"""How every `rightplace` command reports bad input: each problem on its own line, exit 2."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import typer

from solver.errors import (
    AGE_RANGE,
    CHILD_IDS,
    SCENARIO_NAMES,
    SCHEDULER,
    TRAVEL_TABLE,
    InputError,
)

T = TypeVar("T")

#: Exit code for bad input: every problem has been printed, one per line.
EXIT_BAD_INPUT = 2

#: The flag that gave each value the library names by its concept (solver.errors.GIVEN).
FLAGS = {
    CHILD_IDS: "--child",
    TRAVEL_TABLE: "--journeys",
    SCHEDULER: "--scheduler",
    SCENARIO_NAMES: "--scenario",
    AGE_RANGE: "--ages",
}


def report_problems(action: Callable[[], T]) -> T:
    """Run `action`; on bad input print every problem as `file:row:column: message` (a value
    given directly named by its flag) and exit 2."""
    try:
        return action()
    except InputError as exc:
        for problem in exc.problems:
            typer.echo(str(replace(problem, file=FLAGS.get(problem.file, problem.file))), err=True)
        typer.echo(f"{len(exc.problems)} problem(s) found", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
