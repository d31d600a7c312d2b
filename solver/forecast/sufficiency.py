"""Sufficiency forecasts: demand by need x phase x setting type, supply, gap and its cost.

How many children there will be in each setting group each year is the LA demand model's
forecast (`solver.forecast.model`, the model the back-test scores). A cohort (Markov) model only
shares each group's forecast over needs, phases and setting types. Its state is a count of
children by primary need x NCY x setting type each January. A year on, plans cease at the
LA's observed rate for their age, children age a year (leaving at 25, past NCY 20), move
between setting types on arriving at a new phase (by the LA's observed mix either side of the
transfer) and new plans join at the LA's rate per head of population by age. Joiner rates
follow the LA's per-head trend; holding population or rates at the base year separates the
population effect from the rate effect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.domain.groups import GAP_TYPES, NO_SETTING, TYPE_GROUPS
from solver.domain.model import SETTING_TYPES, SettingType
from solver.domain.needs import NCY_MAX, NCY_MIN, NEEDS, Phase, phase_of
from solver.domain.scenario import Demand, Scenario, Trajectory
from solver.domain.tariffs import Tariffs
from solver.errors import InputError, Problem
from solver.forecast.model import History, forecast, round_within
from solver.io.ehcp import ALL, NEED_COLUMNS, LaTables
from solver.io.population import population_by_age

if TYPE_CHECKING:
    from solver.io.inputs import LoadedInputs

#: The forecast's setting axis: every setting type, then NO_SETTING.
FORECAST_TYPES: tuple[str, ...] = (*(t.value for t in SETTING_TYPES), NO_SETTING)
NCYS: npt.NDArray[np.int64] = np.arange(NCY_MIN, NCY_MAX + 1)
AGES = NCYS + 4  # age on 31 August before the January
PHASE_STARTS = frozenset({0, 7, 12, 14})  # Reception, Y7, Y12, post-19
#: Years of new plans whose per-head trend the cohort model's joiner rates follow.
JOINER_YEARS = 6
#: Assumed one-way journey (minutes) to an independent placement when costing the gap.
SPILL_JOURNEY_MINUTES = 45.0

#: DfE caseload/newplans placement columns, to the setting type they count.
PLACEMENT_TYPES: dict[str, str] = {
    "mainstream_la_maintained": SettingType.MAINSTREAM,
    "mainstream_academy": SettingType.MAINSTREAM,
    "mainstream_free_school": SettingType.MAINSTREAM,
    **{
        f"mainstream_{kind}_{unit}": SettingType.MAINSTREAM_RP
        for kind in ("la_maintained", "academy", "free_school")
        for unit in ("resourced_provision", "senunit")
    },
    "mainstream_independent": SettingType.INDEPENDENT_MAINSTREAM,
    "special_la_maintained": SettingType.STATE_SPECIAL,
    "special_academy_free": SettingType.STATE_SPECIAL,
    "special_independent": SettingType.INDEPENDENT_SPECIAL,
    "special_non_maintained": SettingType.NON_MAINTAINED_SPECIAL,
    "ap_pru_total": SettingType.ALTERNATIVE_PROVISION,
    "general_fe_tertiary_colleges": SettingType.POST16,
    "specialist_post_16_institutions": SettingType.POST16,
}


@dataclass(frozen=True)
class Rates:
    """Calibrated yearly rates of the cohort model (arrays over AGES, NEEDS, FORECAST_TYPES)."""

    joiners_per_head: npt.NDArray[np.float64]  # (age,) new plans a year per resident
    joiner_needs: npt.NDArray[np.float64]  # (need,) shares of new plans
    joiner_types: npt.NDArray[np.float64]  # (age, type) shares of new plans' placements
    cease: npt.NDArray[np.float64]  # (age,) share of plans ceasing in a year, before 25
    transfer: npt.NDArray[np.float64]  # (ncy, type, type) moves on arriving at that NCY
    rate_trend: npt.NDArray[np.float64]  # (year ahead,) multiplier of joiner rates, 1 = none


def _shares(counts: npt.NDArray[np.float64], axis: int = -1) -> npt.NDArray[np.float64]:
    """Counts to shares along `axis`; all-zero slices share equally."""
    total = counts.sum(axis=axis, keepdims=True)
    even = np.full_like(counts, 1.0 / counts.shape[axis])
    shares: npt.NDArray[np.float64] = np.divide(counts, total, out=even, where=total > 0)
    return shares


def minimal_moves(before: npt.ArrayLike, after: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Row-stochastic move matrix taking mix `before` to mix `after` moving as few as possible.

    Each type keeps min(before, after); the excess of shrinking types goes to growing types in
    proportion to their growth. Types empty before keep the identity row.
    """
    b = _shares(np.asarray(before, dtype=float))
    a = _shares(np.asarray(after, dtype=float))
    stay = np.minimum(a, b)
    out, into = b - stay, a - stay
    flows = np.outer(out, _shares(into)) + np.diag(stay)
    return np.where(b[:, None] > 0, flows / np.where(b > 0, b, 1.0)[:, None], np.eye(len(b)))


def _by_type(table: pd.DataFrame, total: str) -> pd.DataFrame:
    """Counts by FORECAST_TYPES from DfE placement columns; the rest of `total` is NO_SETTING."""
    out = pd.DataFrame(0.0, index=table.index, columns=list(FORECAST_TYPES))
    for column, kind in PLACEMENT_TYPES.items():
        if column in table:
            out[kind] += table[column].fillna(0).to_numpy(dtype=float)
    out[NO_SETTING] = (table[total].fillna(0).to_numpy(dtype=float) - out.sum(axis=1)).clip(lower=0)
    return out


def _age_index(ages: pd.Series) -> npt.NDArray[np.int64]:
    index: npt.NDArray[np.int64] = np.clip(ages.to_numpy(dtype=int), AGES[0], AGES[-1]) - AGES[0]
    return index


def _sum_by_age(table: pd.DataFrame, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Sum rows of `values` into AGES slots by the table's `age` column (25+ into 24)."""
    out = np.zeros((len(AGES), *values.shape[1:]))
    np.add.at(out, _age_index(table["age"]), values)
    return out


def calibrate(
    tables: LaTables,
    population: pd.DataFrame,
    *,
    years: int,
    recent: int = 3,
) -> Rates:
    """The LA's rates from its DfE tables (the last `recent` years of each) and population."""
    caseload, joined, ceased = tables.caseload, tables.joined, tables.ceased
    caseload = caseload[caseload["year"] > caseload["year"].max() - recent]
    joined = joined[joined["year"] > joined["year"].max() - recent]
    ceased = ceased[ceased["year"] > ceased["year"].max() - recent]

    heads = population_by_age(population, sorted(joined["year"].unique()), AGES)
    head_years = {y: i for i, y in enumerate(sorted(joined["year"].unique()))}
    rows = [head_years[y] for y in joined["year"]]
    per_head = joined["count"].fillna(0).to_numpy() / np.maximum(
        heads[rows, _age_index(joined["age"])], 1.0
    )
    joiners_per_head = _sum_by_age(joined, per_head) / len(head_years)

    joiner_types = _shares(_sum_by_age(joined, _by_type(joined, "count").to_numpy()))
    stock_types = _sum_by_age(caseload, _by_type(caseload, "count").to_numpy())
    transfer = np.broadcast_to(np.eye(len(FORECAST_TYPES)), (len(NCYS), *[len(FORECAST_TYPES)] * 2))
    transfer = transfer.copy()
    for ncy in PHASE_STARTS:
        k = ncy - NCY_MIN
        transfer[k] = minimal_moves(stock_types[k - 1], stock_types[k])

    # Mean ceased a year over the mean January caseload, by age; "20 and over" covers 20-25.
    plans = _sum_by_age(caseload, caseload["count"].fillna(0).to_numpy())
    plans /= caseload["year"].nunique()
    plans[20 - AGES[0]] = plans[20 - AGES[0] :].sum()
    gone = _sum_by_age(ceased, ceased["count"].fillna(0).to_numpy()) / ceased["year"].nunique()
    cease = np.divide(gone, plans, out=np.zeros_like(plans), where=plans > 0).clip(0, 1)
    cease[20 - AGES[0] :] = cease[20 - AGES[0]]

    return Rates(
        joiners_per_head=joiners_per_head,
        joiner_needs=_joiner_needs(tables.joiner_needs, recent),
        joiner_types=joiner_types,
        cease=cease,
        transfer=transfer,
        rate_trend=rate_trend(tables.new_plans, population, years),
    )


def _joiner_needs(table: pd.DataFrame, recent: int) -> npt.NDArray[np.float64]:
    table = table[table["year"] > table["year"].max() - recent]
    counts = np.array(
        [table[c].fillna(0).sum() if c in table else 0.0 for c in NEED_COLUMNS], dtype=float
    )
    by_need = dict(zip(NEED_COLUMNS.values(), counts, strict=True))
    return _shares(np.array([by_need[n] for n in NEEDS]))


def rate_trend(
    new_plans: pd.Series, population: pd.DataFrame, years: int
) -> npt.NDArray[np.float64]:
    """Joiner-rate multipliers for years 1..`years` ahead: the linear trend of the LA's new
    plans (by year) per head aged 0-25 over the last JOINER_YEARS years, relative to its fitted
    current level."""
    joins = new_plans[new_plans.index > new_plans.index.max() - JOINER_YEARS].astype(float)
    if joins.empty:
        return np.ones(years)
    heads = population_by_age(population, joins.index, range(0, 26)).sum(axis=1)
    per_head = joins.to_numpy() / heads
    x = joins.index.to_numpy(dtype=float) - joins.index.max()
    slope, level = np.polyfit(x, per_head, 1) if len(x) > 1 else (0.0, per_head.mean())
    ahead = np.arange(1, years + 1)
    return np.maximum(level + slope * ahead, 0.0) / level if level > 0 else np.ones(years)


def step(
    state: npt.NDArray[np.float64],
    rates: Rates,
    heads: npt.NDArray[np.float64],
    trend: float,
) -> npt.NDArray[np.float64]:
    """Next January's state (need x NCY x type) from this one and this year's population."""
    kept = state * (1.0 - rates.cease)[None, :, None]
    aged = np.zeros_like(state)
    aged[:, 1:, :] = kept[:, :-1, :]  # past NCY 20 (age 25) plans end
    moved = np.einsum("nkt,ktu->nku", aged, rates.transfer)
    joining = rates.joiners_per_head * heads * trend  # (age,)
    after: npt.NDArray[np.float64] = moved + np.einsum(
        "n,k,kt->nkt", rates.joiner_needs, joining, rates.joiner_types
    )
    return after


def project(
    start: npt.NDArray[np.float64],
    rates: Rates,
    heads: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """States for years 1..len(heads) ahead; heads[i] is the population by age in year i."""
    states, state = [], start
    for i, row in enumerate(heads):
        state = step(state, rates, row, float(rates.rate_trend[i]))
        states.append(state)
    return np.stack(states)


def cohort_state(cohort: pd.DataFrame) -> npt.NDArray[np.float64]:
    """State array from rows of ncy, need, setting_type, count (count defaults to 1)."""
    state = np.zeros((len(NEEDS), len(NCYS), len(FORECAST_TYPES)))
    need = cohort["need"].map({n.value: i for i, n in enumerate(NEEDS)})
    kind = cohort["setting_type"].map({t: i for i, t in enumerate(FORECAST_TYPES)})
    ncy = cohort["ncy"].to_numpy(dtype=int) - NCY_MIN
    count = cohort["count"] if "count" in cohort else pd.Series(1.0, index=cohort.index)
    if need.isna().any() or kind.isna().any() or ((ncy < 0) | (ncy >= len(NCYS))).any():
        raise ValueError("cohort rows need a known need, setting type and NCY")
    np.add.at(state, (need.to_numpy(int), ncy, kind.to_numpy(int)), count.to_numpy(float))
    return state


def placement_types(
    children: pd.DataFrame, settings: pd.DataFrame, places: pd.DataFrame
) -> pd.Series:
    """Each child's placement type (NA when in no setting). At a mainstream school with
    resourced provision or a unit, a child counts as in it only if it has places for the
    child's primary need; otherwise the child is in the school's mainstream classes."""
    types = settings.set_index(settings["urn"].astype(str))["setting_type"].astype(str)
    urn = children["current_urn"].astype(str)
    kind = urn.map(types)
    named = set(zip(places["urn"].astype(str), places["need"].astype(str), strict=True))
    in_unit = pd.Series(
        [(u, n) in named for u, n in zip(urn, children["primary_need"].astype(str), strict=True)],
        index=children.index,
    )
    return kind.mask((kind == SettingType.MAINSTREAM_RP) & ~in_unit, SettingType.MAINSTREAM.value)


def children_cohort(
    children: pd.DataFrame, settings: pd.DataFrame, places: pd.DataFrame, rates: Rates
) -> npt.NDArray[np.float64]:
    """State from the children table: placed children by `placement_types`; children with
    no current setting ("new") spread over types as new plans at their age are."""
    kind = placement_types(children, settings, places)
    placed = kind.notna()
    state = cohort_state(
        pd.DataFrame(
            {
                "ncy": children.loc[placed, "ncy"],
                "need": children.loc[placed, "primary_need"],
                "setting_type": kind[placed],
            }
        )
    )
    new = children[~placed]
    new_state = cohort_state(
        pd.DataFrame({"ncy": new["ncy"], "need": new["primary_need"], "setting_type": NO_SETTING})
    ).sum(axis=2)
    joined: npt.NDArray[np.float64] = np.einsum("nk,kt->nkt", new_state, rates.joiner_types)
    return state + joined


def la_place_lines(
    settings: pd.DataFrame, places: pd.DataFrame, children: pd.DataFrame, la_code: str | None
) -> pd.DataFrame:
    """Place lines the LA plans with (urn, need, places, setting_type). Its own settings (GIAS
    `la_code`; all settings if None) count in full, a resourced school's any-need line being
    its mainstream classes; a setting elsewhere counts the places the LA's children fill now,
    since other LAs' children fill the rest."""
    types = settings.set_index("urn")["setting_type"].astype(str)
    home = (
        settings["urn"] if la_code is None else settings.loc[settings["la_code"] == la_code, "urn"]
    )
    own = places[places["urn"].isin(home)].assign(setting_type=lambda t: t["urn"].map(types))
    mainstream_classes = (own["setting_type"] == SettingType.MAINSTREAM_RP) & (own["need"] == "")
    own.loc[mainstream_classes, "setting_type"] = SettingType.MAINSTREAM.value
    kind = placement_types(children, settings, places)
    away = children[kind.notna() & ~children["current_urn"].isin(home)]
    filled = (
        pd.DataFrame(
            {
                "urn": away["current_urn"],
                "need": away["primary_need"].astype(str),
                "setting_type": kind[away.index],
            }
        )
        .groupby(["urn", "need", "setting_type"], as_index=False)
        .size()
        .rename(columns={"size": "places"})
    )
    return pd.concat([own[["urn", "need", "places", "setting_type"]], filled], ignore_index=True)


@dataclass(frozen=True)
class CapacityChange:
    """Places added (negative: removed) from `from_year` on, at an existing setting (`urn`)
    or a new one (`setting_type` and NCY range); need "" means places for any need."""

    need: str
    places: int
    from_year: int
    urn: str = ""
    setting_type: str = ""
    ncy_low: int = 0
    ncy_high: int = 11


def _phase_shares(ncy_low: int, ncy_high: int) -> dict[Phase, float]:
    """Share of a setting's places in each phase: in proportion to the NCYs it teaches."""
    ncys = [n for n in range(max(ncy_low, NCY_MIN), min(ncy_high, NCY_MAX) + 1)]
    phases = pd.Series([phase_of(n) for n in ncys], dtype=object).value_counts(normalize=True)
    return {Phase(p): float(s) for p, s in phases.items()}


def supply(
    settings: pd.DataFrame,
    places: pd.DataFrame,
    years: Sequence[int],
    changes: Iterable[CapacityChange] = (),
) -> pd.DataFrame:
    """Places by year, need ("" = any need), phase and setting type, with capacity changes;
    a `setting_type` column in `places` overrides the setting's own type."""
    wanted = ["urn", "ncy_low", "ncy_high"]
    wanted += [] if "setting_type" in places else ["setting_type"]
    lines = places.merge(settings[wanted], on="urn")
    lines = lines[["urn", "need", "places", "setting_type", "ncy_low", "ncy_high"]].assign(
        from_year=years[0]
    )
    known = settings.set_index("urn")
    extra = []
    for change in changes:
        where = (
            known.loc[change.urn, ["setting_type", "ncy_low", "ncy_high"]].to_dict()
            if change.urn
            else {
                "setting_type": change.setting_type,
                "ncy_low": change.ncy_low,
                "ncy_high": change.ncy_high,
            }
        )
        extra.append(
            {
                "urn": change.urn,
                "need": change.need,
                "places": change.places,
                "from_year": change.from_year,
                **where,
            }
        )
    lines = pd.concat([lines, pd.DataFrame(extra)], ignore_index=True) if extra else lines
    rows = []
    for line in lines.itertuples(index=False):
        for phase, share in _phase_shares(int(line.ncy_low), int(line.ncy_high)).items():
            for year in years:
                if year >= line.from_year:
                    rows.append(
                        (
                            year,
                            str(line.need),
                            phase.value,
                            str(line.setting_type),
                            float(line.places) * share,
                        )
                    )
    table = pd.DataFrame(rows, columns=["year", "need", "phase", "setting_type", "places"])
    return table.groupby(["year", "need", "phase", "setting_type"], as_index=False)["places"].sum()


def demand_table(states: npt.NDArray[np.float64], first_year: int) -> pd.DataFrame:
    """Long table year, need, phase, setting_type, demand (> 0) from projected states."""
    phases = np.array([phase_of(int(n)).value for n in NCYS])
    y, n, k, t = np.indices(states.shape).reshape(4, -1)
    table = pd.DataFrame(
        {
            "year": first_year + y,
            "need": np.array([x.value for x in NEEDS])[n],
            "phase": phases[k],
            "setting_type": np.array(FORECAST_TYPES)[t],
            "demand": states.reshape(-1),
        }
    )
    table = table[table["demand"] > 0]
    return table.groupby(["year", "need", "phase", "setting_type"], as_index=False)["demand"].sum()


def whole_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Demand and places as whole children and places whose rows add up to each year's
    rounded total (`round_within`); interval ends rounded outwards."""
    out = table.copy()
    year = [out["year"]]
    out["demand"] = round_within(out["demand"], year)
    out["places"] = round_within(out["places"], year)
    out["demand_low"] = np.minimum(np.floor(out["demand_low"]), out["demand"]).astype(int)
    out["demand_high"] = np.maximum(np.ceil(out["demand_high"]), out["demand"]).astype(int)
    return out


def gap_and_cost(
    demand: pd.DataFrame,
    supply_table: pd.DataFrame,
    tariffs: Tariffs,
    *,
    journey_minutes: float = SPILL_JOURNEY_MINUTES,
) -> pd.DataFrame:
    """Add places, gap and cost. Places count once: a need's own lines, plus in GAP_TYPES the
    setting's any-need places shared by the needs' demand; any other any-need places (mainstream
    classes, and specialist ones no child needs) stay on one row with need "" and no demand.
    The gap in GAP_TYPES is demand beyond places; each child in it costs an independent special
    place plus transport for `journey_minutes` each way."""
    keys = ["year", "need", "phase", "setting_type"]
    named = supply_table[supply_table["need"] != ""]
    table = demand.merge(named, on=keys, how="outer").fillna({"demand": 0.0, "places": 0.0})
    for column in ("demand_low", "demand_high"):
        table[column] = table[column].fillna(0.0)
    group = ["year", "phase", "setting_type"]
    anyneed = (
        supply_table[supply_table["need"] == ""].groupby(group, as_index=False)["places"].sum()
    )
    wanted = table.groupby(group, as_index=False)["demand"].sum()
    anyneed = anyneed.merge(wanted, on=group, how="left").fillna({"demand": 0.0})
    shared = anyneed["setting_type"].isin([t.value for t in GAP_TYPES]) & (anyneed["demand"] > 0)
    share = table["demand"] / table.groupby(group)["demand"].transform("sum").where(lambda s: s > 0)
    pooled = table[group].merge(anyneed[shared], on=group, how="left")["places"].fillna(0.0)
    table["places"] = table["places"] + pooled.to_numpy() * share.fillna(0.0).to_numpy()
    kept = anyneed.loc[~shared, [*group, "places"]].assign(
        need="", demand=0.0, demand_low=0.0, demand_high=0.0
    )
    table = pd.concat([table, kept], ignore_index=True)
    table = whole_rows(table)
    gap_type = table["setting_type"].isin([t.value for t in GAP_TYPES])
    table["gap"] = (table["demand"] - table["places"]).clip(lower=0.0).where(gap_type, 0.0)
    short = table["gap"] > 0  # rows with a gap have a need: any-need rows have no demand
    spill = tariffs.place_costs(
        SettingType.INDEPENDENT_SPECIAL, table.loc[short, "need"].to_numpy()
    )
    transport = float(tariffs.transport.annual_cost(journey_minutes))
    table["cost"] = 0.0
    table.loc[short, "cost"] = table.loc[short, "gap"] * (spill + transport)
    columns = [*keys, "demand", "demand_low", "demand_high", "places", "gap", "cost"]
    return table[columns].sort_values(keys).reset_index(drop=True)


def group_factors(reference: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Per year and setting group: `factor` taking the cohort `reference` run's demand to the
    LA model's, and the model's interval as ratios to its demand (`low`, `high`)."""
    grouped = reference.assign(setting_group=reference["setting_type"].map(TYPE_GROUPS))
    cohort = grouped.groupby(["year", "setting_group"])["demand"].sum()
    m = model[model["setting_group"] != ALL].set_index(["year", "setting_group"])
    safe = m["demand"].where(m["demand"] > 0)
    return pd.DataFrame(
        {
            "factor": (m["demand"] / cohort.reindex(m.index).where(lambda c: c > 0)).fillna(0.0),
            "low": (m["demand_low"] / safe).fillna(1.0),
            "high": (m["demand_high"] / safe).fillna(1.0),
        }
    )


def scaled(demand: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """Cohort demand rows scaled by their year and group's `group_factors`, with intervals:
    each row's the same share of its group's interval as of its demand, so rows add up."""
    key = pd.MultiIndex.from_arrays([demand["year"], demand["setting_type"].map(TYPE_GROUPS)])
    found = factors.reindex(key)
    out = demand.assign(demand=demand["demand"] * found["factor"].fillna(0.0).to_numpy())
    out["demand_low"] = out["demand"] * found["low"].fillna(1.0).to_numpy()
    out["demand_high"] = out["demand"] * found["high"].fillna(1.0).to_numpy()
    return out


@dataclass(frozen=True)
class Forecast:
    """A forecast's tables: forecast.csv rows, population vs rate effects, the SCAP shape and
    the totals by setting group and `all` with their own 80% intervals (year, setting_group,
    demand, demand_low, demand_high: an interval of a sum, not a sum of intervals)."""

    table: pd.DataFrame
    effects: pd.DataFrame
    scap: pd.DataFrame
    totals: pd.DataFrame


def forecast_la(
    start: npt.NDArray[np.float64],
    rates: Rates,
    population: pd.DataFrame,
    base_year: int,
    years: int,
    *,
    model: pd.DataFrame,
    scenario_trend: npt.NDArray[np.float64] | None = None,
    supply_table: pd.DataFrame,
    tariffs: Tariffs,
) -> Forecast:
    """Project `years` Januaries after `base_year`: the LA model's forecast by setting group
    (`model`: year, setting_group, demand, demand_low, demand_high) shared over needs, phases
    and types by the cohort model; a scenario's joiner-rate trend changes it by as much as it
    changes the cohort model's forecast. Effects, gap and the SCAP table follow."""
    ahead = range(base_year, base_year + years)  # joiners in calendar year base..base+years-1
    heads = population_by_age(population, ahead, AGES)
    reference = demand_table(project(start, rates, heads), base_year + 1)
    factors = group_factors(reference, model)
    chosen = rates if scenario_trend is None else replace(rates, rate_trend=scenario_trend)
    fixed_rates = replace(rates, rate_trend=np.ones(years))
    fixed_heads = np.repeat(heads[:1], years, axis=0)
    runs = {
        "full": project(start, chosen, heads),
        "with_population": project(start, fixed_rates, heads),
        "baseline": project(start, fixed_rates, fixed_heads),
    }
    demands = {
        name: scaled(demand_table(run, base_year + 1), factors) for name, run in runs.items()
    }
    table = gap_and_cost(demands["full"], supply_table, tariffs)

    keys = ["year", "need", "phase"]
    totals = pd.concat(
        {name: d.groupby(keys)["demand"].sum() for name, d in demands.items()}, axis=1
    ).fillna(0.0)
    effects = pd.DataFrame(
        {
            "baseline": totals["baseline"],
            "population_effect": totals["with_population"] - totals["baseline"],
            "rate_effect": totals["full"] - totals["with_population"],
        }
    )
    return Forecast(table, effects.reset_index(), scap_send(table), _totals(demands["full"], model))


def _totals(demand: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """The model's rows by group and `all`, moved by as much as `demand` differs from them
    (a scenario's trend), intervals kept in proportion."""
    grouped = demand.assign(setting_group=demand["setting_type"].map(TYPE_GROUPS))
    by_group = grouped.groupby(["year", "setting_group"])["demand"].sum()
    by_group = pd.concat(
        [by_group, by_group.groupby("year").sum().to_frame(ALL).stack().swaplevel()]
    )
    out = model.set_index(["year", "setting_group"])[["demand", "demand_low", "demand_high"]]
    ratio = (by_group.reindex(out.index) / out["demand"].where(out["demand"] > 0)).fillna(1.0)
    return out.mul(ratio, axis=0).reset_index()


#: SCAP SEND section: the specialist provision whose EHCP pupils it asks LAs to forecast.
SCAP_PROVISION = {
    SettingType.STATE_SPECIAL.value: "state-funded special school",
    SettingType.MAINSTREAM_RP.value: "SEN unit or resourced provision",
    SettingType.INDEPENDENT_SPECIAL.value: "independent or non-maintained special school",
    SettingType.NON_MAINTAINED_SPECIAL.value: "independent or non-maintained special school",
    SettingType.ALTERNATIVE_PROVISION.value: "alternative provision",
}
#: SCAP phases (specialist secondary includes its sixth form) and academic years forecast.
SCAP_PHASES = {
    Phase.PRIMARY.value: "primary",
    Phase.SECONDARY.value: "secondary",
    Phase.POST16.value: "secondary",
}
SCAP_YEARS = {"primary": 5, "secondary": 7}
SCAP_COLUMNS = (
    "academic_year",
    "phase",
    "provision",
    "places",
    "pupils_forecast",
    "pupils_low",
    "pupils_high",
    "shortfall",
)


def scap_send(table: pd.DataFrame) -> pd.DataFrame:
    """The SCAP SEND forecast: resident EHCP pupils needing a specialist place, by academic
    year (January `year` is `year-1`/`year`), phase and provision, 5 years ahead for primary
    and 7 for secondary; places and shortfall against them; whole pupils that add up."""
    rows = table[
        table["setting_type"].isin(SCAP_PROVISION) & table["phase"].isin(SCAP_PHASES)
    ].assign(
        provision=lambda t: t["setting_type"].map(SCAP_PROVISION),
        phase=lambda t: t["phase"].map(SCAP_PHASES),
    )
    out = rows.groupby(["year", "phase", "provision"], as_index=False)[
        ["places", "demand", "demand_low", "demand_high", "gap"]
    ].sum()
    first = int(table["year"].min()) if len(table) else 0
    out = out[(out["year"] - first).to_numpy() < out["phase"].map(SCAP_YEARS).to_numpy(float)]
    by_year_phase = [out["year"], out["phase"]]
    out["pupils_forecast"] = round_within(out["demand"], by_year_phase)
    out["places"] = round_within(out["places"], by_year_phase)
    out["shortfall"] = round_within(out["gap"], by_year_phase)
    out["pupils_low"] = np.minimum(np.floor(out["demand_low"]), out["pupils_forecast"]).astype(int)
    out["pupils_high"] = np.maximum(np.ceil(out["demand_high"]), out["pupils_forecast"]).astype(int)
    out["academic_year"] = [f"{y - 1}/{y % 100:02d}" for y in out["year"]]
    return out[list(SCAP_COLUMNS)].reset_index(drop=True)


def dfe_cohort(tables: LaTables) -> tuple[int, npt.NDArray[np.float64]]:
    """The LA's latest January caseload from DfE as a state: age x placement from caseload.csv,
    spread over needs by that age's need mix in sen_needs_all_plans.csv; and its year."""
    caseload = tables.caseload
    year = int(caseload["year"].max())
    caseload = caseload[caseload["year"] == year]
    needs = tables.needs
    needs = needs[needs["year"] == needs["year"].max()]
    by_need = {need: c for c, need in NEED_COLUMNS.items()}
    counts = np.stack([needs[by_need[n]].fillna(0).to_numpy(float) for n in NEEDS], axis=1)
    mix = _shares(_sum_by_age(needs, counts))  # (age, need)
    types = _sum_by_age(caseload, _by_type(caseload, "count").to_numpy())  # (age, type)
    return year, np.einsum("kn,kt->nkt", mix, types)


def demand_trend(
    demand: Demand, calibrated: npt.NDArray[np.float64], base_year: int
) -> npt.NDArray[np.float64]:
    """Joiner-rate multipliers for years 1..n after `base_year` under a demand trajectory:
    the calibrated trend, the base year's rate held (stabilise), or compounded custom growth."""
    if demand.trajectory == Trajectory.CONTINUE:
        return np.asarray(calibrated, dtype=np.float64)
    if demand.trajectory == Trajectory.STABILISE:
        return np.ones_like(calibrated)
    growth = [demand.annual_growth.get(base_year + k, 0.0) for k in range(1, len(calibrated) + 1)]
    return np.asarray(np.cumprod(1.0 + np.asarray(growth, dtype=np.float64)), dtype=np.float64)


@dataclass(frozen=True)
class LaHistory:
    """What a forecast of one LA learns from: every LA's caseload history (the model), the
    LA's own DfE tables by age (the cohort model) and its ONS population."""

    history: History
    tables: LaTables
    population: pd.DataFrame


def run_forecast(
    la: LaHistory,
    years: int,
    *,
    supply_table: pd.DataFrame,
    tariffs: Tariffs,
    children_start: Callable[[Rates], npt.NDArray[np.float64]] | None = None,
    demand: Demand | None = None,
) -> Forecast:
    """Calibrate on the LA's DfE history and ONS population, then forecast `years` ahead from
    the children table (via `children_start`) or, without one, from DfE's latest caseload;
    `demand` replaces the calibrated request-rate trend (default: continue it)."""
    la_code = la.tables.la_code
    if la_code not in la.history.la_codes:
        message = f"no EHCP caseload rows for LA {la_code}"
        raise InputError([Problem(str(la.tables.source), None, "new_la_code", message)])
    rates = calibrate(la.tables, la.population, years=years)
    base_year, dfe_start = dfe_cohort(la.tables)
    trend = None if demand is None else demand_trend(demand, rates.rate_trend, base_year)
    start = children_start(rates) if children_start else dfe_start
    model = forecast(la.history, base_year, years)
    model = model[model["la_code"] == la_code]
    level = start.sum() / dfe_start.sum() if dfe_start.sum() > 0 else 1.0
    model = model.assign(**{c: model[c] * level for c in ("demand", "demand_low", "demand_high")})
    return forecast_la(
        start,
        rates,
        la.population,
        base_year,
        years,
        model=model,
        scenario_trend=trend,
        supply_table=supply_table,
        tariffs=tariffs,
    )


def forecast_sources(scenario: Scenario, scenario_path: Path) -> tuple[str, Path, list[Path]]:
    """The scenario's LA code, DfE EHCP releases and ONS population files; what it lacks of
    them for a forecast is a problem naming `scenario_path`."""
    problems = []
    if not scenario.la_code:
        problems.append(
            Problem(str(scenario_path), None, "la_code", "a forecast needs the LA code")
        )
    if scenario.inputs.ehcp is None:
        problems.append(Problem(str(scenario_path), None, "inputs.ehcp", "a forecast needs it"))
    if not scenario.inputs.population:
        problems.append(
            Problem(str(scenario_path), None, "inputs.population", "a forecast needs ONS files")
        )
    if problems:
        raise InputError(problems)
    assert scenario.la_code is not None and scenario.inputs.ehcp is not None
    return scenario.la_code, scenario.inputs.ehcp, list(scenario.inputs.population)


def scenario_forecast(
    la: LaHistory,
    loaded: LoadedInputs,
    years: int,
    *,
    demand: Demand | None = None,
    changes: Iterable[CapacityChange] = (),
) -> Forecast:
    """Forecast for a scenario: the LA's history and population, its children and places.

    Parameters
    ----------
    la
        The LA's DfE history, tables by age and population (read from the scenario's
        `inputs.ehcp` and `inputs.population`).
    loaded
        The scenario's inputs: children, settings, places and tariffs.
    years
        How many years ahead.
    demand
        The scenario's demand trajectory (default: the calibrated trend continues).
    changes
        Places opened, closed or changed in the forecast years.

    Returns
    -------
    Forecast
        Demand by need, phase and setting type with 80% intervals, places and the gap.

    Raises
    ------
    InputError
        An LA the history does not hold.
    """
    first = dfe_cohort(la.tables)[0] + 1
    lines = la_place_lines(loaded.settings, loaded.places, loaded.children, la.tables.gias_code)
    places = supply(loaded.settings, lines, range(first, first + years), changes)
    return run_forecast(
        la,
        years,
        supply_table=places,
        tariffs=loaded.tariffs,
        children_start=lambda rates: children_cohort(
            loaded.children, loaded.settings, loaded.places, rates
        ),
        demand=demand,
    )
