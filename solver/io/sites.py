"""The site evaluation's files: the internal tables (sites.csv, effect.csv,
effect_on_settings.csv and, with a forecast, forecast_reach.csv), the evidence pack's page and
tables, and the LA's name as the pack gives it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from solver.io.outputs import write_csv, write_text


def write_site_tables(
    ranked: pd.DataFrame,
    effect: pd.DataFrame,
    on_settings: pd.DataFrame,
    forecast_reach: pd.DataFrame | None,
    out: Path,
) -> list[Path]:
    """sites.csv, effect.csv, effect_on_settings.csv and forecast_reach.csv (when there is a
    forecast) in `out`; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {"sites.csv": ranked, "effect.csv": effect, "effect_on_settings.csv": on_settings}
    if forecast_reach is not None:
        tables["forecast_reach.csv"] = forecast_reach
    return [write_csv(out / name, table) for name, table in tables.items()]


def write_evidence(tables: Mapping[str, pd.DataFrame], page: str, out: Path) -> list[Path]:
    """The evidence pack in `out`: its tables, then evidence.html; the paths, the page first."""
    paths = [write_csv(out / name, table) for name, table in tables.items()]
    return [write_text(out / "evidence.html", page), *paths]


def la_words(la_code: str | None, outline: Path | None) -> str:
    """The LA as the pack names it: the outline's name and the LA code, as far as known."""
    name = ""
    if outline is not None:
        features = json.loads(outline.read_text(encoding="utf-8")).get("features", [])
        name = str(features[0].get("properties", {}).get("name", "")) if features else ""
    return " ".join(filter(None, [name, f"({la_code})" if la_code else ""])) or "the LA"
