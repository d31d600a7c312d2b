"""Free-school site selection: the CP-SAT choice against brute force, and suppression."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from solver.cli import app
from solver.evidence import SUPPRESSED, suppress, write_evidence
from solver.sites import choose_sites, rank_sites

ROOT = Path(__file__).resolve().parent.parent


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


def test_small_counts_are_suppressed(tmp_path: Path) -> None:
    """Counts 1-9 show as <10 (and their saving is hidden); 0 and 10+ show as they are; the
    HTML pack never carries the small number."""
    ranked = pd.DataFrame(
        {
            "site_id": ["x", "y", "z"],
            "rank": [1, 2, 3],
            "children_in_reach": [12, 7, 0],
            "independent_placements_served": [10, 3, 0],
            "annual_saving": [500000.0, 123456.0, 0.0],
        }
    )
    shown = suppress(ranked)
    assert list(shown["children_in_reach"]) == [12, SUPPRESSED, 0]
    assert list(shown["independent_placements_served"]) == [10, SUPPRESSED, 0]
    assert shown["annual_saving"].iloc[1] == "suppressed"
    places = pd.DataFrame(
        {"site_id": ["x", "y", "z"], "easting": [1e5, 2e5, 3e5], "northing": [1e5, 2e5, 3e5]}
    )
    settings_xy = pd.DataFrame({"easting": [1.5e5], "northing": [1.5e5]})
    page, csv = write_evidence(ranked, places, settings_xy, ["x"], "t", tmp_path)
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "123456" not in text and "&lt;10" in text
    assert pd.read_csv(csv)["children_in_reach"].astype(str).tolist() == ["12", "<10", "0"]


def test_sites_command_on_the_sample(tmp_path: Path) -> None:
    """`rightplace sites` on Rutland writes sites.csv with the contract columns, ranks 1..n,
    and an evidence pack; in-reach counts never exceed the eligible children."""
    result = CliRunner().invoke(
        app,
        [
            "sites",
            "--scenario",
            str(ROOT / "scenarios/baseline.yaml"),
            "--need",
            "ASD",
            "--ages",
            "11-16",
            "--places",
            "60",
            "--candidates",
            str(ROOT / "data/rutland/candidate_sites.csv"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "sites.csv")
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
    assert (tmp_path / "evidence.html").exists()
