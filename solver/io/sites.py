"""The site evaluation's files: the internal tables (sites.csv, effect.csv,
effect_on_settings.csv and, with a forecast, forecast_reach.csv), the evidence pack's page and
tables, and the LA's name as the pack gives it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from solver.io.outputs import csv_text, write_bytes, write_csv


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


def evidence_files(tables: Mapping[str, pd.DataFrame], page: str) -> dict[str, bytes]:
    """The evidence pack's files by name, in name order: evidence.html, then its CSVs."""
    files = {name: csv_text(table).encode("utf-8") for name, table in tables.items()}
    files["evidence.html"] = page.encode("utf-8")
    return dict(sorted(files.items()))


def write_evidence(files: Mapping[str, bytes], out: Path) -> list[Path]:
    """The evidence pack's files in `out`, the page last (its presence says the pack is whole);
    the paths, the page first."""
    paths = [write_bytes(out / name, data) for name, data in files.items() if name.endswith(".csv")]
    return [write_bytes(out / "evidence.html", files["evidence.html"]), *paths]


def la_words(la_code: str | None, outline: Path | None) -> str:
    """The LA as the pack names it: the outline's name and the LA code, as far as known."""
    name = ""
    if outline is not None:
        features = json.loads(outline.read_text(encoding="utf-8")).get("features", [])
        name = str(features[0].get("properties", {}).get("name", "")) if features else ""
    return " ".join(filter(None, [name, f"({la_code})" if la_code else ""])) or "the LA"
