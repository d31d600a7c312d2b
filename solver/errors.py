"""What can go wrong, in one place: problems found in input files (data, not exceptions, so
every one can be reported at once), the error that carries them, and a failed check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input: `file:row:column: message`.

    `row` is the line number in the file (the header is line 1), or None for file-level problems.
    A value given directly rather than read from a file is named by its concept (GIVEN), never
    by a command-line flag. Messages never quote a child's personal values (postcodes, names,
    dates of birth).
    """

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column}: {self.message}"


#: What a problem names in place of a file when the bad value was given directly (the CLI shows
#: its flag for each instead; the app, the words).
CHILD_IDS = "child ids"
TRAVEL_TABLE = "travel table"
SCHEDULER = "Dask scheduler"
SCENARIO_NAMES = "scenario names"
AGE_RANGE = "age range"
GIVEN = (CHILD_IDS, TRAVEL_TABLE, SCHEDULER, SCENARIO_NAMES, AGE_RANGE)


class InputError(ValueError):
    """Raised when inputs have problems; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class CheckFailed(RuntimeError):
    """The independent checker rejected an allocation: a bug, never a result to publish."""
