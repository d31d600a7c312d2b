"""The postcode lookup as RightPlace reads it (geo's reader, its errors as input problems), and
the one way a postcode is looked up in it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.postcodes import PostcodeFileError, normalise_postcodes
from geo.postcodes import load_postcodes as _read_postcodes
from solver.errors import InputError, Problem
from solver.io.csvfile import guard_read


def load_postcodes(path: Path) -> pd.DataFrame:
    """Postcode centroids (geo.postcodes.load_postcodes) with read errors as an InputError."""
    path = Path(path)

    def read() -> pd.DataFrame:
        try:
            return _read_postcodes(path)
        except PostcodeFileError as exc:
            message = f"not a postcode lookup: {exc}"
            raise InputError([Problem(str(path), None, "", message)]) from None

    return guard_read(path, read)


def postcode_centroids(codes: pd.Series, lookup: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Easting and northing of each postcode's centroid in `lookup` (load_postcodes's table),
    however the postcode is spaced or cased; NaN where it is not in the lookup."""
    keys = normalise_postcodes(codes)
    by_code = lookup.drop_duplicates("postcode").set_index("postcode")
    return (
        keys.map(by_code["easting"]).astype("float64"),
        keys.map(by_code["northing"]).astype("float64"),
    )
