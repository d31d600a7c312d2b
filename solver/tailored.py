"""Tailored lists: for each child, every setting on the list (ranked) or off it, with reasons.

A setting is on a child's list when it passes every suitability rule (age, sex, need, journey);
settings with no vacancy or much dearer than a suitable alternative stay on the list, marked.
The ranking follows the policy's keys in order (default: unmarked first, mainstream first,
shorter journey, lower cost), then URN, so it is deterministic.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from solver.costs import Tariffs
from solver.outputs import id_file_name, write_csv, write_text
from solver.rules import (
    LEGAL_GROUND,
    Pairs,
    Reason,
    assess,
    cross_index,
    free_places,
    is_mainstream,
    much_dearer,
    vacancy,
)
from solver.scenario import Policy, RankKey

#: The columns of tailored_lists.csv (a contract); the JSON and the family page add detail.
LIST_COLUMNS = (
    "child_id",
    "urn",
    "on_list",
    "rank",
    "reasons",
    "travel_minutes",
    "annual_cost",
    "vacancy",
)
DETAIL_COLUMNS = (
    "name",
    "setting_type",
    "place_cost",
    "transport_cost",
    "estimated",
    "ofsted",
    "designated_needs",
)

#: Plain words for each reason, for the family's page.
REASON_TEXT = {
    Reason.AGE: "does not teach the child's year group",
    Reason.SEX: "single-sex setting",
    Reason.NEED: "not designated for the child's needs",
    Reason.JOURNEY: "journey longer than the limit",
    Reason.FULL: "no vacancy at present",
    Reason.COST: "much dearer than a suitable alternative",
    Reason.ESTIMATED: "journey time estimated",
    Reason.FITS_AGE: "teaches the child's year group",
    Reason.FITS_NEED: "designated for the child's primary need",
    Reason.FITS_SECONDARY_NEED: "designated for the child's secondary need",
    Reason.FITS_MAINSTREAM: "mainstream: can meet any need with support",
    Reason.FITS_JOURNEY: "journey within the limit",
}


def tailored_lists(
    children: pd.DataFrame,
    settings: pd.DataFrame,
    places: pd.DataFrame,
    journeys: pd.DataFrame,
    tariffs: Tariffs,
    policy: Policy,
    child_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every setting for every child (or those named): LIST_COLUMNS then DETAIL_COLUMNS."""
    children = children.reset_index(drop=True)
    settings = settings.reset_index(drop=True)
    if child_ids is not None:
        wanted = [str(c) for c in child_ids]
        children = children[children["child_id"].astype(str).isin(wanted)].reset_index(drop=True)
        journeys = journeys[journeys["child_id"].isin(wanted)]
    pairs = assess(
        children, settings, places, tariffs, policy, cross_index(children, settings, journeys)
    )
    room = vacancy(pairs, free_places(places, settings, policy))
    full = pairs.suitable & (room <= 0)
    dear = much_dearer(pairs, policy.dear_ratio)
    mainstream = is_mainstream(settings)[pairs.setting]
    rank = _rank(pairs, full | dear, mainstream, settings, policy)
    table = pd.DataFrame(
        {
            "child_id": children["child_id"].astype(str).to_numpy()[pairs.child],
            "urn": settings["urn"].astype(str).to_numpy()[pairs.setting],
            "on_list": pairs.suitable,
            "rank": pd.array(np.where(pairs.suitable, rank, 0), dtype="Int64"),
            "reasons": _reasons(pairs, full, dear, mainstream),
            "travel_minutes": pairs.minutes,
            "annual_cost": np.where(pairs.suitable, pairs.annual_cost, np.nan),
            "vacancy": pd.array(np.where(np.isinf(room), -1, room), dtype="Int64"),
            "name": settings["name"].astype(str).to_numpy()[pairs.setting],
            "setting_type": settings["setting_type"].astype(str).to_numpy()[pairs.setting],
            "place_cost": pairs.place_cost,
            "transport_cost": pairs.transport_cost,
            "estimated": pairs.estimated,
            "ofsted": settings["ofsted"].astype(str).to_numpy()[pairs.setting],
            "designated_needs": [
                " ".join(n) for n in settings["designated_needs"].to_numpy()[pairs.setting]
            ],
        }
    )
    table.loc[~table["on_list"], "rank"] = pd.NA
    table.loc[table["vacancy"] < 0, "vacancy"] = pd.NA  # no line bounds it: vacancy unknown
    order = np.lexsort(
        (table["urn"].to_numpy(), rank, ~pairs.suitable, table["child_id"].to_numpy())
    )
    return table.iloc[order].reset_index(drop=True)


def _rank(
    pairs: Pairs,
    marked: np.ndarray,
    mainstream: np.ndarray,
    settings: pd.DataFrame,
    policy: Policy,
) -> np.ndarray:
    """1-based rank of each suitable pair within its child's list, by the policy's keys."""
    keys = {
        RankKey.SUITABILITY: marked.astype(np.int64),
        RankKey.MAINSTREAM: (~mainstream).astype(np.int64) * int(policy.mainstream_first),
        RankKey.JOURNEY: pairs.minutes,
        RankKey.COST: pairs.annual_cost,
    }
    urn = settings["urn"].astype(str).to_numpy()[pairs.setting]
    order = np.lexsort(
        (urn, *[keys[k] for k in reversed(policy.ranking)], ~pairs.suitable, pairs.child)
    )
    rank = np.zeros(len(pairs), dtype=np.int64)
    child_sorted = pairs.child[order]
    starts = np.r_[0, np.flatnonzero(np.diff(child_sorted)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank[order] = np.arange(len(order)) - first + 1
    return rank


def _reasons(pairs: Pairs, full: np.ndarray, dear: np.ndarray, mainstream: np.ndarray) -> list[str]:
    """Semicolon-separated reason codes: why off the list, or why on it and how marked."""
    suitable = pairs.suitable
    codes: Sequence[tuple[Reason, np.ndarray]] = (
        (Reason.AGE, ~pairs.age_ok),
        (Reason.SEX, ~pairs.sex_ok),
        (Reason.NEED, ~pairs.need_ok),
        (Reason.JOURNEY, ~pairs.journey_ok),
        (Reason.FITS_AGE, suitable),
        (Reason.FITS_NEED, suitable & pairs.designated & ~pairs.via_secondary),
        (Reason.FITS_SECONDARY_NEED, suitable & pairs.via_secondary),
        (Reason.FITS_MAINSTREAM, suitable & mainstream & ~pairs.designated),
        (Reason.FITS_JOURNEY, suitable),
        (Reason.ESTIMATED, pairs.estimated & ~np.isnan(pairs.minutes)),
        (Reason.FULL, full),
        (Reason.COST, dear),
    )
    text = np.full(len(pairs), "", dtype=object)
    for reason, mask in codes:
        text[mask] = text[mask] + (reason.value + ";")
    return [t.rstrip(";") for t in text]


def family_page(lists: pd.DataFrame, child_id: str) -> str:
    """A printable HTML page of one child's tailored list, in plain words."""
    return _page(lists[lists["child_id"] == child_id], child_id)


@functools.lru_cache(maxsize=1024)
def _words(reasons: str) -> str:
    """Reason codes ("AGE;FULL") in plain words, HTML-escaped (few distinct combinations)."""
    text = "; ".join(REASON_TEXT[Reason(c)] for c in reasons.split(";") if c)
    return html.escape(text, quote=False)


def _page(rows: pd.DataFrame, child_id: str) -> str:
    """`family_page` from the child's own rows."""
    on, off = rows[rows["on_list"]], rows[~rows["on_list"]]

    def cell(value: object) -> str:
        return "" if pd.isna(value) else html.escape(str(value))

    listed = "".join(
        f"<tr><td>{cell(r.rank)}</td><td>{cell(r.name)}</td><td>{cell(r.setting_type)}</td>"
        f"<td>{r.travel_minutes:.0f} min</td><td>£{r.annual_cost:,.0f}</td>"
        f"<td>{cell(r.vacancy)}</td><td>{cell(r.ofsted)}</td><td>{cell(r.designated_needs)}</td>"
        f"<td>{_words(r.reasons)}</td></tr>"
        for r in on.itertuples()
    )
    # Plain lists, not itertuples: a national page excludes tens of thousands of settings.
    excluded = "".join(
        f"<tr><td>{cell(name)}</td><td>{_words(reasons)}</td></tr>"
        for name, reasons in zip(off["name"].tolist(), off["reasons"].tolist(), strict=True)
    )
    grounds = "".join(
        "<li>" + html.escape(f"{REASON_TEXT[r]}: {LEGAL_GROUND[r]}", quote=False) + "</li>"
        for r in (Reason.AGE, Reason.JOURNEY, Reason.FULL, Reason.COST)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Settings for {html.escape(child_id)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:4px}@media print{a{display:none}}</style></head>"
        f"<body><h1>Settings that could meet the needs of {html.escape(child_id)}</h1>"
        "<table><tr><th>Rank</th><th>Setting</th><th>Type</th><th>Journey</th>"
        "<th>Annual cost</th><th>Vacancies</th><th>Ofsted</th><th>Designated for</th>"
        f"<th>Why it fits</th></tr>{listed}</table>"
        f"<h2>Settings not on the list</h2><table><tr><th>Setting</th><th>Why not</th></tr>"
        f"{excluded}</table><h2>The legal tests</h2><ul>{grounds}</ul></body></html>"
    )


def write_lists(lists: pd.DataFrame, out_dir: Path) -> list[Path]:
    """tailored_lists.csv (LIST_COLUMNS), tailored_lists.json (every column) and one printable
    page per child under family/; as a set: each file atomically and private, the previous
    run's JSON and pages removed first and the new JSON written last."""
    json_path, pages = out_dir / "tailored_lists.json", out_dir / "family"
    for previous in [json_path, *pages.glob("*.html")]:
        previous.unlink(missing_ok=True)
    written = [write_csv(out_dir / "tailored_lists.csv", lists[list(LIST_COLUMNS)], private=True)]
    for child_id, rows in lists.groupby("child_id", sort=False, observed=True):
        page = pages / id_file_name(str(child_id), ".html")
        written.append(write_text(page, _page(rows, str(child_id)), private=True))
    records = lists.to_json(orient="records", indent=1)
    written.insert(1, write_text(json_path, str(records), private=True))
    return written
