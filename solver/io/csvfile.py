"""Reading input CSVs as text and turning what is wrong with them into problems.

Every loader reads all columns as strings first (codes keep their leading zeros) and then checks
whole columns at once; row numbers are file lines, the header being line 1 (exact unless a quoted
field holds a line break).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from solver.domain.model import SAFE_ID
from solver.domain.needs import parse_need
from solver.errors import InputError, Problem

T = TypeVar("T")

#: First data line of a CSV with a header row.
FIRST_ROW = 2


def file_problem(path: Path, exc: Exception) -> Problem:
    """A file-level problem for an error raised while reading `path` (never quotes contents)."""
    if isinstance(exc, FileNotFoundError):
        message = "file not found"
    elif isinstance(exc, IsADirectoryError):
        message = "is a folder, not a file"
    elif isinstance(exc, UnicodeDecodeError):
        message = f"not readable as {exc.encoding} text (byte {exc.start}); save it as CSV"
    elif isinstance(exc, pd.errors.EmptyDataError):
        message = "empty file"
    elif isinstance(exc, pd.errors.ParserError | csv.Error):
        message = "not a readable CSV file"
    elif isinstance(exc, OSError):
        message = f"cannot read the file ({exc.strerror or type(exc).__name__})"
    else:
        message = f"cannot read the file ({type(exc).__name__})"
    return Problem(str(path), None, "", message)


def guard_read(path: Path, read: Callable[[], T]) -> T:
    """Run `read`; turn the errors a bad file raises into one InputError naming the file."""
    try:
        return read()
    except InputError:
        raise
    except (OSError, ValueError, csv.Error) as exc:  # decoding and parsing errors are ValueErrors
        raise InputError([file_problem(path, exc)]) from None


def text_encoding(path: Path, fallback: str | None = None) -> str:
    """The encoding to read `path` with: its byte-order mark's (UTF-8 or UTF-16, as Excel
    saves "CSV UTF-8" and "Unicode text"), else UTF-8 when every byte decodes as UTF-8, else
    `fallback` (GIAS downloads are Windows-1252); with no fallback, UTF-8, whose errors are
    then reported as a problem naming the byte."""
    with open(path, "rb") as file:
        head = file.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if fallback is None:
            return "utf-8"
        file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return fallback
    return "utf-8"


def read_text_csv(
    path: Path,
    *,
    fallback_encoding: str | None = None,
    columns: Iterable[str] | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """The columns of a CSV with a header row (those in `columns`, if given) as stripped strings.

    Empty cells are "". Other columns are never parsed, so their contents go no further; how
    many there were is in `attrs["unread_columns"]`. No data rows is a problem unless allowed.
    The encoding is found by `text_encoding` (`fallback_encoding` for files not in UTF-8).
    """
    path = Path(path)

    def read() -> pd.DataFrame:
        encoding = text_encoding(path, fallback_encoding)
        header = [str(c).strip() for c in pd.read_csv(path, nrows=0, encoding=encoding).columns]
        keep = header if columns is None else [c for c in header if c in set(columns)]
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            usecols=lambda name: name.strip() in keep,
        )
        frame.columns = [str(c).strip() for c in frame.columns]
        frame = frame.apply(lambda column: column.str.strip())
        frame.attrs["unread_columns"] = len(header) - len(keep)
        return frame

    frame = guard_read(path, read)
    if frame.empty and not allow_empty:
        raise InputError([Problem(str(path), None, "", "no data rows")])
    return frame


def read_columns(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
    *,
    fallback_encoding: str | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """The required and optional columns of a CSV (`read_text_csv`), an absent optional one
    blank; InputError with one problem per required column the file lacks."""
    frame = read_text_csv(
        path,
        fallback_encoding=fallback_encoding,
        columns=[*required, *optional],
        allow_empty=allow_empty,
    )
    missing = [
        Problem(str(path), 1, column, "required column is missing")
        for column in required
        if column not in frame.columns
    ]
    if missing:
        raise InputError(missing)
    return frame.assign(**{c: "" for c in optional if c not in frame.columns})


def unsafe_ids(ids: pd.Series) -> pd.Series:
    """True where a non-blank id is not a SAFE_ID (blank ones are their own problem)."""
    return (ids != "") & ~ids.str.fullmatch(SAFE_ID.pattern).fillna(False).astype(bool)


#: The longest quoted value a problem shows (a stray long cell is cut, not printed whole).
SHOWN_CHARACTERS = 40


def problems_where(
    path: Path, mask: pd.Series, column: str, message: str, shown: pd.Series | None = None
) -> list[Problem]:
    """One problem per row where `mask` is true (the index is the row's 0-based data position).

    `shown`: the cells to quote after the message, for files holding no personal data (GIAS,
    overrides), so the reader sees the bad value; never pass a child's column."""
    rows = mask.index[mask.to_numpy(dtype=bool, na_value=False)]
    if shown is None:
        return [Problem(str(path), int(i) + FIRST_ROW, column, message) for i in rows]
    return [
        Problem(str(path), int(i) + FIRST_ROW, column, f"{message} {_quoted(shown[i])}")
        for i in rows
    ]


def _quoted(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "...")


def raise_if_any(problems: list[Problem]) -> None:
    """Raise one InputError with `problems` in line order, if there are any."""
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.column, p.message)))


#: The largest whole number a count or code in an input file may hold (beyond it: a problem,
#: not an overflow deep inside pandas).
MAX_WHOLE = 1_000_000_000


def parse_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Integers (Int64, NA when blank) from text, and a mask of non-blank cells that are not
    whole numbers within +-MAX_WHOLE (so `inf` and `1e300` are problems, not overflows)."""
    number = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    number = number.where(number.abs() <= MAX_WHOLE)
    whole = number.notna() & (number == np.floor(number.fillna(0)))
    bad = (text != "") & ~whole
    return number.where(whole).astype("Int64"), bad


def parse_float(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats (NaN when blank) from text, and a mask of non-blank cells that are not finite
    numbers (`inf` and `nan` included)."""
    number = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    number = number.where(np.isfinite(number))
    return number, (text != "") & number.isna()


def parse_needs(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Need codes from codes, GIAS spellings or aliases ("" when blank), and a mask of unknowns."""
    code_of: dict[str, str] = {"": ""}
    for value in pd.unique(text):
        try:
            code_of[value] = parse_need(value).value
        except ValueError:
            continue
    codes = text.map(code_of)
    return codes.fillna("").astype(str), codes.isna()


def among(values: pd.Series, known: pd.Series) -> pd.Series:
    """True where a value is one of `known` (a hash lookup: faster than `isin` on str columns)."""
    found = pd.Index(known.unique()).get_indexer(values) >= 0
    return pd.Series(found, index=values.index)


#: British National Grid bounds (EPSG:27700) that cover Great Britain.
GB_EASTING = (0.0, 700_000.0)
GB_NORTHING = (0.0, 1_300_000.0)


def outside_gb(easting: pd.Series, northing: pd.Series) -> pd.Series:
    """True where a known grid reference lies outside Great Britain's national grid."""
    known = easting.notna() & northing.notna()
    inside = easting.between(*GB_EASTING) & northing.between(*GB_NORTHING)
    return known & ~inside


def trimmed_csv(
    path: Path, data: bytes, columns: Iterable[str], *, fallback_encoding: str | None = None
) -> bytes:
    """The CSV `data` (to be saved as `path`) with only the header's `columns`, as UTF-8, line
    for line (so rows keep their numbers): what an upload is kept as, never the file as given.

    The encoding is found as `text_encoding` finds it; a row whose field count differs from the
    header's is a problem naming its line (its values are never quoted)."""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        if fallback_encoding is None or utf16 or bom:
            raise InputError([file_problem(path, exc)]) from None
        text = data.decode(fallback_encoding, errors="replace")
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(rows, [])]
        keep = [i for i, name in enumerate(header) if name in set(columns)]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([header[i] for i in keep])
        for row in rows:
            if row and len(row) != len(header):
                message = f"{len(row)} fields where the header has {len(header)}"
                raise InputError([Problem(str(path), rows.line_num, "", message)])
            writer.writerow([row[i] for i in keep] if row else [])
    except csv.Error as exc:
        raise InputError([file_problem(path, exc)]) from None
    return out.getvalue().encode("utf-8")
