"""How every `rightplace` command reports bad input: each problem on its own line, exit 2."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from solver.errors import InputError

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
