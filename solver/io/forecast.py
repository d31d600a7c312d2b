"""The forecast's files: forecast.csv, scap_send.csv and effects.csv for a scenario, and
la_forecast.csv for every LA."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from solver.io.outputs import write_csv

#: Columns of forecast.csv, in order (a contract).
FORECAST_COLUMNS = (
    "year",
    "need",
    "phase",
    "setting_type",
    "demand",
    "demand_low",
    "demand_high",
    "places",
    "gap",
    "cost",
)
#: Columns of la_forecast.csv, in order (a contract).
LA_FORECAST_COLUMNS = (
    "la_code",
    "la_name",
    "year",
    "setting_group",
    "demand",
    "demand_low",
    "demand_high",
)


def write_forecast(
    table: pd.DataFrame, scap: pd.DataFrame, effects: pd.DataFrame, out: Path
) -> list[Path]:
    """Write forecast.csv (FORECAST_COLUMNS of `table`), scap_send.csv and effects.csv into
    `out`, each atomically; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "forecast.csv": table[list(FORECAST_COLUMNS)],
        "scap_send.csv": scap,
        "effects.csv": effects,
    }
    return [write_csv(out / name, t, float_format="%.3f") for name, t in files.items()]


def write_la_forecast(table: pd.DataFrame, out: Path) -> Path:
    """Write `out`/la_forecast.csv: LA_FORECAST_COLUMNS of `table`."""
    return write_csv(out / "la_forecast.csv", table[list(LA_FORECAST_COLUMNS)], index=False)
