"""Candidate sites for a proposed setting: `site_id` with a postcode or an easting and northing,
read into grid references; every bad row is a problem naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from solver.domain.model import ID_RULE
from solver.errors import InputError, Problem
from solver.io.csvfile import guard_read, problems_where, unsafe_ids
from solver.io.postcodes import load_postcodes, postcode_centroids


def load_candidates(path: Path, postcodes: Path | None) -> pd.DataFrame:
    """Candidate sites (site_id, easting, northing) from `site_id` and a postcode or grid
    reference; every bad row is a problem naming file, row and column."""
    path = Path(path)
    table = guard_read(path, lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
    if "site_id" not in table.columns:
        raise InputError([Problem(str(path), 1, "site_id", "missing column")])
    if table.empty:
        raise InputError([Problem(str(path), None, "site_id", "no candidate sites (no data rows)")])
    for column in ("postcode", "easting", "northing"):
        if column not in table.columns:
            table[column] = ""
    easting = pd.to_numeric(table["easting"], errors="coerce")
    northing = pd.to_numeric(table["northing"], errors="coerce")
    has_postcode = table["postcode"].str.strip() != ""
    if has_postcode.any():
        if postcodes is None:
            raise InputError([Problem(str(path), None, "postcode", "no postcode lookup given")])
        at_easting, at_northing = postcode_centroids(table["postcode"], load_postcodes(postcodes))
        easting = easting.where(~has_postcode, at_easting)
        northing = northing.where(~has_postcode, at_northing)
    problems = [
        Problem(
            str(path),
            int(i) + 2,
            "postcode" if has_postcode[i] else "easting",
            "unknown postcode" if has_postcode[i] else "no postcode or easting, northing",
        )
        for i in np.flatnonzero(easting.isna() | northing.isna())
    ]
    ids = table["site_id"]
    bad_ids = unsafe_ids(ids) & (ids.str.strip() != "")  # empty ones are said so below
    problems += problems_where(path, bad_ids, "site_id", f"site_id {ID_RULE}:", ids)
    problems += [
        Problem(str(path), int(i) + 2, "site_id", "duplicate site_id")
        for i in np.flatnonzero(table["site_id"].duplicated())
    ]
    problems += [
        Problem(str(path), int(i) + 2, "site_id", "empty site_id")
        for i in np.flatnonzero(table["site_id"].str.strip() == "")
    ]
    problems += [
        Problem(str(path), int(i) + 2, "easting", "outside Great Britain")
        for i in np.flatnonzero(~easting.between(0, 700_000) | ~northing.between(0, 1_300_000))
        if not np.isnan(easting[i])
    ]
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        {
            "site_id": table["site_id"],
            "easting": easting.astype(float),
            "northing": northing.astype(float),
        }
    )
