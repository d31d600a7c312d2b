"""Children at a census date from a SEN2 return, and the return's data-quality issues.

One child per person with a plan or placement in force on the census date (shared/SEN2.md §5),
in the children model (CHILD_COLUMNS) plus `current_place` (SEN unit or resourced provision, from
the placement's indicators), `situation` (the `sensetting` code, e.g. EHE, NEET) and
`plan_start_year`. The id is a keyed hash of the UPN, else the ULN, else the person id; birth date
and postcode are used for NCY and home and then dropped. Every check of §6 is an issue; a person
in scope with a blocking issue is not a child but an `unusable` issue saying why.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import numpy as np
import pandas as pd

from solver.domain.model import CHILD_COLUMNS, Sex
from solver.io.csvfile import among
from solver.io.postcodes import postcode_centroids
from solver.io.sen2 import ISSUE_COLUMNS, Sen2Return, concat_issues, issues_where

#: Columns of children.csv written from a return: the children model and what SEN2 adds.
SEN2_CHILD_COLUMNS: tuple[str, ...] = (
    *CHILD_COLUMNS,
    "current_place",  # "sen_unit", "resourced_provision" or "" (mainstream classes, or other)
    "situation",  # the placement's sensetting code (OLA, EHE, NEET ...), "" when none
    "plan_start_year",  # Int64, year the named plan started
)

SEN_SETTINGS = frozenset({"OLA", "OPA", "EHE", "EYP", "OTH", "NEET", "NIEC", "NIEO"})
SEN_TYPES: Mapping[str, str] = MappingProxyType(
    {
        **{c: c for c in ("SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI")},
        **{"PD": "PD", "ASD": "ASD", "OTH": "OTH"},
        "DS": "OTH",  # Down syndrome (2025 on): the model's twelve needs have no DS
    }
)
_GENDER_CURRENT: Mapping[str, str] = MappingProxyType({"1": Sex.MALE.value, "2": Sex.FEMALE.value})

#: GIAS `TypeOfEstablishment (code)`s unexpected for a SEND placement (SEN2.md §6): HE
#: institution, UTC, online provider, service children's, offshore, British schools overseas,
#: other government department, miscellaneous.
UNEXPECTED_GIAS_TYPES = frozenset({"29", "40", "49", "26", "25", "37", "56", "27"})

MIN_AGE, MAX_AGE = 0, 24


@dataclass(frozen=True)
class CensusChildren:
    """Children on a census date, the issues of the return, and the head counts of scope."""

    children: pd.DataFrame  # SEN2_CHILD_COLUMNS
    issues: pd.DataFrame  # ISSUE_COLUMNS + person
    in_scope: int  # persons with a plan or placement in force: children + unusable
    unusable: int

    def report(self) -> pd.DataFrame:
        """sen2_issues.csv: every issue, then one `summary` row per kind with its count and the
        head counts (persons in scope = children + unusable)."""
        detail = self.issues.loc[:, list(ISSUE_COLUMNS)].sort_values(
            ["module", "row", "field", "kind"], kind="stable"
        )
        counts = detail["kind"].value_counts().sort_index()
        heads = {
            "persons_in_scope": self.in_scope,
            "children": len(self.children),
            "unusable_persons": self.unusable,
        }
        summary = pd.DataFrame(
            {
                "module": "summary",
                "row": pd.NA,
                "field": "",
                "kind": [*counts.index, *heads],
                "message": [str(n) for n in (*counts.to_numpy(), *heads.values())],
            }
        )
        return pd.concat([detail, summary], ignore_index=True).astype({"row": "Int64"})


def pseudonym(ids: pd.Series, key: bytes) -> pd.Series:
    """A stable pseudonymous child_id per id (HMAC-SHA256 under `key`, 16 hex digits)."""
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def one(value: str) -> str:
        mac = keyed.copy()  # the key's pads once, not per id
        mac.update(value.encode())
        return "S2-" + mac.hexdigest()[:16]

    return ids.map({value: one(value) for value in pd.unique(ids)})


def child_ids(person: pd.DataFrame, key: bytes) -> pd.Series:
    """Each person's child_id: the pseudonym of the UPN, else the ULN, else the person id."""
    upn, uln, own = person["upn"], person["uniquelearnernumber"], person["persontableid"]
    ids = np.where(upn != "", "upn:" + upn, np.where(uln != "", "uln:" + uln, "person:" + own))
    return pseudonym(pd.Series(ids, index=person.index), key)


def cease_reasons(sen2: Sen2Return, key: bytes) -> pd.Series:
    """child_id -> ceasereason ("1".."9") of each person's latest ceased named plan."""
    plan = sen2.tables["namedplan"]
    ceased = plan[plan["ceasedate"].notna() & plan["ceasereason"].notna()]
    ceased = ceased.sort_values("ceasedate").drop_duplicates("person", keep="last")
    person = sen2.tables["person"].drop_duplicates("persontableid")
    person = person[among(person["persontableid"], ceased["person"])]
    ids = child_ids(person, key).set_axis(person["persontableid"])
    reasons = ceased.set_index("person")["ceasereason"].astype(str)
    return reasons.set_axis(reasons.index.map(ids)).loc[lambda r: r.index.notna()]


def ncy_at(birth: pd.Series, census: date) -> pd.Series:
    """NCY on `census` (Int64, NA when the birth date is missing or the age is outside 0-24):
    age on 31 August before the academic year, minus 4 (SEN2.md §4)."""
    school_year = census.year - (1 if census.month < 9 else 0)
    born_year = birth.dt.year - (birth.dt.month < 9).astype("Int64")
    age = (school_year - born_year - 1).astype("Int64")
    return (age - 4).where(age.between(MIN_AGE, MAX_AGE))


def return_checks(sen2: Sen2Return) -> pd.DataFrame:
    """Issues that hold whatever the census date: ids, duplicates, dates, codes, needs."""
    t = sen2.tables
    person, plan, place, need = t["person"], t["namedplan"], t["placementdetail"], t["senneed"]
    issues = [sen2.issues]
    no_id = (person["upn"] == "") & (person["uniquelearnernumber"] == "")
    issues += [
        issues_where(
            person,
            no_id & (person["upnunknown"] == ""),
            "person",
            "upn",
            "no_upn_uln",
            "UPN and ULN blank with no upnunknown reason; id from persontableid",
        ),
        issues_where(
            person,
            no_id & (person["upnunknown"] != ""),
            "person",
            "upn",
            "no_upn_uln_reason",
            "UPN and ULN blank (reason given); id from persontableid, not stable across years",
        ),
    ]
    issues.append(
        issues_where(
            person,
            duplicate_persons(person),
            "person",
            "persontableid",
            "duplicate_person",
            "same UPN, ULN or names and birth date as an earlier person",
        )
    )
    for frame, module, start, end in (
        (plan, "namedplan", "startdate", "ceasedate"),
        (place, "placementdetail", "entrydate", "leavingdate"),
    ):
        issues.append(
            issues_where(
                frame,
                frame[end] < frame[start],
                module,
                end,
                "end_before_start",
                f"{end} before {start}",
            )
        )
    reason = plan["ceasereason"]
    issues += [
        issues_where(
            plan,
            reason.notna() & plan["ceasedate"].isna(),
            "namedplan",
            "ceasedate",
            "cease_mismatch",
            "ceasereason given without ceasedate",
        ),
        issues_where(
            plan,
            reason.isna() & plan["ceasedate"].notna(),
            "namedplan",
            "ceasereason",
            "cease_mismatch",
            "ceasedate given without ceasereason",
        ),
        issues_where(
            plan,
            reason.notna() & ~reason.between(1, 9),
            "namedplan",
            "ceasereason",
            "bad_value",
            "ceasereason not 1-9",
        ),
    ]
    for frame, module in ((place, "placementdetail"), (t.get("plandetail"), "plandetail")):
        if frame is None:
            continue
        given = (frame["urn"] != "") | (frame["ukprn"] != "") | (frame["sensetting"] != "")
        issues.append(
            issues_where(
                frame, ~given, module, "urn", "placement_no_setting", "no urn, ukprn or sensetting"
            )
        )
        code = frame["sensetting"].str.upper()
        issues.append(
            issues_where(
                frame,
                (code != "") & ~among(code, pd.Series(sorted(SEN_SETTINGS))),
                module,
                "sensetting",
                "unknown_sensetting",
                "not a SEN2 sensetting code",
            )
        )
    given = (place["urn"] != "") | (place["ukprn"] != "")
    for column in ("senunitindicator", "resourcedprovisionindicator"):
        issues.append(
            issues_where(
                place,
                given & place[column].isna(),
                "placementdetail",
                column,
                "indicator_blank",
                "blank; read as false",
            )
        )
    code = need["sentype"].str.upper()
    issues.append(
        issues_where(
            need,
            ~among(code, pd.Series(list(SEN_TYPES))),
            "senneed",
            "sentype",
            "unknown_sentype",
            "not a SEN2 sentype code",
        )
    )
    return concat_issues(issues)


def duplicate_persons(person: pd.DataFrame) -> pd.Series:
    """True for a person with the UPN, ULN or names and birth date of an earlier one."""
    same = pd.Series(False, index=person.index)
    for column in ("upn", "uniquelearnernumber", "name_key"):
        same |= person[column].duplicated(keep="first") & (person[column] != "")
    return same


def in_force(frame: pd.DataFrame, start: str, end: str, day: pd.Timestamp) -> pd.Series:
    """True for rows in force on `day`: start <= day <= end, a blank start or end being open."""
    return (frame[start].isna() | (frame[start] <= day)) & (frame[end].isna() | (frame[end] >= day))


def census_children(
    sen2: Sen2Return,
    census: date,
    *,
    key: bytes,
    postcodes: pd.DataFrame | None,
    settings: pd.DataFrame | None = None,
    gias_ids: pd.DataFrame | None = None,
) -> CensusChildren:
    """Children on `census` (see the module docstring) and every issue of the return.

    `postcodes`: centroids (postcode, easting, northing); `settings`: SETTING_COLUMNS, the
    settings a child may be in; `gias_ids`: every GIAS establishment (urn, ukprn, type_code)
    for the URN/UKPRN checks. Without `settings`, placement URNs are kept unchecked.
    """
    t = sen2.tables
    day = pd.Timestamp(census)
    issues = [return_checks(sen2)]
    records, record_issues = _records(t, day)
    issues += record_issues
    person = t["person"].drop_duplicates("persontableid").set_index("persontableid")
    who = person.loc[records["person"]]
    blocking: dict[str, pd.Series] = {}

    ncy = ncy_at(who["personbirthdate"], census)
    blocking["bad_age"] = ncy.isna()
    sex = who["sex"].str.upper().where(who["sex"].str.upper().isin(["M", "F"]))
    sex = sex.fillna(who["gendercurrent"].map(_GENDER_CURRENT))
    blocking["no_sex"] = sex.isna()
    blocking["duplicate_person"] = duplicate_persons(who.reset_index()).set_axis(who.index)
    easting, northing = _home(who["postcode"], postcodes)
    blocking["no_postcode"] = who["postcode"] == ""
    blocking["postcode_not_found"] = (who["postcode"] != "") & easting.isna()
    if postcodes is None:  # nothing to look up in: not the return's problem
        blocking["postcode_not_found"] &= False

    primary, secondary = _needs(t, records)
    blocking["no_primary_need"] = pd.Series(primary.isna().to_numpy(), index=who.index)
    urn, place, setting_issues = _settings(records, settings, gias_ids)
    issues.append(setting_issues)

    messages = {
        "bad_age": ("personbirthdate", "birth date missing or age on the census date outside 0-24"),
        "no_sex": ("sex", "sex (or gendercurrent) not M/F (1/2)"),
        "no_postcode": ("postcode", "postcode blank: no home location"),
        "postcode_not_found": ("postcode", "postcode not in the postcode lookup"),
        "no_primary_need": ("sentype", "no known primary need (sentyperank 1) on the census date"),
    }
    rows = who.assign(row=who["row"].to_numpy(), person=who.index)
    for kind, (field, message) in messages.items():
        issues.append(issues_where(rows, blocking[kind].to_numpy(), "person", field, kind, message))
    blocked = np.zeros(len(who), dtype=bool)
    reasons = pd.Series("", index=who.index)
    for kind, mask in blocking.items():
        hit = mask.to_numpy(dtype=bool, na_value=False)
        blocked |= hit
        reasons = reasons.where(~hit, reasons + np.where(reasons == "", "", ", ") + kind)
    unusable = issues_where(rows, blocked, "person", "persontableid", "unusable", "")
    issues.append(unusable.assign(message="not in children.csv: " + reasons[blocked].to_numpy()))

    children = pd.DataFrame(
        {
            "child_id": child_ids(who.reset_index(), key).to_numpy(),
            "ncy": ncy.to_numpy(),
            "sex": sex.to_numpy(),
            "primary_need": primary.to_numpy(),
            "secondary_need": secondary.fillna("").to_numpy(),
            "easting": easting.to_numpy(),
            "northing": northing.to_numpy(),
            "current_urn": urn.to_numpy(),
            "transfer": _transfer(records, census).to_numpy(),
            "family_id": "",
            "la_code": "",
            "current_place": place.to_numpy(),
            "situation": records["sensetting"].str.upper().to_numpy(),
            "plan_start_year": records["startdate"].dt.year.astype("Int64").to_numpy(),
        },
        columns=list(SEN2_CHILD_COLUMNS),
    )[~blocked]
    children = children.astype({"ncy": "int64"}).sort_values("child_id").reset_index(drop=True)
    return CensusChildren(children, concat_issues(issues), len(who), int(blocked.sum()))


_PLACEMENT = ("urn", "ukprn", "sensetting", "senunitindicator", "resourcedprovisionindicator")


def _records(
    t: Mapping[str, pd.DataFrame], day: pd.Timestamp
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """One census record per person in scope on `day` (SEN2.md §5): the request, its plan in
    force (latest start) and its current placement (lowest rank in force); with the issues of
    placements without a plan, plans without a placement, ranks and several requests."""
    plan, place, active = t["namedplan"], t["placementdetail"], t["activeplans"]
    requests = t["requests"]
    issues = []
    plan_on = plan[in_force(plan, "startdate", "ceasedate", day) & (plan["request"] != "")]
    plan_on = plan_on.sort_values(["request", "startdate"], na_position="first")
    plan_on = plan_on.drop_duplicates("request", keep="last").set_index("request")
    place_on = place[in_force(place, "entrydate", "leavingdate", day) & (place["request"] != "")]
    rank1 = place_on["placementrank"] == 1
    two = rank1 & place_on.duplicated(["request", "placementrank"], keep=False)
    issues.append(
        issues_where(
            place_on,
            two,
            "placementdetail",
            "placementrank",
            "two_rank1",
            "two rank-1 placements in force on the census date",
        )
    )
    has_rank1 = among(place_on["request"], place_on.loc[rank1, "request"])
    issues.append(
        issues_where(
            place_on,
            (place_on["placementrank"] == 2) & ~has_rank1,
            "placementdetail",
            "placementrank",
            "rank2_without_rank1",
            "a rank-2 placement in force with no rank 1 (used as current)",
        )
    )
    current = place_on.sort_values(["request", "placementrank", "row"], na_position="last")
    current = current.drop_duplicates("request").set_index("request")
    active_of = active[active["requeststableid"] != ""].drop_duplicates("requeststableid")
    active_of = active_of.set_index("requeststableid")

    issues.append(
        issues_where(
            current.reset_index(),
            ~among(current.index.to_series(), plan_on.index.to_series()).to_numpy(),
            "placementdetail",
            "entrydate",
            "placement_no_plan",
            "placement in force on the census date but no named plan in force",
        )
    )
    no_place = ~among(plan_on.index.to_series(), current.index.to_series()).to_numpy()
    transferred = plan_on.index.map(active_of["transferla"]).fillna("") != ""
    issues.append(
        issues_where(
            plan_on.reset_index(),
            no_place & ~transferred,
            "namedplan",
            "startdate",
            "no_placement",
            "named plan in force on the census date but no placement",
        )
    )
    issues.append(
        issues_where(
            plan_on.reset_index(),
            no_place & transferred,
            "namedplan",
            "startdate",
            "transferred_in_no_placement",
            "plan transferred in (transferla) with no placement on the census date: taken as "
            "another LA's then, not in scope",
        )
    )
    keep = plan_on.index[~(no_place & transferred)].union(current.index)
    by_request = requests.drop_duplicates("requeststableid").set_index("requeststableid")
    records = pd.DataFrame(
        {
            "request": keep,
            "person": keep.map(by_request["person"]),
            "request_row": keep.map(by_request["row"]),
            "startdate": keep.map(plan_on["startdate"]),
            "active_key": keep.map(active_of["activeplanstableid"]).fillna(""),
            "phasetransferduedate": keep.map(active_of["phasetransferduedate"]),
            "phasetransferfinaldate": keep.map(active_of["phasetransferfinaldate"]),
            "place_row": keep.map(current["row"]),
            **{c: keep.map(current[c]) for c in _PLACEMENT},
        }
    )
    records = records[records["person"].fillna("") != ""]
    records = records.assign(
        **{c: records[c].fillna("") for c in ("urn", "ukprn", "sensetting")},
        **{c: records[c].astype("boolean").fillna(False) for c in _PLACEMENT[3:]},
    )
    records = records.sort_values(["person", "startdate", "request"], na_position="first")
    several = records["person"].duplicated(keep="last")
    issues.append(
        issues_where(
            records.assign(row=records["request_row"]),
            several,
            "requests",
            "requeststableid",
            "several_requests",
            "another request of this person also has a plan in force; that one is used",
        )
    )
    return records[~several].reset_index(drop=True), issues


def _home(postcode: pd.Series, postcodes: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Easting and northing of each postcode's centroid (NaN when not found or no lookup)."""
    if postcodes is None:
        nothing = pd.Series(float("nan"), index=postcode.index)
        return nothing, nothing
    return postcode_centroids(postcode, postcodes)


def _needs(t: Mapping[str, pd.DataFrame], records: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Primary and secondary need per record (model codes; NA when none or not a SEN2 code)."""
    need = t["senneed"].assign(code=lambda f: f["sentype"].str.upper().map(SEN_TYPES))
    out = []
    for rank in (1, 2):
        ranked = need[need["sentyperank"] == rank].drop_duplicates("activeplanstableid")
        code = records["active_key"].map(ranked.set_index("activeplanstableid")["code"])
        out.append(code.astype(object))
    return out[0], out[1]


def _settings(
    records: pd.DataFrame, settings: pd.DataFrame | None, gias_ids: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Current URN per record (a setting in `settings`; a UKPRN mapped through GIAS), where in
    it the child is (SEN unit, resourced provision), and the GIAS issues."""
    place = np.where(
        records["senunitindicator"],
        "sen_unit",
        np.where(records["resourcedprovisionindicator"], "resourced_provision", ""),
    )
    place = pd.Series(place, index=records.index)
    urn = records["urn"]
    if gias_ids is not None:
        by_ukprn = gias_ids[gias_ids["ukprn"] != ""].drop_duplicates("ukprn")
        urn = urn.where(urn != "", records["ukprn"].map(by_ukprn.set_index("ukprn")["urn"]))
        urn = urn.fillna("")
    if settings is None:
        return urn, place, concat_issues([])
    rows = records.assign(row=records["place_row"])
    known = among(urn, settings["urn"])
    in_gias = pd.Series(False, index=urn.index) if gias_ids is None else among(urn, gias_ids["urn"])
    gias_type = (
        pd.Series("", index=urn.index)
        if gias_ids is None
        else urn.map(gias_ids.drop_duplicates("urn").set_index("urn")["type_code"]).fillna("")
    )
    given_urn = records["urn"] != ""
    given_ukprn = ~given_urn & (records["ukprn"] != "")
    provision = urn.map(settings.drop_duplicates("urn").set_index("urn")["provision"]).fillna("")
    issues = [
        issues_where(
            rows,
            given_urn & ~known & ~in_gias,
            "placementdetail",
            "urn",
            "urn_not_in_gias",
            "URN of the current placement not in the GIAS file",
        ),
        issues_where(
            rows,
            given_ukprn & (urn == ""),
            "placementdetail",
            "ukprn",
            "ukprn_not_in_gias",
            "UKPRN of the current placement not in the GIAS file",
        ),
        issues_where(
            rows,
            ~known & in_gias & gias_type.isin(UNEXPECTED_GIAS_TYPES),
            "placementdetail",
            "urn",
            "gias_unexpected_type",
            "GIAS type unexpected for a SEND placement (HE, UTC, online, overseas ...)",
        ),
        issues_where(
            rows,
            ~known & in_gias & ~gias_type.isin(UNEXPECTED_GIAS_TYPES),
            "placementdetail",
            "urn",
            "setting_not_modelled",
            "in GIAS but closed or of a type not modelled: no current setting",
        ),
        *(
            issues_where(
                rows,
                known & records[indicator] & ~provision.str.contains(kind, regex=False),
                "placementdetail",
                indicator,
                "gias_no_provision",
                f"{kind} flagged where GIAS has none",
            )
            for indicator, kind in (
                ("senunitindicator", "SEN unit"),
                ("resourcedprovisionindicator", "resourced provision"),
            )
        ),
    ]
    return urn.where(known, ""), place, concat_issues(issues)


def _transfer(records: pd.DataFrame, census: date) -> pd.Series:
    """True when a phase-transfer date (due or final) falls in the census's academic year."""
    start = pd.Timestamp(census.year - (1 if census.month < 9 else 0), 9, 1)
    end = start + pd.DateOffset(years=1)
    due = records["phasetransferduedate"]
    final = records["phasetransferfinaldate"]
    return due.between(start, end, inclusive="left") | final.between(start, end, inclusive="left")
