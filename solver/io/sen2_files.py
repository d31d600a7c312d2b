"""SEN2 at the edges: the pseudonym key file, GIAS identifiers, and one import of a return.

`import_sen2` reads a return (and last year's), derives children at the census date with the
quality report and the flows; `write_sen2` writes children.csv, sen2_issues.csv and
sen2_flows.csv privately (0600). The key that makes child ids stays in its own file, never in
the outputs.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from solver.domain.model import CHILD_COLUMNS
from solver.errors import InputError, Problem
from solver.io.csvfile import read_text_csv
from solver.io.gias_reader import read_gias
from solver.io.outputs import write_bytes, write_csv
from solver.io.postcodes import load_postcodes
from solver.io.sen2 import Sen2Return, read_return
from solver.io.sen2_census import CensusChildren, cease_reasons, census_children
from solver.io.sen2_flows import census_flows

#: Census dates DfE set (SEN2.md §4); other years fall back to the third Thursday of January.
CENSUS_DATES: dict[int, date] = {
    year: date(year, 1, day)
    for year, day in (
        (2015, 15), (2016, 21), (2017, 19), (2018, 18), (2019, 17), (2020, 16), (2021, 14),
        (2022, 20), (2023, 19), (2024, 18), (2025, 16), (2026, 15), (2027, 21),
    )
}  # fmt: skip

KEY_BYTES = 32

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())


def census_date(year: int) -> date:
    """The January census date of `year`."""
    if year in CENSUS_DATES:
        return CENSUS_DATES[year]
    first = date(year, 1, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 14)


def default_key_path() -> Path:
    """Where the pseudonym key lives unless given: the user's config folder, never an output."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rightplace" / "sen2.key"


def load_key(path: Path | None = None) -> bytes:
    """The pseudonym key in `path` (default_key_path if None), created (0600) if absent."""
    path = Path(path) if path is not None else default_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_bytes(path, secrets.token_hex(KEY_BYTES).encode(), private=True)
    key = path.read_bytes().strip()
    if len(key) < 16:
        raise InputError([Problem(str(path), None, "", "pseudonym key shorter than 16 bytes")])
    return key


def read_gias_ids(path: Path) -> pd.DataFrame:
    """Every establishment of a GIAS download as (urn, ukprn, type_code), open or not."""
    columns = {"URN": "urn", "UKPRN": "ukprn", "TypeOfEstablishment (code)": "type_code"}
    raw = read_text_csv(Path(path), fallback_encoding="cp1252", columns=columns)
    return raw.rename(columns=columns).reindex(columns=list(columns.values()), fill_value="")


@dataclass(frozen=True)
class Sen2Import:
    """Children at the census date with the quality report, and flows from last year's."""

    census: CensusChildren
    flows: pd.DataFrame | None


def import_sen2(
    source: Path | Sen2Return,
    census: date,
    *,
    key: bytes,
    postcodes: pd.DataFrame | None,
    settings: pd.DataFrame | None = None,
    gias_ids: pd.DataFrame | None = None,
    previous: Path | Sen2Return | None = None,
) -> Sen2Import:
    """Read a return (or take one read) and derive children on `census`; with `previous`,
    last year's children (at the census a year before) and the flows between them."""
    sen2 = _read(source)

    def at(day: date, ret: Sen2Return) -> CensusChildren:
        return census_children(
            ret, day, key=key, postcodes=postcodes, settings=settings, gias_ids=gias_ids
        )

    now = at(census, sen2)
    if previous is None:
        return Sen2Import(now, None)
    before = at(census_date(census.year - 1), _read(previous))
    groups = settings if settings is not None else pd.DataFrame(columns=["urn", "setting_type"])
    flows = census_flows(before.children, now.children, groups, cease_reasons(sen2, key))
    return Sen2Import(now, flows)


def _read(source: Path | Sen2Return) -> Sen2Return:
    return source if isinstance(source, Sen2Return) else read_return(source)


def write_sen2(result: Sen2Import, out: Path) -> list[Path]:
    """Write children.csv, sen2_issues.csv and (with flows) sen2_flows.csv, all 0600."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        write_csv(out / "children.csv", result.census.children, private=True, index=False),
        write_csv(out / "sen2_issues.csv", result.census.report(), private=True, index=False),
    ]
    if result.flows is not None:
        paths.append(write_csv(out / "sen2_flows.csv", result.flows, private=True, index=False))
    return paths


def sen2_children(
    source: Path,
    census: date,
    key: Path | None,
    postcodes: pd.DataFrame | None,
    settings: pd.DataFrame | None,
    gias: Path | None,
) -> pd.DataFrame:
    """Children (CHILD_COLUMNS) on `census` from a return, for a scenario naming `inputs.sen2`;
    persons in scope who cannot be children are counted in a warning (never named)."""
    ids = None if gias is None else read_gias_ids(gias)
    found = import_sen2(
        source, census, key=load_key(key), postcodes=postcodes, settings=settings, gias_ids=ids
    ).census
    if found.unusable:
        logger.warning(
            "SEN2 return: %d of %d persons in scope are unusable (see rightplace sen2's "
            "sen2_issues.csv)",
            found.unusable,
            found.in_scope,
        )
    return found.children.loc[:, list(CHILD_COLUMNS)]


def sen2_quality(
    sen2: Sen2Return, census: date, settings: Path, postcodes: Path | None
) -> CensusChildren:
    """A return's quality report at `census` against a GIAS file and a postcode lookup, under a
    throwaway key (for showing the report: no id leaves this call)."""
    lookup = None if postcodes is None else load_postcodes(postcodes)
    return census_children(
        sen2,
        census,
        key=secrets.token_bytes(KEY_BYTES),
        postcodes=lookup,
        settings=read_gias(settings).settings,
        gias_ids=read_gias_ids(settings),
    )
