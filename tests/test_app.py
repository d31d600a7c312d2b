"""Every page renders on the sample and shows the library's own numbers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from geo.basemap import outline_paths
from solver.compare import comparison_table, run_scenario
from solver.forecast import scenario_forecast
from solver.needs import Phase
from solver.scenario import Scenario, load_scenario
from solver.sites import Proposal, evaluate_sites
from solver.workspace import Workspace, open_workspace

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 120


@pytest.fixture(scope="module")
def sample() -> Workspace:
    """The Rutland sample as the library opens it."""
    return open_workspace(REPO / "scenarios" / "baseline.yaml", Path(tempfile.mkdtemp()))


def _page(name: str) -> AppTest:
    app = AppTest.from_file(str(REPO / "views" / f"{name}.py"), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, app.exception
    return app


def _layers(app: AppTest, index: int) -> dict[str, list[dict]]:
    """The data of each layer type of the page's `index`-th map, as sent to the browser."""
    spec = json.loads(app.get("deck_gl_json_chart")[index].proto.json)
    layers: dict[str, list[dict]] = {}
    for layer in spec["layers"]:
        layers.setdefault(layer["@@type"], []).extend(layer["data"])
    return layers


def test_router_opens_the_data_page() -> None:
    """app.py routes to the Data page, which loads the sample with no action."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Data"


def test_data_page_counts_the_sample(sample: Workspace) -> None:
    """The Data page's counts are the loaders' counts."""
    app = _page("data")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Settings"] == str(len(sample.inputs.settings))
    assert metrics["Children with EHCPs"] == str(len(sample.inputs.children))
    outline = outline_paths(REPO / "data" / "rutland" / "boundary.geojson")["path"].tolist()
    paths = [row["path"] for row in _layers(app, 0)["PathLayer"]]
    assert outline and all(ring in paths for ring in outline)


def test_caseworker_list_equals_the_library(sample: Workspace) -> None:
    """Picking a child shows exactly the library's ranked list for that child."""
    app = _page("caseworker")
    child_id = sorted(sample.inputs.children["child_id"])[0]
    app.selectbox[0].select(child_id).run()
    assert not app.exception, app.exception
    expected = sample.tailored_lists([child_id])
    expected = expected[expected["on_list"]].sort_values("rank")
    shown = app.table[0].value
    assert shown["Setting"].tolist() == expected["name"].tolist()
    assert shown.index.astype(int).tolist() == expected["rank"].tolist()
    assert len(app.get("download_button")) == 4  # family page, record, CSV, JSON
    assert len(_layers(app, 0)["PolygonLayer"]) == 1  # the 1 km square only
    app.checkbox[0].check().run()
    assert not app.exception, app.exception
    assert len(_layers(app, 0)["PolygonLayer"]) >= 2  # the journey area and the 1 km square


def test_placement_page_reports_the_allocation(sample: Workspace) -> None:
    """Running the allocation shows the allocator's placed and unplaced counts."""
    app = _page("placement")
    app.button[0].click().run()
    assert not app.exception, app.exception
    summary = sample.allocation().summary()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Placed"] == str(summary["placed"])
    assert metrics["Unplaced"] == str(summary["unplaced"])
    arcs = _layers(app, 0)["ArcLayer"]
    assert sum(a["children"] for a in arcs) == summary["placed"]
    assert not any("child_id" in a for a in arcs)


def test_sufficiency_page_shows_the_forecast(sample: Workspace) -> None:
    """The demand shown for the last year is the forecast's total for that year."""
    app = _page("sufficiency")
    result = scenario_forecast(
        sample.scenario, sample.inputs, 10, scenario_path=sample.scenario_path
    )
    last = int(result.table["year"].max())
    total = result.table.loc[result.table["year"] == last, "demand"].sum()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics[f"Demand in {last}"] == f"{total:,.0f}"


def _open_and_report(scenario: str) -> None:
    from pathlib import Path

    from views.shared import problems_table, use_scenario

    problems = use_scenario(Path(scenario))
    if problems:
        problems_table(problems)


def test_bad_files_show_every_problem_not_a_traceback(tmp_path: Path) -> None:
    """Opening bad files shows a table of every problem (file, row, column), no exception."""
    children = tmp_path / "children.csv"
    children.write_text("child_id,ncy,sex,primary_need\nA,3,M,ASD\nA,99,X,XYZ\n", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    settings = REPO / "data" / "rutland" / "gias.csv"
    scenario.write_text(f"name: bad\ninputs:\n  settings: {settings}\n  children: {children}\n")
    app = AppTest.from_function(_open_and_report, args=(str(scenario),), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert {"ncy", "sex", "primary_need", "child_id"} <= set(table["column"])
    assert 3 in set(table["row"]) and set(table["row"]) <= {2, 3}  # the duplicate names both


def _button(app: AppTest, label: str, index: int = 0) -> Button:
    """The `index`-th button with this label (form submit buttons included)."""
    return [b for b in app.button if b.label == label][index]


def test_scenarios_page_compares_like_the_library(tmp_path: Path) -> None:
    """Running two scenarios shows exactly comparison_table of the library's runs of them."""
    app = _page("scenarios")
    _button(app, "Run").click().run()
    assert not app.exception, app.exception
    runs = {
        stem: run_scenario(REPO / "scenarios" / f"{stem}.yaml", tmp_path)
        for stem in ("baseline", "asd_special_free_school")
    }
    expected = comparison_table(runs)
    shown = app.dataframe[0].value
    assert list(shown.columns) == list(expected.columns)
    assert len(shown) == len(expected) and "total_cost" not in shown.index  # words, not codes
    total, placed = expected.loc["total_cost"], expected.loc["placed"]
    assert shown.loc["Total annual cost", "baseline"] == f"£{total['baseline']:,.0f}"
    assert shown.loc["Children placed", "asd_special_free_school"] == (
        f"{placed['asd_special_free_school']:,.0f}"
    )
    difference = total["asd_special_free_school"] - total["baseline"]
    sign = "-" if difference < 0 else "+"
    assert shown.loc["Total annual cost", "asd_special_free_school - baseline"] == (
        f"{sign}£{abs(difference):,.0f}"
    )


def test_scenario_edited_in_the_form_runs_with_its_changes(tmp_path: Path) -> None:
    """A copy saved from the form carries its journey limit and opened setting, and runs."""
    app = _page("scenarios")
    limits = [n for n in app.number_input if n.label == "primary"]
    limits[0].set_value(30)
    [c for c in app.checkbox if c.label == "Open a new setting"][0].check()
    _button(app, "Save the copy").click().run()
    assert not app.exception, app.exception
    saved = app.session_state["edited_scenarios"]["baseline_edited"]
    scenario = load_scenario(saved)
    assert scenario.policy.journey_limit_minutes[Phase.PRIMARY] == 30
    assert [c.action for c in scenario.changes] == ["open"]
    picker = [m for m in app.multiselect if m.label.startswith("Scenarios")][0]
    picker.set_value(["baseline", "baseline_edited"]).run()
    _button(app, "Run").click().run()
    assert not app.exception, app.exception
    assert list(app.dataframe[0].value.columns)[:2] == ["baseline", "baseline_edited"]


def test_bad_scenario_yaml_shows_the_problem_table() -> None:
    """An edited scenario with an unknown key shows a problem naming the key, no exception."""
    app = _page("scenarios")
    app.text_area[0].input("name: bad\ninputs: {settings: a.csv, children: b.csv}\nspeed: 3\n")
    _button(app, "Save the copy", 1).click().run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert "speed" in set(table["column"])
    assert "edited_scenarios" not in app.session_state or not app.session_state["edited_scenarios"]


def test_free_school_page_ranks_sites_like_the_library(tmp_path: Path) -> None:
    """Evaluating the sample's candidate sites shows evaluate_sites' ranking, choice and effect,
    the suppressed table as the evidence pack writes it, and one catchment per candidate site."""
    app = _page("free_school")
    _button(app, "Evaluate the sites").click().run()
    assert not app.exception, app.exception
    proposal = Proposal(("ASD",), 11, 16, 60)
    evaluation = evaluate_sites(
        REPO / "scenarios" / "baseline.yaml",
        proposal,
        REPO / "data" / "rutland" / "candidate_sites.csv",
        tmp_path,
    )
    ranked, chosen = evaluation.ranked, evaluation.chosen
    pd.testing.assert_frame_equal(app.dataframe[0].value, ranked)
    pd.testing.assert_frame_equal(app.dataframe[2].value, evaluation.effect.system)
    assert len(app.get("download_button")) == len(list(tmp_path.glob("evidence*"))) + 1
    shared = pd.read_csv(tmp_path / "evidence_sites.csv", dtype=str, keep_default_na=False)
    assert app.dataframe[1].value.astype(str).values.tolist() == shared.values.tolist()
    assert app.metric[0].value == ", ".join(chosen)
    catchments = _layers(app, 0)["PolygonLayer"]
    assert {c["site_id"] for c in catchments} == set(ranked["site_id"])


def test_yaml_tab_shows_no_server_paths_and_its_copy_reads_the_same_files() -> None:
    """The YAML tab shows the shipped file (paths relative to scenarios/, none of this server's);
    saved unchanged, the copy reads the same input files and is picked to run."""
    app = _page("scenarios")
    text = app.text_area[0].value
    assert str(REPO) not in text and "../data/rutland/gias.csv" in text
    _button(app, "Save the copy", 1).click().run()
    assert not app.exception, app.exception
    saved = app.session_state["edited_scenarios"]["baseline_yaml"]
    shipped = load_scenario(REPO / "scenarios" / "baseline.yaml")

    def files(scenario: Scenario) -> dict[str, object]:
        return {
            key: [Path(v).resolve() for v in value]
            if isinstance(value, list)
            else (value and Path(value).resolve())
            for key, value in scenario.inputs
        }

    assert files(load_scenario(saved)) == files(shipped)
    picker = [m for m in app.multiselect if m.label.startswith("Scenarios")][0]
    assert picker.value == ["baseline", "asd_special_free_school", "baseline_yaml"]
