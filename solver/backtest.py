"""Back-test of LA total EHCP forecasts: the stock-flow model against naive baselines.

Every forecaster sees only years up to the origin. Intervals for any method come from its own
one-step errors at earlier origins (log actual/forecast, across all LAs), centred on their
median and widened by sqrt(horizon) as for a random walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.ehcp import caseload_totals, new_plan_totals

#: Years of history each part of the model uses (chosen on the back-test, see the closing note).
RETENTION_YEARS = 3
JOINER_YEARS = 6
#: Trend window of the linear-trend baseline.
TREND_YEARS = 5
#: z of a two-sided 80% normal interval, for small-count noise.
Z80 = 1.2815515655446004


@dataclass(frozen=True)
class History:
    """January caseloads and calendar-year new plans, LAs x years (NaN where unknown)."""

    caseload: pd.DataFrame
    new_plans: pd.DataFrame
    la_names: Mapping[str, str]

    @classmethod
    def read(cls, source: Path) -> History:
        """The spliced history of every LA in a folder of DfE releases (see solver.ehcp)."""
        stocks = caseload_totals(source)
        joins = new_plan_totals(source)
        names = dict(zip(stocks["la_code"], stocks["la_name"], strict=True))
        return cls(_wide(stocks, "ehcps"), _wide(joins, "new_plans"), names)


def _wide(long: pd.DataFrame, value: str) -> pd.DataFrame:
    wide = long.pivot(index="la_code", columns="year", values=value).astype(float)
    years = range(int(wide.columns.min()), int(wide.columns.max()) + 1)
    return wide.reindex(columns=years)


def _column(frame: pd.DataFrame, year: int) -> pd.Series:
    """One year of a wide table, all NaN if the year is not there."""
    if year in frame.columns:
        return frame[year]
    return pd.Series(np.nan, index=frame.index)


def _linear_trend(frame: pd.DataFrame, last: int, window: int, ahead: int) -> pd.Series:
    """Least-squares line through years last-window+1..last, read `ahead` years after `last`."""
    x = np.arange(1 - window, 1, dtype=float)
    ys = pd.concat([_column(frame, last + int(i)) for i in x], axis=1).to_numpy()
    xc = x - x.mean()
    slope = (ys - ys.mean(axis=1, keepdims=True)) @ xc / (xc @ xc)
    return pd.Series(ys.mean(axis=1) + slope * (ahead - x.mean()), index=frame.index)


def last_value(history: History, origin: int, horizon: int) -> pd.Series:
    """Naive: the caseload stays at its origin value."""
    return _column(history.caseload, origin)


def linear_trend(history: History, origin: int, horizon: int) -> pd.Series:
    """Naive: the straight line through the last five caseloads."""
    return _linear_trend(history.caseload, origin, TREND_YEARS, horizon)


def last_growth(history: History, origin: int, horizon: int) -> pd.Series:
    """Naive: the last year's growth factor repeats every year."""
    now = _column(history.caseload, origin)
    return now * (now / _column(history.caseload, origin - 1)) ** horizon


def retention(history: History, origin: int, years: int = RETENTION_YEARS) -> pd.Series:
    """Share of a January caseload still held next January, mean of the last `years` years.

    Flow identity: caseload(t) = caseload(t-1) * retention + new plans made in year t-1.
    """
    rates = [
        (_column(history.caseload, t) - _column(history.new_plans, t - 1))
        / _column(history.caseload, t - 1)
        for t in range(origin - years + 1, origin + 1)
    ]
    return pd.concat(rates, axis=1).mean(axis=1).clip(0.0, 1.0)


def joiners(history: History, origin: int, ahead: int, years: int = JOINER_YEARS) -> pd.Series:
    """New plans in calendar year origin-1+ahead, on the linear trend of the last `years`."""
    return _linear_trend(history.new_plans, origin - 1, years, ahead).clip(lower=0.0)


def model(history: History, origin: int, horizon: int) -> pd.Series:
    """The demand model on LA totals: survivors at the observed retention plus trend joiners."""
    kept = retention(history, origin)
    stock = _column(history.caseload, origin)
    for ahead in range(1, horizon + 1):
        stock = stock * kept + joiners(history, origin, ahead)
    return stock


Method = Callable[[History, int, int], pd.Series]

#: The forecasters scored, by the `method` name of backtest_summary.csv.
METHODS: Mapping[str, Method] = {
    "model": model,
    "last_value": last_value,
    "linear_trend": linear_trend,
    "last_growth": last_growth,
}


def log_error_band(
    history: History, method: Method, origin: int, *, level: float = 0.8
) -> tuple[float, float]:
    """Quantiles (1-level)/2 and (1+level)/2 of centred one-step log errors before `origin`.

    Uses every earlier origin whose one-year-ahead outcome is known by `origin`; (0, 0) if none.
    """
    errors = []
    for past in range(int(history.caseload.columns.min()), origin):
        forecast = method(history, past, 1)
        errors.append(np.log(_column(history.caseload, past + 1) / forecast))
    pooled = pd.concat(errors).replace([np.inf, -np.inf], np.nan).dropna() if errors else None
    if pooled is None or pooled.empty:
        return 0.0, 0.0
    centred = pooled - pooled.median()
    low, high = np.quantile(centred, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def interval(
    forecast: npt.ArrayLike, band: tuple[float, float], horizon: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Low and high ends of the intervals around `forecast` at `horizon` years ahead."""
    f = np.asarray(forecast, dtype=float)
    scale = np.sqrt(horizon)
    return f * np.exp(band[0] * scale), f * np.exp(band[1] * scale)


def _mase_scale(history: History, origin: int) -> pd.Series:
    """Mean absolute one-year change of the caseload up to `origin` (the MASE denominator)."""
    upto = history.caseload.loc[:, :origin]
    return upto.diff(axis=1).abs().mean(axis=1)


def run_backtest(
    history: History, origins: Iterable[int], horizons: Iterable[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-LA errors and the summary (horizon, method, mape, mase, coverage80) over origins.

    An LA is scored at an origin and horizon only if every method has a forecast and the
    outcome is published; the others are left out, never imputed.
    """
    rows = []
    last_year = int(history.caseload.columns.max())
    for origin in origins:
        scale = _mase_scale(history, origin)
        bands = {name: log_error_band(history, f, origin) for name, f in METHODS.items()}
        for horizon in horizons:
            if origin + horizon > last_year:
                continue
            actual = _column(history.caseload, origin + horizon)
            forecasts = {name: f(history, origin, horizon) for name, f in METHODS.items()}
            known = actual.notna() & scale.gt(0)
            for f in forecasts.values():
                known &= f.notna() & np.isfinite(f)
            for name, f in forecasts.items():
                low, high = interval(f[known], bands[name], horizon)
                rows.append(
                    pd.DataFrame(
                        {
                            "la_code": f.index[known],
                            "la_name": [history.la_names.get(c, "") for c in f.index[known]],
                            "origin": origin,
                            "horizon": horizon,
                            "method": name,
                            "forecast": f[known].to_numpy(),
                            "low": low,
                            "high": high,
                            "actual": actual[known].to_numpy(),
                            "mase_scale": scale[known].to_numpy(),
                        }
                    )
                )
    errors = _score(pd.concat(rows, ignore_index=True))
    return errors, summarise(errors)


def _score(errors: pd.DataFrame) -> pd.DataFrame:
    out = errors.copy()
    miss = out["forecast"] - out["actual"]
    out["ape"] = (miss.abs() / out["actual"]) * 100
    out["scaled_error"] = miss.abs() / out["mase_scale"]
    slack = 1e-9 * out["actual"].abs()  # rounding must not uncover an exact forecast
    out["covered"] = (out["actual"] >= out["low"] - slack) & (out["actual"] <= out["high"] + slack)
    return out


def summarise(errors: pd.DataFrame) -> pd.DataFrame:
    """MAPE (%), MASE and 80% interval coverage (share) by horizon and method."""
    grouped = errors.groupby(["horizon", "method"], sort=False)
    summary = grouped.agg(
        mape=("ape", "mean"), mase=("scaled_error", "mean"), coverage80=("covered", "mean")
    ).reset_index()
    order = {name: i for i, name in enumerate(METHODS)}
    summary["_order"] = summary["method"].map(order)
    summary = summary.sort_values(["horizon", "_order"]).drop(columns="_order")
    return summary.reset_index(drop=True)
