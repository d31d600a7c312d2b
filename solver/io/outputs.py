"""Writing the files people take away: whole or not at all, private when they hold children's
rows, and never a spreadsheet formula.

Every output and cache file goes through here: written to a temporary file in the same folder,
then renamed over the target, so a killed run leaves the old file or the new one, never half of
one. Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
return first) are prefixed with `'` (OWASP's advice on CSV injection); plain numbers are left be.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from solver.domain.model import SAFE_ID

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: Mode of files holding children's rows: readable by their owner only.
PRIVATE_MODE = 0o600


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: formula-like strings prefixed with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralised(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with every text cell (and text index label) made safe by `safe_cell`."""
    text = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c].dtype)]
    safe = table.assign(**{str(c): table[c].map(safe_cell) for c in text}) if text else table
    if not pd.api.types.is_numeric_dtype(safe.index.dtype):
        safe = safe.set_axis(safe.index.map(safe_cell), axis=0)
    return safe.rename(columns=safe_cell)


def csv_text(table: pd.DataFrame, **to_csv: object) -> str:
    """A table as CSV text for people (downloads and files), formulas neutralised."""
    to_csv.setdefault("index", False)
    return str(neutralised(table).to_csv(**to_csv))


def id_file_name(identifier: str, suffix: str) -> str:
    """A file name for an id: the id itself when it is a SAFE_ID (as every validated id is),
    else a digest of it, so no id can name a path outside its folder."""
    if SAFE_ID.fullmatch(identifier):
        return identifier + suffix
    return "id-" + hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:16] + suffix


@contextmanager
def replacing(path: Path, *, private: bool = False) -> Iterator[Path]:
    """A temporary file beside `path` (mode 0600 from the start) for the block to write; when
    the block ends it is flushed to disk and renamed over `path` (mode 0644 unless `private`),
    and removed if the block fails. A reader sees the old file or the new one, never part.
    Temporaries of `path` left by a killed run are removed first (so two runs must not write
    the same file at once)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for left in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        left.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as file:
            os.fsync(file.fileno())
        os.chmod(temporary, PRIVATE_MODE if private else 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes, *, private: bool = False) -> Path:
    """Write `data` to `path` atomically (see `replacing`); mode 0600 if `private`."""
    with replacing(path, private=private) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_parquet(path: Path, table: pa.Table, *, private: bool = False) -> Path:
    """Write an Arrow table as parquet atomically (see `replacing`); mode 0600 if `private`."""
    with replacing(path, private=private) as temporary:
        pq.write_table(table, temporary)
    return Path(path)


def write_text(path: Path, text: str, *, private: bool = False) -> Path:
    """Write UTF-8 text atomically (see `write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"), private=private)


def write_csv(path: Path, table: pd.DataFrame, *, private: bool = False, **to_csv: object) -> Path:
    """Write a table as CSV for people: atomically, formulas neutralised (see `csv_text`)."""
    return write_text(path, csv_text(table, **to_csv), private=private)
