"""The demand model: EHCPs by LA and setting group, years ahead, with 80% intervals.

This is the one model RightPlace ships and back-tests. An LA's January caseload grows at a
pooled rate: its own last growth shrunk towards the median LA's (most of an LA's year-to-year
wobble is noise), damped a little each year ahead; the setting groups
(`solver.domain.groups.SETTING_GROUPS`) share it in proportion to their last known sizes.
Intervals are the spread of the model's own recent one-year errors, pooled over LAs and grown
with the horizon (see `error_bands`); an LA whose history is short gets wider ones, never none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from solver.domain.groups import SETTING_GROUPS
from solver.errors import InputError, Problem
from solver.io.ehcp import ALL, HISTORY_GROUPS

#: Model settings, chosen on the back-test at origins 2015-2021 only (docs/forecast.md).
GROWTH_YEARS = 1  # years of the LA's own growth averaged
OWN_WEIGHT = 0.2  # weight of the LA's own growth against the median LA's
DAMPING = 0.95  # growth multiplier per year ahead
#: Damping of the damped-trend baseline (a common textbook value, not tuned).
NAIVE_DAMPING = 0.8
#: Trend window of the linear-trend baseline.
TREND_YEARS = 5

#: Past origins whose one-year errors set an interval, the fewest errors worth a quantile, the
#: power of the horizon the band grows with (chosen on origins up to 2021: 0.5, a random walk's,
#: under-covered at 3-5 years, 1.0 over-covered) and the band (log) when there are too few.
BAND_ORIGINS = 6
MIN_ERRORS = 30
HORIZON_POWER = 0.75
NO_HISTORY_BAND = 0.25
#: Interval widening for an LA group with fewer than SHORT_HISTORY years up to the origin.
SHORT_HISTORY = 3
SHORT_WIDENING = 1.5
LEVEL = 0.8


@dataclass(frozen=True)
class History:
    """January EHCPs by setting group (HISTORY_GROUPS): each an LAs x years table, NaN where
    unknown, on today's LAs (predecessors mapped onto their successors)."""

    caseload: Mapping[str, pd.DataFrame]
    la_names: Mapping[str, str]

    @classmethod
    def from_long(cls, long: pd.DataFrame) -> History:
        """From rows la_code, la_name, year and one column per group."""
        years = range(int(long["year"].min()), int(long["year"].max()) + 1)
        tables = {
            g: long.pivot(index="la_code", columns="year", values=g)
            .astype(float)
            .reindex(columns=years)
            for g in HISTORY_GROUPS
        }
        names = dict(zip(long["la_code"], long["la_name"], strict=False))
        return cls(tables, names)

    @property
    def la_codes(self) -> pd.Index:
        """Today's LAs."""
        return self.caseload[ALL].index

    @property
    def last_year(self) -> int:
        """The latest January in the history."""
        return int(self.caseload[ALL].columns.max())

    def upto(self, origin: int) -> History:
        """What was published for January `origin` and before, suppressed or missing years
        between two known ones bridged on a straight line in logs."""
        return History(
            {g: _bridged(t.loc[:, t.columns <= origin]) for g, t in self.caseload.items()},
            self.la_names,
        )


def _bridged(table: pd.DataFrame) -> pd.DataFrame:
    """Unknown years between two known ones filled on a straight line in log1p."""
    logs = np.log1p(table.clip(lower=0.0))
    return np.expm1(logs.interpolate(axis=1, limit_area="inside"))


def _last_known(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each LA's last known value and its year (NaN for an LA with none)."""
    known = table.notna()
    years = pd.Series(table.columns, index=table.columns)
    last_year = known.mul(years.to_numpy(), axis=1).where(known).max(axis=1)
    values = table.ffill(axis=1).iloc[:, -1] if table.shape[1] else pd.Series(np.nan, table.index)
    return values, last_year


def _growth_sum(
    rate: npt.NDArray[np.float64], steps: npt.NDArray[np.float64], damping: float
) -> npt.NDArray[np.float64]:
    """Growth over `steps` years at `rate` damped by `damping` a year: rate * sum damping^i."""
    if damping == 1.0:
        return rate * steps
    return rate * damping * (1 - damping**steps) / (1 - damping)


def _log_growth(table: pd.DataFrame, years: int) -> pd.Series:
    """Mean yearly log growth over the last `years` known changes of each LA."""
    logs = np.log1p(table.clip(lower=0.0))
    changes = logs.diff(axis=1)
    ranked = changes.notna().iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1]
    return changes.where(ranked <= years).mean(axis=1)


def _grow(
    table: pd.DataFrame, origin: int, horizons: Sequence[int], rate: pd.Series, damping: float
) -> pd.DataFrame:
    """Last known values grown at log `rate` to each January origin+horizon (LAs x horizons)."""
    value, year = _last_known(table)
    steps = origin + np.asarray(horizons, dtype=float)[None, :] - year.to_numpy()[:, None]
    logs = np.log1p(value.to_numpy())[:, None] + _growth_sum(
        rate.to_numpy(dtype=float)[:, None], steps, damping
    )
    return pd.DataFrame(np.expm1(logs), index=table.index, columns=list(horizons))


def pooled_growth(table: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """The model: growth = OWN_WEIGHT x the LA's own + the rest x the median LA's, damped."""
    own = _log_growth(table, GROWTH_YEARS)
    pooled = own.median()
    rate = (OWN_WEIGHT * own + (1 - OWN_WEIGHT) * pooled).fillna(pooled if pd.notna(pooled) else 0)
    return _grow(table, origin, horizons, rate, DAMPING)


def last_value(table: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """Naive: the caseload stays at its last known value."""
    return _grow(table, origin, horizons, pd.Series(0.0, index=table.index), 1.0)


def last_growth(table: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """Naive: the last year's growth factor repeats every year."""
    return _grow(table, origin, horizons, _log_growth(table, 1), 1.0)


def damped_trend(table: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """Naive: the last year's growth, shrinking by NAIVE_DAMPING each year ahead."""
    return _grow(table, origin, horizons, _log_growth(table, 1), NAIVE_DAMPING)


def linear_trend(table: pd.DataFrame, origin: int, horizons: Sequence[int]) -> pd.DataFrame:
    """Naive: the least-squares line through the last TREND_YEARS caseloads, at least 0."""
    window = table.iloc[:, -TREND_YEARS:]
    x = window.columns.to_numpy(dtype=float)
    known = window.notna()
    n = known.sum(axis=1)
    mean_x = known.mul(x, axis=1).sum(axis=1) / n
    mean_y = window.sum(axis=1) / n
    dx = known.mul(x, axis=1).sub(mean_x, axis=0).where(known)
    slope = ((dx * window.sub(mean_y, axis=0)).sum(axis=1) / (dx**2).sum(axis=1)).fillna(0.0)
    ahead = origin + np.asarray(horizons, dtype=float)[None, :] - mean_x.to_numpy()[:, None]
    line = mean_y.to_numpy()[:, None] + slope.to_numpy()[:, None] * ahead
    line = np.where((n > 0).to_numpy()[:, None], np.clip(line, 0.0, None), np.nan)
    return pd.DataFrame(line, index=table.index, columns=list(horizons))


Rule = Callable[[pd.DataFrame, int, Sequence[int]], pd.DataFrame]


@dataclass(frozen=True)
class Method:
    """A forecaster: `total` forecasts each LA's `all`, which is shared over the groups in
    proportion to their own forecasts by `groups` (so the groups add up to it)."""

    total: Rule
    groups: Rule


#: The shipped model: pooled growth of the total, shared by each group's last known size
#: (chosen at origins up to 2021: groups' own growth missed by 2-3 times as much).
MODEL = Method(pooled_growth, last_value)

#: The forecasters scored, by the `method` name of backtest_summary.csv: the model first; a
#: naive rule forecasts the total and the groups alike.
METHODS: Mapping[str, Method] = {
    "model": MODEL,
    **{
        rule.__name__: Method(rule, rule)
        for rule in (last_value, linear_trend, last_growth, damped_trend)
    },
}


def point_forecast(
    history: History, origin: int, horizons: Iterable[int], method: Method = MODEL
) -> pd.DataFrame:
    """Rows la_code, setting_group, horizon, demand from data up to `origin` (see `Method`)."""
    seen = history.upto(origin)
    horizons = list(horizons)
    total = method.total(seen.caseload[ALL], origin, horizons).clip(lower=0.0)
    own = {
        g: method.groups(seen.caseload[g], origin, horizons).clip(lower=0.0) for g in SETTING_GROUPS
    }
    own_total = sum(own.values())
    even = 1.0 / len(SETTING_GROUPS)
    parts = {
        g: total * (v / own_total).where(own_total > 0, even).fillna(even) for g, v in own.items()
    }
    parts[ALL] = total
    long = pd.concat(parts, names=["setting_group", "la_code"]).rename_axis(columns="horizon")
    return (
        long.stack()
        .rename("demand")
        .reset_index()[["la_code", "setting_group", "horizon", "demand"]]
    )


def past_errors(
    history: History, origins: Iterable[int], horizons: Sequence[int], method: Method
) -> pd.DataFrame:
    """log1p(actual) - log1p(forecast) of `method` at each origin and horizon whose outcome is
    in `history`: origin, horizon, la_code, setting_group, error."""
    parts = []
    for origin in origins:
        ahead = [h for h in horizons if origin + h <= history.last_year]
        if not ahead:
            continue
        forecast = point_forecast(history, origin, ahead, method)
        forecast["year"] = origin + forecast["horizon"]
        both = forecast.merge(outcomes(history), on=["la_code", "setting_group", "year"])
        both["error"] = np.log1p(both["actual"]) - np.log1p(both["demand"].clip(lower=0.0))
        parts.append(both.assign(origin=origin))
    columns = ["origin", "horizon", "la_code", "setting_group", "error"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns].dropna(subset=["error"])


def outcomes(history: History) -> pd.DataFrame:
    """Published January caseloads: la_code, setting_group, year, actual."""
    return pd.concat(
        [
            t.rename_axis(index="la_code", columns="year")
            .stack()
            .rename("actual")
            .reset_index()
            .assign(setting_group=g)
            for g, t in history.caseload.items()
        ],
        ignore_index=True,
    )


def error_bands(
    history: History, origin: int, horizons: Iterable[int], method: Method = MODEL
) -> pd.DataFrame:
    """80% bands of log errors by setting group and horizon: setting_group, horizon, low, high.

    The 10th and 90th percentiles of the method's one-year-ahead errors at the last
    BAND_ORIGINS origins before `origin`, pooled over LAs, times horizon^HORIZON_POWER; a
    group with fewer than MIN_ERRORS such errors gets NO_HISTORY_BAND instead.
    """
    first = int(history.caseload[ALL].columns.min()) + GROWTH_YEARS
    past = range(max(first, origin - BAND_ORIGINS), origin)
    errors = past_errors(history.upto(origin), past, [1], method)
    bands = []
    for group in HISTORY_GROUPS:
        values = errors.loc[errors["setting_group"] == group, "error"].to_numpy(dtype=float)
        if len(values) >= MIN_ERRORS:
            low, high = np.quantile(values, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
        else:
            low, high = -NO_HISTORY_BAND, NO_HISTORY_BAND
        for horizon in sorted(set(horizons)):
            scale = horizon**HORIZON_POWER
            bands.append(
                {
                    "setting_group": group,
                    "horizon": horizon,
                    "low": float(low) * scale,
                    "high": float(high) * scale,
                }
            )
    return pd.DataFrame(bands)


def forecast(history: History, origin: int, years: int, method: Method = MODEL) -> pd.DataFrame:
    """Every LA's forecast for Januaries origin+1..origin+years: la_code, la_name, year,
    setting_group, demand, demand_low, demand_high (80%), from data up to `origin` only."""
    horizons = range(1, years + 1)
    points = point_forecast(history, origin, horizons, method)
    seen = history.upto(origin)
    # years since the LA's last known January: the horizon its interval grows with
    last = _last_known(seen.caseload[ALL])[1].rename("last").reset_index()
    points = points.merge(last.rename(columns={"index": "la_code"}), on="la_code", how="left")
    points["steps"] = (origin + points["horizon"] - points["last"]).fillna(points["horizon"])
    points["steps"] = points["steps"].astype(int)
    bands = error_bands(history, origin, sorted(points["steps"].unique()), method)
    bands = bands.rename(columns={"horizon": "steps"})
    table = points.merge(bands, on=["setting_group", "steps"], how="left")
    known_years = pd.concat(
        {g: t.notna().sum(axis=1) for g, t in seen.caseload.items()}, names=["setting_group"]
    ).rename("known")
    table = table.merge(known_years.reset_index(), on=["setting_group", "la_code"], how="left")
    missing = table["demand"].isna()
    if missing.any():  # an LA or group first published after the origin: its first figure
        first = {g: t.bfill(axis=1).iloc[:, 0] for g, t in history.caseload.items()}
        table.loc[missing, "demand"] = [
            first[g].get(c, 0.0)
            for g, c in zip(
                table.loc[missing, "setting_group"], table.loc[missing, "la_code"], strict=True
            )
        ]
        table["demand"] = table["demand"].fillna(0.0)
    widen = np.where(table["known"] < SHORT_HISTORY, SHORT_WIDENING, 1.0)
    widen = np.where(missing, 2 * SHORT_WIDENING, widen)
    base = np.log1p(table["demand"].clip(lower=0.0))
    table["demand_low"] = np.expm1(base + table["low"] * widen).clip(lower=0.0)
    table["demand_high"] = np.expm1(base + table["high"] * widen)
    table["year"] = origin + table["horizon"]
    table["la_name"] = table["la_code"].map(history.la_names)
    columns = ["la_code", "la_name", "year", "setting_group", "demand", "demand_low", "demand_high"]
    return table[columns].sort_values(["la_code", "year", "setting_group"]).reset_index(drop=True)


def check_origin(history: History, origin: int, source: Path) -> None:
    """InputError unless some LA has a January caseload at or before `origin`."""
    first = int(history.caseload[ALL].columns.min())
    if origin < first + GROWTH_YEARS:
        raise InputError(
            [
                Problem(
                    str(source),
                    None,
                    "time_period",
                    f"origin {origin} is before the history ({first} onwards) has two years",
                )
            ]
        )


def round_within(values: pd.Series, keys: list[pd.Series]) -> pd.Series:
    """Whole numbers whose sum in each group of `keys` is the group's rounded sum: each value
    rounded down, then the groups' shortfall given to the largest remainders."""
    values = values.astype(float).fillna(0.0)
    if values.empty:
        return values.astype(int)
    floor = np.floor(values)
    target = values.groupby(keys).transform("sum").round()
    short = target - floor.groupby(keys).transform("sum")
    rank = (values - floor).groupby(keys).rank(method="first", ascending=False)
    return (floor + (rank <= short)).astype(int)


def whole_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Demand rounded to whole children so each LA-year's `all` is the sum of its rounded
    groups (`round_within`); interval ends rounded outwards."""
    out = table.copy()
    groups = out["setting_group"] != ALL
    rows = out[groups]
    out.loc[groups, "demand"] = round_within(rows["demand"], [rows["la_code"], rows["year"]])
    totals = out[groups].groupby(["la_code", "year"])["demand"].sum().rename("total")
    out = out.merge(totals, on=["la_code", "year"], how="left")
    out.loc[~groups.to_numpy(), "demand"] = out.loc[~groups.to_numpy(), "total"]
    out["demand_low"] = np.minimum(np.floor(out["demand_low"]), out["demand"])
    out["demand_high"] = np.maximum(np.ceil(out["demand_high"]), out["demand"])
    out = out.drop(columns="total")
    return out.astype({"demand": int, "demand_low": int, "demand_high": int})


def all_las_forecast(
    history: History, origin: int | None, years: int, source: Path
) -> pd.DataFrame:
    """la_forecast.csv's rows: every LA of the latest DfE year, `years` Januaries after
    `origin` (default: the latest January published), whole children; `source` (the DfE
    releases) is named in problems."""
    origin = history.last_year if origin is None else origin
    check_origin(history, origin, source)
    return whole_numbers(forecast(history, origin, years))
