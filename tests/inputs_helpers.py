"""Builders of small input files in the real formats, for the loader and validation tests."""

from __future__ import annotations

import csv
from pathlib import Path

from solver.io.children import OPTIONAL_CHILD_COLUMNS, REQUIRED_CHILD_COLUMNS

GIAS_SAMPLE = Path(__file__).parent / "data" / "edubase_sample_two_rows.csv"


def gias_sample_rows() -> tuple[list[str], list[dict[str, str]]]:
    """The header and the two real rows of DfE's GIAS download sample."""
    with open(GIAS_SAMPLE, encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def write_gias_rows(path: Path, changes: list[dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    """A GIAS file whose rows are the sample's first row with each dict of `changes` applied."""
    header, rows = gias_sample_rows()
    header = [c for c in header if c not in drop]
    with open(path, "w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for change in changes:
            row = rows[0] | change
            writer.writerow([row[c] for c in header])
    return path


#: Three settings near Oakham (Rutland): mainstream primary, mainstream with RP, state special.
THREE_SETTINGS: list[dict[str, str]] = [
    {
        "URN": "120001",
        "EstablishmentName": "Oak Primary",
        "Easting": "486000",
        "Northing": "308000",
    },
    {
        "URN": "120002",
        "EstablishmentName": "Ash Primary",
        "TypeOfEstablishment (code)": "34",
        "TypeOfResourcedProvision (name)": "Resourced provision",
        "ResourcedProvisionCapacity": "10",
        "ResourcedProvisionOnRoll": "7",
        "SEN1 (name)": "ASD - Autistic Spectrum Disorder",
        "SEN2 (name)": "SLCN - Speech, language and Communication",
        "SEN3 (name)": "SEMH - Social, Emotional and Mental Health",
        "Easting": "487000",
        "Northing": "309000",
    },
    {
        "URN": "120003",
        "EstablishmentName": "Elm Special",
        "TypeOfEstablishment (code)": "07",
        "StatutoryLowAge": "2",
        "StatutoryHighAge": "19",
        "SchoolCapacity": "",
        "NumberOfPupils": "80",
        "SEN1 (name)": "SLD - Severe Learning Difficulty",
        "SEN2 (name)": "ASD - Autistic Spectrum Disorder",
        "Section41Approved (name)": "Approved",
        "Easting": "488000",
        "Northing": "307000",
    },
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A plain UTF-8 CSV."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


CHILD_HEADER = [*REQUIRED_CHILD_COLUMNS, *OPTIONAL_CHILD_COLUMNS]


def child_row(child_id: str, **changes: str) -> list[str]:
    """A valid child row (NCY 3, ASD, home by grid reference), with `changes` applied."""
    row = dict.fromkeys(CHILD_HEADER, "") | {
        "child_id": child_id,
        "ncy": "3",
        "sex": "M",
        "primary_need": "ASD",
        "easting": "486500",
        "northing": "308500",
    }
    row |= changes
    return [row[c] for c in CHILD_HEADER]
