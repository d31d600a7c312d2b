"""Free-school site selection: the CP-SAT choice against brute force, and suppression."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from solver.cli import EXIT_BAD_INPUT, app
from solver.domain.model import SettingType
from solver.errors import InputError
from solver.io.candidates import load_candidates
from solver.io.tariffs import load_tariffs
from solver.placement.allocate import Allocation
from solver.sites.disclosure import SUPPRESSED, WITHHELD
from solver.sites.proposal import Proposal, forecast_reach, opening_effect
from solver.sites.reach import choose_sites, rank_sites
from solver.workspace import open_workspace, write_site_study

ROOT = Path(__file__).resolve().parents[2]


def _served(reach: pd.DataFrame, sites: tuple[str, ...], places: int) -> int:
    """Brute-force reference: most children served by these sites (bipartite matching)."""
    edges = reach[reach["site_id"].isin(sites)]
    slots = [(s, j) for s in sites for j in range(places)]
    match: dict[tuple[str, int], str] = {}

    def augment(child: str, seen: set[tuple[str, int]]) -> bool:
        for site in edges.loc[edges["child_id"] == child, "site_id"]:
            for slot in slots:
                if slot[0] == site and slot not in seen:
                    seen.add(slot)
                    if slot not in match or augment(match[slot], seen):
                        match[slot] = child
                        return True
        return False

    return sum(augment(c, set()) for c in edges["child_id"].unique())


@st.composite
def _instances(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str], int, int]:
    sites = [f"s{i}" for i in range(draw(st.integers(2, 4)))]
    rows = [
        {"child_id": f"c{c}", "site_id": s, "saving": 0.0, "independent": False}
        for c in range(draw(st.integers(1, 6)))
        for s in sites
        if draw(st.booleans())
    ]
    reach = pd.DataFrame(rows, columns=["child_id", "site_id", "saving", "independent"])
    return reach, sites, draw(st.integers(1, len(sites))), draw(st.integers(1, 3))


@settings(max_examples=25, deadline=None)
@given(_instances())
def test_choice_equals_brute_force(instance: tuple[pd.DataFrame, list[str], int, int]) -> None:
    """On small instances the CP-SAT choice serves as many children as the best of every
    k-subset of sites, found by brute force with a matching."""
    reach, sites, k, places = instance
    chosen = choose_sites(reach, sites, k, places)
    best = max(_served(reach, combo, places) for combo in itertools.combinations(sites, k))
    assert len(chosen) == k
    assert _served(reach, tuple(chosen), places) == best


def test_three_children_two_sites_by_hand() -> None:
    """Two children reach only site a, one only b: with one place each and k=1, a or b serves
    one; with two places, a serves two, so a is chosen."""
    reach = pd.DataFrame(
        {
            "child_id": ["c1", "c2", "c3"],
            "site_id": ["a", "a", "b"],
            "saving": [0.0, 0.0, 0.0],
            "independent": [False, False, False],
        }
    )
    assert choose_sites(reach, ["a", "b"], 1, 2) == ["a"]
    assert choose_sites(reach, ["a", "b"], 2, 1) == ["a", "b"]
    ranked = rank_sites(reach, ["b", "a"], 2)
    assert list(ranked["site_id"]) == ["a", "b"] and list(ranked["children_in_reach"]) == [2, 1]


SITES_ARGS = ["--need", "ASD", "--ages", "5-18", "--places", "60"]


def _sites(out: Path, candidates: Path, *args: str) -> Result:
    """`rightplace sites` on the Rutland sample with these candidates (and options)."""
    return CliRunner().invoke(
        app,
        [
            "sites",
            "--scenario",
            str(ROOT / "scenarios/baseline.yaml"),
            *SITES_ARGS,
            "--candidates",
            str(candidates),
            "--out",
            str(out),
            *args,
        ],
    )


def test_header_only_candidates_is_a_problem(tmp_path: Path) -> None:
    """A candidates file with a header and no rows is a problem naming the file and column,
    exit 2, no traceback and no sites.csv."""
    empty = tmp_path / "candidates.csv"
    empty.write_text("site_id,postcode,easting,northing\n", encoding="utf-8")
    result = _sites(tmp_path / "out", empty)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert f"{empty}::site_id: no candidate sites" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out" / "sites.csv").exists()


def test_empty_site_id_is_a_problem(tmp_path: Path) -> None:
    """A candidate row with no site_id is a problem at its row and column, not a nameless
    site in the pack."""
    candidates = tmp_path / "candidates.csv"
    candidates.write_text(
        "site_id,postcode,easting,northing\na,,486195,308756\n,,486195,308756\n", "utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_candidates(candidates, None)
    assert [str(p) for p in caught.value.problems] == [f"{candidates}:3:site_id: empty site_id"]


@pytest.mark.parametrize(
    ("ages", "message"),
    [
        ("40-50", "ages 40-50 are outside 0-25"),
        ("16-11", "the lowest age is above the highest"),
        ("eleven", "is not an age range like 11-16"),
    ],
)
def test_bad_ages_are_a_problem(tmp_path: Path, ages: str, message: str) -> None:
    """--ages outside the statutory ages, reversed or not numbers: a problem naming the
    option, exit 2, no traceback."""
    args = list(SITES_ARGS)
    args[args.index("--ages") + 1] = ages
    result = CliRunner().invoke(
        app,
        ["sites", "--scenario", str(ROOT / "scenarios/baseline.yaml"), *args]
        + ["--candidates", str(ROOT / "data/rutland/candidate_sites.csv")]
        + ["--out", str(tmp_path)],
    )
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert "--ages::ages:" in result.output and message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_site_far_from_the_network_is_a_problem(tmp_path: Path) -> None:
    """A candidate 600+ km from Rutland's roads is never ranked "best" with 0 children: it is a
    problem naming file, row, column, the site and its distance; exit 2."""
    candidates = tmp_path / "candidates.csv"
    candidates.write_text(
        "site_id,postcode,easting,northing\nnear,,486195,308756\nfar_away,,200000,900000\n",
        encoding="utf-8",
    )
    result = _sites(tmp_path / "out", candidates)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert f"{candidates}:3:easting: site far_away is 646.9 km from the nearest road" in (
        result.output
    )
    assert "near " not in result.output and not (tmp_path / "out" / "sites.csv").exists()


def test_formula_and_markup_site_ids_are_problems(tmp_path: Path) -> None:
    """Issue 15.5 for sites: a site id a spreadsheet would run (`=SUM(1+1)`) or holding markup
    is a problem at its row and column quoting the (public) id; nothing is written."""
    candidates = tmp_path / "candidates.csv"
    candidates.write_text(
        "site_id,postcode,easting,northing\n=SUM(1+1),,486195,308756\n<b>x</b>,,487273,302317\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = _sites(out, candidates)
    assert result.exit_code == 2, result.output
    assert f"{candidates}:2:site_id:" in result.output and "'=SUM(1+1)'" in result.output
    assert f"{candidates}:3:site_id:" in result.output and "'<b>x</b>'" in result.output
    assert "Traceback" not in result.output and not (out / "sites.csv").exists()


def test_site_reaching_no_child_is_warned(tmp_path: Path) -> None:
    """With a 1-minute catchment some sample sites reach no eligible child: each is named in a
    warning, and is never ranked above a site that reaches children."""
    result = _sites(tmp_path, ROOT / "data/rutland/candidate_sites.csv", "--within", "1")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "sites.csv")
    empty = table.loc[table["children_in_reach"] == 0, "site_id"]
    assert len(empty) > 0
    for site in empty:
        assert f"warning: site {site}: no child with a matching need and age" in result.output
    assert table["children_in_reach"].is_monotonic_decreasing


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`rightplace sites` run once on the Rutland sample; its output folder."""
    out = tmp_path_factory.mktemp("sites")
    result = _sites(out, ROOT / "data/rutland/candidate_sites.csv")
    assert result.exit_code == 0, result.output
    return out


def test_sample_sites_do_not_all_tie(pack: Path) -> None:
    """Issue 18: on the sample the 8 candidate sites no longer all tie on children in reach
    (by road within the 20-minute catchment); hand-checked: the Oakham sites, in the county's
    middle, reach more children than Greetham and Ryhall on its edge."""
    table = pd.read_csv(pack / "sites.csv").set_index("site_id")
    assert len(table) == 8 and table["children_in_reach"].nunique() > 1
    reach = table["children_in_reach"]
    assert min(reach["oakham_town"], reach["oakham_west"]) > max(reach["greetham"], reach["ryhall"])


def test_reach_is_by_road(pack: Path) -> None:
    """Children in reach are counted over the road network: each site's count lies between the
    eligible children within 18 and within 22 minutes by a networkx Dijkstra from their
    nearest junction to the site's (the band allows for the short way to and from a road), and
    the counts differ between sites (within the 45/75-minute limits every site reached all 119
    eligible children)."""
    import networkx as nx

    from geo.network import load_network
    from solver.io.inputs import load_scenario_inputs
    from solver.io.scenario_file import load_scenario

    roads = load_network(ROOT / "data/rutland/roads.osm.bz2")
    graph = nx.DiGraph()
    for u, v, fwd, bwd in zip(
        roads.road_u, roads.road_v, roads.road_fwd_ds, roads.road_bwd_ds, strict=True
    ):
        if fwd >= 0:
            graph.add_edge(int(v), int(u), w=int(fwd))  # reversed: searched from the site
        if bwd >= 0:
            graph.add_edge(int(u), int(v), w=int(bwd))
    nodes = np.column_stack([roads.node_x, roads.node_y])

    def nearest(x: float, y: float) -> int:
        return int(np.argmin(((nodes - (x, y)) ** 2).sum(axis=1)))

    children = load_scenario_inputs(load_scenario(ROOT / "scenarios/baseline.yaml")).children
    eligible = children[(children["primary_need"] == "ASD") & children["ncy"].between(1, 13)]
    homes = [nearest(x, y) for x, y in eligible[["easting", "northing"]].to_numpy()]
    table = pd.read_csv(pack / "sites.csv").set_index("site_id")
    candidates = load_candidates(
        ROOT / "data/rutland/candidate_sites.csv", ROOT / "data/rutland/postcodes.csv"
    )
    for site in candidates.itertuples(index=False):
        start = nearest(site.easting, site.northing)
        seconds = nx.single_source_dijkstra_path_length(graph, start, weight="w")
        minutes = np.array([seconds.get(h, np.inf) / 600 for h in homes])
        count = table.loc[site.site_id, "children_in_reach"]
        assert (minutes <= 18).sum() <= count <= (minutes <= 22).sum(), site.site_id
    assert table["children_in_reach"].nunique() > 1


def test_sites_command_on_the_sample(pack: Path) -> None:
    """`rightplace sites` on Rutland writes sites.csv with the contract columns, ranks 1..n,
    and an evidence pack; in-reach counts never exceed the eligible children."""
    table = pd.read_csv(pack / "sites.csv")
    assert list(table.columns) == [
        "site_id",
        "rank",
        "children_in_reach",
        "independent_placements_served",
        "annual_saving",
    ]
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    children = pd.read_csv(ROOT / "data/rutland/children.csv")
    assert (table["children_in_reach"] <= (children["primary_need"] == "ASD").sum()).all()
    assert (pack / "evidence.html").exists()


def test_evidence_pack_reads_as_sent(pack: Path) -> None:
    """The page a bid team sends: headline figures before the tables, needs in the app's words,
    whole numbers only (no 376.0, no 127.7 children), money as pounds with separators, and a
    map drawn over the roads and the LA outline with a legend; nothing fetched from elsewhere."""
    page = (pack / "evidence.html").read_text(encoding="utf-8")
    assert page.index("Headline") < page.index("Candidate sites compared") < page.index("Effect")
    words = re.sub(r"<svg.*</svg>|<style>.*</style>|<[^>]+>", " ", page, flags=re.S)
    assert re.findall(r"\d\.\d", words) == []
    assert "Autism (ASD)" in words  # the need in the app's and the family page's words
    pounds = re.findall(r"£[\d,]+", words)
    assert pounds and all(re.fullmatch(r"£\d{1,3}(,\d{3})*", p) for p in pounds)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count("<polyline") > 500  # the sample's roads
    assert 'stroke="#333"' in svg  # the LA outline
    for key in ("chosen site", "other candidate site", "existing setting", "road", "LA boundary"):
        assert key in svg
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")
    headline = pd.read_csv(pack / "evidence_headline.csv", keep_default_na=False)
    assert headline["site_id"].tolist() == [pd.read_csv(pack / "sites.csv")["site_id"].iloc[0]]


def test_every_figure_on_the_page_is_an_audited_one(pack: Path) -> None:
    """No number on the page escapes disclosure control: each is a figure of the published
    CSVs (which the attack in test_disclosure.py reads), or a parameter of the proposal, the
    date, a section number or the method's own numbers."""
    page = (pack / "evidence.html").read_text(encoding="utf-8")
    words = re.sub(r"<svg.*</svg>|<style>.*</style>|<[^>]+>", " ", page, flags=re.S)
    words = words.replace("&lt;", "<").replace("E06000017", "")
    published = set()
    for table in pack.glob("evidence_*.csv"):
        for value in pd.read_csv(table, dtype=str, keep_default_na=False).to_numpy().ravel():
            published.add(value.lstrip("-"))
    parameters = {"5", "18", "60", "20", "1", "2", "3", "4", "9", "10", "1,000"}
    parameters |= {str(date.today().day), str(date.today().year)}
    for figure in re.findall(r"\d+(?:,\d{3})*", words):
        assert figure.replace(",", "") in published or figure in parameters, figure


@pytest.mark.browser
def test_evidence_pack_prints_on_one_a4_page(pack: Path) -> None:
    """Printed from Chromium on A4, the pack is one page (a screenshot is kept in
    test-artifacts/ for a person to look at)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url))
        page.goto((pack / "evidence.html").as_uri())
        page.screenshot(path=str(artifacts / "evidence_pack.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        browser.close()
    assert [u for u in asked if not u.startswith("file:")] == []
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def _solve(scenario: Path, out: Path) -> dict[str, float]:
    result = CliRunner().invoke(app, ["solve", "--scenario", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary: dict[str, float] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary


def test_evidence_figures_match_solve(pack: Path, tmp_path: Path) -> None:
    """The pack's figures without the new setting equal `rightplace solve` on the scenario, and
    with it equal `solve` on the proposed_scenario.yaml the pack writes; the pack's CSV is the
    same table, each count within 2 of the truth (rounded to 5) or shown as <10 or withheld."""
    effect = pd.read_csv(pack / "effect.csv").set_index("metric")
    runs = {
        "without": _solve(ROOT / "scenarios/baseline.yaml", tmp_path / "without"),
        "with": _solve(pack / "proposed_scenario.yaml", tmp_path / "with"),
    }
    for column, summary in runs.items():
        assert effect.loc["placed", column] == summary["placed"]
        assert effect.loc["unplaced", column] == summary["unplaced"]
        assert effect.loc["total_cost", column] == pytest.approx(summary["total_cost"], abs=0.01)
    placements = pd.read_csv(tmp_path / "with" / "placements.csv", dtype={"urn": str})
    new = placements["urn"].str.startswith("PROPOSED-").sum()
    assert effect.loc["placed_in_new_settings", "with"] == new
    shown = pd.read_csv(pack / "evidence_effect.csv", dtype=str).set_index("metric")
    assert list(shown.index) == list(effect.index)
    for metric in ("placed", "unplaced", "placed_in_new_settings", "independent_placements"):
        for column in ("without", "with"):
            truth, text = effect.loc[metric, column], shown.loc[metric, column]
            if 1 <= truth <= 9:
                assert text in (SUPPRESSED, WITHHELD)
            elif text != WITHHELD:
                assert int(text) % 5 == 0 and abs(int(text) - truth) <= 2


def test_moves_between_settings_add_up(pack: Path) -> None:
    """Every child the new setting gains, some existing setting loses (or was unplaced): the
    per-setting changes plus the new setting's placements equal the change in children placed."""
    effect = pd.read_csv(pack / "effect.csv").set_index("metric")
    settings = pd.read_csv(pack / "effect_on_settings.csv")
    assert (settings["change"] != 0).all()
    assert (
        settings["placements_with"] - settings["placements_without"] == settings["change"]
    ).all()
    gained = effect.loc["placed_in_new_settings", "with"]
    assert settings["change"].sum() + gained == effect.loc["placed", "change"]


def test_forecast_reach_by_hand() -> None:
    """Two primary ASD children in reach of site a, three primary ASD children in all; the
    forecast has 6 primary ASD children next year: each counts 6/3 = 2, so a has 4 in reach."""
    children = pd.DataFrame(
        {"child_id": ["c1", "c2", "c3"], "primary_need": ["ASD"] * 3, "ncy": [3, 4, 5]}
    )
    reach = pd.DataFrame({"child_id": ["c1", "c2"], "site_id": ["a", "a"]})
    forecast = pd.DataFrame(
        {
            "year": [2027, 2027],
            "need": ["ASD", "ASD"],
            "phase": ["primary", "primary"],
            "setting_type": ["mainstream", "state_special"],
            "demand": [2.5, 3.5],
        }
    )
    table = forecast_reach(reach, children, forecast)
    assert table.to_dict("records") == [{"site_id": "a", "year": 2027, "children_in_reach": 4}]


@settings(max_examples=25, deadline=None)
@given(_instances(), st.integers(1, 3))
def test_ranking_matches_a_site_by_site_count(
    instance: tuple[pd.DataFrame, list[str], int, int], places: int
) -> None:
    """Each site's row counts its children in reach, and the best-saving `places` of them."""
    reach, sites, _, _ = instance
    reach = reach.assign(saving=[float(i % 3) for i in range(len(reach))])
    ranked = rank_sites(reach, sites, places).set_index("site_id")
    for site in sites:
        here = sorted(reach.loc[reach["site_id"] == site, "saving"], reverse=True)
        assert ranked.loc[site, "children_in_reach"] == len(here)
        assert ranked.loc[site, "annual_saving"] == pytest.approx(sum(here[:places]))


def test_the_caller_gives_the_opening_year_and_the_packs_day(pack: Path, tmp_path: Path) -> None:
    """Evaluating reads no clock: the proposed setting opens in the year given and the pack is
    dated the day given, while the tables equal those `rightplace sites` wrote (its journeys
    reused from the same folder)."""
    ws = open_workspace(ROOT / "scenarios/baseline.yaml", pack)
    proposal = Proposal(("ASD",), 5, 18, 60)
    study = ws.evaluate_sites(proposal, ROOT / "data/rutland/candidate_sites.csv", 1, 2031)
    opened = [c for c in study.proposed.changes if c.urn.startswith("PROPOSED-")]
    assert [c.year for c in opened] == [2031]
    assert not list(tmp_path.iterdir())  # evaluating wrote nothing
    write_site_study(study, tmp_path, date(2031, 9, 1))
    assert "1 September 2031 with RightPlace" in (tmp_path / "evidence.html").read_text()
    for name in ("sites.csv", "effect.csv", "effect_on_settings.csv", "forecast_reach.csv"):
        assert (tmp_path / name).read_bytes() == (pack / name).read_bytes(), name


def test_opening_effect_by_hand() -> None:
    """Three children; with the new setting one moves to it from an independent school: the
    figures without and with it, and the one existing setting that changes, worked by hand."""
    types = [SettingType.INDEPENDENT_SPECIAL.value, SettingType.STATE_SPECIAL.value]
    existing = pd.DataFrame(
        {"urn": ["A", "B"], "name": ["Indie", "Special"], "setting_type": types, "la_code": "X"}
    )
    new = pd.DataFrame(
        {"urn": ["PROPOSED-s1"], "name": ["New"], "setting_type": types[1:], "la_code": "X"}
    )
    tariffs = load_tariffs()
    unplaced = pd.DataFrame(columns=["child_id", "reason"])

    def solved(urns: list[str], settings: pd.DataFrame) -> tuple[Allocation, Any]:
        placements = pd.DataFrame(
            {
                "child_id": ["c1", "c2", "c3"],
                "urn": urns,
                "travel_minutes": [10.0, 20.0, 30.0],
                "annual_cost": [50_000.0, 50_000.0, 20_000.0],
            }
        )
        result = Allocation(placements, unplaced, "OPTIMAL", 0.0, 0.0)
        return result, SimpleNamespace(settings=settings, tariffs=tariffs)

    runs = {
        "without": solved(["A", "A", "B"], existing),
        "with": solved(["PROPOSED-s1", "A", "B"], pd.concat([existing, new], ignore_index=True)),
    }
    effect = opening_effect(runs, existing, [SimpleNamespace(urn="PROPOSED-s1")])  # type: ignore[list-item]
    system = effect.system.set_index("metric")
    assert system.loc["placed"].tolist() == [3, 3, 0]
    assert system.loc["placed_in_new_settings"].tolist() == [0, 1, 1]
    assert system.loc["independent_placements"].tolist() == [2, 1, -1]
    assert system.loc["total_cost"].tolist() == [120_000.0, 120_000.0, 0.0]
    assert effect.settings.to_dict("records") == [
        {
            "urn": "A",
            "name": "Indie",
            "setting_type": types[0],
            "placements_without": 2,
            "placements_with": 1,
            "change": -1,
        }
    ]
