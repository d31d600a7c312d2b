"""`rightplace synth --sen2`, `rightplace sen2` and `validate --sen2` end to end: synthetic
returns give back their children, the key keeps ids stable, and no personal value planted in a
return reaches any file written or any line printed or logged."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.domain.model import CHILD_COLUMNS
from solver.io.children import load_children
from solver.io.inputs import load_postcodes, load_scenario_inputs, read_gias
from solver.io.scenario_file import load_scenario

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "rutland"
KEYS = ["ncy", "sex", "primary_need", "secondary_need", "easting", "northing", "current_urn"]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    args = ["synth", "--children", "400", "--settings", "40", "--nodes", "300", "--seed", "3"]
    result = runner.invoke(app, [*args, "--sen2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _import(synth: Path, out: Path, key: Path, *extra: str) -> CliRunner:
    args = ["sen2", "--return", str(synth / "sen2" / "2025"), "--census", "2025-01-16"]
    files = ["--postcodes", str(synth / "postcodes.csv"), "--settings", str(synth / "gias.csv")]
    return runner.invoke(app, [*args, *files, "--out", str(out), "--key", str(key), *extra])


def test_synth_import_gives_back_the_same_children(synth: Path, tmp_path: Path) -> None:
    """Every synthetic child comes back with its NCY, sex, needs, home and setting (SEN2 has no
    code for an unknown need: it comes back as OTH); the return has no issue."""
    result = _import(synth, tmp_path, tmp_path / "key")
    assert result.exit_code == 0, result.output
    settings = read_gias(synth / "gias.csv").settings
    expected = load_children(
        synth / "children.csv", load_postcodes(synth / "postcodes.csv"), settings
    )
    expected["primary_need"] = expected["primary_need"].replace("UNKNOWN", "OTH")
    expected["secondary_need"] = expected["secondary_need"].replace("UNKNOWN", "OTH")
    got = load_children(tmp_path / "children.csv", None, settings)
    assert len(got) == len(expected) == 400
    order = [*KEYS, "transfer"]
    pd.testing.assert_frame_equal(
        got[order].sort_values(order).reset_index(drop=True),
        expected[order].sort_values(order).reset_index(drop=True),
    )
    report = pd.read_csv(tmp_path / "sen2_issues.csv", dtype=str, keep_default_na=False)
    assert (report["module"] == "summary").all()
    assert "400 persons in scope = 400 children + 0 unusable; 0 issue(s)" in result.output


def test_flows_between_the_two_returns(synth: Path, tmp_path: Path) -> None:
    """Last year's children + joiners - leavers = this year's; every leaver has a cease reason
    and movers changed setting group or setting."""
    result = _import(synth, tmp_path, tmp_path / "key", "--previous", str(synth / "sen2" / "2024"))
    assert result.exit_code == 0, result.output
    flows = pd.read_csv(
        tmp_path / "sen2_flows.csv", dtype={"cease_reason": str}, keep_default_na=False
    )
    total = flows.groupby("flow")["children"].sum()
    previous = runner.invoke(
        app,
        ["sen2", "--return", str(synth / "sen2" / "2024"), "--census", "2024-01-18",
         "--postcodes", str(synth / "postcodes.csv"), "--settings", str(synth / "gias.csv"),
         "--out", str(tmp_path / "before"), "--key", str(tmp_path / "key")],
    )  # fmt: skip
    assert previous.exit_code == 0, previous.output
    before = pd.read_csv(tmp_path / "before" / "children.csv")
    assert len(before) + total["joiner"] - total["leaver"] == 400
    leavers = flows[flows["flow"] == "leaver"]
    assert leavers["cease_reason"].isin([str(i) for i in range(1, 10)]).all()
    assert total["mover"] > 0
    assert set(flows.columns) == {
        "flow",
        "ncy",
        "need",
        "from_group",
        "to_group",
        "cease_reason",
        "children",
    }


def test_key_keeps_ids_stable_and_private(
    synth: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default key is created 0600 in the config folder, outside the outputs; the same key
    gives the same ids, another key other ids; outputs are 0600."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    args = ["sen2", "--return", str(synth / "sen2" / "2025"), "--census", "2025-01-16",
            "--postcodes", str(synth / "postcodes.csv"),
            "--settings", str(synth / "gias.csv")]  # fmt: skip
    for out in ("a", "b"):
        assert runner.invoke(app, [*args, "--out", str(tmp_path / out)]).exit_code == 0
    key = tmp_path / "config" / "rightplace" / "sen2.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert _import(synth, tmp_path / "c", tmp_path / "other.key").exit_code == 0
    ids = {o: pd.read_csv(tmp_path / o / "children.csv")["child_id"] for o in "abc"}
    assert ids["a"].equals(ids["b"])
    assert not set(ids["a"]) & set(ids["c"])
    for name in ("children.csv", "sen2_issues.csv"):
        assert stat.S_IMODE(os.stat(tmp_path / "a" / name).st_mode) == 0o600
    assert not list((tmp_path / "a").glob("*key*"))


def test_validate_sen2(synth: Path, tmp_path: Path) -> None:
    """A clean return validates (exit 0); one with problems prints file:row:column lines, exit 2;
    a path that is no return is one problem, exit 2."""
    ok = runner.invoke(app, ["validate", "--sen2", str(synth / "sen2" / "2025")])
    assert ok.exit_code == 0, ok.output
    from tests.io.test_sen2_quality import write_return

    bad = runner.invoke(app, ["validate", "--sen2", str(write_return(tmp_path / "bad"))])
    assert bad.exit_code == 2
    assert "bad/Blade-Export_07-03-2025_person.csv:3:upn: no_upn_uln:" in bad.output
    missing = runner.invoke(app, ["validate", "--sen2", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_scenario_takes_children_from_sen2(synth: Path, tmp_path: Path) -> None:
    """A scenario naming inputs.sen2 loads the children `rightplace sen2` writes."""
    key = tmp_path / "key"
    assert _import(synth, tmp_path / "out", key).exit_code == 0
    sen2 = f"sen2:\n    path: sen2/2025\n    census: 2025-01-16\n    key: {key}"
    text = (synth / "scenario.yaml").read_text().replace("children: children.csv", sen2)
    scenario = synth / "sen2_scenario.yaml"  # beside the synthetic set: its paths are relative
    scenario.write_text(text)
    inputs = load_scenario_inputs(load_scenario(scenario))
    written = pd.read_csv(tmp_path / "out" / "children.csv")
    assert list(inputs.children.columns) == list(CHILD_COLUMNS)
    assert sorted(inputs.children["child_id"]) == sorted(written["child_id"])


CANARIES = {
    "surname": "Canarysurnamexq",
    "forename": "Canaryforenamexq",
    "upn": "CANARYUPN0001",
    "uniquelearnernumber": "9999988888",
    "address": "17 Canary Wharf Lane",
}


def test_no_personal_value_reaches_any_output(
    synth: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Canary values in every personal field of a return (names, birth date, postcode, UPN,
    ULN, an address column) appear in no file written, no line printed and no log record."""
    source = tmp_path / "return"
    source.mkdir()
    for path in (synth / "sen2" / "2025").iterdir():
        text = path.read_text()
        if path.name.endswith("_person.csv"):
            person = pd.read_csv(path, dtype=str, keep_default_na=False)
            person.loc[0, list(CANARIES)[:4]] = list(CANARIES.values())[:4]
            person["address"] = CANARIES["address"]
            person.loc[0, "personbirthdate"] = "2013-Mar-07 00:00:00"
            person.loc[0, "postcode"] = "QC9 9QX"
            person.loc[1, "postcode"] = "QC9 9QY"  # not in the lookup: an issue, never quoted
            text = person.to_csv(index=False)
        (source / path.name).write_text(text)
    postcodes = pd.read_csv(synth / "postcodes.csv", dtype=str)
    extra = postcodes.iloc[[0]].assign(Postcode="QC99QX")
    pd.concat([postcodes, extra]).to_csv(tmp_path / "postcodes.csv", index=False)
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    printed = []
    for args in (
        ["-v", "sen2", "--return", str(source), "--census", "2025-01-16", "--postcodes",
         str(tmp_path / "postcodes.csv"), "--settings", str(synth / "gias.csv"), "--out",
         str(out), "--key", str(tmp_path / "keys" / "k"),
         "--previous", str(synth / "sen2" / "2024")],
        ["-v", "validate", "--sen2", str(source), "--postcodes", str(tmp_path / "postcodes.csv")],
    ):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 2), result.output
        printed.append(result.output)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and source not in p.parents]
    written = [p for p in written if p.name != "postcodes.csv"]
    assert {p.name for p in out.iterdir()} == {"children.csv", "sen2_issues.csv", "sen2_flows.csv"}
    haystack = "\n".join([*(p.read_bytes().decode("utf-8", "replace") for p in written), *printed])
    haystack += "\n".join(r.getMessage() for r in caplog.records)
    needles = [
        *CANARIES.values(),
        "2013-03-07",
        "2013-Mar-07",
        "07/03/2013",
        "QC9 9QX",
        "QC99QX",
        "QC9 9QY",
        "QC99QY",
    ]
    for needle in needles:
        assert needle.lower() not in haystack.lower(), needle
    assert "postcode_not_found" in (out / "sen2_issues.csv").read_text()


def test_sen2_bad_inputs_exit_2(
    synth: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No such return, or a postcode file that is not one: every problem printed, exit 2,
    nothing written, no traceback."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    args = ["sen2", "--return", str(tmp_path / "nothing"), "--census", "2025-01-16"]
    files = ["--postcodes", str(synth / "gias.csv"), "--settings", str(synth / "gias.csv")]
    result = runner.invoke(app, [*args, *files, "--out", str(tmp_path / "b")])
    assert result.exit_code == 2, result.output
    assert "2 problem(s) found" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "b").exists()
    bad_date = runner.invoke(app, [*args[:-1], "16/01/2025", *files, "--out", str(tmp_path)])
    assert bad_date.exit_code == 2


def test_readme_quick_start_runs_from_the_sen2_return(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first commands (validate the sample's SEN2 return, derive its children,
    validate them) run as written, out/ being a fresh folder, and give the shipped
    children.csv."""
    import shlex

    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text()
    block = readme.split("```sh", 2)[2].split("```", 1)[0]
    commands = [
        shlex.split(line.split("#", 1)[0]) for line in block.replace("\\\n", " ").splitlines()
    ]
    first = [c for c in commands if c][:3]
    assert [c[1] for c in first] == ["validate", "sen2", "validate"]
    monkeypatch.chdir(repo)
    for command in first:
        args = [a.replace("out/", f"{tmp_path}/") for a in command[1:]]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "sen2" / "children.csv").read_bytes() == (
        repo / "data" / "rutland" / "children.csv"
    ).read_bytes()
    assert (tmp_path / "sen2" / "sen2_flows.csv").exists()


def test_children_are_derived_from_the_sample_sen2_return(tmp_path: Path) -> None:
    """children.csv is exactly what `rightplace sen2` derives from data/rutland/sen2 (sample
    key): every home a postcode centroid, every id a pseudonym (S2- and 16 hex digits)."""
    args = ["sen2", "--return", str(SAMPLE / "sen2" / "2025"), "--census", "2025-01-16"]
    files = ["--postcodes", str(SAMPLE / "postcodes.csv"), "--settings", str(SAMPLE / "gias.csv")]
    key = ["--key", str(SAMPLE / "sen2" / "sample.key"), "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, *files, *key])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "children.csv").read_bytes() == (SAMPLE / "children.csv").read_bytes()
    raw = pd.read_csv(SAMPLE / "children.csv", dtype=str, keep_default_na=False)
    assert (raw[["easting", "northing"]] != "").all().all()
    assert raw["child_id"].str.fullmatch(r"S2-[0-9a-f]{16}").all()
