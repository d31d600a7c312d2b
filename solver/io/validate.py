"""Checking input files before any run: every problem in every file, and what they hold."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from solver.errors import Problem
from solver.io.inputs import load_files, settings_places


def _empty() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True)
class ValidationReport:
    """The problems found and, for files that loaded, counts by setting type and by need."""

    problems: tuple[Problem, ...] = ()
    settings_by_type: Mapping[str, int] = field(default_factory=_empty)
    places_by_need: Mapping[str, int] = field(default_factory=_empty)
    children_by_need: Mapping[str, int] = field(default_factory=_empty)
    skipped: Mapping[str, int] = field(default_factory=_empty)
    unread_child_columns: int = 0  # personal or unknown columns of the children file, not read

    @property
    def ok(self) -> bool:
        """True when no file has a problem."""
        return not self.problems

    def summary(
        self, type_words: Callable[[str], str] = str, need_words: Callable[[str], str] = str
    ) -> str:
        """One line: settings by type, need places, children by primary need, problems; types
        and needs as codes, or through the words functions given (for people)."""
        settings = sum(self.settings_by_type.values())
        places = sum(self.places_by_need.values())
        children = sum(self.children_by_need.values())
        parts = [
            f"{settings} settings ({_counts(self.settings_by_type, type_words)})",
            f"{places} need places ({_counts(self.places_by_need, need_words)})",
        ]
        if self.children_by_need:
            parts.append(f"{children} children ({_counts(self.children_by_need, need_words)})")
        if self.unread_child_columns:
            parts.append(f"{self.unread_child_columns} other children columns not read")
        skipped = sum(self.skipped.values())
        if skipped:
            parts.append(f"{skipped} establishments skipped ({_counts(self.skipped)})")
        parts.append(f"{len(self.problems)} problem(s)")
        return "; ".join(parts)


def _counts(counts: Mapping[str, int], words: Callable[[str], str] = str) -> str:
    return ", ".join(f"{words(key)} {n}" for key, n in counts.items()) or "none"


def _value_counts(column: pd.Series) -> Mapping[str, int]:
    counts = column.value_counts()
    return MappingProxyType({str(k): int(n) for k, n in sorted(counts.items())})


def validate_files(
    settings: Path,
    overrides: Path | None = None,
    children: Path | None = None,
    postcodes: Path | None = None,
) -> ValidationReport:
    """Load each file given, gathering the problems of all of them, and count what they hold.

    Parameters
    ----------
    settings
        The GIAS establishment download (CSV).
    overrides, children, postcodes
        Places and costs by URN and need, children with EHCPs, postcode centroids (each
        optional).

    Returns
    -------
    ValidationReport
        Every problem found (none: `ok`), and counts for the files that loaded.
    """
    loaded = load_files(settings, overrides, children, postcodes)
    if loaded.problems or loaded.gias is None:
        return ValidationReport(problems=loaded.problems)
    places = settings_places(loaded.gias, loaded.overrides)
    need_places = places[places["need"] != ""]
    return ValidationReport(
        settings_by_type=_value_counts(loaded.gias.settings["setting_type"]),
        places_by_need=MappingProxyType(
            {str(k): int(n) for k, n in need_places.groupby("need")["places"].sum().items()}
        ),
        children_by_need=(
            _empty() if loaded.children is None else _value_counts(loaded.children["primary_need"])
        ),
        skipped=MappingProxyType({k: n for k, n in loaded.gias.skipped.items() if n}),
        unread_child_columns=(
            0 if loaded.children is None else loaded.children.attrs["dropped_columns"]
        ),
    )
