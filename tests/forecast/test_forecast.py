"""The cohort demand model, supply, gap and cost, and the ONS population readers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.domain.needs import NCY_MIN, NEEDS, Need
from solver.forecast.sufficiency import (
    AGES,
    FORECAST_TYPES,
    NCYS,
    CapacityChange,
    Rates,
    cohort_state,
    demand_table,
    forecast_la,
    gap_and_cost,
    group_factors,
    la_place_lines,
    minimal_moves,
    placement_types,
    project,
    scaled,
    scap_send,
    step,
    supply,
    whole_rows,
)
from solver.io.population import population_by_age, read_population
from solver.io.tariffs import load_tariffs

T = {t: i for i, t in enumerate(FORECAST_TYPES)}
N = {n.value: i for i, n in enumerate(NEEDS)}


def _rates(**changes: object) -> Rates:
    """Rates that change nothing: no joiners, no ceasing, no moves, no trend."""
    eye = np.broadcast_to(np.eye(len(FORECAST_TYPES)), (len(NCYS), len(T), len(T))).copy()
    joiner_needs = np.zeros(len(NEEDS))
    joiner_needs[N["ASD"]] = 1.0
    joiner_types = np.zeros((len(AGES), len(T)))
    joiner_types[:, T["mainstream"]] = 1.0
    base = Rates(
        joiners_per_head=np.zeros(len(AGES)),
        joiner_needs=joiner_needs,
        joiner_types=joiner_types,
        cease=np.zeros(len(AGES)),
        transfer=eye,
        rate_trend=np.ones(10),
    )
    return replace(base, **changes)


def _three_children() -> np.ndarray:
    return cohort_state(
        pd.DataFrame(
            {
                "ncy": [3, 6, 20],
                "need": ["ASD", "SEMH", "SLD"],
                "setting_type": ["mainstream", "mainstream", "state_special"],
            }
        )
    )


def _where(state: np.ndarray) -> set[tuple[str, int, str]]:
    n, k, t = np.nonzero(state > 1e-12)
    return {
        (NEEDS[a].value, int(NCYS[b]), FORECAST_TYPES[c]) for a, b, c in zip(n, k, t, strict=True)
    }


def test_children_age_a_year_and_leave_after_ncy_20() -> None:
    """With no joiners or ceasing, each child moves up one NCY in the same setting type and the
    young person in NCY 20 (age 24) leaves at 25."""
    after = step(_three_children(), _rates(), np.zeros(len(AGES)), 1.0)
    assert _where(after) == {("ASD", 4, "mainstream"), ("SEMH", 7, "mainstream")}
    assert after.sum() == pytest.approx(2.0)


def test_plans_cease_at_the_rate_for_the_age() -> None:
    """A 10% cease rate at every age keeps 0.9 of each child a year on; two years, 0.81."""
    rates = _rates(cease=np.full(len(AGES), 0.1))
    start = cohort_state(pd.DataFrame({"ncy": [2], "need": ["HI"], "setting_type": ["mainstream"]}))
    states = project(start, rates, np.zeros((2, len(AGES))))
    assert states[0].sum() == pytest.approx(0.9)
    assert states[1].sum() == pytest.approx(0.81)


def test_minimal_moves_by_hand() -> None:
    """Mainstream 80% / special 20% before and 60/40 after: a quarter of mainstream moves to
    special and special stays; the matrix carries the old mix to the new one."""
    moves = minimal_moves([80, 20], [60, 40])
    np.testing.assert_allclose(moves, [[0.75, 0.25], [0.0, 1.0]])
    np.testing.assert_allclose(np.array([0.8, 0.2]) @ moves, [0.6, 0.4])


def test_transfer_happens_only_on_arriving_at_a_new_phase() -> None:
    """A Y6-to-Y7 move matrix applies to the child arriving in Y7 and not to the child moving
    from Y3 to Y4."""
    transfer = _rates().transfer.copy()
    to_special = np.eye(len(T))
    to_special[T["mainstream"]] = 0.0
    to_special[T["mainstream"], T["state_special"]] = 1.0
    transfer[7 - NCY_MIN] = to_special
    after = step(_three_children(), _rates(transfer=transfer), np.zeros(len(AGES)), 1.0)
    assert _where(after) == {("ASD", 4, "mainstream"), ("SEMH", 7, "state_special")}


def test_known_joiner_rate_gives_known_joiners() -> None:
    """1% of the 1,000 five-year-olds starting a plan gives 10 new ASD plans in NCY 1; a rate
    trend of 1.5 gives 15."""
    per_head = np.zeros(len(AGES))
    per_head[5 - AGES[0]] = 0.01
    heads = np.full(len(AGES), 1000.0)
    start = np.zeros((len(NEEDS), len(NCYS), len(T)))
    after = step(start, _rates(joiners_per_head=per_head), heads, 1.0)
    assert _where(after) == {("ASD", 1, "mainstream")}
    assert after.sum() == pytest.approx(10.0)
    assert step(start, _rates(joiners_per_head=per_head), heads, 1.5).sum() == pytest.approx(15.0)


def _population(heads_by_year: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"year": y, "age": a, "population": h} for y, h in heads_by_year.items() for a in AGES]
    )


def test_population_and_rate_effects_add_up() -> None:
    """Population doubling after the base year and rates rising 50% split the joiners' growth:
    baseline + population effect + rate effect equals the full forecast in every year."""
    per_head = np.zeros(len(AGES))
    per_head[5 - AGES[0]] = 0.01
    rates = _rates(joiners_per_head=per_head, rate_trend=np.array([1.0, 1.5]))
    population = _population({2024: 1000.0, 2025: 2000.0})
    places = pd.DataFrame(columns=["year", "need", "phase", "setting_type", "places"])
    result = forecast_la(
        np.zeros((len(NEEDS), len(NCYS), len(T))),
        rates,
        population,
        2024,
        2,
        model=_model({2025: 10.0, 2026: 40.0}),  # the cohort run itself: factor 1
        supply_table=places,
        tariffs=load_tariffs(),
    )
    by_year = result.effects.groupby("year")[["baseline", "population_effect", "rate_effect"]].sum()
    # 2025: 10 joiners at base population and rate; 2026: 10 more, 20 with population x2, 30
    # with rate x1.5 as well
    assert by_year.loc[2025].tolist() == pytest.approx([10.0, 0.0, 0.0])
    assert by_year.loc[2026].tolist() == pytest.approx([20.0, 10.0, 10.0])
    total = result.table.groupby("year")["demand"].sum()
    assert total.loc[2026] == pytest.approx(by_year.loc[2026].sum())


def _model(mainstream: dict[int, float], spread: float = 0.2) -> pd.DataFrame:
    """An LA model forecast with every child in mainstream, intervals +-`spread`."""
    rows = []
    for year, demand in mainstream.items():
        for group in ("mainstream", "state_special", "all"):
            d = demand if group != "state_special" else 0.0
            rows.append((year, group, d, d * (1 - spread), d * (1 + spread)))
    return pd.DataFrame(
        rows, columns=["year", "setting_group", "demand", "demand_low", "demand_high"]
    )


def test_the_table_adds_up_to_the_la_model_forecast_by_group() -> None:
    """The cohort model only shares the LA model's forecast out: with the model saying 40 in
    mainstream where the cohort run has 10, every year's rows add up to the model's 40 and
    the rows' intervals add up to the model's interval for the group."""
    per_head = np.zeros(len(AGES))
    per_head[5 - AGES[0]] = 0.01
    rates = _rates(joiners_per_head=per_head, rate_trend=np.ones(2))
    population = _population({2024: 1000.0})
    places = pd.DataFrame(columns=["year", "need", "phase", "setting_type", "places"])
    result = forecast_la(
        np.zeros((len(NEEDS), len(NCYS), len(T))),
        rates,
        population,
        2024,
        2,
        model=_model({2025: 40.0, 2026: 60.0}),
        supply_table=places,
        tariffs=load_tariffs(),
    )
    by_year = result.table.groupby("year")[["demand", "demand_low", "demand_high"]].sum()
    assert by_year.loc[2025].tolist() == [40, 32, 48]
    assert by_year.loc[2026].tolist() == [60, 48, 72]
    effects = result.effects[["baseline", "population_effect", "rate_effect"]]
    assert effects.to_numpy().sum() == pytest.approx(100.0)


def test_scaled_rows_keep_their_shares_and_group_intervals() -> None:
    """Two mainstream rows of 1 and 3 against a model of 8 (6 to 12) become 2 and 6, with
    intervals 1.5-3 and 4.5-9: the same share of the group's interval as of its demand."""
    demand = pd.DataFrame(
        {
            "year": [2026, 2026],
            "need": ["ASD", "SEMH"],
            "phase": ["primary", "primary"],
            "setting_type": ["mainstream", "mainstream_rp"],
            "demand": [1.0, 3.0],
        }
    )
    model = pd.DataFrame(
        {
            "year": [2026],
            "setting_group": ["mainstream"],
            "demand": [8.0],
            "demand_low": [6.0],
            "demand_high": [12.0],
        }
    )
    out = scaled(demand, group_factors(demand, model))
    assert out["demand"].tolist() == pytest.approx([2.0, 6.0])
    assert out["demand_low"].tolist() == pytest.approx([1.5, 4.5])
    assert out["demand_high"].tolist() == pytest.approx([3.0, 9.0])


def test_scap_table_has_five_primary_and_seven_secondary_years_in_whole_pupils() -> None:
    """SCAP rows: primary for the first 5 academic years, secondary (with its sixth form) for
    7; post-16 special demand is counted in secondary; pupils are whole and add up."""
    years = range(2026, 2036)
    rows = []
    for y in years:
        for phase, demand in (("primary", 10.4), ("secondary", 7.3), ("post16", 2.4)):
            rows.append((y, "ASD", phase, "state_special", demand, demand - 1, demand + 1))
    table = pd.DataFrame(
        rows,
        columns=["year", "need", "phase", "setting_type", "demand", "demand_low", "demand_high"],
    ).assign(places=5.0, gap=0.0)
    scap = scap_send(table)
    counts = scap.groupby("phase")["academic_year"].nunique()
    assert counts.to_dict() == {"primary": 5, "secondary": 7}
    assert scap["academic_year"].iloc[0] == "2025/26"
    secondary = scap[scap["phase"] == "secondary"]
    assert (secondary["pupils_forecast"] == 10).all()  # 7.3 + 2.4 = 9.7, rounded
    assert scap["pupils_forecast"].dtype.kind == "i"


SETTINGS = pd.DataFrame(
    {
        "urn": ["1", "2"],
        "setting_type": ["state_special", "mainstream_rp"],
        "ncy_low": [0, 7],
        "ncy_high": [13, 11],
    }
)


def test_supply_splits_places_by_phase_and_applies_changes() -> None:
    """A special school for NCY 0-13 with 14 ASD places has 7 primary, 5 secondary and 2
    post-16; 10 more places from 2027 count from 2027 only."""
    places = pd.DataFrame({"urn": ["1"], "need": ["ASD"], "places": [14]})
    changes = [CapacityChange(need="ASD", places=10, from_year=2027, urn="1")]
    table = supply(SETTINGS, places, [2026, 2027], changes).set_index(["year", "phase"])
    assert table.loc[(2026, "primary"), "places"] == pytest.approx(7.0)
    assert table.loc[(2026, "secondary"), "places"] == pytest.approx(5.0)
    assert table.loc[(2026, "post16"), "places"] == pytest.approx(2.0)
    assert table.loc[(2027, "primary"), "places"] == pytest.approx(12.0)


def test_gap_costs_an_independent_place_and_transport() -> None:
    """12 ASD children for 10 special places leave a gap of 2, each costing the independent
    special tariff plus a 45-minute journey; any-need places are shared by demand."""
    tariffs = load_tariffs()
    demand = pd.DataFrame(
        {
            "year": [2026, 2026, 2026, 2026],
            "need": ["ASD", "SEMH", "SEMH", "ASD"],
            "phase": ["primary", "primary", "secondary", "primary"],
            "setting_type": ["state_special", "state_special", "mainstream_rp", "mainstream"],
            "demand": [12.0, 4.0, 6.0, 50.0],
            "demand_low": [10.0, 3.0, 5.0, 45.0],
            "demand_high": [14.0, 5.0, 7.0, 55.0],
        }
    )
    places = pd.DataFrame(
        {
            "year": [2026, 2026, 2026],
            "need": ["ASD", "", ""],
            "phase": ["primary", "primary", "secondary"],
            "setting_type": ["state_special", "state_special", "mainstream_rp"],
            "places": [10.0, 4.0, 3.0],
        }
    )
    table = gap_and_cost(demand, places, tariffs).set_index(["need", "phase", "setting_type"])
    each = tariffs.place_cost("independent_special", Need.ASD) + float(
        tariffs.transport.annual_cost(45.0)
    )
    asd = table.loc[("ASD", "primary", "state_special")]
    # ASD has 12 of the 16 special demand, so 3 of the 4 any-need places: 13 places, no gap
    assert asd["places"] == pytest.approx(13.0) and asd["gap"] == pytest.approx(0.0)
    semh = table.loc[("SEMH", "secondary", "mainstream_rp")]
    assert semh["gap"] == pytest.approx(3.0)
    assert semh["cost"] == pytest.approx(3.0 * each)
    assert table.loc[("ASD", "primary", "mainstream"), "gap"] == 0.0  # mainstream never spills


def test_demand_table_keeps_every_child() -> None:
    """The long table sums to the state's total, with NCY 7 counted as secondary."""
    table = demand_table(_three_children()[None], 2026)
    assert table["demand"].sum() == pytest.approx(3.0)
    assert table.loc[table["need"] == "SEMH", "phase"].item() == "primary"


def test_population_readers_read_ons_formats(tmp_path: Path) -> None:
    """MYE2 (cp1252, quoted thousands, year in the file name) and SNPP tables give persons by
    age; where both cover a year, the estimate wins; later years take the nearest year."""
    ages = ",".join(str(a) for a in range(90))
    mye = tmp_path / "ONS2020_PopnByAgeYearEstimate.csv"
    values = ",".join(['"1,000"'] * 90)
    mye.write_bytes(
        f'Code,Name,Geography,All ages,{ages},90+\nE1,Caf\xe9 Town,UA,"9",{values},5\n'.encode(
            "cp1252"
        )
    )
    snpp = tmp_path / "snpp.csv"
    rows = "".join(f"E1,X,Population,persons,{a},10.0,20.0\n" for a in [*range(90), "90 and over"])
    snpp.write_text("AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2020,2021\n" + rows)
    population = read_population([mye, snpp], "E1")
    grid = population_by_age(population, [2020, 2021, 2030], [0, 90])
    np.testing.assert_allclose(grid, [[1000.0, 5.0], [20.0, 20.0], [20.0, 20.0]])


mixes = st.lists(st.floats(0, 100), min_size=4, max_size=4).filter(lambda m: sum(m) > 1e-3)


@given(mixes, mixes)
def test_minimal_moves_carries_any_mix_to_any_other(
    before: list[float], after: list[float]
) -> None:
    """For any two mixes, the move matrix is row-stochastic, turns the first into the second,
    and moves no more than the total variation distance between them."""
    moves = minimal_moves(before, after)
    b, a = np.array(before) / sum(before), np.array(after) / sum(after)
    assert (moves >= -1e-12).all()
    np.testing.assert_allclose(moves.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(b @ moves, a, atol=1e-9)
    moved = (b[:, None] * moves).sum() - (b * np.diag(moves)).sum()
    assert moved <= 0.5 * np.abs(a - b).sum() + 1e-9


@given(st.lists(st.integers(NCY_MIN, 20), min_size=1, max_size=30), st.floats(0, 0.5))
def test_a_year_on_keeps_everyone_but_leavers_and_ceased(ncys: list[int], cease: float) -> None:
    """Without joiners, next year's total is this year's less those past NCY 20 and the
    ceased share, whatever the cohort (compared with a direct count)."""
    cohort = pd.DataFrame({"ncy": ncys, "need": "ASD", "setting_type": "mainstream"})
    after = step(
        cohort_state(cohort), _rates(cease=np.full(len(AGES), cease)), np.zeros(len(AGES)), 1.0
    )
    staying = sum(1 for n in ncys if n < 20)
    assert after.sum() == pytest.approx(staying * (1 - cease))


def _rp_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An in-LA school with an ASD unit, an in-LA special school and a special school in
    another LA; three children, one in each."""
    settings = pd.DataFrame(
        {
            "urn": ["1", "2", "3"],
            "setting_type": ["mainstream_rp", "state_special", "state_special"],
            "la_code": ["857", "857", "855"],
            "ncy_low": [0, 0, 0],
            "ncy_high": [6, 13, 13],
        }
    )
    places = pd.DataFrame(
        {"urn": ["1", "1", "2", "3"], "need": ["", "ASD", "", ""], "places": [210, 8, 40, 150]}
    )
    children = pd.DataFrame(
        {
            "child_id": ["a", "b", "c"],
            "ncy": [2, 3, 4],
            "primary_need": ["SEMH", "ASD", "SLD"],
            "current_urn": ["1", "1", "3"],
        }
    )
    return settings, places, children


def test_children_at_a_resourced_school_are_in_the_unit_only_for_its_needs() -> None:
    """At a school with ASD unit places, the ASD child is in the unit and the SEMH child in
    the mainstream classes; the child at a special school keeps its type."""
    settings, places, children = _rp_case()
    kinds = placement_types(children, settings, places).tolist()
    assert kinds == ["mainstream", "mainstream_rp", "state_special"]


def test_la_place_lines_count_own_settings_and_filled_places_elsewhere() -> None:
    """The LA's own special school counts its 40 places and its resourced school's 210
    any-need places become mainstream places; the special school in another LA counts only
    the one SLD place the LA's child fills."""
    settings, places, children = _rp_case()
    lines = la_place_lines(settings, places, children, "857").set_index(["urn", "need"])
    assert lines.loc[("1", ""), "setting_type"] == "mainstream"
    assert lines.loc[("1", "ASD"), "setting_type"] == "mainstream_rp"
    assert lines.loc[("2", ""), "places"] == 40
    assert lines.loc[("3", "SLD"), "places"] == 1
    assert ("3", "") not in lines.index


def test_mainstream_places_are_counted_once_never_under_a_need() -> None:
    """1,000 mainstream primary places and 30 ASD + 10 SEMH children in mainstream: the places
    sit on one any-need row, not shared (or copied) under ASD and SEMH; a special school's
    any-need places are shared by the needs of its children, adding up to the line; a special
    line no child needs stays whole on the any-need row."""
    demand = pd.DataFrame(
        {
            "year": [2026] * 3,
            "need": ["ASD", "SEMH", "ASD"],
            "phase": ["primary"] * 3,
            "setting_type": ["mainstream", "mainstream", "state_special"],
            "demand": [30.0, 10.0, 8.0],
            "demand_low": [25.0, 8.0, 6.0],
            "demand_high": [35.0, 12.0, 10.0],
        }
    )
    places = pd.DataFrame(
        {
            "year": [2026] * 3,
            "need": ["", "", ""],
            "phase": ["primary", "primary", "secondary"],
            "setting_type": ["mainstream", "state_special", "state_special"],
            "places": [1000.0, 12.0, 9.0],
        }
    )
    table = gap_and_cost(demand, places, load_tariffs())
    mainstream = table[table["setting_type"] == "mainstream"].set_index("need")["places"]
    assert mainstream.to_dict() == {"": 1000, "ASD": 0, "SEMH": 0}
    special = table[table["setting_type"] == "state_special"].set_index(["need", "phase"])
    assert special.loc[("ASD", "primary"), "places"] == 12
    assert special.loc[("", "secondary"), "places"] == 9
    assert table["places"].sum() == 1000 + 12 + 9


def test_whole_rows_add_up_to_the_rounded_year_total() -> None:
    """Three rows of 1/3 child round to whole children adding up to 1, the year's total."""
    table = pd.DataFrame(
        {
            "year": [2026] * 3,
            "demand": [1 / 3] * 3,
            "demand_low": [0.1] * 3,
            "demand_high": [0.6] * 3,
            "places": [0.5, 0.5, 1.0],
        }
    )
    out = whole_rows(table)
    assert out["demand"].sum() == 1 and out["places"].sum() == 2
    assert out["demand"].dtype.kind == "i"
    assert (out["demand_low"] <= out["demand"]).all() and (
        out["demand"] <= out["demand_high"]
    ).all()
