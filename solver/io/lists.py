"""The tailored lists' files: tailored_lists.csv (the contract's columns), a family page per
child, and tailored_lists.json (every column), written as a set."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from solver.domain.model import Child
from solver.domain.scenario import Policy
from solver.io.family_page import Issue, family_page
from solver.io.outputs import csv_text, id_file_name, write_bytes

#: The columns of tailored_lists.csv (a contract); the JSON and the family page add detail.
LIST_COLUMNS = (
    "child_id",
    "urn",
    "on_list",
    "rank",
    "reasons",
    "travel_minutes",
    "annual_cost",
    "vacancy",
)
JSON_FILE = "tailored_lists.json"
#: Decimals kept in tailored_lists.csv (the JSON keeps every digit).
CSV_DECIMALS = {"travel_minutes": 1, "annual_cost": 0}


def list_files(
    lists: pd.DataFrame, children: pd.DataFrame, policy: Policy, issue: Issue
) -> Iterator[tuple[str, bytes]]:
    """The files of issued lists, by path under the output folder: tailored_lists.csv
    (LIST_COLUMNS), family/<child id>.html, then tailored_lists.json (every column)."""
    rounded = lists[list(LIST_COLUMNS)].round(CSV_DECIMALS)
    rounded["annual_cost"] = rounded["annual_cost"].astype("Int64")  # 9817, not 9817.0
    yield "tailored_lists.csv", csv_text(rounded).encode("utf-8")
    rows = children.set_index(children["child_id"].astype(str))
    for child_id, own in lists.groupby("child_id", sort=False, observed=True):
        child = Child.from_row(rows.loc[str(child_id)].to_dict())
        page = family_page(own, child, policy, issue)
        yield f"family/{id_file_name(str(child_id), '.html')}", page.encode("utf-8")
    yield JSON_FILE, lists.to_json(orient="records", indent=1).encode("utf-8")


def write_lists(
    lists: pd.DataFrame, children: pd.DataFrame, policy: Policy, issue: Issue, out_dir: Path
) -> dict[str, str]:
    """Write `list_files` under `out_dir`, the SHA-256 of each by name. As a set: each file
    atomically and private, the previous run's JSON and family pages removed first and the
    new JSON written last (its presence says the set is whole)."""
    for previous in [out_dir / JSON_FILE, *(out_dir / "family").glob("*.html")]:
        previous.unlink(missing_ok=True)
    written = {}
    for name, data in list_files(lists, children, policy, issue):
        write_bytes(out_dir / name, data, private=True)
        written[name] = hashlib.sha256(data).hexdigest()
    return written
