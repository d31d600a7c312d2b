"""DfE EHCP release readers, the LA demand model and its back-test."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from solver.domain.groups import SETTING_GROUPS
from solver.errors import InputError
from solver.forecast.backtest import SUMMARY_COLUMNS, run_backtest
from solver.forecast.model import (
    METHODS,
    History,
    damped_trend,
    error_bands,
    forecast,
    last_growth,
    last_value,
    linear_trend,
    point_forecast,
    pooled_growth,
)
from solver.io.ehcp import (
    ALL,
    caseload_groups,
    caseload_totals,
    new_plan_totals,
    on_current_las,
    parse_counts,
)
from solver.workspace import read_history

LA = {"geographic_level": "Local authority", "la_name": "Testshire"}


def _old_release(years: dict[int, str], code: str = "E06000099") -> pd.DataFrame:
    """sen2_age_caseload.csv rows as the 2022 release lays them out."""
    return pd.DataFrame(
        [
            {
                "time_period": y,
                **LA,
                "new_la_code": code,
                "characteristic_age": "Total",
                "Total_all": v,
            }
            for y, v in years.items()
        ]
    )


def _new_release(years: dict[int, str], code: str = "E06000099") -> pd.DataFrame:
    """caseload.csv rows as the 2025 release lays them out (academic-year periods)."""
    return pd.DataFrame(
        [
            {
                "time_period": f"{y - 1}{y % 100:02d}",
                **LA,
                "new_la_code": code,
                "breakdown_topic": "All EHC plans",
                "breakdown": "All EHC plans",
                "ehcplans": v,
            }
            for y, v in years.items()
        ]
    )


def test_parse_counts_reads_numbers_and_dfe_symbols() -> None:
    """Suppressed (c), unavailable (x) and not-applicable (z) cells become NA; numbers keep
    their value, thousands separators included; anything else is refused."""
    parsed = parse_counts(pd.Series(["12", "c", "x", "z", "1,234", " 7 ", ""]))
    assert parsed.isna().tolist() == [False, True, True, True, False, False, True]
    assert parsed.dropna().tolist() == [12.0, 1234.0, 7.0]
    with pytest.raises(ValueError, match="1 cell"):
        parse_counts(pd.Series(["3", "lots"]))


def test_releases_splice_with_the_person_level_release_winning(tmp_path: Path) -> None:
    """Years in both releases take the 2023-onwards (person-level) figure; others are kept,
    and academic year 2018/19 is read as January 2019."""
    _old_release({2017: "100", 2018: "110", 2019: "999"}).to_csv(
        tmp_path / "sen2_age_caseload.csv", index=False
    )
    _new_release({2019: "120", 2020: "c"}).to_csv(tmp_path / "caseload.csv", index=False)
    totals = caseload_totals(tmp_path)
    assert totals["year"].tolist() == [2017, 2018, 2019, 2020]
    assert totals["ehcps"].iloc[:3].tolist() == [100.0, 110.0, 120.0]
    assert pd.isna(totals["ehcps"].iloc[3])


def test_zip_and_unpacked_csv_read_the_same(tmp_path: Path) -> None:
    """A release zip as published and the same CSV unpacked give identical tables."""
    table = _new_release({2023: "50", 2024: "61"})
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    table.to_csv(unpacked / "caseload.csv", index=False)
    with zipfile.ZipFile(tmp_path / "release.zip", "w") as archive:
        archive.writestr("data/caseload.csv", table.to_csv(index=False))
    pd.testing.assert_frame_equal(
        caseload_totals(unpacked), caseload_totals(tmp_path / "release.zip")
    )


def test_missing_tables_are_reported_not_raised_as_tracebacks(tmp_path: Path) -> None:
    """A folder without any new-plan table gives an InputError naming what is missing."""
    from solver.errors import InputError

    with pytest.raises(InputError, match="newplans"):
        new_plan_totals(tmp_path)


def test_groups_come_from_the_placement_columns(tmp_path: Path) -> None:
    """Mainstream counts its resourced provision and units, independent special counts
    non-maintained, `other` is the rest of the plans and `all` is the sum of the groups."""
    row = {
        "time_period": "202425",
        **LA,
        "new_la_code": "E06000099",
        "breakdown_topic": "All EHC plans",
        "breakdown": "All EHC plans",
        "ehcplans": "100",
        "mainstream_academy": "30",
        "mainstream_academy_senunit": "5",
        "special_la_maintained": "20",
        "special_academy_free": "c",
        "special_independent": "8",
        "special_non_maintained": "2",
        "general_fe_tertiary_colleges": "10",
    }
    pd.DataFrame([row]).to_csv(tmp_path / "caseload.csv", index=False)
    groups = caseload_groups(tmp_path).iloc[0]
    assert groups["year"] == 2025
    expected = {
        "mainstream": 35,
        "state_special": 20,
        "independent_special": 10,
        "post16": 10,
        "other": 25,
        ALL: 100,
    }
    assert {g: groups[g] for g in expected} == expected


def test_a_bad_count_names_its_file_line_and_column(tmp_path: Path) -> None:
    """A cell that is neither a number nor a DfE symbol is a problem at its line and column."""
    table = _new_release({2023: "50", 2024: "lots"})
    table.to_csv(tmp_path / "caseload.csv", index=False)
    with pytest.raises(InputError) as caught:
        caseload_totals(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "ehcplans")
    assert problem.file.endswith("caseload.csv") and "lots" in problem.message


def test_a_later_release_wins_the_years_it_republishes(tmp_path: Path) -> None:
    """Two person-level releases: each year comes from the latest release that has it."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _new_release({2023: "50", 2024: "60"}).to_csv(tmp_path / "a" / "caseload.csv", index=False)
    _new_release({2024: "61", 2025: "70"}).to_csv(tmp_path / "b" / "caseload.csv", index=False)
    totals = caseload_totals(tmp_path)
    assert totals["ehcps"].tolist() == [50.0, 61.0, 70.0]


def _long(values: dict[tuple[str, int], float]) -> pd.DataFrame:
    rows = [{"la_code": c, "la_name": c, "year": y, "v": v} for (c, y), v in values.items()]
    return pd.DataFrame(rows)


def test_a_split_la_gets_its_share_of_the_predecessor_history() -> None:
    """Northamptonshire (E10000021) 100 in 2020 and 2021; North 90 and West 30 in 2022: both grew
    alike (x1.2), so North had 75% of the county before, West 25%."""
    table = _long(
        {
            ("E10000021", 2020): 100.0,
            ("E10000021", 2021): 100.0,
            ("E06000061", 2022): 90.0,
            ("E06000062", 2022): 30.0,
        }
    )
    out = on_current_las(table, ["v"]).set_index(["la_code", "year"])["v"]
    assert out.loc[("E06000061", 2021)] == pytest.approx(75.0)
    assert out.loc[("E06000062", 2020)] == pytest.approx(25.0)
    assert set(out.index.get_level_values(0)) == {"E06000061", "E06000062"}


def test_a_merger_adds_whole_predecessors_to_its_share_of_a_split_one() -> None:
    """BCP took Bournemouth (40) and Poole (20) whole and part of Dorset county (100); the new
    Dorset took the rest. Both grew x1.5 across 2019-2020 (BCP 120, Dorset 120 of 160 x 1.5)."""
    table = _long(
        {
            ("E06000028", 2019): 40.0,
            ("E06000029", 2019): 20.0,
            ("E10000009", 2019): 100.0,
            ("E06000058", 2020): 120.0,
            ("E06000059", 2020): 120.0,
        }
    )
    out = on_current_las(table, ["v"]).set_index(["la_code", "year"])["v"]
    # growth 240/160 = 1.5; BCP = 40 + 20 + 20% of Dorset county (80/1.5 - 60 = 20 of 100)
    assert out.loc[("E06000058", 2019)] == pytest.approx(80.0)
    assert out.loc[("E06000059", 2019)] == pytest.approx(80.0)


def test_a_recoded_la_keeps_its_history_under_either_code() -> None:
    """Buckinghamshire's history under E06000060 (2021) fills E10000002's missing year."""
    table = _long({("E06000060", 2021): 50.0, ("E10000002", 2022): 55.0})
    out = on_current_las(table, ["v"])
    assert out["la_code"].tolist() == ["E10000002", "E10000002"]
    assert out["v"].tolist() == [50.0, 55.0]


def _history(series: dict[str, list[float]], first: int = 2018) -> History:
    """A history whose every group but `other` is empty: each LA's plans all in `other`."""
    rows = []
    for code, values in series.items():
        for i, v in enumerate(values):
            groups = dict.fromkeys(SETTING_GROUPS, 0.0) | {"other": v, ALL: v}
            rows.append({"la_code": code, "la_name": code.lower(), "year": first + i, **groups})
    return History.from_long(pd.DataFrame(rows))


def test_model_by_hand() -> None:
    """Growth is 0.2 x the LA's own last log growth + 0.8 x the median LA's, damped by 0.95 a
    year: A grew log(1+110)-log(1+100), the median LA is C."""
    history = _history({"A": [100, 110], "B": [100, 130], "C": [100, 120]})
    table = history.caseload[ALL]
    own = np.log1p(table[2019]) - np.log1p(table[2018])
    rate = 0.2 * own["A"] + 0.8 * own["C"]
    expected = np.expm1(np.log1p(110) + rate * (0.95 + 0.95**2))
    assert pooled_growth(table, 2019, [2]).loc["A", 2] == pytest.approx(expected)


def test_baselines_by_hand() -> None:
    """last_value repeats 2022, last_growth compounds 2021->2022, damped_trend damps it by 0.8
    a year, linear_trend extends the line through the last five years (in log1p terms for the
    growth rules)."""
    table = _history({"A": [10, 12, 14, 16, 20]}).caseload[ALL]
    assert last_value(table, 2022, [3]).loc["A", 3] == 20
    g = np.log1p(20) - np.log1p(16)
    assert last_growth(table, 2022, [2]).loc["A", 2] == pytest.approx(
        np.expm1(np.log1p(20) + 2 * g)
    )
    damped = np.expm1(np.log1p(20) + g * (0.8 + 0.64))
    assert damped_trend(table, 2022, [2]).loc["A", 2] == pytest.approx(damped)
    # least squares through (2018,10) .. (2022,20): slope 2.4, 14.4 at 2020
    assert linear_trend(table, 2022, [1]).loc["A", 1] == pytest.approx(14.4 + 2.4 * 3)


def test_groups_share_the_total_forecast_by_their_last_sizes() -> None:
    """The model shares each LA's `all` forecast by the groups' last known sizes (15 and 4 of
    19), so they add up to it."""
    rows = []
    for year, (a, b) in enumerate([(10, 5), (12, 5), (15, 4)], start=2020):
        groups = dict.fromkeys(SETTING_GROUPS, 0.0) | {"mainstream": a, "post16": b}
        rows.append({"la_code": "A", "la_name": "a", "year": year, **groups, ALL: a + b})
    history = History.from_long(pd.DataFrame(rows))
    points = point_forecast(history, 2022, [1, 2, 3])
    wide = points.pivot_table(index="horizon", columns="setting_group", values="demand")
    assert wide[list(SETTING_GROUPS)].sum(axis=1).to_numpy() == pytest.approx(wide[ALL].to_numpy())
    assert (wide["mainstream"] / wide[ALL]).to_numpy() == pytest.approx(15 / 19)


def test_bridged_years_and_short_histories_still_get_a_forecast() -> None:
    """A suppressed year between two known ones is bridged; an LA known for one year only gets
    the median LA's growth and a wider interval; no LA is left without a forecast."""
    series = {f"L{i}": [100.0 + i, 110.0 + i, 121.0 + i, 133.0 + i] for i in range(40)}
    series["GAP"] = [100.0, np.nan, 121.0, 133.0]
    series["NEW"] = [np.nan, np.nan, np.nan, 50.0]
    history = _history(series)
    assert history.upto(2021).caseload[ALL].loc["GAP", 2019] == pytest.approx(
        np.expm1((np.log1p(100) + np.log1p(121)) / 2)
    )
    table = forecast(history, 2021, 3)
    assert table["demand"].notna().all()
    assert set(table["la_code"]) == set(series)
    total = table[table["setting_group"] == ALL].set_index(["la_code", "year"])
    width = np.log(total["demand_high"] / total["demand_low"])
    assert width.loc[("NEW", 2022)] > width.loc[("L0", 2022)]


def test_intervals_are_quantiles_of_past_one_year_errors_grown_with_the_horizon() -> None:
    """last_value's past one-year log errors are the series' log1p growths: the band is their
    10th and 90th percentiles over the last six origins, times horizon^0.75."""
    rng = np.random.default_rng(1)
    series = {f"L{i}": list(100 * np.exp(np.cumsum(rng.normal(0, 0.1, 8)))) for i in range(10)}
    history = _history(series)
    bands = error_bands(history, 2025, [1, 4], METHODS["last_value"])
    bands = bands[bands["setting_group"] == ALL].set_index("horizon")
    logs = np.log1p(history.caseload[ALL])
    growth = logs.diff(axis=1).loc[:, 2020:2025].to_numpy().ravel()  # origins 2019..2024
    expected = np.quantile(growth, [0.1, 0.9])
    assert bands.loc[1, ["low", "high"]].tolist() == pytest.approx(expected.tolist())
    assert bands.loc[4, ["low", "high"]].tolist() == pytest.approx((expected * 4**0.75).tolist())


def test_backtest_scores_every_la_through_the_shipped_forecast() -> None:
    """The back-test's model rows are exactly `forecast.model.forecast` at each origin (the
    function `rightplace forecast --all-las` writes), every LA is scored, and last_value's
    MAPE is the mean absolute percentage change."""
    rng = np.random.default_rng(2)
    series = {f"L{i}": list(100 * np.exp(np.cumsum(rng.normal(0.05, 0.05, 8)))) for i in range(12)}
    history = _history(series)
    errors, summary = run_backtest(history, [2022, 2023], [1, 2])
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    model = errors[(errors["method"] == "model") & (errors["origin"] == 2022)]
    shipped = forecast(history, 2022, 2)
    merged = model.merge(shipped, on=["la_code", "setting_group", "year"], suffixes=("", "_s"))
    assert len(merged) == len(model) == len(shipped)
    assert merged["demand"].to_numpy() == pytest.approx(merged["demand_s"].to_numpy())
    assert merged["demand_low"].to_numpy() == pytest.approx(merged["demand_low_s"].to_numpy())
    assert errors.groupby(["origin", "horizon"])["la_code"].nunique().eq(12).all()
    table = history.caseload[ALL]
    naive = summary[
        (summary["sample"] == "pooled")
        & (summary["setting_group"] == ALL)
        & (summary["method"] == "last_value")
        & (summary["horizon"] == 1)
    ]
    expected = np.mean([abs(table[o] - table[o + 1]) / table[o + 1] * 100 for o in (2022, 2023)])
    assert naive["mape"].item() == pytest.approx(expected)
    assert set(summary["sample"]) == {"pooled", "out_of_sample"}


def test_years_only_the_age_tables_have_still_give_the_total(tmp_path: Path) -> None:
    """Without the establishment table, 2017-2018 come from the age table's totals (groups
    unknown), and the LA still gets a forecast for every group."""
    _old_release({2017: "100", 2018: "110"}).to_csv(tmp_path / "sen2_age_caseload.csv", index=False)
    new = _new_release({2019: "120", 2020: "130"}).assign(special_independent="5")
    new.to_csv(tmp_path / "caseload.csv", index=False)
    history = read_history(tmp_path)
    assert history.caseload[ALL].loc["E06000099"].tolist() == [100.0, 110.0, 120.0, 130.0]
    assert history.caseload["other"].loc["E06000099"].isna().tolist() == [True, True, False, False]
    assert history.caseload["independent_special"].loc["E06000099", 2020] == 5.0
    table = forecast(history, 2020, 2)
    assert table["demand"].notna().all() and len(table) == 2 * 6


def test_an_origin_past_the_data_widens_the_interval_by_the_years_missed() -> None:
    """Forecasting from 2023 with data to 2021 grows from 2021 and its interval for 2024 is
    the one for three years ahead, wider than the 2022 one from origin 2021."""
    rng = np.random.default_rng(3)
    series = {f"L{i}": list(100 * np.exp(np.cumsum(rng.normal(0.05, 0.05, 4)))) for i in range(40)}
    history = _history(series)  # 2018-2021
    late = forecast(history, 2023, 1).set_index(["la_code", "setting_group", "year"])
    now = forecast(history, 2021, 3).set_index(["la_code", "setting_group", "year"])
    row = ("L0", ALL, 2024)
    assert late.loc[row, "demand"] == pytest.approx(now.loc[row, "demand"])
    assert late.loc[row, "demand_high"] == pytest.approx(now.loc[row, "demand_high"])


def test_a_release_without_la_totals_is_a_problem(tmp_path: Path) -> None:
    """A caseload.csv whose rows are all of another breakdown topic gives a problem naming
    the topic, not an empty forecast or a traceback."""
    _new_release({2023: "50"}).assign(breakdown_topic="Sex").to_csv(
        tmp_path / "caseload.csv", index=False
    )
    with pytest.raises(InputError, match="All EHC plans"):
        read_history(tmp_path)
