"""The bid evidence pack: an HTML page (static SVG map and tables) and CSVs that may be shared
outside the LA, so every count below SUPPRESS_BELOW is suppressed."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from solver.proposal import EFFECT_COUNTS

if TYPE_CHECKING:
    from solver.sites import SiteEvaluation

#: Counts of children below this are shown as "<10".
SUPPRESS_BELOW = 10
COUNT_COLUMNS = ("children_in_reach", "independent_placements_served")
SUPPRESSED = f"<{SUPPRESS_BELOW}"


def _small(values: pd.Series) -> pd.Series:
    """Counts that could single out children: non-zero and below SUPPRESS_BELOW either way."""
    size = pd.to_numeric(values, errors="coerce").abs()
    return (size > 0) & (size < SUPPRESS_BELOW)


def suppress(table: pd.DataFrame, columns: tuple[str, ...] = COUNT_COLUMNS) -> pd.DataFrame:
    """The table with every count below SUPPRESS_BELOW (but not 0) replaced by "<10"; a
    saving resting on fewer children than that is suppressed too, as it would reveal them."""
    shown = table.astype({c: object for c in columns if c in table.columns})
    for column in columns:
        if column in shown.columns:
            shown.loc[_small(table[column]), column] = SUPPRESSED
    if "annual_saving" in shown.columns and "independent_placements_served" in table.columns:
        shown = shown.astype({"annual_saving": object})
        shown.loc[_small(table["independent_placements_served"]), "annual_saving"] = "suppressed"
    return shown


def suppress_effect(system: pd.DataFrame) -> pd.DataFrame:
    """The with/without figures with the child counts among them (placed, unplaced,
    independent placements, out of area) and their changes suppressed when small."""
    shown = system.astype({c: object for c in ("without", "with", "change")})
    counts = system["metric"].isin(EFFECT_COUNTS)
    for column in ("without", "with", "change"):
        shown.loc[counts & _small(system[column]), column] = SUPPRESSED
    return shown


def svg_map(sites: pd.DataFrame, settings: pd.DataFrame, chosen: list[str], size: int = 480) -> str:
    """A static SVG map (EPSG:27700): settings as grey dots, candidate sites as squares, the
    chosen ones filled; no tiles, no script, no children's homes."""
    points = pd.concat([sites[["easting", "northing"]], settings[["easting", "northing"]]])
    x0, x1 = points["easting"].min() - 1000, points["easting"].max() + 1000
    y0, y1 = points["northing"].min() - 1000, points["northing"].max() + 1000
    scale = size / max(x1 - x0, y1 - y0)

    def xy(e: float, n: float) -> tuple[float, float]:
        return (e - x0) * scale, (y1 - n) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">',
        f'<rect width="{size}" height="{size}" fill="#f7f7f2" stroke="#999"/>',
    ]
    for e, n in settings[["easting", "northing"]].itertuples(index=False):
        x, y = xy(e, n)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#999"/>')
    for site, e, n in sites[["site_id", "easting", "northing"]].itertuples(index=False):
        x, y = xy(e, n)
        fill = "#c0392b" if site in chosen else "white"
        parts.append(
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{fill}" '
            f'stroke="#c0392b"/><text x="{x + 7:.1f}" y="{y + 4:.1f}" font-size="11">'
            f"{html.escape(str(site))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def write_evidence(
    evaluation: SiteEvaluation,
    candidates: pd.DataFrame,
    settings: pd.DataFrame,
    title: str,
    out: Path,
) -> list[Path]:
    """Write evidence.html and its suppressed CSVs (evidence_sites, evidence_effect,
    evidence_settings and, with a forecast, evidence_forecast) into `out`; the paths."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "evidence_sites.csv": suppress(evaluation.ranked),
        "evidence_effect.csv": suppress_effect(evaluation.effect.system),
        "evidence_settings.csv": suppress(
            evaluation.effect.settings, ("placements_without", "placements_with", "change")
        ),
    }
    if evaluation.forecast is not None:
        tables["evidence_forecast.csv"] = suppress(evaluation.forecast, ("children_in_reach",))
    for name, table in tables.items():
        table.to_csv(out / name, index=False)
    chosen = evaluation.chosen
    sections = {
        "evidence_sites.csv": "Candidate sites, ranked by children served within the journey "
        "limit, then annual saving",
        "evidence_forecast.csv": "Children in reach of each site in the forecast years (today's "
        "children in reach, grown with their need and phase)",
        "evidence_effect.csv": f"All placements without and with the setting at "
        f"{', '.join(chosen)}, solved as rightplace solve does",
        "evidence_settings.csv": "Existing settings whose placements change",
    }
    policy_note = (
        "<p>Placements are solved under the scenario's policy: unless it moves current "
        "placements (policy.move_current), only children who need a new place (new plans and "
        "phase transfers) can take up the new setting's places.</p>"
    )
    body = "".join(
        f"<h2>{html.escape(heading)}</h2>{tables[name].to_html(index=False, escape=True)}"
        for name, heading in sections.items()
        if name in tables
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Counts below {SUPPRESS_BELOW} are shown as {html.escape(SUPPRESSED)}.</p>"
        f"<p>Chosen sites: {html.escape(', '.join(chosen))}</p>"
        f"{svg_map(candidates, settings, chosen)}{policy_note}{body}</body></html>"
    )
    html_path = out / "evidence.html"
    html_path.write_text(page, encoding="utf-8")
    return [html_path, *(out / name for name in tables)]
