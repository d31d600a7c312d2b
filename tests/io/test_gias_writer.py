"""The GIAS writer produces DfE's download format."""

import csv
from pathlib import Path

import pandas as pd

from solver.io.gias import GIAS_COLUMNS, write_gias


def _one_special_school() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "urn": "120001",
                "name": "Brook Special School",
                "setting_type": "state_special",
                "la_code": "857",
                "low_age": 2,
                "high_age": 19,
                "ncy_low": -2,
                "ncy_high": 14,
                "gender": "mixed",
                "easting": 486000.0,
                "northing": 308000.0,
                "postcode": "LE15 6AA",
                "designated_needs": ("ASD", "SLD"),
                "provision": "",
                "capacity": 120,
                "on_roll": 118,
                "ofsted": "Good",
                "section41": False,
            }
        ]
    )


def test_written_file_has_dfe_header_encoding_and_quoting(tmp_path: Path) -> None:
    """Header in DfE's order, codes keep leading zeros, SEN names are GIAS spellings."""
    path = tmp_path / "edubasealldata.csv"
    write_gias(_one_special_school(), path)
    with open(path, encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == GIAS_COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["TypeOfEstablishment (code)"] == "07"
    assert row["SEN1 (name)"] == "ASD - Autistic Spectrum Disorder"
    assert row["SEN2 (name)"] == "SLD - Severe Learning Difficulty"
    assert row["SEN3 (name)"] == ""
    assert row["TypeOfResourcedProvision (name)"] == "Not applicable"
    assert row["Easting"] == "486000"
    assert path.read_text(encoding="cp1252").splitlines()[1].startswith('"120001","857"')
