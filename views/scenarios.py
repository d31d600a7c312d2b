"""Scenarios: pick or edit what-ifs, run them, and compare them side by side with charts."""

import hashlib
import re
from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

from solver.domain.model import SettingType
from solver.domain.needs import Need, Phase
from solver.domain.scenario import Scenario, Trajectory
from solver.errors import InputError, Problem
from solver.io.outputs import csv_text
from solver.io.scenario_file import load_scenario
from solver.io.words import (
    metric_change,
    metric_value,
    metric_words,
    need_words,
    phase_words,
    setting_type_words,
)
from solver.scenarios.compare import (
    COMPARISON_FILE,
    SHARE_GROUPS,
    ScenarioRun,
    comparison_table,
)
from solver.workspace import run_scenario
from views.charts import bars, lines
from views.shared import REPO, outside_own_files, plain, problems_table, session_dir, workspace

SCENARIOS = REPO / "scenarios"
SHIPPED = {p.stem: p for p in sorted(SCENARIOS.glob("*.yaml"))}
#: The placed children in none of SHARE_GROUPS, so the shares chart adds up to all of them.
ELSEWHERE = "elsewhere (colleges, alternative provision)"
#: The scenarios picked to run (kept when an edited copy adds a choice) and the first pick.
PICKED = "picked_scenarios"
DEFAULT_PICK = ("baseline", "asd_special_free_school")


def edited() -> dict[str, Path]:
    """This session's edited copies, by name."""
    return st.session_state.setdefault("edited_scenarios", {})


def beside_shipped(text: str) -> str:
    """Scenario YAML whose relative input paths (as the shipped files and the YAML tab give
    them) are made absolute against the shipped scenarios' folder, so a copy saved elsewhere
    reads the same files; text that is not a YAML mapping is left for the loader to report."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    inputs = data.get("inputs") if isinstance(data, dict) else None
    if not isinstance(inputs, dict):
        return text

    def absolute(value: object) -> object:
        if isinstance(value, list):
            return [absolute(v) for v in value]
        if isinstance(value, str) and not Path(value).is_absolute():
            return str((SCENARIOS / value).resolve())
        return value

    data["inputs"] = {key: absolute(value) for key, value in inputs.items()}
    return yaml.safe_dump(data, sort_keys=False)


def save_copy(name: str, text: str) -> list[Problem]:
    """Save an edited scenario if the strict schema accepts it and it reads only the sample's
    files and this visitor's own, and pick it to run; its problems otherwise (and nothing
    saved)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip()) or "edited"
    if stem in SHIPPED:
        return [Problem(name, None, "name", f"{stem} is a shipped scenario: pick another name")]
    path = session_dir() / "scenarios" / f"{stem}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(beside_shipped(text), encoding="utf-8")
    try:
        problems = outside_own_files(load_scenario(path), name)
    except InputError as exc:
        problems = list(exc.problems)
    if problems:  # nothing saved, and an earlier copy of that name is gone with it
        path.unlink()
        edited().pop(stem, None)
        return problems
    edited()[stem] = path
    chosen = st.session_state.setdefault(PICKED, list(DEFAULT_PICK))
    if stem not in chosen:
        chosen.append(stem)
    return []


def journeys_dir(scenario: Scenario) -> Path:
    """Where a scenario's travel table is cached: shared by scenarios with the same inputs and
    journey cut-off, so a re-run reads journeys instead of routing again."""
    key = f"{scenario.inputs.model_dump_json()}|{scenario.policy.cutoff_minutes}"
    return session_dir() / "journeys" / hashlib.sha1(key.encode()).hexdigest()[:12]


def edit_form(base: Scenario, stem: str, settings: pd.DataFrame) -> dict | None:
    """The edit form: journey limits, demand, a new setting, more places; the edited scenario
    as a plain mapping once submitted."""
    data = base.model_dump(mode="json", exclude_none=True)
    with st.form("edit"):
        name = st.text_input("Name of the copy", f"{stem}_edited")
        st.markdown("**Journey limits (minutes, each way)**")
        columns = st.columns(len(Phase))
        limits = {
            phase.value: column.number_input(
                phase_words(phase), 5, 240, base.policy.limit_for(phase), step=5
            )
            for phase, column in zip(Phase, columns, strict=True)
        }
        st.markdown("**Demand**")
        left, middle, right = st.columns(3)
        trajectories = [t.value for t in Trajectory]
        trajectory = left.selectbox(
            "EHCP request-rate trajectory",
            trajectories,
            trajectories.index(base.demand.trajectory.value),
        )
        rates = list(base.demand.annual_growth.values()) or [0.05]
        growth = middle.number_input(
            "Custom growth (% a year)", -20.0, 50.0, round(rates[0] * 100, 1), step=1.0
        )
        first = right.number_input("Custom growth from year", 2020, 2060, 2026)
        st.markdown("**Open a new setting**")
        open_new = st.checkbox("Open a new setting")
        a, b, c, d = st.columns(4)
        new_name = a.text_input("Setting name", "New special school")
        setting_type = b.selectbox(
            "Type",
            [t.value for t in SettingType],
            [t.value for t in SettingType].index("state_special"),
            format_func=setting_type_words,
        )
        needs = c.multiselect(
            "Designated needs", [n.value for n in Need], ["ASD"], format_func=need_words
        )
        year = d.number_input("Opens in", 2020, 2060, 2026)
        a, b, c, d, e = st.columns(5)
        low_age = a.number_input("Lowest age", 0, 25, 5)
        high_age = b.number_input("Highest age", 0, 25, 18)
        places = c.number_input("Places", 0, 2000, 60)
        easting = d.number_input("Easting (m)", 0, 700_000, int(settings["easting"].median()))
        northing = e.number_input("Northing (m)", 0, 1_300_000, int(settings["northing"].median()))
        st.markdown("**Expand places at an existing setting**")
        expand = st.checkbox("Expand places")
        a, b, c, d = st.columns(4)
        names = dict(zip(settings["urn"].astype(str), settings["name"], strict=True))
        urn = a.selectbox(
            "Setting",
            sorted(names, key=lambda u: str(names[u])),
            format_func=lambda u: str(names[u]),
        )
        need = b.selectbox(
            "For need",
            ["(all needs)", *[n.value for n in Need]],
            format_func=lambda n: n if n == "(all needs)" else need_words(n),
        )
        more = c.number_input("More places", 0, 2000, 10)
        from_year = d.number_input("From", 2020, 2060, 2026)
        if not st.form_submit_button("Save the copy"):
            return None
    data["name"] = name
    data["policy"]["journey_limit_minutes"] = limits
    data["demand"] = {"trajectory": trajectory}
    if trajectory == Trajectory.CUSTOM:
        data["demand"]["annual_growth"] = {y: growth / 100 for y in range(first, first + 25)}
    changes = data.setdefault("changes", [])
    if open_new:
        changes.append(
            {
                "action": "open",
                "year": year,
                "urn": f"NEW{len(changes) + 1:03d}",
                "name": new_name,
                "setting_type": setting_type,
                "designated_needs": needs,
                "low_age": low_age,
                "high_age": high_age,
                "places": places,
                "easting": easting,
                "northing": northing,
            }
        )
    if expand:
        change = {"action": "expand", "year": from_year, "urn": urn, "places": more}
        changes.append(change | ({} if need == "(all needs)" else {"need": need}))
    return data


st.title("Scenarios")
ws = workspace()
if ws is None:
    st.stop()
st.write(
    "Pick scenarios (journey limits, new provision, demand growth), or edit a copy of one; run "
    "them on the sample and compare them side by side. The table is what `rightplace compare` "
    "writes."
)

with st.expander("Edit a copy: journey limits, new provision, demand growth"):
    stem = st.selectbox("Start from", list(SHIPPED), index=list(SHIPPED).index("baseline"))
    base = load_scenario(SHIPPED[stem])
    form_tab, yaml_tab = st.tabs(["Form", "YAML"])
    with form_tab:
        data = edit_form(base, stem, ws.inputs.settings)
        if data is not None:
            problems = save_copy(data["name"], yaml.safe_dump(data, sort_keys=False))
            if problems:
                problems_table(problems)
            else:
                st.success(f"Saved {plain(data['name'])}: pick it below.")
    with yaml_tab, st.form("yaml"):
        name = st.text_input("Name of the copy", f"{stem}_yaml")
        text = st.text_area(
            "Scenario (YAML, docs/scenarios.md; input paths relative to scenarios/)",
            SHIPPED[stem].read_text(encoding="utf-8"),
            height=400,
        )
        if st.form_submit_button("Save the copy"):
            problems = save_copy(name, text)
            if problems:
                problems_table(problems)
            else:
                st.success(f"Saved {plain(name)}: pick it below.")

st.subheader("Run and compare")
available = {**SHIPPED, **edited()}
chosen = st.session_state.get(PICKED, list(DEFAULT_PICK))
picked = st.multiselect(
    "Scenarios (the first is the reference)",
    list(available),
    [s for s in chosen if s in available],
)
st.session_state[PICKED] = picked
years = st.slider("Forecast years ahead", 1, 15, 5)
if st.button("Run", type="primary", disabled=not picked):
    runs: dict[str, ScenarioRun] = {}
    with st.status("Running scenarios...", expanded=True) as status:
        bar = st.progress(0.0)
        try:
            for i, stem in enumerate(picked):
                st.write(f"Placing children and forecasting: {stem}")
                path = available[stem]
                runs[stem] = run_scenario(path, journeys_dir(load_scenario(path)), years)
                bar.progress((i + 1) / len(picked))
        except InputError as exc:
            status.update(label="A scenario has problems", state="error")
            problems_table(list(exc.problems))
            st.stop()
        status.update(label=f"Ran {len(runs)} scenario(s)", state="complete", expanded=False)
    st.session_state["scenario_runs"] = runs
shown: dict[str, ScenarioRun] | None = st.session_state.get("scenario_runs")
if not shown:
    st.stop()

table = comparison_table(shown)
names = list(shown)
first, *others = names
readable = pd.DataFrame(
    {
        **{name: [metric_value(m, v) for m, v in table[name].items()] for name in names},
        **{
            f"{name} - {first}": [
                metric_change(m, table.at[m, name], table.at[m, first]) for m in table.index
            ]
            for name in others
        },
    },
    index=pd.Index([metric_words(m) for m in table.index], name="Measure"),
)
st.dataframe(readable, width="stretch")
st.download_button(
    COMPARISON_FILE,
    csv_text(table.round(4), index=True),
    COMPARISON_FILE,
    "text/csv",
    key="comparison",
)
st.caption(f"{COMPARISON_FILE} keeps the codes and every digit, for spreadsheets.")


def long(metrics: list[str], part: str, value: str) -> pd.DataFrame:
    """The chosen metrics of every scenario as rows (scenario, part in words, value)."""
    rows = table.loc[metrics, names].T.stack().rename(value).reset_index()
    rows.columns = ["scenario", part, value]
    rows[part] = rows[part].map(metric_words)
    return rows


left, right = st.columns(2)
with left:
    st.markdown("**Annual cost**")
    bars(
        long(["education_cost", "transport_cost"], "cost", "pounds"),
        x="scenario",
        y="pounds",
        x_title="Scenario",
        y_title="Annual cost (£)",
        colour="cost",
        colour_title="",
        order=names,
        y_format=",.0f",
        description="Annual cost of places and transport by scenario",
    )
with right:
    st.markdown("**Where children are placed**")
    shares = long(list(SHARE_GROUPS), "setting", "share")  # "in mainstream schools", ...
    shares["setting"] = shares["setting"].str.removeprefix("Share placed ")
    rest = 1 - shares.groupby("scenario", sort=False)["share"].sum()
    elsewhere = pd.DataFrame({"scenario": rest.index, "setting": ELSEWHERE, "share": rest.values})
    bars(
        pd.concat([shares, elsewhere], ignore_index=True),
        x="scenario",
        y="share",
        x_title="Scenario",
        y_title="Share of children placed",
        colour="setting",
        colour_title="Placed",
        order=names,
        y_format=".0%",
        description="Share of placed children by kind of setting, by scenario",
    )
left, right = st.columns(2)  # a new row, level whatever the legends above
with left:
    st.markdown("**Journeys**")
    bars(
        long(["mean_journey_minutes", "p95_journey_minutes"], "journey", "minutes"),
        x="scenario",
        y="minutes",
        x_title="Scenario",
        y_title="Minutes each way",
        colour="journey",
        colour_title="",
        order=names,
        grouped=True,
        description="Mean and 95th percentile journey by scenario",
    )
gaps = table.loc[table.index.str.startswith("gap_"), names]
with right:
    st.markdown("**Sufficiency gap, all needs and phases**")
    if len(gaps):
        by_year = gaps.groupby(gaps.index.str.split("_").str[1]).sum()
        rows = (
            by_year.rename_axis("year")
            .reset_index()
            .melt(id_vars="year", var_name="scenario", value_name="children")
        )
        lines(
            rows,
            x="year",
            y="children",
            x_title="Year",
            y_title="Places short (children)",
            colour="scenario",
            colour_title="Scenario",
            order=names,
            description="Places short, all needs and phases, by year and scenario",
        )
    else:
        st.write("No gaps in any scenario.")
