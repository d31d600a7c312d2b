"""Reading a SEN2 person-level return as COLLECT exports it: one "Blade" CSV per module.

A return is a folder or a zip of `Blade-Export_<DD-MM-YYYY>_<module>.csv` files (shared/SEN2.md).
Columns are read by name; only the ones RightPlace uses are parsed. Names are reduced on reading
to a keyed digest (for the duplicate-person check) and never kept. Problems with values become
issues (module, row, field, kind, message) that never quote a person's values; a return that
cannot be read at all (no person file, a module's key column missing) raises InputError.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import typing
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from solver.errors import InputError, Problem
from solver.io.csvfile import FIRST_ROW, among, file_problem, guard_read, parse_int

ISSUE_COLUMNS: tuple[str, ...] = ("module", "row", "field", "kind", "message")


@dataclass(frozen=True)
class Module:
    """One module file: its key, its parent's key, and the columns RightPlace reads from it."""

    name: str
    key: str
    parent: str | None  # the parent module's key column, held by every row
    parent_module: str | None
    columns: tuple[str, ...] = ()  # read as text ("" when blank or absent)
    dates: tuple[str, ...] = ()
    bools: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    required: bool = True  # the file must be in the return
    children: tuple[int, int | None] = (0, None)  # rows expected per parent row (min, max)


_SETTING = ("urn", "ukprn", "sensetting")
_INDICATORS = ("senunitindicator", "resourcedprovisionindicator")

MODULES: Mapping[str, Module] = MappingProxyType(
    {
        m.name: m
        for m in (
            Module("sen2", "sen2tableid", None, None, ints=("year",), required=False),
            Module(
                "person",
                "persontableid",
                "sen2tableid",
                "sen2",
                columns=("sex", "gendercurrent", "postcode", "upn", "uniquelearnernumber")
                + ("upnunknown",),
                dates=("personbirthdate",),
            ),
            Module("requests", "requeststableid", "persontableid", "person", children=(1, None)),
            Module(
                "assessment",
                "assessmenttableid",
                "requeststableid",
                "requests",
                children=(0, 1),
            ),
            Module(
                "namedplan",
                "namedplantableid",
                "assessmenttableid",
                "assessment",
                dates=("startdate", "ceasedate"),
                ints=("ceasereason",),
                children=(0, 1),
            ),
            Module(
                "plandetail",
                "plandetailtableid",
                "namedplantableid",
                "namedplan",
                columns=_SETTING,
                ints=("placementrank",),
                required=False,
                children=(1, 2),
            ),
            Module(
                "activeplans",
                "activeplanstableid",
                "requeststableid",
                "requests",
                columns=("transferla",),
                dates=("phasetransferduedate", "phasetransferfinaldate"),
                children=(0, 1),
            ),
            Module(
                "placementdetail",
                "placementdetailtableid",
                "activeplanstableid",
                "activeplans",
                columns=_SETTING,
                dates=("entrydate", "leavingdate"),
                bools=_INDICATORS,
                ints=("placementrank",),
                children=(1, None),
            ),
            Module(
                "senneed",
                "senneedtableid",
                "activeplanstableid",
                "activeplans",
                columns=("sentype",),
                ints=("sentyperank",),
                children=(1, 2),
            ),
        )
    }
)

#: Columns read only to be reduced to a digest on reading (the duplicate-person check).
NAME_COLUMNS: tuple[str, ...] = ("surname", "forename")

_FILE_NAME = re.compile(r"(?:^|_)([a-z0-9]+)\.csv$", re.IGNORECASE)
_BOOLS: Mapping[str, bool] = MappingProxyType(
    {w: True for w in ("true", "t", "yes", "y", "1")}
    | {w: False for w in ("false", "f", "no", "n", "0")}
)
_DATE_FORMATS = ("%Y-%b-%d", "%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Sen2Return:
    """The modules of one return as tables, and the issues found reading them.

    Every table has `row` (the line in its file), its key and parent key, the person it belongs
    to (`person`, "" when the chain of keys breaks) and, below requests, its `request`. Dates are
    datetime64 (NaT when blank or bad), bools boolean and ints Int64 (NA when blank or bad).
    """

    tables: Mapping[str, pd.DataFrame]
    files: Mapping[str, str]  # module -> file name, as problems name it
    issues: pd.DataFrame  # ISSUE_COLUMNS + "person" (persontableid, "" when none)

    @property
    def year(self) -> int | None:
        """The return year from the sen2 header, if the header file is there and says."""
        header = self.tables.get("sen2")
        if header is None or header.empty or header["year"].isna().all():
            return None
        return int(header["year"].dropna().iloc[0])


def read_return(source: Path) -> Sen2Return:
    """Read a return from a folder or a zip of Blade CSV files (see the module docstring)."""
    source = Path(source)
    blobs = guard_read(source, lambda: _module_files(source))
    _require(blobs, str(source))
    return _read_blobs(blobs, source.name)


def _require(blobs: Mapping[str, object], label: str) -> None:
    """Raise InputError naming every required module file the return lacks."""
    missing = [m.name for m in MODULES.values() if m.required and m.name not in blobs]
    if missing:
        raise InputError(
            Problem(label, None, "", f"no {name} file (..._{name}.csv) in the return")
            for name in missing
        )


def _read_blobs(blobs: Mapping[str, tuple[str, bytes]], label: str) -> Sen2Return:
    """Read every module file, gathering the problems of all that cannot be read."""
    raw: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    files = {name: f"{label}/{file}" for name, (file, _) in blobs.items()}
    for name, (_, data) in blobs.items():
        try:
            raw[name] = _read_module(files[name], data, MODULES[name])
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return _parsed(raw, files)


def return_from_bytes(files: Mapping[str, bytes], label: str = "upload") -> Sen2Return:
    """Read a return from file names and contents (an app upload): one zip or module files."""
    blobs: dict[str, tuple[str, bytes]] = {}
    for name, data in files.items():
        if name.lower().endswith(".zip"):
            blobs |= guard_read(Path(name), partial(_zip_members, io.BytesIO(data), name))
        else:
            _add_blob(blobs, name, data)
    _require(blobs, label)
    return _read_blobs(blobs, label)


def _module_files(source: Path) -> dict[str, tuple[str, bytes]]:
    """Module name -> (file name, contents) for the Blade files in a folder or zip."""
    if source.is_dir():
        blobs: dict[str, tuple[str, bytes]] = {}
        for path in sorted(source.iterdir()):
            if path.is_file():
                _add_blob(blobs, path.name, b"", path)
        return blobs
    with open(source, "rb") as file:
        return _zip_members(file, str(source))


def _zip_members(file: typing.BinaryIO, label: str) -> dict[str, tuple[str, bytes]]:
    """Module name -> (file name, contents) for the Blade files anywhere in a zip."""
    blobs: dict[str, tuple[str, bytes]] = {}
    try:
        with zipfile.ZipFile(file) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    _add_blob(blobs, Path(info.filename).name, archive.read(info))
    except zipfile.BadZipFile:
        message = "not a folder or zip of SEN2 Blade CSV files"
        raise InputError([Problem(label, None, "", message)]) from None
    return blobs


def _add_blob(
    blobs: dict[str, tuple[str, bytes]], name: str, data: bytes, path: Path | None = None
) -> None:
    """Add a file to `blobs` under its module (read from `path` if given); others are ignored."""
    match = _FILE_NAME.search(name)
    if match is None or match.group(1).lower() not in MODULES:
        return
    module = match.group(1).lower()
    if module in blobs:
        raise InputError([Problem(name, None, "", f"a second {module} file in the return")])
    blobs[module] = (name, path.read_bytes() if path is not None else data)


def _decoded(data: bytes) -> str:
    """Text from a file's bytes: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_module(file: str, data: bytes, module: Module) -> pd.DataFrame:
    """The columns `module` reads, as stripped text ("" when blank or absent), plus `row`."""
    wanted = {
        module.key,
        *((module.parent,) if module.parent else ()),
        *module.columns,
        *module.dates,
        *module.bools,
        *module.ints,
        *(NAME_COLUMNS if module.name == "person" else ()),
    }

    def read() -> pd.DataFrame:
        text = _decoded(data)
        header = pd.read_csv(io.StringIO(text), nrows=0).columns
        lower = {str(c).strip().lower(): str(c) for c in header}
        keep = [lower[c] for c in wanted if c in lower]
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, usecols=keep, na_filter=False
        )
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        return frame.apply(lambda column: column.str.strip())

    try:
        frame = read()
    except (ValueError, UnicodeError) as exc:
        raise InputError([file_problem(Path(file), exc)]) from None
    keys = [module.key, *((module.parent,) if module.parent and module.name != "person" else ())]
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise InputError(Problem(file, 1, k, "required column is missing") for k in missing)
    frame = frame.assign(**{c: "" for c in sorted(wanted) if c not in frame.columns})
    return frame.assign(row=frame.index + FIRST_ROW)


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from `yyyy-MMM-dd HH:mm:ss` (also ISO and dd/mm/yyyy), and a mask of bad cells."""
    values = pd.Series(pd.unique(text))  # exports repeat dates: parse each once
    day = values.str.split(" ", n=1).str[0]
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for form in _DATE_FORMATS:
        todo = parsed.isna() & (day != "")
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(day[todo], format=form, errors="coerce")
    lookup = pd.Series(parsed.to_numpy(), index=values.to_numpy())
    bad = pd.Series(((day != "") & parsed.isna()).to_numpy(), index=values.to_numpy())
    return text.map(lookup).astype("datetime64[ns]"), text.map(bad).astype(bool)


def parse_bools(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Booleans from true/false, t/f, yes/no, y/n, 1/0 (any case), and a mask of bad cells."""
    value = text.str.lower().map(_BOOLS).astype("boolean")
    return value, (text != "") & value.isna()


def _parsed(raw: Mapping[str, pd.DataFrame], files: Mapping[str, str]) -> Sen2Return:
    """Typed tables, linked up to their person, with the issues of reading and linking."""
    tables, issues = _linked(dict(raw))
    for name, frame in tables.items():
        module = MODULES[name]
        for column, parse, what in (
            *((c, parse_dates, "not a date (yyyy-MMM-dd)") for c in module.dates),
            *((c, parse_bools, "not true/false (or yes/no, 1/0)") for c in module.bools),
            *((c, lambda t: parse_int(t), "not a whole number") for c in module.ints),
        ):
            value, bad = parse(frame[column])
            issues.append(issues_where(frame, bad, name, column, "bad_value", what))
            frame = frame.assign(**{column: value})
        if name == "person":
            frame = _without_names(frame)
        tables[name] = frame
    return Sen2Return(
        MappingProxyType(tables), MappingProxyType(dict(files)), concat_issues(issues)
    )


def _without_names(person: pd.DataFrame) -> pd.DataFrame:
    """The person table with names and birth date reduced to one digest (`name_key`, "" when
    either name is blank), used only to spot duplicate persons."""
    salt = hashlib.sha256(repr(person.shape).encode()).digest()  # per-read, so digests never leak
    named = (person["surname"] != "") & (person["forename"] != "")
    text = (
        person["surname"].str.lower()
        + "\x1f"
        + person["forename"].str.lower()
        + "\x1f"
        + person["personbirthdate"].astype(str)
    )
    key = [
        hashlib.blake2b(t.encode(), key=salt[:32], digest_size=16).hexdigest() if n else ""
        for t, n in zip(text, named, strict=True)
    ]
    return person.drop(columns=list(NAME_COLUMNS)).assign(name_key=key)


def _linked(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[pd.DataFrame]]:
    """Each table with `person` (and `request` below requests), plus key and structure issues:
    blank or duplicate keys, orphans, and rows per parent outside the expected range."""
    issues: list[pd.DataFrame] = []
    for name, frame in tables.items():
        module = MODULES[name]
        key = frame[module.key]
        issues.append(
            issues_where(frame, key == "", name, module.key, "missing_key", "key is blank")
        )
        duplicate = key.duplicated(keep=False) & (key != "")
        issues.append(
            issues_where(frame, duplicate, name, module.key, "duplicate_key", "key repeated")
        )
    for name in MODULES:  # parents first
        if name not in tables:
            continue
        module = MODULES[name]
        frame = tables[name]
        if module.parent_module is None or module.parent_module not in tables:
            tables[name] = frame.assign(person=frame[module.key] if name == "person" else "")
            continue
        parent = tables[module.parent_module].drop_duplicates(MODULES[module.parent_module].key)
        parent = parent.set_index(MODULES[module.parent_module].key)
        link = str(module.parent)
        found = among(frame[link], parent.index.to_series())
        if name != "person":
            issues.append(issues_where(frame, ~found, name, link, "orphan", "parent key not found"))
        if name == "person":
            frame = frame.assign(person=frame[module.key])
        elif name == "requests":
            frame = frame.assign(person=frame[module.parent].map(parent["person"]).fillna(""))
            frame = frame.assign(request=frame[module.key])
        else:
            up = parent["request"]
            frame = frame.assign(
                request=frame[module.parent].map(up).fillna(""),
                person=frame[module.parent].map(parent["person"]).fillna(""),
            )
        tables[name] = frame
        counts = frame[module.parent].value_counts().reindex(parent.index, fill_value=0)
        low, high = module.children
        outside = (counts < low) | (counts > (high if high is not None else counts.max() + 1))
        rows = tables[module.parent_module]
        parent_key = MODULES[module.parent_module].key
        bad = among(rows[parent_key], counts.index[outside].to_series()) & (rows[parent_key] != "")
        expected = f"{low}" + ("+" if high is None else f"-{high}")
        issues.append(
            issues_where(
                rows,
                bad & ~rows[parent_key].duplicated(),
                module.parent_module,
                parent_key,
                "child_count",
                f"{name} rows for this row outside the expected {expected}",
            )
        )
    return tables, issues


def issues_where(
    frame: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    module: str,
    field: str,
    kind: str,
    message: str,
) -> pd.DataFrame:
    """One issue per row of `frame` where `mask` holds (never quoting a value)."""
    if isinstance(mask, pd.Series):
        mask = mask.to_numpy(dtype=bool, na_value=False)
    hit = frame[np.asarray(mask, dtype=bool)]
    person = hit["person"] if "person" in hit.columns else pd.Series("", index=hit.index)
    return pd.DataFrame(
        {
            "module": module,
            "row": hit["row"].astype("int64"),
            "field": field,
            "kind": kind,
            "message": message,
            "person": person.astype(str),
        }
    )


def concat_issues(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*ISSUE_COLUMNS, "person")})
    return pd.concat(frames, ignore_index=True)
