"""Every page renders on the sample and shows the library's own numbers."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from geo.basemap import outline_paths
from solver.domain.needs import Phase
from solver.domain.scenario import Scenario
from solver.errors import InputError
from solver.forecast.sufficiency import scenario_forecast
from solver.io.csvfile import trimmed_csv
from solver.io.scenario_file import load_scenario
from solver.io.words import setting_type_words
from solver.scenarios.compare import comparison_table
from solver.sites.flows import shown_flows
from solver.sites.reach import Proposal
from solver.workspace import (
    Workspace,
    open_workspace,
    read_la_history,
    run_scenario,
    write_site_study,
)
from tests.conftest import end_app_session
from views.shared import FLOW_PX_PER_CHILD, UPLOAD_COLUMNS, stale_folders

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def _visitor_folders() -> list[Path]:
    """The visitors' folders this process made (the app names them by its server's pid)."""
    return list(Path(tempfile.gettempdir()).glob(f"rightplace-{os.getpid()}-*"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The Rutland sample as the library opens it."""
    return open_workspace(REPO / "scenarios" / "baseline.yaml", tmp_path_factory.mktemp("sample"))


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


def _map_key(app: AppTest) -> str:
    """The map key (legend) under the page's map."""
    [key] = [m.value for m in app.markdown if "aria-label='Map key'" in m.value]
    return key


def _type_words(settings: pd.DataFrame) -> list[str]:
    """The setting types of `settings`, in words."""
    return [setting_type_words(t) for t in settings["setting_type"].unique()]


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
    key = _map_key(app)
    assert all(f">{words}</li>" in key for words in _type_words(sample.inputs.settings))
    assert ">Roads</li>" in key and ">LA boundary</li>" in key
    sent = app.get("deck_gl_json_chart")[0].proto.json
    assert app.run().get("deck_gl_json_chart")[0].proto.json == sent  # unchanged: not redrawn
    assert sent.startswith('{"layers":[{"@@type":"PathLayer"') and ", " not in sent[:1000]
    [report] = [s.value for s in app.success if "settings (" in s.value]  # words, not codes
    special = int((sample.inputs.settings["setting_type"] == "state_special").sum())
    semh = int((sample.inputs.children["primary_need"] == "SEMH").sum())
    assert re.search(f"State special school {special}[,)]", report)
    assert re.search(f"Social, emotional and mental health needs {semh}[,)]", report)
    assert "state_special" not in report and "SEMH" not in report
    assert app.dataframe[0].value.index.name == "Type"
    assert list(app.dataframe[1].value.columns) == ["Children"]


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
    off = app.dataframe[0].value.set_index("Setting")
    everything = sample.tailored_lists([child_id]).set_index("name")
    off_list = everything[~everything["on_list"]]
    assert sorted(off.index) == sorted(off_list.index)
    for name, row in off_list.iterrows():
        ground = off.loc[name, "Legal ground"]
        assert ("s39(4)(a)" in ground) == bool(
            {"AGE", "SEX", "NEED"} & set(row["reasons"].split(";"))
        )
        assert ("journey limit" in ground) == ("JOURNEY" in row["reasons"].split(";"))
    assert len(_layers(app, 0)["PolygonLayer"]) == 1  # the 1 km square only
    app.checkbox[0].check().run()
    assert not app.exception, app.exception
    assert len(_layers(app, 0)["PolygonLayer"]) >= 2  # the journey area and the 1 km square
    dots = _layers(app, 0)["ScatterplotLayer"]
    by_name = dict(zip(expected["name"], expected["rank"], strict=True))
    assert sorted(d["tip"].split(": ")[0] for d in dots) == sorted(
        f"Rank {by_name[d['name']]}" for d in dots
    )
    assert len(dots) == len(expected)
    key = _map_key(app)
    assert "Within the journey limit by road" in key and "The child&#x27;s 1 km area" in key
    on = sample.inputs.settings[sample.inputs.settings["urn"].isin(expected["urn"])]
    assert all(f">{words}</li>" in key for words in _type_words(on))


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
    flows = shown_flows(
        sample.allocation().placements, sample.inputs.children, sample.inputs.settings
    )
    counts = [int(a["tip"].split(" children ")[0]) for a in arcs]
    assert counts == flows["children"].tolist() and min(counts) >= 10
    assert [a["width"] for a in arcs] == [n * FLOW_PX_PER_CHILD for n in counts]
    assert not any("child_id" in a for a in arcs)
    assert "10 children" in _map_key(app) and "Centre of a home area" in _map_key(app)


def test_sufficiency_page_shows_the_forecast(sample: Workspace) -> None:
    """The demand shown for the last year is the forecast's total for that year."""
    app = _page("sufficiency")
    la = read_la_history(sample.scenario_path, sample.scenario)
    result = scenario_forecast(la, sample.inputs, 10)
    last = int(result.table["year"].max())
    total = result.table.loc[result.table["year"] == last, "demand"].sum()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics[f"Demand in {last}"] == f"{total:,.0f}"
    scap = app.dataframe[-1].value  # the SCAP table in words, its figures the library's
    assert list(scap.columns) == [
        "Academic year",
        "Phase",
        "Provision",
        "Places",
        "Pupils forecast",
        "Pupils, low (80%)",
        "Pupils, high (80%)",
        "Places short",
    ]
    assert scap.values.tolist() == result.scap.values.tolist()
    for chart in app.get("vega_lite_chart"):  # the plot keeps its height; the legend adds to it
        spec = json.loads(chart.proto.spec)
        assert spec["height"] > 0 and spec["autosize"]["type"] == "fit-x"
    needs = json.loads(app.get("vega_lite_chart")[-1].proto.spec)["encoding"]["color"]
    assert needs["scale"]["scheme"] == "tableau20"  # more than 10 needs: no colour repeats


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
    assert set(table["file"]) == {"children.csv"}  # the file's name, never a server path


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
    difference = round(total["asd_special_free_school"]) - round(total["baseline"])  # as shown
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
    assert set(table["file"]) == {"your copy: baseline_yaml.yaml"}  # not the server's folder
    assert "edited_scenarios" not in app.session_state or not app.session_state["edited_scenarios"]


def test_edited_scenario_reads_only_the_sample_and_the_visitors_own_files() -> None:
    """A scenario edited in the app naming a server file or another visitor's upload is a
    problem per input, not saved; one naming the sample's files is saved."""
    app = _page("scenarios")
    sample = REPO / "data" / "rutland"
    elsewhere = f"{tempfile.gettempdir()}/rightplace-1-abcd1234/uploads/children.csv"
    app.text_area[0].input(
        f"name: x\ninputs: {{settings: /etc/passwd, children: {elsewhere},"
        f" postcodes: {sample}/../../../etc/hosts, network: {sample}/roads.osm.bz2}}\n"
    )
    _button(app, "Save the copy", 1).click().run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert sorted(table["column"]) == ["inputs.children", "inputs.postcodes", "inputs.settings"]
    assert not app.session_state["edited_scenarios"]
    app.text_area[0].input(
        f"name: x\ninputs: {{settings: {sample}/gias.csv, children: {sample}/children.csv}}\n"
    )
    _button(app, "Save the copy", 1).click().run()
    assert not app.exception, app.exception
    assert list(app.session_state["edited_scenarios"]) == ["baseline_yaml"]
    app.text_area[0].input(
        f"name: x\ninputs: {{settings: {sample}/gias.csv,"
        " sen2: {path: /etc, census: 2025-01-16, key: /etc/passwd}}\n"
    )
    _button(app, "Save the copy", 1).click().run()
    assert not app.exception, app.exception
    assert sorted(app.dataframe[0].value["column"]) == ["inputs.sen2.key", "inputs.sen2.path"]


def test_a_scenario_name_holding_markdown_is_shown_as_text() -> None:
    """A copy named with Markdown (an image, a link) is confirmed in words, rendered as text:
    no image to fetch, no live link."""
    app = _page("scenarios")
    name = "![x](http://example.invalid/x.png) [click](http://example.invalid)"
    [t for t in app.text_input if t.label == "Name of the copy"][0].input(name)
    _button(app, "Save the copy").click().run()
    assert not app.exception, app.exception
    html = MarkdownIt("commonmark").render(app.success[0].value)
    assert "<img" not in html and "<a " not in html and "example.invalid/x.png" in html


def test_free_school_page_ranks_sites_like_the_library(tmp_path: Path) -> None:
    """Evaluating the sample's candidate sites shows the workspace's ranking, choice and effect,
    the suppressed table as the evidence pack writes it, and one catchment per candidate site."""
    app = _page("free_school")
    _button(app, "Evaluate the sites").click().run()
    assert not app.exception, app.exception
    proposal = Proposal(("ASD",), 11, 16, 60)
    candidates = REPO / "data" / "rutland" / "candidate_sites.csv"
    ws = open_workspace(REPO / "scenarios" / "baseline.yaml", tmp_path)
    study = ws.evaluate_sites(proposal, candidates, 1, date.today().year)
    write_site_study(study, tmp_path, date.today())
    evaluation = study.evaluation
    ranked, chosen = evaluation.ranked, evaluation.chosen
    shown = app.dataframe[0].value  # in words: headings, £ and separators, not codes
    reach = f"Children within {proposal.within_minutes} min"
    assert list(shown.columns) == [
        "Site",
        "Rank",
        reach,
        "Independent placements it could serve",
        "Annual saving",
    ]
    assert shown["Site"].tolist() == ranked["site_id"].tolist()
    assert shown[reach].tolist() == [f"{n:,}" for n in ranked["children_in_reach"]]
    assert shown["Annual saving"].tolist() == [f"£{v:,.0f}" for v in ranked["annual_saving"]]
    effect = evaluation.effect.system.set_index("metric")
    shown_effect = app.dataframe[2].value.set_index("")
    new = shown_effect.loc["Children placed at the new school"]
    assert new.tolist() == [f"{effect.loc['placed_in_new_settings', c]:,.0f}" for c in effect]
    cost = shown_effect.loc["Total cost a year"]
    without, with_it = (round(effect.loc["total_cost", c]) for c in ("without", "with"))
    assert cost.tolist() == [f"£{without:,}", f"£{with_it:,}", f"-£{without - with_it:,}"]
    assert "placed_in_new_settings" not in app.dataframe[2].value.to_string()
    assert len(app.get("download_button")) == len(list(tmp_path.glob("evidence*"))) + 1
    shared = pd.read_csv(tmp_path / "evidence_sites.csv", dtype=str, keep_default_na=False)
    shown_shared = app.dataframe[1].value
    assert shown_shared["Site"].tolist() == shared["site_id"].tolist()
    assert shown_shared[reach].tolist() == shared["children_in_reach"].tolist()
    assert shown_shared["Annual saving"].tolist() == [
        f"£{int(v):,}" for v in shared["annual_saving"]
    ]
    assert app.metric[0].value == ", ".join(chosen)
    catchments = _layers(app, 0)["PolygonLayer"]
    assert {c["site_id"] for c in catchments} == set(ranked["site_id"])
    assert "Chosen site" in _map_key(app) and "Drive to the site within" in _map_key(app)


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


def test_uploads_keep_only_what_is_read_and_go_when_the_visit_ends() -> None:
    """Uploading the LA's files on the Data page with a children file holding names, birth
    dates and UPNs: they are used, the visitor's folder holds only the columns the readers
    read (no name, birth date or UPN anywhere in it), and the folder goes when the session
    ends."""
    rutland = REPO / "data" / "rutland"
    children = pd.read_csv(rutland / "children.csv", dtype=str, keep_default_na=False)
    personal = children.assign(
        name=[f"Ann Smith{i}" for i in range(len(children))],
        dob="2014-01-02",
        upn=[f"A{i:012d}" for i in range(len(children))],
    )
    app = _page("data")
    files = {0: "gias.csv", 2: "children.csv", 3: "postcodes.csv"}
    for index, name in files.items():
        content = personal.to_csv(index=False).encode() if name == "children.csv" else None
        app.file_uploader[index].upload(name, content or (rutland / name).read_bytes())
    app.run()
    assert not app.exception, app.exception
    _button(app, "Use these files").click().run()
    assert not app.exception, app.exception
    assert app.session_state["workspace"].scenario.name == "Uploaded files"
    assert len(app.session_state["workspace"].inputs.children) == len(children)
    [folder] = _visitor_folders()
    kept = pd.read_csv(folder / "uploads" / "children.csv", dtype=str, keep_default_na=False)
    read = [c for c in children.columns if c in UPLOAD_COLUMNS["children"]]
    assert len(read) > 4 and list(kept.columns) == read
    pd.testing.assert_frame_equal(kept, children[read])
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"Smith" not in path.read_bytes() and b"2014-01-02" not in path.read_bytes()
    end_app_session()  # what the server does when a session disconnects
    assert not folder.exists()


def test_a_session_resumed_after_its_folder_went_starts_afresh() -> None:
    """A session that reconnects after its visit ended (its folder deleted) gets a new folder
    and the sample again, not files that are gone: no exception, no stale edited copies."""
    app = _page("scenarios")
    [t for t in app.text_input if t.label == "Name of the copy"][0].input("mine")
    _button(app, "Save the copy").click().run()
    assert list(app.session_state["edited_scenarios"]) == ["mine"]
    [folder] = _visitor_folders()
    end_app_session()
    app.run()
    assert not app.exception, app.exception
    [again] = _visitor_folders()
    assert again != folder and not folder.exists()
    assert "edited_scenarios" not in app.session_state or not app.session_state["edited_scenarios"]
    assert app.session_state["workspace"].scenario.name == "Rutland baseline"


def test_an_unreadable_upload_is_a_problem_naming_file_and_row() -> None:
    """A children file that is not UTF-8, or has a row with more fields than its header, is a
    problem naming the file (and the row) that quotes no value, not a copy kept."""
    for data, row in ((b"child_id,ncy\nC\xe91,5\n", None), (b"child_id,ncy\nC1,5,X\n", 2)):
        with pytest.raises(InputError) as caught:
            trimmed_csv(Path("children.csv"), data, ["child_id", "ncy"])
        [problem] = caught.value.problems
        assert (problem.file, problem.row) == ("children.csv", row)
        assert "C1" not in problem.message and "X" not in problem.message


def test_stale_folders_are_those_of_stopped_servers(tmp_path: Path) -> None:
    """A visitor's folder is stale when its server's process has gone, or, unnamed by an older
    version, when untouched for a day; other rightplace-* folders are never touched."""
    names = ["rightplace-111-abcd_123", "rightplace-222-abcd_123", "rightplace-old12345"]
    names += ["rightplace-new12345", "rightplace-bench-national", "other-333-abcd_123"]
    for name in names:
        (tmp_path / name).mkdir()
    old = time.time() - 2 * 24 * 3600
    os.utime(tmp_path / "rightplace-old12345", (old, old))
    stale = stale_folders(tmp_path, running=lambda pid: pid == 111)
    assert sorted(p.name for p in stale) == ["rightplace-222-abcd_123", "rightplace-old12345"]


def _own_file_names() -> None:
    from pathlib import Path

    import streamlit as st

    from views.shared import REPO, file_words, session_dir

    for path in (
        session_dir() / "uploads" / "children.csv",
        session_dir() / "scenarios" / "x.yaml",
        REPO / "data" / "rutland" / "gias.csv",
        Path("/etc/hosts"),
    ):
        st.write(file_words(str(path)))


def test_problems_name_files_as_the_visitor_knows_them() -> None:
    """A problem's file is the visitor's upload or copy, or a sample file, never a server path."""
    app = AppTest.from_function(_own_file_names, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, app.exception
    assert [m.value for m in app.markdown] == [
        "your upload: children.csv",
        "your copy: x.yaml",
        "data/rutland/gias.csv",
        "hosts",
    ]
