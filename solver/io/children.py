"""Reading the children file: pseudonymous ids, needs, NCY and a home grid reference only.

Every other column (names, dates of birth, addresses) is dropped on reading and only counted; a
postcode is turned into its centroid and then discarded. Problems name file, row and column but
never quote a child's values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from solver.domain.model import CHILD_COLUMNS, ID_RULE, Sex
from solver.domain.needs import NCY_MAX, NCY_MIN
from solver.errors import Problem
from solver.io.csvfile import (
    among,
    outside_gb,
    parse_float,
    parse_int,
    parse_needs,
    problems_where,
    raise_if_any,
    read_columns,
    unsafe_ids,
)
from solver.io.postcodes import postcode_centroids

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

REQUIRED_CHILD_COLUMNS: tuple[str, ...] = ("child_id", "ncy", "sex", "primary_need")
#: The others: a secondary need, a postcode (or else the grid reference) and the rest of
#: CHILD_COLUMNS from the grid reference on.
OPTIONAL_CHILD_COLUMNS: tuple[str, ...] = (
    "secondary_need",
    "postcode",
    *CHILD_COLUMNS[CHILD_COLUMNS.index("easting") :],
)

#: The problem for a child located by postcode when no postcode lookup could be used.
NO_POSTCODE_LOOKUP = "postcode given but no postcode lookup file"

_SEX: Mapping[str, str] = MappingProxyType(
    {"m": Sex.MALE.value, "male": Sex.MALE.value, "f": Sex.FEMALE.value, "female": Sex.FEMALE.value}
)
_TRANSFER: Mapping[str, bool] = MappingProxyType(
    {"": False, "true": True, "yes": True, "y": True, "1": True}
    | {"false": False, "no": False, "n": False, "0": False}
)


def load_children(
    path: Path, postcodes: pd.DataFrame | None = None, settings: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Children (CHILD_COLUMNS) from a CSV; home by postcode (looked up in `postcodes`) or grid.

    Columns other than the known ones are dropped; how many is in `attrs["dropped_columns"]`.
    `current_urn` is checked against `settings` when given. A blank `transfer` means false.
    """
    path = Path(path)
    raw = read_columns(path, REQUIRED_CHILD_COLUMNS, OPTIONAL_CHILD_COLUMNS)
    dropped = raw.attrs["unread_columns"]

    problems = problems_where(path, raw["child_id"] == "", "child_id", "child_id is blank")
    problems += problems_where(path, unsafe_ids(raw["child_id"]), "child_id", f"child_id {ID_RULE}")
    duplicate = raw["child_id"].duplicated(keep=False) & (raw["child_id"] != "")
    problems += problems_where(path, duplicate, "child_id", "duplicate child_id")
    ncy, bad_ncy = parse_int(raw["ncy"])
    problems += problems_where(path, bad_ncy | ncy.isna(), "ncy", "NCY is not a whole number")
    problems += problems_where(
        path, (ncy < NCY_MIN) | (ncy > NCY_MAX), "ncy", f"NCY outside {NCY_MIN}..{NCY_MAX}"
    )
    sex = raw["sex"].str.lower().map(_SEX)
    problems += problems_where(path, sex.isna(), "sex", "sex is not M or F (Male/Female)")
    primary, bad_primary = parse_needs(raw["primary_need"])
    problems += problems_where(
        path, bad_primary | (primary == ""), "primary_need", "blank or unknown need code"
    )
    secondary, bad_secondary = parse_needs(raw["secondary_need"])
    problems += problems_where(path, bad_secondary, "secondary_need", "unknown need code")
    transfer = raw["transfer"].str.lower().map(_TRANSFER)
    problems += problems_where(
        path, transfer.isna(), "transfer", "not true/false, yes/no, 1/0 or blank"
    )
    if settings is not None:
        unknown = (raw["current_urn"] != "") & ~among(raw["current_urn"], settings["urn"])
        problems += problems_where(path, unknown, "current_urn", "URN is not among the settings")

    easting, northing, location_problems = _home(path, raw, postcodes)
    problems += location_problems
    raise_if_any(problems)
    children = pd.DataFrame(
        {
            "child_id": raw["child_id"],
            "ncy": ncy.astype("int64"),
            "sex": sex,
            "primary_need": primary,
            "secondary_need": secondary,
            "easting": easting,
            "northing": northing,
            "current_urn": raw["current_urn"],
            "transfer": transfer.astype(bool),
            "family_id": raw["family_id"].str.strip(),
            "la_code": raw["la_code"].str.strip(),
        },
        columns=list(CHILD_COLUMNS),
    )
    children.attrs["dropped_columns"] = dropped
    logger.info("read %d children; dropped %d other columns", len(children), dropped)
    return children


def _home(
    path: Path, raw: pd.DataFrame, postcodes: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series, list[Problem]]:
    """Home easting and northing: the given grid reference, else the postcode's centroid."""
    easting, bad_e = parse_float(raw["easting"])
    northing, bad_n = parse_float(raw["northing"])
    problems = problems_where(path, bad_e, "easting", "not a number")
    problems += problems_where(path, bad_n, "northing", "not a number")
    gridded = easting.notna() & northing.notna()
    by_postcode = ~gridded & (raw["postcode"] != "")
    if postcodes is None:
        problems += problems_where(path, by_postcode, "postcode", NO_POSTCODE_LOOKUP)
    else:
        at_easting, at_northing = postcode_centroids(raw["postcode"], postcodes)
        found = at_easting.notna()
        problems += problems_where(
            path, by_postcode & ~found, "postcode", "postcode not found in the postcode lookup"
        )
        easting = easting.where(~by_postcode, at_easting).astype("float64")
        northing = northing.where(~by_postcode, at_northing).astype("float64")
    located = gridded | by_postcode
    problems += problems_where(
        path,
        ~located & ~bad_e & ~bad_n,
        "postcode",
        "no home location: give a postcode or easting and northing",
    )
    problems += problems_where(
        path,
        outside_gb(easting, northing) & gridded,
        "easting",
        "grid reference outside Great Britain",
    )
    return easting, northing, problems
