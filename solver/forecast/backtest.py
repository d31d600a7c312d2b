"""Rolling-origin back-test of the shipped demand model (`solver.forecast.model`) and naive rules.

At each origin every method forecasts every LA and setting group from the data published for
January of that year and before, through `forecast.model.forecast` (the function `rightplace
forecast --all-las` and the app use), and is scored on the Januaries published since.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from solver.domain.groups import SETTING_GROUPS
from solver.forecast.model import METHODS, History, forecast, outcomes
from solver.io.ehcp import ALL

#: Model settings were chosen on origins up to 2021; later origins are out of sample.
OUT_OF_SAMPLE_FROM = 2022

SUMMARY_COLUMNS = (
    "sample",
    "setting_group",
    "horizon",
    "method",
    "n",
    "mape",
    "median_ape",
    "p90_ape",
    "mase",
    "coverage80",
)


def _mase_scale(history: History, origin: int) -> pd.DataFrame:
    """Mean absolute one-year change up to `origin` (the MASE denominator): la_code,
    setting_group, mase_scale."""
    seen = history.upto(origin)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "la_code": t.index,
                    "setting_group": g,
                    "mase_scale": t.diff(axis=1).abs().mean(axis=1).to_numpy(),
                }
            )
            for g, t in seen.caseload.items()
        ],
        ignore_index=True,
    )


def run_backtest(
    history: History, origins: Iterable[int], horizons: Iterable[int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-LA errors and their summary (SUMMARY_COLUMNS) for every method, origin and horizon
    whose outcome is published; every LA with an outcome is scored, none is left out."""
    horizons = list(horizons)
    actuals = outcomes(history)
    rows = []
    for origin in origins:
        scale = _mase_scale(history, origin)
        last = min(max(horizons), history.last_year - origin)
        if last < 1:
            continue
        for name, method in METHODS.items():
            table = forecast(history, origin, last, method)
            table = table.assign(origin=origin, method=name, horizon=table["year"] - origin)
            table = table.merge(actuals, on=["la_code", "setting_group", "year"])
            rows.append(table.merge(scale, on=["la_code", "setting_group"], how="left"))
    if not rows:
        raise ValueError("no origin has a published outcome")
    errors = _score(pd.concat(rows, ignore_index=True))
    errors = errors[errors["horizon"].isin(horizons)]
    return errors.reset_index(drop=True), summarise(errors)


def _score(errors: pd.DataFrame) -> pd.DataFrame:
    out = errors.dropna(subset=["actual"]).copy()
    miss = out["demand"] - out["actual"]
    out["ape"] = (miss.abs() / out["actual"]).where(out["actual"] > 0) * 100
    out["scaled_error"] = (miss.abs() / out["mase_scale"]).where(out["mase_scale"] > 0)
    slack = 1e-9 * out["actual"].abs()  # rounding must not uncover an exact forecast
    out["covered"] = (out["actual"] >= out["demand_low"] - slack) & (
        out["actual"] <= out["demand_high"] + slack
    )
    return out


def summarise(errors: pd.DataFrame) -> pd.DataFrame:
    """By sample (`pooled`: every origin; `out_of_sample`: origins from OUT_OF_SAMPLE_FROM),
    group, horizon and method: LAs scored, MAPE, median and 90th-percentile APE (%), MASE and
    80% interval coverage."""
    samples = {
        "pooled": errors,
        "out_of_sample": errors[errors["origin"] >= OUT_OF_SAMPLE_FROM],
    }
    parts = []
    for sample, rows in samples.items():
        if rows.empty:
            continue
        grouped = rows.groupby(["setting_group", "horizon", "method"], sort=False)
        table = grouped.agg(
            n=("actual", "size"),
            mape=("ape", "mean"),
            median_ape=("ape", "median"),
            p90_ape=("ape", lambda s: np.nanquantile(s, 0.9) if s.notna().any() else np.nan),
            mase=("scaled_error", "mean"),
            coverage80=("covered", "mean"),
        ).reset_index()
        parts.append(table.assign(sample=sample))
    summary = pd.concat(parts, ignore_index=True)
    order = {
        "setting_group": {g: i for i, g in enumerate((ALL, *SETTING_GROUPS))},
        "method": {m: i for i, m in enumerate(METHODS)},
        "sample": {"pooled": 0, "out_of_sample": 1},
    }
    keys = summary[list(order)].apply(lambda c: c.map(order[c.name]))
    summary = summary.assign(**{f"_{k}": keys[k] for k in order})
    summary = summary.sort_values(["_sample", "_setting_group", "horizon", "_method"])
    return summary[list(SUMMARY_COLUMNS)].reset_index(drop=True)
