"""The postcode lookup as RightPlace reads it: geo's reader, its errors as input problems."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.postcodes import PostcodeFileError
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
