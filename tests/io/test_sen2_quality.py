"""A hand-written SEN2 return with every data-quality problem gives exactly the expected report.

Each person below is built to show one or two problems; the expected issues were worked out by
hand from SEN2.md (census 2025-01-16: school year 2024, age = 2024 - s(birth) - 1, NCY = age - 4).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from solver.io.sen2 import read_return
from solver.io.sen2_census import CensusChildren, census_children, pseudonym

CENSUS = date(2025, 1, 16)
KEY = b"test-key-0123456789"
T = " 00:00:00"

PERSON = (
    "persontableid,sen2tableid,surname,forename,personbirthdate,sex,postcode,upn,"
    "uniquelearnernumber,upnunknown\n"
    """P1,1,Aone,Bee,2016-Feb-10{t},M,AA1 1AA,U0001,,
P2,1,Atwo,Cee,1990-Jan-01{t},F,AA1 1AA,,,
P3,1,Athree,Dee,2012-Mar-01{t},X,AA1 1AA,,,UN1
P4,1,Afour,Eee,2013-Mar-01{t},M,AA1 1AA,U0001,,
P5,1,Afive,Fee,2013-Apr-01{t},,,U0005,,
P6,1,Asix,Gee,2013-May-01{t},M,ZZ9 9ZZ,U0006,,
P7,1,Aseven,Hee,2014-Jan-05{t},F,AA1 1AA,U0007,,
P8,1,Aeight,Iee,2010-Oct-01{t},M,AA1 1AA,U0008,,
P9,1,Anine,Jee,2011-Oct-01{t},F,AA1 1AA,,U0009ULN,
P10,1,Aten,Kee,2011-Nov-01{t},M,AA1 1AA,U0010,,
P11,1,Aeleven,Lee,2012-Dec-01{t},F,AA1 1AA,U0011,,
P12,1,Atwelve,Mee,2009-Jun-01{t},M,AA1 1AA,U0012,,
P13,1,Athirteen,Nee,2009-Jul-01{t},F,AA1 1AA,U0013,,
P14,1,Afourteen,Oee,2008-Aug-01{t},M,AA1 1AA,U0014,,
P15,1,Afifteen,Pee,2008-Sep-01{t},F,AA1 1AA,U0015,,
P16,1,Asixteen,Qee,2007-Sep-01{t},M,AA1 1AA,U0016,,
P17,1,Asixteen,Qee,2007-Sep-01{t},M,AA1 1AA,U0017,,
"""
)
REQUESTS = (
    "requeststableid,persontableid\nR1,P1\n,P1\n"
    + "".join(f"R{i},P{i}\n" for i in ("2", "3", "4", "5", "6", "7a", "7b", "8", "9", "10"))
    .replace("P7a", "P7")
    .replace("P7b", "P7")
    + "".join(f"R{i},P{i}\n" for i in range(11, 17))
    + "R99,P404\n"
)
_ALL = ("1", "2", "3", "4", "5", "6", "7a", "7b", "8", "9", "10", *map(str, range(11, 17)))
ASSESSMENT = (
    "assessmenttableid,requeststableid\n" + "".join(f"A{i},R{i}\n" for i in _ALL) + "Ax,R404\n"
)
NAMEDPLAN = (
    "namedplantableid,assessmenttableid,startdate,ceasedate,ceasereason\n"
    "N1,A1,2020-Feb-28{t},,\n"
    + "".join(f"N{i},A{i},2019-Mar-01{{t}},,\n" for i in ("2", "3", "4", "5", "6"))
    + "N7a,A7a,2018-Mar-01{t},,\nN7b,A7b,2021-Mar-01{t},,\n"
    "N8,A8,2018-Mar-01{t},2024-Jul-01{t},2\n"
    + "".join(f"N{i},A{i},2019-Mar-01{{t}},,\n" for i in range(9, 15))
    + "N15,A15,2023-Mar-01{t},2022-Mar-01{t},\n"
    "N16,A16,2019-Mar-01{t},,12\n"
)
ACTIVEPLANS = (
    "activeplanstableid,requeststableid,transferla,phasetransferduedate\n"
    "AP1,R1,,2025-Feb-15{t}\n"
    + "".join(f"AP{i},R{i},,\n" for i in ("2", "3", "4", "5", "6", "7a", "7b", "8", "9"))
    + "AP10,R10,123,\n"
    + "".join(f"AP{i},R{i},,\n" for i in (11, 12, 13, 14, 16))
)
PLACEMENT = (
    "placementdetailtableid,activeplanstableid,urn,ukprn,sensetting,placementrank,entrydate,"
    "leavingdate,senunitindicator,resourcedprovisionindicator\n"
    """PD1,AP1,100001,,,1,2020-Sep-03{t},,False,False
PD2,AP2,100002,,,1,2020-Sep-03{t},,False,False
PD3,AP3,100002,,,1,2020-Sep-03{t},,False,False
PD4,AP4,100002,,,1,2020-Sep-03{t},,False,False
PD5,AP5,,,,1,2020-Sep-03{t},,False,False
PD6,AP6,,,XYZ,1,2020-Sep-03{t},,False,False
PD7a,AP7a,100002,,,1,2020-Sep-03{t},,False,False
PD7b,AP7b,100002,,,1,2021-Sep-03{t},,False,False
PD8,AP8,,99999999,,1,2020-Sep-03{t},,,False
PD8b,AP8,100001,,,2,2020-Sep-03{t},2019-Jul-01{t},False,False
PD11a,AP11,100005,,,1,2020-Sep-03{t},,False,False
PD11b,AP11,100001,,,1,2021-Sep-03{t},,False,False
PD12,AP12,100004,,,2,2020-Sep-03{t},,False,False
PD13,AP13,100001,,,1,2020-Sep-03{t},,True,maybe
PD14,AP14,777777,,,1,banana,,False,False
PD16,AP16,100001,,,1,2020-Sep-03{t},,False,False
"""
)
SENNEED = """senneedtableid,activeplanstableid,sentype,sentyperank
S1,AP1,ASD,1
S1b,AP1,SLCN,x
S2,AP2,SEMH,1
S3,AP3,SEMH,1
S4,AP4,SEMH,1
S5,AP5,MLD,1
S6,AP6,MLD,1
S7a,AP7a,ASD,1
S7b,AP7b,AUT,1
S8,AP8,HI,1
S9,AP9,VI,1
S10,AP10,PD,1
S11,AP11,SLD,1
S12,AP12,DS,1
S13,AP13,SPLD,1
S14,AP14,PMLD,1
S14,AP16,MSI,1
"""
FILES = {
    "person": PERSON,
    "requests": REQUESTS,
    "assessment": ASSESSMENT,
    "namedplan": NAMEDPLAN,
    "activeplans": ACTIVEPLANS,
    "placementdetail": PLACEMENT,
    "senneed": SENNEED,
}

EXPECTED = sorted(
    [
        # reading: values that do not parse, keys, links, rows per parent
        ("placementdetail", 15, "resourcedprovisionindicator", "bad_value"),
        ("placementdetail", 16, "entrydate", "bad_value"),
        ("senneed", 3, "sentyperank", "bad_value"),
        ("requests", 3, "requeststableid", "missing_key"),
        ("senneed", 17, "senneedtableid", "duplicate_key"),
        ("senneed", 18, "senneedtableid", "duplicate_key"),
        ("requests", 20, "persontableid", "orphan"),
        ("assessment", 19, "requeststableid", "orphan"),
        ("person", 18, "persontableid", "child_count"),  # P17: no request
        ("activeplans", 11, "activeplanstableid", "child_count"),  # AP9: no placement
        ("activeplans", 12, "activeplanstableid", "child_count"),  # AP10: no placement
        # whatever the census date
        ("person", 3, "upn", "no_upn_uln"),
        ("person", 4, "upn", "no_upn_uln_reason"),
        ("person", 5, "persontableid", "duplicate_person"),  # P4: P1's UPN
        ("person", 18, "persontableid", "duplicate_person"),  # P17: P16's names, birth date
        ("namedplan", 17, "ceasedate", "end_before_start"),
        ("placementdetail", 11, "leavingdate", "end_before_start"),
        ("namedplan", 18, "ceasedate", "cease_mismatch"),
        ("namedplan", 17, "ceasereason", "cease_mismatch"),
        ("namedplan", 18, "ceasereason", "bad_value"),
        ("placementdetail", 6, "urn", "placement_no_setting"),
        ("placementdetail", 7, "sensetting", "unknown_sensetting"),
        ("placementdetail", 10, "senunitindicator", "indicator_blank"),
        ("placementdetail", 15, "resourcedprovisionindicator", "indicator_blank"),
        ("senneed", 10, "sentype", "unknown_sentype"),
        # on the census date
        ("placementdetail", 12, "placementrank", "two_rank1"),
        ("placementdetail", 13, "placementrank", "two_rank1"),
        ("placementdetail", 14, "placementrank", "rank2_without_rank1"),
        ("placementdetail", 10, "entrydate", "placement_no_plan"),
        ("namedplan", 11, "startdate", "no_placement"),
        ("namedplan", 12, "startdate", "transferred_in_no_placement"),  # P10: not in scope
        ("requests", 9, "requeststableid", "several_requests"),
        ("placementdetail", 16, "urn", "urn_not_in_gias"),
        ("placementdetail", 10, "ukprn", "ukprn_not_in_gias"),
        ("placementdetail", 14, "urn", "gias_unexpected_type"),
        ("placementdetail", 12, "urn", "setting_not_modelled"),
        ("placementdetail", 15, "senunitindicator", "gias_no_provision"),
        ("person", 3, "personbirthdate", "bad_age"),
        ("person", 4, "sex", "no_sex"),
        ("person", 6, "sex", "no_sex"),
        ("person", 6, "postcode", "no_postcode"),
        ("person", 7, "postcode", "postcode_not_found"),
        ("person", 8, "sentype", "no_primary_need"),
        *(("person", row, "persontableid", "unusable") for row in (3, 4, 5, 6, 7, 8)),
    ]
)
UNUSABLE = {
    3: "bad_age",
    4: "no_sex",
    5: "duplicate_person",
    6: "no_sex, no_postcode",
    7: "postcode_not_found",
    8: "no_primary_need",
}


def write_return(folder: Path, files: dict[str, str] = FILES, encoding: str = "utf-8") -> Path:
    """The return's module files, as COLLECT names them, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for module, text in files.items():
        path = folder / f"Blade-Export_07-03-2025_{module}.csv"
        path.write_bytes(text.replace("{t}", T).encode(encoding))
    return folder


SETTINGS = pd.DataFrame({"urn": ["100001", "100002"], "provision": ["", ""]})
GIAS_IDS = pd.DataFrame(
    {
        "urn": ["100001", "100002", "100005", "100004"],
        "ukprn": ["10000001", "", "", ""],
        "type_code": ["1", "7", "1", "29"],
    }
)
POSTCODES = pd.DataFrame({"postcode": ["AA11AA"], "easting": [450000.0], "northing": [300000.0]})


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> CensusChildren:
    folder = write_return(tmp_path_factory.mktemp("sen2"))
    return census_children(
        read_return(folder),
        CENSUS,
        key=KEY,
        postcodes=POSTCODES,
        settings=SETTINGS,
        gias_ids=GIAS_IDS,
    )


def test_every_problem_gives_exactly_the_expected_issues(found: CensusChildren) -> None:
    """The issues are exactly the hand-worked list: none missing, none extra, none twice."""
    got = sorted(
        (m, int(r), f, k)
        for m, r, f, k in found.issues[["module", "row", "field", "kind"]].itertuples(index=False)
    )
    assert got == EXPECTED


def test_unusable_persons_say_why_and_heads_add_up(found: CensusChildren) -> None:
    """14 persons in scope (P10 transferred in after the census, P15 and P17 have no plan in
    force) = 8 children + 6 unusable, each with its reasons."""
    unusable = found.issues[found.issues["kind"] == "unusable"]
    assert {int(r): m for r, m in zip(unusable["row"], unusable["message"], strict=True)} == {
        row: f"not in children.csv: {why}" for row, why in UNUSABLE.items()
    }
    assert (found.in_scope, len(found.children), found.unusable) == (14, 8, 6)
    report = found.report()
    summary = report[report["module"] == "summary"].set_index("kind")["message"]
    assert summary[["persons_in_scope", "children", "unusable_persons"]].tolist() == [
        "14",
        "8",
        "6",
    ]
    assert summary["unusable"] == "6" and summary["two_rank1"] == "2"
    assert int(
        summary.drop(["persons_in_scope", "children", "unusable_persons"]).astype(int).sum()
    ) == len(EXPECTED)


def test_children_of_the_hand_written_return(found: CensusChildren) -> None:
    """NCY from birth date, needs from ranks, current setting only when it is a modelled
    setting, the SEN unit flag, the phase transfer and the plan's start year."""
    ids = {
        p: pseudonym(pd.Series([f"upn:U00{p[1:].zfill(2)}"]), KEY).iloc[0]
        for p in ("P1", "P8", "P11", "P12", "P13", "P14", "P16")
    }
    ids["P9"] = pseudonym(pd.Series(["uln:U0009ULN"]), KEY).iloc[0]
    children = found.children.set_index("child_id")
    assert set(children.index) == set(ids.values())
    expected = {
        "P1": (4, "M", "ASD", "", "100001", True, "", 2020),
        "P8": (9, "M", "HI", "", "", False, "", None),
        "P9": (8, "F", "VI", "", "", False, "", 2019),
        "P11": (7, "F", "SLD", "", "", False, "", 2019),
        "P12": (11, "M", "OTH", "", "", False, "", 2019),
        "P13": (11, "F", "SPLD", "", "100001", False, "sen_unit", 2019),
        "P14": (12, "M", "PMLD", "", "", False, "", 2019),
        "P16": (12, "M", "MSI", "", "100001", False, "", 2019),
    }
    columns = [
        "ncy",
        "sex",
        "primary_need",
        "secondary_need",
        "current_urn",
        "transfer",
        "current_place",
        "plan_start_year",
    ]
    for person, want in expected.items():
        row = children.loc[ids[person], columns].tolist()
        assert row[:-1] == list(want[:-1]), person
        assert (None if pd.isna(row[-1]) else int(row[-1])) == want[-1], person
    assert (children[["easting", "northing"]] == [450000.0, 300000.0]).all().all()
