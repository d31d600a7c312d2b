"""DfE EHCP release readers and the back-test of LA totals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from solver.backtest import (
    History,
    interval,
    last_growth,
    last_value,
    linear_trend,
    log_error_band,
    model,
    run_backtest,
)
from solver.ehcp import caseload_totals, new_plan_totals, parse_counts

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
    from solver.problems import InputError

    with pytest.raises(InputError, match="newplans"):
        new_plan_totals(tmp_path)


def _history(years: range, caseload: list[float], new_plans: list[float]) -> History:
    index = pd.Index(["E1"], name="la_code")
    return History(
        pd.DataFrame([caseload], index=index, columns=list(years)),
        pd.DataFrame([new_plans], index=index, columns=list(years)),
        {"E1": "One"},
    )


def _flow_history(retain: float = 0.9) -> History:
    """Caseloads built exactly from the flow identity: S(t+1) = retain * S(t) + N(t), with
    new plans N(t) = 10 + 2 (t - 2010), a straight line."""
    years = range(2010, 2026)
    joins = [10.0 + 2 * i for i in range(len(years))]
    stock = [100.0]
    for n in joins[:-1]:
        stock.append(retain * stock[-1] + n)
    return _history(years, stock, joins)


def test_model_is_exact_on_a_known_retention_and_joiner_trend() -> None:
    """With constant retention and a linear joiner trend, the model forecasts exactly."""
    history = _flow_history()
    for horizon in (1, 2, 3):
        forecast = model(history, 2018, horizon).iloc[0]
        assert forecast == pytest.approx(history.caseload.loc["E1", 2018 + horizon])


def test_baselines_by_hand() -> None:
    """last_value repeats 2020, last_growth compounds 2019->2020, linear_trend extends the
    line through the last five years."""
    history = _history(range(2016, 2021), [10, 12, 14, 16, 20], [1, 1, 1, 1, 1])
    assert last_value(history, 2020, 3).iloc[0] == 20
    assert last_growth(history, 2020, 2).iloc[0] == pytest.approx(20 * 1.25**2)
    # least squares through (−4,10) (−3,12) (−2,14) (−1,16) (0,20): slope 2.4, mean 14.4 at −2
    assert linear_trend(history, 2020, 1).iloc[0] == pytest.approx(14.4 + 2.4 * 3)


def test_interval_band_scales_with_the_square_root_of_the_horizon() -> None:
    """An error band (lo, hi) in logs becomes forecast * exp(band * sqrt(h))."""
    low, high = interval(np.array([100.0]), (-0.1, 0.2), 4)
    assert low[0] == pytest.approx(100 * np.exp(-0.2))
    assert high[0] == pytest.approx(100 * np.exp(0.4))


def test_error_band_is_centred_quantiles_of_past_one_step_errors() -> None:
    """One-step log errors before the origin, centred on their median, give the band; an
    exact forecaster has a zero-width band."""
    history = _flow_history()
    assert log_error_band(history, model, 2024) == pytest.approx((0.0, 0.0), abs=1e-12)
    # last_value's log errors are log(S(t+1)/S(t)); check against a direct computation
    s = history.caseload.loc["E1"]
    logs = np.log(s.shift(-1) / s).loc[2010:2019].to_numpy()
    expected = np.quantile(logs - np.median(logs), [0.1, 0.9])
    assert log_error_band(history, last_value, 2020) == pytest.approx(tuple(expected))


def test_backtest_scores_and_coverage() -> None:
    """The exact model scores MAPE 0 with every outcome covered; last_value's MAPE is the mean
    absolute percentage change, and the summary has the contract's columns."""
    history = _flow_history()
    errors, summary = run_backtest(history, [2018, 2019], [1, 2])
    assert list(summary.columns) == ["horizon", "method", "mape", "mase", "coverage80"]
    exact = summary[summary["method"] == "model"]
    assert exact["mape"].max() == pytest.approx(0.0, abs=1e-9)
    assert exact["coverage80"].min() == 1.0
    s = history.caseload.loc["E1"]
    naive = summary[(summary["method"] == "last_value") & (summary["horizon"] == 2)]
    expected = np.mean([abs(s[o] - s[o + 2]) / s[o + 2] * 100 for o in (2018, 2019)])
    assert naive["mape"].iloc[0] == pytest.approx(expected)
    assert set(errors["origin"]) == {2018, 2019}
