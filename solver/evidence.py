"""The bid evidence pack: one printable page (headline figures, demand now and forecast, the
sites compared, the effect on placements, a map) and CSVs, shaped to the evidence-of-need part
of DfE's special free school application. It may be shared outside the LA, so every figure in it
passes disclosure control (solver/disclosure.py)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from solver.disclosure import (
    SUPPRESS_BELOW,
    SUPPRESSED,
    WITHHELD,
    Identities,
    PairedTable,
    derived_change,
    published_count,
    published_money,
    published_pairs,
    safe_level,
)
from solver.evidence_map import svg_map
from solver.needs import GIAS_SPELLING, Need
from solver.outputs import write_csv, write_text
from solver.proposal import EFFECT_COUNTS, INDEPENDENT_TYPES, Proposal

if TYPE_CHECKING:
    from solver.sites import SiteEvaluation

__all__ = ["SUPPRESSED", "SUPPRESS_BELOW", "PackContext", "suppress", "write_evidence"]

COUNT_COLUMNS = ("children_in_reach", "independent_placements_served")
MONEY_METRICS = ("education_cost", "transport_cost", "total_cost")
METRIC_WORDS = {
    "placed": "Children placed",
    "unplaced": "Children without a suitable place",
    "placed_in_new_settings": "Children placed at the new school",
    "independent_placements": "Placements in independent and non-maintained special schools",
    "out_of_area": "Placements outside the LA",
    "mean_journey_minutes": "Average journey (minutes)",
    "education_cost": "Education cost a year",
    "transport_cost": "Transport cost a year",
    "total_cost": "Total cost a year",
}


@dataclass(frozen=True)
class PackContext:
    """What the page says about itself and draws under the map: the proposal, the LA, the day,
    and the roads and LA outline (`path` of [lon, lat] vertices; None if not at hand)."""

    proposal: Proposal
    la: str
    day: date
    roads: pd.DataFrame | None = None
    outline: pd.DataFrame | None = None


def suppress(table: pd.DataFrame, columns: tuple[str, ...] = COUNT_COLUMNS) -> pd.DataFrame:
    """The sites (or forecast) table as shared: counts published (1-9 as "<10", others to the
    nearest 5) and savings to the nearest £1,000, withheld when they rest on fewer than 10
    children now in independent settings."""
    shown = table.astype({c: object for c in columns if c in table.columns})
    for column in columns:
        if column in shown.columns:
            shown[column] = table[column].map(published_count).astype(object)
    if "annual_saving" in shown.columns:
        saving = table["annual_saving"].map(published_money).astype(object)
        if "independent_placements_served" in table.columns:
            few = table["independent_placements_served"].between(1, SUPPRESS_BELOW - 1)
            saving[few] = WITHHELD
        shown["annual_saving"] = saving
    return shown


def _identities(evaluation: SiteEvaluation, settings: pd.DataFrame) -> Identities:
    """What a reader can know besides the pack: children with a plan, and which of the listed
    settings are independent or out of the LA (from GIAS)."""
    system = evaluation.effect.system.set_index("metric")
    by_urn = settings.set_index(settings["urn"].astype(str))
    home = settings["la_code"].astype(str).mode().iloc[0]
    independent = {t.value for t in INDEPENDENT_TYPES}
    return Identities(
        total_children=int(system.loc["placed", "without"] + system.loc["unplaced", "without"]),
        independent=frozenset(by_urn.index[by_urn["setting_type"].astype(str).isin(independent)]),
        out_of_area=frozenset(by_urn.index[by_urn["la_code"].astype(str) != home]),
    )


def publish_effect(
    evaluation: SiteEvaluation, settings: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The with/without tables as shared: counts published at the least suppression level
    that leaves no small count recoverable, money to £1,000, minutes whole; every change
    worked out from the published figures."""
    system = evaluation.effect.system.set_index("metric")
    moved = evaluation.effect.settings.set_index(evaluation.effect.settings["urn"].astype(str))
    counts = system.loc[list(EFFECT_COUNTS)]
    level = safe_level(
        PairedTable(counts["without"], counts["with"]),
        PairedTable(moved["placements_without"], moved["placements_with"]),
        _identities(evaluation, settings),
    )
    shown = system.astype(object)
    for column, values in published_pairs(counts, ("without", "with", "change"), level).items():
        shown.loc[counts.index, column] = values
    for metric in system.index.difference(counts.index):
        rounding = published_money if metric in MONEY_METRICS else (lambda v: int(round(v)))
        before, after = (
            rounding(system.loc[metric, "without"]),
            rounding(system.loc[metric, "with"]),
        )
        shown.loc[metric] = [before, after, derived_change(before, after)]
    on_settings = moved.astype(object)
    pairs = published_pairs(moved, ("placements_without", "placements_with", "change"), level)
    for column, values in pairs.items():
        on_settings[column] = values
    return shown.reset_index(), on_settings.reset_index(drop=True)


def headline(evaluation: SiteEvaluation, places: int) -> pd.DataFrame:
    """For each chosen site, as shared: children in reach now and in the last forecast year,
    the independent and out-of-area placements among the children it could serve, their annual
    cost now, and the annual saving."""
    ranked = evaluation.ranked.set_index("site_id")
    rows = []
    for site in evaluation.chosen:
        reach = evaluation.reach
        if reach is None:
            reach = pd.DataFrame(columns=["site_id", "saving", "out_of_area", "current_cost"])
        here = reach[reach["site_id"] == site]
        served = here.sort_values("saving", ascending=False, kind="stable").head(places)
        movable = served[served["saving"] > 0]
        forecast = None
        if evaluation.forecast is not None:
            future = evaluation.forecast[evaluation.forecast["site_id"] == site]
            forecast = future.sort_values("year").iloc[-1] if len(future) else None
        few = len(movable) < SUPPRESS_BELOW
        rows.append(
            {
                "site_id": site,
                "children_in_reach": published_count(ranked.loc[site, "children_in_reach"]),
                "forecast_year": "" if forecast is None else int(forecast["year"]),
                "forecast_children_in_reach": ""
                if forecast is None
                else published_count(forecast["children_in_reach"]),
                "independent_placements_served": published_count(
                    ranked.loc[site, "independent_placements_served"]
                ),
                "out_of_area_placements_served": published_count(
                    served.get("out_of_area", pd.Series(dtype=bool)).sum()
                ),
                "their_annual_cost": WITHHELD
                if few
                else published_money(movable["current_cost"].sum()),
                "annual_saving": WITHHELD
                if few
                else published_money(ranked.loc[site, "annual_saving"]),
            }
        )
    return pd.DataFrame(rows)


def _whole(value: object) -> bool:
    return isinstance(value, int | np.integer)


def _pounds(value: object) -> str:
    """Pounds with separators (−£6,000); words as they are."""
    if not _whole(value):
        return str(value)
    return f"{'−' if value < 0 else ''}£{abs(int(value)):,}"  # type: ignore[operator]


def _number(value: object) -> str:
    """A whole number with separators (−5); words as they are."""
    if not _whole(value):
        return str(value)
    return f"{'−' if value < 0 else ''}{abs(int(value)):,}"  # type: ignore[operator]


def _need_words(needs: tuple[str, ...]) -> str:
    """Needs as words with their codes, e.g. "Autistic Spectrum Disorder (ASD)"."""
    words = []
    for code in needs:
        spelling = GIAS_SPELLING.get(Need(code), code)
        words.append(f"{spelling.partition(' - ')[2] or code} ({code})")
    return " and ".join(words)


_FIGURE = re.compile(r"^(−?£?[\d,]+|<\d+)$")


def _table(frame: pd.DataFrame, formats: dict[str, object]) -> str:
    """An HTML table with every cell formatted (numbers right-aligned) and escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in formats)

    def cell(text: str) -> str:
        figure = _FIGURE.match(text) is not None or text == WITHHELD
        return f'<td class="{"n" if figure else ""}">{html.escape(text)}</td>'

    body = "".join(
        "<tr>" + "".join(cell(fmt(row[c])) for c, fmt in formats.items()) + "</tr>"  # type: ignore[operator]
        for _, row in frame.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(
    evaluation: SiteEvaluation,
    tables: dict[str, pd.DataFrame],
    context: PackContext,
    map_svg: str,
) -> str:
    """The one-page evidence of need, headline figures first."""
    proposal = context.proposal
    need = _need_words(proposal.needs)
    top = tables["evidence_headline.csv"].iloc[0]
    title = (
        f"Evidence of need: a special free school for {need}, ages {proposal.low_age} to "
        f"{proposal.high_age}, {proposal.places} places"
    )
    within = proposal.within_minutes
    forecast = ""
    if top["forecast_year"] != "":
        forecast = (
            f"; <b>{_number(top['forecast_children_in_reach'])}</b> forecast in "
            f"{top['forecast_year']}"
        )
    headline_html = (
        f"<p class='lead'>Best site: <b>{html.escape(str(top['site_id']))}</b>. Children with "
        f"{html.escape(need)} aged {proposal.low_age} to {proposal.high_age} living within "
        f"{within} minutes' drive of it by road: <b>{_number(top['children_in_reach'])}</b> now"
        f"{forecast}.</p><p class='lead'>Among the {proposal.places} children it could serve: "
        f"<b>{_number(top['independent_placements_served'])}</b> now in independent or "
        f"non-maintained special schools and <b>{_number(top['out_of_area_placements_served'])}"
        f"</b> placed outside the LA. Their placements cost <b>"
        f"{_pounds(top['their_annual_cost'])}</b> a year (place and transport); placing them here "
        f"would save about <b>{_pounds(top['annual_saving'])}</b> a year.</p>"
    )
    sites = tables["evidence_sites.csv"]
    sites_html = (
        _table(
            sites,
            {
                "rank": _number,
                "site_id": str,
                "children_in_reach": _number,
                "independent_placements_served": _number,
                "annual_saving": _pounds,
            },
        )
        .replace("<th>children_in_reach</th>", f"<th>Children within {within} min</th>")
        .replace(
            "<th>independent_placements_served</th>",
            "<th>Independent placements it could serve</th>",
        )
        .replace("<th>annual_saving</th>", "<th>Annual saving</th>")
        .replace("<th>site_id</th>", "<th>Site</th>")
        .replace("<th>rank</th>", "<th>Rank</th>")
    )
    forecast_html = ""
    if "evidence_forecast.csv" in tables:
        wide = tables["evidence_forecast.csv"].pivot(
            index="site_id", columns="year", values="children_in_reach"
        )
        wide = wide.reindex(sites["site_id"]).reset_index()
        formats: dict[str, object] = {"site_id": str} | {y: _number for y in wide.columns[1:]}
        forecast_html = (
            f"<h2>3. Demand forecast: children within {within} minutes of each site</h2>"
            + _table(wide, formats).replace("<th>site_id</th>", "<th>Site</th>")
        )
    effect = tables["evidence_effect.csv"].copy()
    money = effect["metric"].isin(MONEY_METRICS)
    effect["metric"] = effect["metric"].map(METRIC_WORDS).fillna(effect["metric"])
    shown = effect.astype(object)
    for column in ("without", "with", "change"):
        shown[column] = [
            _pounds(v) if m else _number(v) for v, m in zip(effect[column], money, strict=True)
        ]
    effect_html = (
        _table(shown, {"metric": str, "without": str, "with": str, "change": str})
        .replace("<th>metric</th>", "<th></th>")
        .replace("<th>without</th>", "<th>Without the school</th>")
        .replace("<th>with</th>", "<th>With it</th>")
        .replace("<th>change</th>", "<th>Change</th>")
    )
    moved = tables["evidence_settings.csv"]
    moved_html = ""
    if len(moved):
        moved_html = "<h3>Existing settings whose placements change</h3>" + _table(
            moved,
            {
                "name": str,
                "placements_without": _number,
                "placements_with": _number,
                "change": _number,
            },
        ).replace("<th>name</th>", "<th>Setting</th>").replace(
            "<th>placements_without</th>", "<th>Without</th>"
        ).replace("<th>placements_with</th>", "<th>With</th>").replace(
            "<th>change</th>", "<th>Change</th>"
        )
    chosen = ", ".join(evaluation.chosen)
    method = (
        f"<p class='small'><b>Method.</b> Children are the LA's children with an EHC plan whose "
        f"primary need is {html.escape(need)} and whose year group the school would teach; a "
        f"child is within reach of a site when the drive from home over the road network takes "
        f"at most {within} minutes (and no more than the LA's journey limit for their phase). "
        "Sites are ranked by the children they could serve (up to the places), then children "
        "within reach, then the saving. The forecast grows today's children in reach with the "
        "LA's forecast of each need and phase. Placements without and with the school are "
        f"solved for every child as the LA places them (the school at {html.escape(chosen)}). "
        "<b>Disclosure control.</b> Counts of 1 to 9 children are shown as &lt;10, other "
        "counts are rounded to the nearest 5 and money to the nearest £1,000; every change is "
        "the difference of the rounded figures, and a figure that would rest on a hidden count "
        f"is {WITHHELD}. Rounded figures may not add up exactly.</p>"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "@page{size:A4;margin:12mm}body{font-family:Arial,sans-serif;font-size:9.5pt;"
        "color:#111;max-width:186mm;margin:auto}h1{font-size:14pt;margin:0 0 2pt}"
        "h2{font-size:11pt;margin:8pt 0 3pt}h3{font-size:10pt;margin:6pt 0 2pt}"
        ".meta{color:#444;margin:0 0 6pt}.lead{font-size:10.5pt;margin:3pt 0}"
        ".cols{display:flex;gap:10pt;align-items:flex-start}.cols>div{flex:1}"
        "table{border-collapse:collapse;margin:2pt 0}td,th{border:1px solid #999;"
        "padding:1pt 4pt;text-align:left}td.n{text-align:right}.small{font-size:8pt;color:#333}"
        "svg{max-width:100%;height:auto}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(context.la)} · prepared "
        f"{context.day:%-d %B %Y} with RightPlace · evidence of need for the application</p>"
        f"<h2>1. Headline</h2>{headline_html}"
        f"<div class='cols'><div><h2>2. Candidate sites compared</h2>{sites_html}"
        f"{forecast_html}</div><div>{map_svg}</div></div>"
        f"<h2>4. Effect on placements in the LA</h2>{effect_html}{moved_html}{method}"
        "</body></html>"
    )


def write_evidence(
    evaluation: SiteEvaluation,
    candidates: pd.DataFrame,
    settings: pd.DataFrame,
    context: PackContext,
    out: Path,
) -> list[Path]:
    """Write evidence.html and its CSVs (evidence_headline, evidence_sites, evidence_effect,
    evidence_settings and, with a forecast, evidence_forecast) into `out`; the paths."""
    from geo.basemap import to_lonlat

    effect, on_settings = publish_effect(evaluation, settings)
    tables = {
        "evidence_headline.csv": headline(evaluation, context.proposal.places),
        "evidence_sites.csv": suppress(evaluation.ranked),
        "evidence_effect.csv": effect,
        "evidence_settings.csv": on_settings,
    }
    if evaluation.forecast is not None:
        tables["evidence_forecast.csv"] = suppress(evaluation.forecast, ("children_in_reach",))
    paths = [write_csv(out / name, table) for name, table in tables.items()]
    lon, lat = to_lonlat(candidates["easting"], candidates["northing"])
    sites = candidates.assign(lon=lon, lat=lat).merge(evaluation.ranked[["site_id", "rank"]])
    slon, slat = to_lonlat(settings["easting"], settings["northing"])
    map_svg = svg_map(
        sites,
        pd.DataFrame({"lon": slon, "lat": slat}),
        evaluation.chosen,
        context.roads,
        context.outline,
    )
    page = _page(evaluation, tables, context, map_svg)
    return [write_text(out / "evidence.html", page), *paths]
