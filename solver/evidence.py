"""The bid evidence pack: an HTML page (static SVG map and tables) and CSVs that may be shared
outside the LA, so every count below SUPPRESS_BELOW is suppressed."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

#: Counts of children below this are shown as "<10".
SUPPRESS_BELOW = 10
COUNT_COLUMNS = ("children_in_reach", "independent_placements_served")
SUPPRESSED = f"<{SUPPRESS_BELOW}"


def suppress(table: pd.DataFrame, columns: tuple[str, ...] = COUNT_COLUMNS) -> pd.DataFrame:
    """The table with every count below SUPPRESS_BELOW (but above 0) replaced by "<10"; a
    saving resting on fewer children than that is suppressed too, as it would reveal them."""
    shown = table.astype({c: object for c in columns if c in table.columns})
    for column in columns:
        if column in shown.columns:
            small = (table[column] > 0) & (table[column] < SUPPRESS_BELOW)
            shown.loc[small, column] = SUPPRESSED
    if "annual_saving" in shown.columns and "independent_placements_served" in table.columns:
        few = (table["independent_placements_served"] > 0) & (
            table["independent_placements_served"] < SUPPRESS_BELOW
        )
        shown = shown.astype({"annual_saving": object})
        shown.loc[few, "annual_saving"] = "suppressed"
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
    ranked: pd.DataFrame,
    candidates: pd.DataFrame,
    settings: pd.DataFrame,
    chosen: list[str],
    title: str,
    out: Path,
) -> list[Path]:
    """Write evidence.html and evidence_sites.csv (suppressed) into `out`; the paths."""
    out.mkdir(parents=True, exist_ok=True)
    shown = suppress(ranked)
    csv_path = out / "evidence_sites.csv"
    shown.to_csv(csv_path, index=False)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "</head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Counts below {SUPPRESS_BELOW} are shown as {html.escape(SUPPRESSED)}.</p>"
        f"<p>Chosen sites: {html.escape(', '.join(chosen))}</p>"
        f"{svg_map(candidates, settings, chosen)}"
        f"{shown.to_html(index=False, escape=True)}</body></html>"
    )
    html_path = out / "evidence.html"
    html_path.write_text(page, encoding="utf-8")
    return [html_path, csv_path]
