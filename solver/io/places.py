"""Places: how many children each setting (or each need within it) can take, and vacancies.

Defaults come from GIAS; the planner's override file replaces any default line. GIAS RP and SEN
unit capacities are often blank or stale, so the per-need lines derived from them are an
approximation that overrides are meant to replace.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from solver.domain.model import MAX_ANNUAL_COST, PLACE_COLUMNS, SettingType
from solver.io.csvfile import (
    among,
    parse_float,
    parse_int,
    parse_needs,
    problems_where,
    raise_if_any,
    read_columns,
)
from solver.io.gias import RP_COLUMNS

#: Columns an override file must have; `vacancies` and `annual_cost` may be absent or blank.
REQUIRED_OVERRIDE_COLUMNS: tuple[str, ...] = ("urn", "need", "places")
OPTIONAL_OVERRIDE_COLUMNS: tuple[str, ...] = ("vacancies", "annual_cost")


def load_overrides(path: Path, settings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Place lines (PLACE_COLUMNS) from the planner's CSV; blank need = the whole setting.

    `vacancies` is NA where left blank (`merge_places` then keeps the default's vacancies, capped
    at the places); `annual_cost` is NaN where blank (the tariff applies).
    """
    path = Path(path)
    raw = read_columns(path, REQUIRED_OVERRIDE_COLUMNS, OPTIONAL_OVERRIDE_COLUMNS, allow_empty=True)

    need, bad_need = parse_needs(raw["need"])
    problems = problems_where(path, bad_need, "need", "unknown need code", raw["need"])
    places, bad_places = parse_int(raw["places"])
    vacancies, bad_vacancies = parse_int(raw["vacancies"])
    cost, bad_cost = parse_float(raw["annual_cost"])
    problems += problems_where(
        path, bad_places | places.isna(), "places", "not a whole number", raw["places"]
    )
    problems += problems_where(path, places < 0, "places", "negative number of places")
    problems += problems_where(
        path, bad_vacancies, "vacancies", "not a whole number", raw["vacancies"]
    )
    problems += problems_where(path, vacancies < 0, "vacancies", "negative number of vacancies")
    problems += problems_where(path, vacancies > places, "vacancies", "more vacancies than places")
    problems += problems_where(
        path, bad_cost, "annual_cost", "not a finite number", raw["annual_cost"]
    )
    problems += problems_where(path, cost < 0, "annual_cost", "negative cost", raw["annual_cost"])
    problems += problems_where(
        path,
        cost > MAX_ANNUAL_COST,
        "annual_cost",
        f"above the ceiling of {MAX_ANNUAL_COST:,.0f} pounds a year",
        raw["annual_cost"],
    )
    problems += problems_where(path, raw["urn"] == "", "urn", "URN is blank")
    duplicate = pd.DataFrame({"urn": raw["urn"], "need": need}).duplicated(keep=False)
    problems += problems_where(
        path, duplicate, "need", "duplicate line for this URN and need", raw["urn"]
    )
    if settings is not None:
        unknown = (raw["urn"] != "") & ~among(raw["urn"], settings["urn"])
        problems += problems_where(
            path, unknown, "urn", "URN is not among the settings", raw["urn"]
        )
    raise_if_any(problems)
    return pd.DataFrame(
        {
            "urn": raw["urn"],
            "need": need,
            "places": places.astype("int64"),
            "vacancies": vacancies,
            "annual_cost": cost,
        },
        columns=list(PLACE_COLUMNS),
    )


def default_places(settings: pd.DataFrame, provision: pd.DataFrame | None = None) -> pd.DataFrame:
    """Place lines from GIAS: one whole-setting line per setting, plus RP/unit need lines.

    The whole-setting line has places = SchoolCapacity (else the number on roll, else 0) and
    vacancies = max(capacity - on roll, 0), 0 when either is unknown. For mainstream settings
    with resourced provision or an SEN unit, `provision` (urn + RP_COLUMNS, from `read_gias`)
    gives RP + unit capacity, split across the designated needs by largest remainder, and
    vacancies likewise. This is an approximation: override files replace any of these lines.
    """
    capacity = settings["capacity"].astype("Int64")
    on_roll = settings["on_roll"].astype("Int64")
    places = capacity.fillna(on_roll).fillna(0).astype("int64")
    vacancies = (capacity - on_roll).clip(lower=0).fillna(0).astype("int64")
    whole = pd.DataFrame(
        {
            "urn": settings["urn"].astype(str),
            "need": "",
            "places": places,
            "vacancies": vacancies,
            "annual_cost": np.nan,
        }
    )
    lines = [whole]
    if provision is not None:
        lines.append(_rp_need_lines(settings, provision))
    return pd.concat(lines, ignore_index=True)[list(PLACE_COLUMNS)]


def _rp_need_lines(settings: pd.DataFrame, provision: pd.DataFrame) -> pd.DataFrame:
    """Need lines for MAINSTREAM_RP settings from their RP + SEN unit capacity and roll."""
    rp = settings[settings["setting_type"] == SettingType.MAINSTREAM_RP.value]
    figures = provision.set_index("urn").reindex(rp["urn"])[list(RP_COLUMNS)]
    figures = figures.astype("Int64").fillna(0)
    total = (figures["rp_capacity"] + figures["unit_capacity"]).to_numpy(dtype=np.int64)
    roll = (figures["rp_on_roll"] + figures["unit_on_roll"]).to_numpy(dtype=np.int64)
    free = np.maximum(total - roll, 0)
    rows = []
    for urn, needs, places, vacancies in zip(
        rp["urn"], rp["designated_needs"], total, free, strict=True
    ):
        if not needs or places == 0:
            continue
        split_places = split_largest_remainder(int(places), len(needs))
        split_free = split_largest_remainder(int(vacancies), len(needs))
        for need, p, v in zip(needs, split_places, split_free, strict=True):
            rows.append((str(urn), str(need), p, v, np.nan))
    return pd.DataFrame(rows, columns=list(PLACE_COLUMNS)).astype(
        {"places": "int64", "vacancies": "int64", "annual_cost": "float64"}
    )


def split_largest_remainder(total: int, parts: int) -> list[int]:
    """`total` in `parts` equal shares, rounded by largest remainder (ties: earlier parts first)."""
    share, remainder = divmod(total, parts)
    return [share + (1 if i < remainder else 0) for i in range(parts)]


def merge_places(defaults: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """Defaults with every (urn, need) line an override gives replaced by the override's line.

    An override's blank vacancies keep the default line's vacancies, capped at its places (0 when
    there is no default line).
    """
    key = ["urn", "need"]
    default_free = defaults.set_index(key)["vacancies"]
    index = pd.MultiIndex.from_frame(overrides[key])
    kept = default_free.reindex(index).fillna(0).to_numpy(dtype=np.int64)
    vacancies = overrides["vacancies"].astype("Int64").to_numpy(dtype=np.float64, na_value=np.nan)
    vacancies = np.where(
        np.isnan(vacancies), np.minimum(kept, overrides["places"].to_numpy()), vacancies
    )
    filled = overrides.assign(vacancies=vacancies.astype(np.int64))
    replaced = pd.MultiIndex.from_frame(defaults[key]).isin(index)
    merged = pd.concat([defaults[~replaced], filled], ignore_index=True)
    merged = merged.astype({"places": "int64", "vacancies": "int64", "annual_cost": "float64"})
    return merged.sort_values(key, kind="stable").reset_index(drop=True)[list(PLACE_COLUMNS)]
