"""The GIAS reader: the real DfE download format in, the settings table out, every problem named."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.domain.model import SETTING_COLUMNS, Gender, SettingType
from solver.domain.needs import CODED_NEEDS
from solver.errors import InputError
from solver.io.gias import GIAS_COLUMNS, write_gias
from solver.io.inputs import default_places, load_gias, read_gias
from tests.inputs_helpers import GIAS_SAMPLE, THREE_SETTINGS, write_gias_rows


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_gias(path)
    return [str(p) for p in caught.value.problems]


def test_real_sample_is_read_with_codes_and_blanks_as_dfe_publishes_them() -> None:
    """The DfE sample (cp1252, quoted "02", "Not applicable") gives two settings, right types."""
    settings = load_gias(GIAS_SAMPLE)
    assert tuple(settings.columns) == SETTING_COLUMNS
    by_urn = settings.set_index("urn")
    assert by_urn.loc["100000", "setting_type"] == "mainstream"  # type code "02"
    assert by_urn.loc["100001", "setting_type"] == "independent_mainstream"  # "11"
    assert by_urn.loc["100001", "gender"] == "girls"
    assert by_urn.loc["100000", "provision"] == ""  # blank in the file
    assert by_urn.loc["100000", "ncy_low"] == -1 and by_urn.loc["100000", "ncy_high"] == 6
    assert by_urn.loc["100000", "capacity"] == 274 and by_urn.loc["100000", "on_roll"] == 276
    assert by_urn.loc["100001", "ofsted"] == ""
    assert by_urn.loc["100000", "easting"] == 533498.0


def test_three_settings_types_needs_and_provision(tmp_path: Path) -> None:
    """RP mainstream becomes mainstream_rp; SEN names become sorted codes; s41 approval is read."""
    path = write_gias_rows(tmp_path / "g.csv", THREE_SETTINGS)
    gias = read_gias(path)
    by_urn = gias.settings.set_index("urn")
    assert list(by_urn["setting_type"]) == ["mainstream", "mainstream_rp", "state_special"]
    assert by_urn.loc["120002", "designated_needs"] == ("ASD", "SEMH", "SLCN")
    assert by_urn.loc["120002", "provision"] == "resourced provision"
    assert by_urn.loc["120003", "designated_needs"] == ("ASD", "SLD")
    assert bool(by_urn.loc["120003", "section41"]) is True
    assert (by_urn.loc["120003", "ncy_low"], by_urn.loc["120003", "ncy_high"]) == (-2, 14)
    provision = gias.provision.set_index("urn")
    assert provision.loc["120002", "rp_capacity"] == 10
    assert provision.loc["120002", "rp_on_roll"] == 7


def test_closed_other_types_and_unlocated_are_skipped_and_counted(tmp_path: Path) -> None:
    """Closed schools, nurseries (type 15) and rows with no grid reference are counted only."""
    rows = [
        *THREE_SETTINGS,
        {"URN": "130001", "EstablishmentStatus (name)": "Closed"},
        {"URN": "130002", "TypeOfEstablishment (code)": "15"},
        {"URN": "130003", "Easting": "", "Northing": ""},
        {"URN": "130004", "EstablishmentStatus (name)": "Open, but proposed to close"},
        {"URN": "130005", "TypeOfEstablishment (code)": "18", "StatutoryLowAge": ""},
    ]
    gias = read_gias(write_gias_rows(tmp_path / "g.csv", rows))
    assert set(gias.settings["urn"]) == {"120001", "120002", "120003", "130004"}
    assert dict(gias.skipped) == {
        "closed": 1,
        "other type": 1,
        "no location": 1,
        "no age range": 1,
    }


def test_missing_column_is_named(tmp_path: Path) -> None:
    """A file without `Easting` gives a problem on the header line naming the column."""
    path = write_gias_rows(tmp_path / "g.csv", THREE_SETTINGS, drop=("Easting",))
    assert _problems(path) == [f"{path}:1:Easting: required column is missing"]


def test_unknown_need_code_names_row_column_and_spelling(tmp_path: Path) -> None:
    """An unknown SEN spelling is reported on its line and column, quoting the (public) value."""
    rows = [THREE_SETTINGS[0], THREE_SETTINGS[1] | {"SEN2 (name)": "XYZ - Nonsense"}]
    path = write_gias_rows(tmp_path / "g.csv", rows)
    assert _problems(path) == [f"{path}:3:SEN2 (name): unknown need code 'XYZ - Nonsense'"]


def test_duplicate_urn_reports_both_lines(tmp_path: Path) -> None:
    """Two rows with one URN are both reported."""
    rows = [*THREE_SETTINGS, THREE_SETTINGS[0] | {"EstablishmentName": "Copy"}]
    path = write_gias_rows(tmp_path / "g.csv", rows)
    assert _problems(path) == [
        f"{path}:2:URN: duplicate URN '120001'",
        f"{path}:5:URN: duplicate URN '120001'",
    ]


def test_negative_capacity_is_reported(tmp_path: Path) -> None:
    """A negative SchoolCapacity or SEN unit capacity is a problem on its line."""
    rows = [
        THREE_SETTINGS[0] | {"SchoolCapacity": "-5"},
        THREE_SETTINGS[1] | {"SenUnitCapacity": "-1"},
    ]
    path = write_gias_rows(tmp_path / "g.csv", rows)
    assert _problems(path) == [
        f"{path}:2:SchoolCapacity: negative number",
        f"{path}:3:SenUnitCapacity: negative number",
    ]


def test_coordinates_outside_great_britain(tmp_path: Path) -> None:
    """An easting beyond 700 km or a northing beyond 1300 km is outside GB."""
    rows = [
        THREE_SETTINGS[0] | {"Easting": "800000"},
        THREE_SETTINGS[1] | {"Northing": "1400000"},
        THREE_SETTINGS[2],
    ]
    path = write_gias_rows(tmp_path / "g.csv", rows)
    message = "grid reference outside Great Britain"
    assert _problems(path) == [f"{path}:2:Easting: {message}", f"{path}:3:Easting: {message}"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Problems on different rows and columns all come back in one InputError, in line order."""
    rows = [
        THREE_SETTINGS[0] | {"StatutoryLowAge": "four", "StatutoryHighAge": "2"},
        THREE_SETTINGS[1] | {"Gender (name)": "Unknown"},
        THREE_SETTINGS[2] | {"NumberOfPupils": "-3", "StatutoryHighAge": "1"},
    ]
    path = write_gias_rows(tmp_path / "g.csv", rows)
    assert _problems(path) == [
        f"{path}:2:StatutoryLowAge: not a whole number 'four'",
        f"{path}:3:Gender (name): unknown gender 'Unknown'",
        f"{path}:4:NumberOfPupils: negative number",
        f"{path}:4:StatutoryHighAge: below StatutoryLowAge",
    ]


def test_header_is_the_real_download_header() -> None:
    """The copied sample keeps DfE's 139-column header, so the tests read the real format."""
    header = GIAS_SAMPLE.read_text(encoding="cp1252").splitlines()[0]
    assert header.split('","')[0].strip('"') == GIAS_COLUMNS[0]
    assert header.count('","') + 1 == len(GIAS_COLUMNS)


def test_default_places_from_gias(tmp_path: Path) -> None:
    """Whole-setting lines from capacity and roll; RP capacity 10 over 3 needs splits 4/3/3."""
    gias = read_gias(write_gias_rows(tmp_path / "g.csv", THREE_SETTINGS))
    places = default_places(gias.settings, gias.provision).set_index(["urn", "need"])
    # sample row 100000: capacity 274, on roll 276 -> no vacancies
    assert places.loc[("120001", ""), "places"] == 274
    assert places.loc[("120001", ""), "vacancies"] == 0
    # special school with blank capacity: places = number on roll, vacancies unknown -> 0
    assert places.loc[("120003", ""), "places"] == 80
    rp = places.loc["120002"]
    assert rp.loc[["ASD", "SEMH", "SLCN"], "places"].tolist() == [4, 3, 3]
    assert rp.loc[["ASD", "SEMH", "SLCN"], "vacancies"].tolist() == [1, 1, 1]
    assert ("120003", "ASD") not in places.index  # special schools get no RP lines


def test_file_with_no_open_settings_is_a_problem(tmp_path: Path) -> None:
    """A download with only closed establishments is reported rather than read as no settings."""
    path = write_gias_rows(tmp_path / "g.csv", [{"EstablishmentStatus (name)": "Closed"}])
    assert _problems(path) == [f"{path}::: no open settings of the types modelled"]


_NAMES = (
    st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ'-&éâ"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def _settings_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Random valid settings tables whose values GIAS can carry."""
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        setting_type = draw(st.sampled_from(list(SettingType)))
        low = draw(st.integers(2, 16))
        high = draw(st.integers(low, 25))
        capacity = draw(st.none() | st.integers(0, 3000))
        needs = draw(st.sets(st.sampled_from(list(CODED_NEEDS)), max_size=13))
        rows.append(
            {
                "urn": str(100000 + i),
                "name": draw(_NAMES),
                "setting_type": setting_type.value,
                "la_code": draw(st.sampled_from(["857", "855", "201"])),
                "low_age": low,
                "high_age": high,
                "ncy_low": low - 4,
                "ncy_high": high - 5,
                "gender": draw(st.sampled_from(list(Gender))).value,
                "easting": float(draw(st.integers(1, 700_000))),
                "northing": float(draw(st.integers(1, 1_300_000))),
                "postcode": draw(st.sampled_from(["LE15 6AA", "PE9 1AB", ""])),
                "designated_needs": tuple(sorted(n.value for n in needs)),
                "provision": (
                    draw(st.sampled_from(["resourced provision", "SEN unit"]))
                    if setting_type is SettingType.MAINSTREAM_RP
                    else ""
                ),
                "capacity": capacity,
                "on_roll": draw(st.none() | st.integers(0, 3000)),
                "ofsted": draw(st.sampled_from(["", "Good", "Outstanding"])),
                "section41": draw(st.booleans()),
            }
        )
    frame = pd.DataFrame(rows, columns=list(SETTING_COLUMNS))
    return frame.astype({"capacity": "Int64", "on_roll": "Int64"})


@settings(max_examples=30, deadline=None)
@given(_settings_tables())
def test_gias_writer_then_reader_gives_the_settings_back(table: pd.DataFrame) -> None:
    """Reading what the (independent) GIAS writer wrote returns the same settings table."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.csv"
        write_gias(table, path)
        read = load_gias(path)
    expected = table.astype({c: "str" for c in ("urn", "name", "la_code", "postcode")})
    pd.testing.assert_frame_equal(read, expected, check_dtype=False)
