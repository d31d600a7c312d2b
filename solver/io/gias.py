"""The GIAS "all establishment data" download: its exact columns, codes and a writer.

DfE publishes `edubasealldataYYYYMMDD.csv` in Windows-1252 with every field quoted. The writer
produces that format so synthetic and sample data go through the same loader as real downloads.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from solver.domain.groups import SPECIALIST_TYPES
from solver.domain.model import SETTING_COLUMNS, SettingType
from solver.domain.needs import GIAS_SPELLING, Need
from solver.io.outputs import write_bytes

#: The download's header, in DfE's column order (139 columns; newer files drop RSCRegion).
GIAS_COLUMNS: tuple[str, ...] = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (code)",
    "Boarders (name)",
    "NurseryProvision (name)",
    "OfficialSixthForm (code)",
    "OfficialSixthForm (name)",
    "Gender (code)",
    "Gender (name)",
    "ReligiousCharacter (code)",
    "ReligiousCharacter (name)",
    "ReligiousEthos (name)",
    "Diocese (code)",
    "Diocese (name)",
    "AdmissionsPolicy (code)",
    "AdmissionsPolicy (name)",
    "SchoolCapacity",
    "SpecialClasses (code)",
    "SpecialClasses (name)",
    "CensusDate",
    "NumberOfPupils",
    "NumberOfBoys",
    "NumberOfGirls",
    "PercentageFSM",
    "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    "Trusts (name)",
    "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)",
    "FederationFlag (name)",
    "Federations (code)",
    "Federations (name)",
    "UKPRN",
    "FEHEIdentifier",
    "FurtherEducationType (name)",
    "OfstedLastInsp",
    "OfstedSpecialMeasures (code)",
    "OfstedSpecialMeasures (name)",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "HeadPreferredJobTitle",
    "BSOInspectorateName (name)",
    "InspectorateReport",
    "DateOfLastInspectionVisit",
    "NextInspectionVisit",
    "TeenMoth (name)",
    "TeenMothPlaces",
    "CCF (name)",
    "SENPRU (name)",
    "EBD (name)",
    "PlacesPRU",
    "FTProv (name)",
    "EdByOther (name)",
    "Section41Approved (name)",
    "SEN1 (name)",
    "SEN2 (name)",
    "SEN3 (name)",
    "SEN4 (name)",
    "SEN5 (name)",
    "SEN6 (name)",
    "SEN7 (name)",
    "SEN8 (name)",
    "SEN9 (name)",
    "SEN10 (name)",
    "SEN11 (name)",
    "SEN12 (name)",
    "SEN13 (name)",
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
    "GOR (code)",
    "GOR (name)",
    "DistrictAdministrative (code)",
    "DistrictAdministrative (name)",
    "AdministrativeWard (code)",
    "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)",
    "UrbanRural (code)",
    "UrbanRural (name)",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "CensusAreaStatisticWard (name)",
    "MSOA (name)",
    "LSOA (name)",
    "InspectorateName (name)",
    "SENStat",
    "SENNoStat",
    "BoardingEstablishment (name)",
    "PropsName",
    "PreviousLA (code)",
    "PreviousLA (name)",
    "PreviousEstablishmentNumber",
    "OfstedRating (name)",
    "RSCRegion (name)",
    "Country (name)",
    "UPRN",
    "SiteName",
    "QABName (code)",
    "QABName (name)",
    "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)",
    "QABReport",
    "CHNumber",
    "MSOA (code)",
    "LSOA (code)",
)

#: `TypeOfEstablishment (name)` for each code RightPlace models.
GIAS_TYPE_NAMES: Mapping[int, str] = MappingProxyType(
    {
        1: "Community school",
        2: "Voluntary aided school",
        3: "Voluntary controlled school",
        5: "Foundation school",
        7: "Community special school",
        8: "Non-maintained special school",
        10: "Other independent special school",
        11: "Other independent school",
        12: "Foundation special school",
        14: "Pupil referral unit",
        18: "Further education",
        28: "Academy sponsor led",
        32: "Special post 16 institution",
        33: "Academy special sponsor led",
        34: "Academy converter",
        35: "Free schools",
        36: "Free schools special",
        38: "Free schools alternative provision",
        39: "Free schools 16 to 19",
        42: "Academy alternative provision converter",
        43: "Academy alternative provision sponsor led",
        44: "Academy special converter",
        45: "Academy 16-19 converter",
        46: "Academy 16 to 19 sponsor led",
    }
)

#: The type code written for a setting type when a table carries no `type_code` column.
TYPICAL_TYPE_CODE: Mapping[SettingType, int] = MappingProxyType(
    {
        SettingType.MAINSTREAM: 34,
        SettingType.MAINSTREAM_RP: 34,
        SettingType.STATE_SPECIAL: 7,
        SettingType.NON_MAINTAINED_SPECIAL: 8,
        SettingType.INDEPENDENT_SPECIAL: 10,
        SettingType.INDEPENDENT_MAINSTREAM: 11,
        SettingType.ALTERNATIVE_PROVISION: 14,
        SettingType.POST16: 18,
    }
)

#: The thirteen designated-need columns.
SEN_COLUMNS: tuple[str, ...] = tuple(f"SEN{i} (name)" for i in range(1, 14))

#: Extra columns a settings table may carry to be written to GIAS (all optional).
RP_COLUMNS: tuple[str, ...] = ("rp_capacity", "rp_on_roll", "unit_capacity", "unit_on_roll")

_GIAS_FIELD_OF: Mapping[str, str] = MappingProxyType(
    {
        "urn": "URN",
        "name": "EstablishmentName",
        "la_code": "LA (code)",
        "low_age": "StatutoryLowAge",
        "high_age": "StatutoryHighAge",
        "easting": "Easting",
        "northing": "Northing",
        "postcode": "Postcode",
        "provision": "TypeOfResourcedProvision (name)",
        "capacity": "SchoolCapacity",
        "on_roll": "NumberOfPupils",
        "ofsted": "OfstedRating (name)",
        "rp_capacity": "ResourcedProvisionCapacity",
        "rp_on_roll": "ResourcedProvisionOnRoll",
        "unit_capacity": "SenUnitCapacity",
        "unit_on_roll": "SenUnitOnRoll",
        "la_name": "LA (name)",
    }
)


def _phase_name(ncy_low: int, ncy_high: int, setting_type: str) -> str:
    if setting_type in {t.value for t in SPECIALIST_TYPES}:
        return "Not applicable"
    if ncy_high <= 6:
        return "Primary"
    if ncy_low >= 12:
        return "16 plus"
    if ncy_low >= 7:
        return "Secondary"
    return "All-through"


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def gias_frame(settings: pd.DataFrame) -> pd.DataFrame:
    """Settings (SETTING_COLUMNS, optional `type_code`, `la_name`, RP_COLUMNS) as GIAS rows."""
    missing = [c for c in SETTING_COLUMNS if c not in settings.columns]
    if missing:
        raise ValueError(f"settings table lacks columns {missing}")
    n = len(settings)
    out = pd.DataFrame({col: [""] * n for col in GIAS_COLUMNS}, dtype=object)
    for ours, theirs in _GIAS_FIELD_OF.items():
        if ours in settings.columns:
            out[theirs] = [_text(v) for v in settings[ours]]
    codes = (
        settings["type_code"].astype(int).tolist()
        if "type_code" in settings.columns
        else [TYPICAL_TYPE_CODE[SettingType(t)] for t in settings["setting_type"]]
    )
    out["TypeOfEstablishment (code)"] = [f"{c:02d}" for c in codes]
    out["TypeOfEstablishment (name)"] = [GIAS_TYPE_NAMES[c] for c in codes]
    out["EstablishmentStatus (code)"] = "1"
    out["EstablishmentStatus (name)"] = "Open"
    out["PhaseOfEducation (name)"] = [
        _phase_name(lo, hi, t)
        for lo, hi, t in zip(
            settings["ncy_low"], settings["ncy_high"], settings["setting_type"], strict=True
        )
    ]
    out["Gender (name)"] = [str(g).capitalize() for g in settings["gender"]]
    out["Section41Approved (name)"] = [
        "Approved" if s else "Not applicable" for s in settings["section41"]
    ]
    out["TypeOfResourcedProvision (name)"] = [p or "Not applicable" for p in settings["provision"]]
    for i, needs in enumerate(settings["designated_needs"]):
        for col, need in zip(SEN_COLUMNS, needs, strict=False):
            out.iat[i, out.columns.get_loc(col)] = GIAS_SPELLING[Need(need)]
    out["Country (name)"] = "England"
    return out


def write_gias(settings: pd.DataFrame, path: Path) -> None:
    """Write settings as a GIAS download: cp1252, every field quoted, DfE's column order;
    atomically."""
    text = gias_frame(settings).to_csv(index=False, quoting=csv.QUOTE_ALL)
    write_bytes(path, text.encode("cp1252", errors="replace"))
