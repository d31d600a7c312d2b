"""The bid evidence pack: one printable page (headline figures, demand now and forecast, the
sites compared, the effect on placements, a map) and CSVs, shaped to the evidence-of-need part
of DfE's special free school application. It may be shared outside the LA, so every figure in it
passes disclosure control (solver/sites/disclosure.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.basemap import to_lonlat
from solver.domain.groups import INDEPENDENT_TYPES
from solver.domain.model import home_la
from solver.io.evidence_map import svg_map
from solver.io.words import EFFECT_WORDS, need_words
from solver.sites.disclosure import (
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
from solver.sites.proposal import EFFECT_COUNTS, Proposal
from solver.sites.reach import SiteEvaluation, served_pairs

__all__ = [
    "SUPPRESSED",
    "SUPPRESS_BELOW",
    "EvidencePack",
    "PackContext",
    "evidence_pack",
    "sites_as_shared",
]

COUNT_COLUMNS = ("children_in_reach", "independent_placements_served")
MONEY_METRICS = ("education_cost", "transport_cost", "total_cost")


@dataclass(frozen=True)
class PackContext:
    """What the page says about itself and draws under the map: the proposal, the LA, the day,
    and the roads and LA outline (`path` of [lon, lat] vertices; None if not at hand)."""

    proposal: Proposal
    la: str
    day: date
    roads: pd.DataFrame | None = None
    outline: pd.DataFrame | None = None


def suppress(
    table: pd.DataFrame,
    columns: tuple[str, ...] = COUNT_COLUMNS,
    resting_on: pd.Series | None = None,
) -> pd.DataFrame:
    """The sites (or forecast) table as shared: counts published (1-9 as "<10", others to the
    nearest 5), savings to the nearest £1,000 and withheld when they rest on 1-9 children
    (`resting_on`, by row; without it every saving is withheld)."""
    shown = table.astype({c: object for c in columns if c in table.columns})
    for column in columns:
        if column in shown.columns:
            shown[column] = table[column].map(published_count).astype(object)
    if "annual_saving" in shown.columns:
        saving = table["annual_saving"].map(published_money).astype(object)
        few = (
            pd.Series(True, index=table.index)
            if resting_on is None
            else resting_on.between(1, SUPPRESS_BELOW - 1)
        )
        saving[few] = WITHHELD
        shown["annual_saving"] = saving
    return shown


def sites_as_shared(evaluation: SiteEvaluation, places: int) -> pd.DataFrame:
    """The ranked sites as shared, each saving withheld when it rests on 1-9 children (those
    with a saving among the ones the site would serve)."""
    ranked = evaluation.ranked
    if evaluation.reach is None:
        return suppress(ranked)
    served = served_pairs(evaluation.reach, places)
    saving = served[served["saving"] > 0].groupby("site_id").size()
    return suppress(
        ranked, resting_on=saving.reindex(ranked["site_id"], fill_value=0).set_axis(ranked.index)
    )


def _identities(evaluation: SiteEvaluation, settings: pd.DataFrame) -> Identities:
    """What a reader can know besides the pack: children with a plan, and which of the listed
    settings are independent or out of the LA (from GIAS)."""
    system = evaluation.effect.system.set_index("metric")
    by_urn = settings.set_index(settings["urn"].astype(str))
    home = home_la(settings)
    independent = {t.value for t in INDEPENDENT_TYPES}
    return Identities(
        total_children=int(system.loc["placed", "without"] + system.loc["unplaced", "without"]),
        independent=frozenset(by_urn.index[by_urn["setting_type"].astype(str).isin(independent)]),
        out_of_area=frozenset(by_urn.index[by_urn["la_code"].astype(str) != home]),
    )


def _whole_minutes(value: float) -> int | str:
    """Minutes to the whole minute; none (no child placed) as "n/a"."""
    return "n/a" if np.isnan(value) else int(round(value))


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
        rounding = published_money if metric in MONEY_METRICS else _whole_minutes
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


_REACH_COLUMNS = {
    "site_id": object,
    "saving": float,
    "independent": bool,
    "out_of_area": bool,
    "current_cost": float,
}


def headline(evaluation: SiteEvaluation, places: int) -> pd.DataFrame:
    """For each chosen site, as shared: children in reach now and in the last forecast year,
    the independent and out-of-area placements among the children it could serve, their annual
    cost now, and the annual saving."""
    ranked = evaluation.ranked.set_index("site_id")
    reach = evaluation.reach
    if reach is None:
        reach = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _REACH_COLUMNS.items()})
    rows = []
    for site in evaluation.chosen:
        here = reach[reach["site_id"] == site]
        served = served_pairs(here, places)
        movable = served[served["independent"] | served["out_of_area"]]
        forecast = None
        if evaluation.forecast is not None:
            future = evaluation.forecast[evaluation.forecast["site_id"] == site]
            forecast = future.sort_values("year").iloc[-1] if len(future) else None
        few_movable = 0 < len(movable) < SUPPRESS_BELOW
        few_saving = 0 < (served["saving"] > 0).sum() < SUPPRESS_BELOW
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
                "out_of_area_placements_served": published_count(served["out_of_area"].sum()),
                "their_annual_cost": WITHHELD
                if few_movable
                else published_money(movable["current_cost"].sum()),
                "annual_saving": WITHHELD
                if few_saving
                else published_money(ranked.loc[site, "annual_saving"]),
            }
        )
    return pd.DataFrame(rows)


def _signed(value: object, unit: str = "") -> str:
    """A whole number with separators and a true minus sign (−£6,000); words as they are."""
    if not isinstance(value, int | np.integer):
        return str(value)
    number = int(value)
    return f"{'−' if number < 0 else ''}{unit}{abs(number):,}"


def _pounds(value: object) -> str:
    """Pounds with separators (−£6,000); words as they are."""
    return _signed(value, "£")


def _number(value: object) -> str:
    """A whole number with separators (−5); words as they are."""
    return _signed(value)


def _need_words(needs: tuple[str, ...]) -> str:
    """Needs in the words the app and the family's page use, with their codes, e.g. "Autism
    (ASD)"."""
    return " and ".join(f"{need_words(code)} ({code})" for code in needs)


_FIGURE = re.compile(r"^(−?£?[\d,]+|<\d+)$")
Format = Callable[[object], str]


def _table(frame: pd.DataFrame, columns: dict[str, tuple[str, Format]]) -> str:
    """An HTML table of `columns` (column -> heading, format), every cell formatted and
    escaped, figures right-aligned."""
    head = "".join(f"<th>{html.escape(heading)}</th>" for heading, _ in columns.values())

    def cell(text: str) -> str:
        figure = _FIGURE.match(text) is not None or text == WITHHELD
        return f'<td class="{"n" if figure else ""}">{html.escape(text)}</td>'

    body = "".join(
        "<tr>" + "".join(cell(fmt(row[c])) for c, (_, fmt) in columns.items()) + "</tr>"
        for _, row in frame.iterrows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headline(top: pd.Series, proposal: Proposal, need: str, label: str) -> str:
    """The headline figures for one chosen site, in sentences."""
    forecast = ""
    if top["forecast_year"] != "":
        forecast = (
            f"; <b>{_number(top['forecast_children_in_reach'])}</b> forecast in "
            f"{top['forecast_year']}"
        )
    return (
        f"<p class='lead'>{label}: <b>{html.escape(str(top['site_id']))}</b>. Children with "
        f"{html.escape(need)} aged {proposal.low_age} to {proposal.high_age} living within "
        f"{proposal.within_minutes} minutes' drive of it by road: "
        f"<b>{_number(top['children_in_reach'])}</b> now{forecast}.</p>"
        f"<p class='lead'>Among the {proposal.places} children it could serve: "
        f"<b>{_number(top['independent_placements_served'])}</b> now in independent "
        f"schools and <b>{_number(top['out_of_area_placements_served'])}"
        f"</b> placed outside the LA. Their placements cost <b>"
        f"{_pounds(top['their_annual_cost'])}</b> a year (place and transport); placing them here "
        f"would save about <b>{_pounds(top['annual_saving'])}</b> a year.</p>"
    )


def _effect_table(effect: pd.DataFrame) -> str:
    """The with/without comparison in words, money in pounds."""
    money = effect["metric"].isin(MONEY_METRICS).to_numpy()
    shown = pd.DataFrame({"metric": effect["metric"].map(EFFECT_WORDS).fillna(effect["metric"])})
    for column in ("without", "with", "change"):
        shown[column] = [
            _pounds(v) if m else _number(v) for v, m in zip(effect[column], money, strict=True)
        ]
    return _table(
        shown,
        {
            "metric": ("", str),
            "without": ("Without the school", str),
            "with": ("With it", str),
            "change": ("Change", str),
        },
    )


def _method(need: str, within: int, chosen: str) -> str:
    """How the figures were made, and how they are protected."""
    return (
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


_STYLE = (
    "@page{size:A4;margin:12mm}body{font-family:Arial,sans-serif;font-size:9.5pt;"
    "color:#111;max-width:186mm;margin:auto}h1{font-size:14pt;margin:0 0 2pt}"
    "h2{font-size:11pt;margin:8pt 0 3pt}h3{font-size:10pt;margin:6pt 0 2pt}"
    ".meta{color:#444;margin:0 0 6pt}.lead{font-size:10.5pt;margin:3pt 0}"
    ".cols{display:flex;gap:10pt;align-items:flex-start}.cols>div{flex:1}"
    "table{border-collapse:collapse;margin:2pt 0}td,th{border:1px solid #999;"
    "padding:1pt 4pt;text-align:left}td.n{text-align:right}.small{font-size:8pt;color:#333}"
    "svg{max-width:100%;height:auto}"
)


def _page(
    evaluation: SiteEvaluation,
    tables: dict[str, pd.DataFrame],
    context: PackContext,
    map_svg: str,
) -> str:
    """The one-page evidence of need, headline figures first."""
    proposal = context.proposal
    need = _need_words(proposal.needs)
    within = proposal.within_minutes
    title = (
        f"Evidence of need: a special free school for {need}, ages {proposal.low_age} to "
        f"{proposal.high_age}, {proposal.places} places"
    )
    chosen = tables["evidence_headline.csv"]
    label = "Best site" if len(chosen) == 1 else "Chosen site"
    headlines = "".join(_headline(row, proposal, need, label) for _, row in chosen.iterrows())
    sites = tables["evidence_sites.csv"]
    sites_html = _table(
        sites,
        {
            "rank": ("Rank", _number),
            "site_id": ("Site", str),
            "children_in_reach": (f"Children within {within} min", _number),
            "independent_placements_served": ("Independent placements it could serve", _number),
            "annual_saving": ("Annual saving", _pounds),
        },
    )
    forecast_html = ""
    if "evidence_forecast.csv" in tables:
        wide = tables["evidence_forecast.csv"].pivot(
            index="site_id", columns="year", values="children_in_reach"
        )
        wide = wide.reindex(sites["site_id"]).reset_index()
        years: dict[str, tuple[str, Format]] = {y: (str(y), _number) for y in wide.columns[1:]}
        forecast_html = (
            f"<h2>3. Demand forecast: children within {within} minutes of each site</h2>"
            + _table(wide, {"site_id": ("Site", str)} | years)
        )
    moved = tables["evidence_settings.csv"]
    moved_html = ""
    if len(moved):
        moved_html = "<h3>Existing settings whose placements change</h3>" + _table(
            moved,
            {
                "name": ("Setting", str),
                "placements_without": ("Without", _number),
                "placements_with": ("With", _number),
                "change": ("Change", _number),
            },
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(context.la)} · prepared "
        f"{context.day:%-d %B %Y} with RightPlace · evidence of need for the application</p>"
        f"<h2>1. Headline</h2>{headlines}"
        f"<div class='cols'><div><h2>2. Candidate sites compared</h2>{sites_html}"
        f"{forecast_html}</div><div>{map_svg}</div></div>"
        f"<h2>4. Effect on placements in the LA</h2>{_effect_table(tables['evidence_effect.csv'])}"
        f"{moved_html}{_method(need, within, ', '.join(evaluation.chosen))}</body></html>"
    )


@dataclass(frozen=True)
class EvidencePack:
    """The pack as published: its tables by file name (evidence_headline.csv ...) and its page
    (evidence.html)."""

    tables: dict[str, pd.DataFrame]
    page: str


def evidence_pack(
    evaluation: SiteEvaluation,
    candidates: pd.DataFrame,
    settings: pd.DataFrame,
    context: PackContext,
) -> EvidencePack:
    """The evidence pack: its tables (evidence_headline, evidence_sites, evidence_effect,
    evidence_settings and, with a forecast, evidence_forecast), disclosure-controlled, and the
    one-page HTML that shows them with the map."""
    effect, on_settings = publish_effect(evaluation, settings)
    tables = {
        "evidence_headline.csv": headline(evaluation, context.proposal.places),
        "evidence_sites.csv": sites_as_shared(evaluation, context.proposal.places),
        "evidence_effect.csv": effect,
        "evidence_settings.csv": on_settings,
    }
    if evaluation.forecast is not None:
        tables["evidence_forecast.csv"] = suppress(evaluation.forecast, ("children_in_reach",))
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
    return EvidencePack(tables, _page(evaluation, tables, context, map_svg))
