"""The forecast and backtest commands, and calibration on the Rutland extracts."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.domain.groups import SETTING_GROUPS, TYPE_GROUPS
from solver.domain.scenario import Scenario
from solver.forecast.backtest import SUMMARY_COLUMNS
from solver.forecast.model import METHODS, History, forecast
from solver.forecast.sufficiency import SCAP_COLUMNS, calibrate, dfe_cohort
from solver.io.ehcp import read_la_tables
from solver.io.forecast import FORECAST_COLUMNS, LA_FORECAST_COLUMNS
from solver.io.population import read_population
from solver.io.tariffs import load_tariffs
from solver.workspace import planned_forecast, read_history

ROOT = Path(__file__).resolve().parents[2]
EHCP = ROOT / "data" / "rutland" / "ehcp"
ENGLAND = ROOT / "data" / "rutland" / "ehcp" / "england"
POPULATION = sorted((ROOT / "data" / "rutland" / "population").glob("*.csv"))
RUTLAND = "E06000017"


def test_rutland_dfe_cohort_matches_the_published_total() -> None:
    """The January 2025 state built from DfE's tables holds Rutland's 376 published EHCPs."""
    year, state = dfe_cohort(read_la_tables(EHCP, RUTLAND))
    assert year == 2025
    assert state.sum() == pytest.approx(376.0)


def test_rutland_calibration_is_a_proper_markov_model() -> None:
    """Calibrated rates are valid: cease rates in [0, 1], joiner mixes and transfer rows sum
    to one, and new plans per head are a small non-negative share of the population."""
    tables = read_la_tables(EHCP, RUTLAND)
    rates = calibrate(tables, read_population(POPULATION, RUTLAND), years=10)
    assert ((rates.cease >= 0) & (rates.cease <= 1)).all()
    assert rates.joiner_needs.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(rates.joiner_types.sum(axis=1), 1.0)
    np.testing.assert_allclose(rates.transfer.sum(axis=2), 1.0)
    assert (rates.joiners_per_head >= 0).all() and rates.joiners_per_head.max() < 0.05
    assert len(rates.rate_trend) == 10


def _loaded() -> SimpleNamespace:
    """Three children and three settings, in the loaders' column schemas."""
    settings = pd.DataFrame(
        {
            "urn": ["100", "200", "300"],
            "setting_type": ["mainstream", "state_special", "mainstream_rp"],
            "la_code": ["857", "857", "857"],
            "ncy_low": [0, 0, 7],
            "ncy_high": [6, 13, 11],
        }
    )
    children = pd.DataFrame(
        {
            "child_id": ["a", "b", "c"],
            "ncy": [2, 9, 5],
            "primary_need": ["ASD", "SEMH", "SLD"],
            "current_urn": ["100", "200", ""],
        }
    )
    places = pd.DataFrame(
        {"urn": ["100", "200", "300"], "need": ["", "SEMH", "ASD"], "places": [200, 2, 1]}
    )
    return SimpleNamespace(
        children=children, settings=settings, places=places, tariffs=load_tariffs()
    )


def _scenario(**fields: object) -> Scenario:
    base = {
        "name": "t",
        "la_code": RUTLAND,
        "inputs": {
            "settings": "s.csv",
            "children": "c.csv",
            "ehcp": str(EHCP),
            "population": [str(p) for p in POPULATION],
        },
    }
    return Scenario.model_validate(base | fields)


def test_scenario_forecast_starts_from_the_children_and_has_the_contract_columns() -> None:
    """A forecast from three children: the first year's leavers and joiners come on top of
    them, every row has the forecast.csv columns, and the gap is never negative."""
    result = planned_forecast(Path("s.yaml"), _scenario(), _loaded(), 3)
    table = result.table
    assert tuple(table.columns) == FORECAST_COLUMNS
    assert sorted(table["year"].unique()) == [2026, 2027, 2028]
    assert (table["gap"] >= 0).all()
    assert (table["demand_low"] <= table["demand"] + 1e-9).all()
    assert (table["demand"] <= table["demand_high"] + 1e-9).all()
    special = table[(table["setting_type"] == "state_special") & (table["year"] == 2026)]
    assert special["places"].sum() == pytest.approx(2.0)  # the SEMH places, any phase


def test_forecast_needs_the_la_code_and_history() -> None:
    """Without la_code, inputs.ehcp and inputs.population the forecast reports all three."""
    from solver.errors import InputError

    bare = Scenario.model_validate({"name": "t", "inputs": {"settings": "s", "children": "c"}})
    with pytest.raises(InputError) as caught:
        planned_forecast(Path("s.yaml"), bare, _loaded(), 3)
    assert {p.column for p in caught.value.problems} == {
        "la_code",
        "inputs.ehcp",
        "inputs.population",
    }


def test_backtest_command_writes_both_files(tmp_path: Path) -> None:
    """`rightplace backtest` on the shipped extract writes per-LA errors and the summary with
    the contract's columns, every method and every LA of England at every origin."""
    result = CliRunner().invoke(
        app,
        [
            "backtest",
            "--ehcp",
            str(ENGLAND),
            "--origin",
            "2024",
            "--horizon",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "backtest_summary.csv")
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["method"]) == set(METHODS)
    errors = pd.read_csv(tmp_path / "backtest_errors.csv")
    assert set(errors["origin"]) == {2024}
    assert errors["la_code"].nunique() == 153


def _all_las(tmp_path: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["forecast", "--all-las", "--ehcp", str(ENGLAND), *options, "--out", str(tmp_path)]
    )
    return result.exit_code, result.output


def test_all_las_forecast_is_the_contract_for_every_la(tmp_path: Path) -> None:
    """`forecast --all-las` writes la_forecast.csv with the contract's columns: every LA of
    England (153, including the 2021 and 2023 unitaries) for every year asked, each group and
    `all`, `all` the sum of the groups, whole children inside their intervals."""
    population = ROOT / "data" / "rutland" / "population"
    code, output = _all_las(
        tmp_path, "--origin", "2020", "--years", "3", "--population", str(population)
    )
    assert code == 0, output
    table = pd.read_csv(tmp_path / "la_forecast.csv")
    assert tuple(table.columns) == LA_FORECAST_COLUMNS
    assert table["la_code"].nunique() == 153
    assert {"E06000061", "E06000062", "E06000063", "E06000064"} <= set(table["la_code"])
    assert sorted(table["year"].unique()) == [2021, 2022, 2023]
    assert set(table["setting_group"]) == {"all", *SETTING_GROUPS}
    assert len(table) == 153 * 3 * 6
    groups = table[table["setting_group"] != "all"].groupby(["la_code", "year"])["demand"].sum()
    total = table[table["setting_group"] == "all"].set_index(["la_code", "year"])["demand"]
    pd.testing.assert_series_equal(groups.sort_index(), total.sort_index(), check_names=False)
    assert (table["demand_low"] <= table["demand"]).all()
    assert (table["demand"] <= table["demand_high"]).all()


def test_all_las_forecast_uses_only_data_up_to_the_origin(tmp_path: Path) -> None:
    """Data published after the origin change nothing: the forecast from 2021 is the same with
    the history cut at 2021 (a later January changed by 50% does not move it)."""
    history = read_history(ENGLAND)
    cut = History({g: t.loc[:, :2021] for g, t in history.caseload.items()}, history.la_names)
    changed = History(
        {g: t.mul(np.where(t.columns == 2024, 1.5, 1.0)) for g, t in history.caseload.items()},
        history.la_names,
    )
    expected = forecast(cut, 2021, 2)
    pd.testing.assert_frame_equal(forecast(changed, 2021, 2), expected)
    pd.testing.assert_frame_equal(forecast(history, 2021, 2), expected)


def test_all_las_forecast_problems_are_not_tracebacks(tmp_path: Path) -> None:
    """A missing --ehcp, an origin before the history and a missing population folder are
    problems (exit 2)."""
    code, output = _all_las(tmp_path, "--origin", "1990", "--years", "2")
    assert code == 2 and "origin 1990" in output
    code, output = _all_las(tmp_path, "--population", str(tmp_path / "nope"), "--years", "2")
    assert code == 2 and "not found" in output
    result = CliRunner().invoke(app, ["forecast", "--all-las", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--ehcp" in result.output


def test_scenario_forecast_is_the_la_model_forecast() -> None:
    """One model: the scenario forecast's rows add up, by year and setting group, to
    `forecast.model.forecast` for the LA (the function the back-test scores), scaled by the
    children table's size against DfE's caseload."""
    result = planned_forecast(Path("s.yaml"), _scenario(), _loaded(), 3)
    history = read_history(EHCP)
    model = forecast(history, 2025, 3)
    model = model[(model["la_code"] == RUTLAND) & (model["setting_group"] != "all")]
    level = 3 / 376  # three children against DfE's 376
    table = result.table.assign(setting_group=result.table["setting_type"].map(TYPE_GROUPS))
    got = table.groupby("year")["demand"].sum()
    expected = (model.groupby("year")["demand"].sum() * level).round()
    assert got.tolist() == expected.tolist()


def test_backtest_command_reports_a_missing_folder(tmp_path: Path) -> None:
    """A missing --ehcp folder exits 2 with one problem line, not a traceback."""
    result = CliRunner().invoke(
        app,
        ["backtest", "--ehcp", str(tmp_path / "nope"), "--origin", "2018", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "not found" in result.output


def test_scenario_reads_forecast_fields_relative_to_its_folder(tmp_path: Path) -> None:
    """la_code, inputs.ehcp and inputs.population load, with paths resolved like other inputs."""
    from solver.io.scenario_file import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\nla_code: E06000017\ninputs:\n  settings: s.csv\n  children: c.csv\n"
        "  ehcp: ehcp\n  population: [a.csv, b.csv]\n"
    )
    scenario = load_scenario(path)
    assert scenario.la_code == RUTLAND
    assert scenario.inputs.ehcp == tmp_path / "ehcp"
    assert scenario.inputs.population == [tmp_path / "a.csv", tmp_path / "b.csv"]


def _write_scenario(folder: Path) -> Path:
    """GIAS file of three settings, three children and a scenario naming the Rutland data."""
    from solver.io.gias import write_gias

    base = {
        "la_code": "857",
        "gender": "mixed",
        "easting": 486000.0,
        "northing": 308000.0,
        "postcode": "LE15 6AA",
        "provision": "",
        "on_roll": 100,
        "ofsted": "Good",
        "section41": False,
    }
    settings = pd.DataFrame(
        [
            base
            | {
                "urn": "100001",
                "name": "Oak Primary",
                "setting_type": "mainstream",
                "low_age": 4,
                "high_age": 11,
                "ncy_low": 0,
                "ncy_high": 6,
                "designated_needs": (),
                "capacity": 210,
            },
            base
            | {
                "urn": "100002",
                "name": "Brook Special",
                "setting_type": "state_special",
                "low_age": 4,
                "high_age": 19,
                "ncy_low": 0,
                "ncy_high": 14,
                "designated_needs": ("ASD", "SEMH"),
                "capacity": 12,
            },
            base
            | {
                "urn": "100003",
                "name": "Ash Academy",
                "setting_type": "mainstream",
                "low_age": 11,
                "high_age": 16,
                "ncy_low": 7,
                "ncy_high": 11,
                "designated_needs": (),
                "capacity": 900,
            },
        ]
    )
    write_gias(settings, folder / "gias.csv")
    (folder / "children.csv").write_text(
        "child_id,ncy,sex,primary_need,easting,northing,current_urn\n"
        "c1,3,M,ASD,486100,308100,100001\nc2,9,F,SEMH,486200,308200,100002\n"
        "c3,5,M,SLD,486300,308300,\n"
    )
    population = "\n".join(f"    - {p}" for p in POPULATION)
    path = folder / "scenario.yaml"
    path.write_text(
        f"name: test\nla_code: {RUTLAND}\ninputs:\n  settings: gias.csv\n"
        f"  children: children.csv\n  ehcp: {EHCP}\n  population:\n{population}\n"
    )
    return path


def test_forecast_command_writes_the_contract_tables(tmp_path: Path) -> None:
    """`rightplace forecast` through the real loaders writes forecast.csv with the contract's
    columns for each year asked, a SCAP-shaped table and the population/rate effects."""
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--scenario",
            str(_write_scenario(tmp_path)),
            "--years",
            "4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "forecast.csv")
    assert tuple(table.columns) == FORECAST_COLUMNS
    assert sorted(table["year"].unique()) == [2026, 2027, 2028, 2029]
    scap = pd.read_csv(out / "scap_send.csv")
    assert tuple(scap.columns) == SCAP_COLUMNS
    assert {"state-funded special school"} <= set(scap["provision"])
    effects = pd.read_csv(out / "effects.csv")
    assert {"baseline", "population_effect", "rate_effect"} <= set(effects.columns)


def test_rutland_forecast_scenario_runs_ten_years(tmp_path: Path) -> None:
    """The shipped Rutland baseline scenario gives ten years from its 376 children, with the
    first year's demand within a plausible band of them and gaps by need and phase."""
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--scenario",
            str(ROOT / "scenarios" / "baseline.yaml"),
            "--years",
            "10",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "forecast.csv", keep_default_na=False)
    assert table["year"].nunique() == 10
    first = table.loc[table["year"] == table["year"].min(), "demand"].sum()
    assert 376 * 0.9 < first < 376 * 1.3
    assert (table["gap"] > 0).any()


def _forecast_exit(tmp_path: Path, scenario: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["forecast", "--scenario", str(scenario), "--years", "2", "--out", str(tmp_path / "o")]
    )
    return result.exit_code, result.output


def test_an_la_code_not_in_the_dfe_data_is_a_problem(tmp_path: Path) -> None:
    """Issue 15 item 7: a scenario whose la_code DfE does not publish exits 2 naming the
    caseload file and the LA code, not a traceback."""
    scenario = _write_scenario(tmp_path)
    scenario.write_text(scenario.read_text().replace(RUTLAND, "E06000999"))
    code, output = _forecast_exit(tmp_path, scenario)
    assert code == 2, output
    assert "caseload.csv" in output and "E06000999" in output


def test_a_truncated_caseload_file_is_a_problem_at_its_last_row(tmp_path: Path) -> None:
    """Issue 15 item 7: caseload.csv cut off mid-row exits 2 naming the file, line and the first
    missing column."""
    ehcp = tmp_path / "ehcp"
    ehcp.mkdir()
    for source in EHCP.glob("*.csv"):
        (ehcp / source.name).write_bytes(source.read_bytes())
    text = (EHCP / "caseload.csv").read_text()
    cut = text[: text.index("\n", len(text) // 2) + 40]
    (ehcp / "caseload.csv").write_text(cut)
    scenario = _write_scenario(tmp_path)
    scenario.write_text(scenario.read_text().replace(str(EHCP), str(ehcp)))
    code, output = _forecast_exit(tmp_path, scenario)
    assert code == 2, output
    line = cut.count("\n") + 1
    assert f"caseload.csv:{line}:" in output and "cut off" in output


def test_readme_examples_use_only_files_in_the_repository() -> None:
    """Issue 15 item 8: every README command runs from a fresh clone: no path outside the
    repository, and every data or scenario path it names is shipped."""
    lines = [
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.lstrip().startswith("rightplace ") or line.startswith("    --")
    ]
    assert any("backtest" in line for line in lines)
    for line in lines:
        assert "../" not in line, line
        for word in line.split():
            if word.startswith(("data/", "scenarios/")):
                assert (ROOT / word).exists(), word
