"""Offline postcode lookup: postcode centroids from OS Code-Point Open or ONS ONSPD files.

Code-Point Open ships headerless 10-column CSVs (postcode, quality, eastings, northings, ...);
the same with OS's header row, and ONSPD (`pcd`/`pcds`, `oseast1m`, `osnrth1m`) are also read.
`.csv.gz` works too. Read errors propagate (OSError, ValueError) for the caller to report.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

POSTCODE_COLUMNS: tuple[str, ...] = ("postcode", "easting", "northing")

# Header names (lower case) of the postcode, easting and northing columns, by file layout.
_CODEPOINT = ("postcode", "eastings", "northings")
_CODEPOINT_SHORT = ("pc", "ea", "no")
_ONSPD = ("pcds", "oseast1m", "osnrth1m")
_ONSPD_PCD = ("pcd", "oseast1m", "osnrth1m")


class PostcodeFileError(ValueError):
    """The file is not a postcode lookup RightPlace can read."""


def normalise_postcodes(postcodes: pd.Series) -> pd.Series:
    """Upper case with every space removed, so "le15 6aa" and "LE156AA" join."""
    return postcodes.astype(str).str.upper().str.replace(r"\s+", "", regex=True)


def load_postcodes(path: Path) -> pd.DataFrame:
    """Postcode centroids (postcode, easting, northing) in EPSG:27700 metres.

    Rows with no grid reference (0 or blank, as Code-Point gives for some units) are dropped;
    their number is in `attrs["dropped_no_grid"]`.
    """
    path = Path(path)
    first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    header = [str(v).strip().lower() for v in first.iloc[0]]
    if header and header[0] and header[0][0].isdigit():
        raise PostcodeFileError("first column is not a postcode")
    for names in (_CODEPOINT, _CODEPOINT_SHORT, _ONSPD, _ONSPD_PCD):
        if all(n in header for n in names):
            columns = [header.index(n) for n in names]
            skip = 1
            break
    else:
        if any(n in header for n in ("postcode", "pcd", "pcds", "pc")):
            raise PostcodeFileError("header lacks easting/northing columns")
        if len(header) < 4:
            raise PostcodeFileError("expected Code-Point Open (10 columns) or ONSPD columns")
        columns, skip = [0, 2, 3], 0
    raw = pd.read_csv(
        path,
        header=None,
        skiprows=skip,
        usecols=columns,
        dtype=str,
        keep_default_na=False,
    )
    raw = raw[columns]
    raw.columns = list(POSTCODE_COLUMNS)
    easting = pd.to_numeric(raw["easting"].str.strip(), errors="coerce")
    northing = pd.to_numeric(raw["northing"].str.strip(), errors="coerce")
    gridded = (easting > 0) & (northing > 0)
    table = pd.DataFrame(
        {
            "postcode": normalise_postcodes(raw["postcode"]),
            "easting": easting.astype("float64"),
            "northing": northing.astype("float64"),
        }
    )[gridded.to_numpy()]
    table = table.drop_duplicates("postcode").reset_index(drop=True)
    table.attrs["dropped_no_grid"] = int((~gridded).sum())
    logger.info("read %d postcodes; %d without a grid reference", len(table), (~gridded).sum())
    return table
