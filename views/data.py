"""Data: the inputs in use, their validation report, uploads of the LA's own files, a map."""

from datetime import date

import pandas as pd
import streamlit as st
import yaml

from solver.errors import InputError
from solver.io.outputs import csv_text
from solver.io.sen2 import return_from_bytes
from solver.io.sen2_files import census_date, sen2_quality
from solver.io.tariffs import DEFAULT_TARIFFS_PATH
from solver.io.validate import validate_files
from solver.io.words import need_words, setting_type_words
from views.shared import (
    plain,
    problems_table,
    save_upload,
    session_dir,
    settings_map,
    use_scenario,
    workspace,
)

st.title("Data")
ws = workspace()
if ws is None:
    st.stop()
inputs = ws.inputs
st.caption(f"Scenario: **{plain(ws.scenario.name)}**. {plain(ws.scenario.description)}")
a, b, c = st.columns(3)
a.metric("Settings", len(inputs.settings))
b.metric("Children with EHCPs", len(inputs.children))
c.metric("Place lines", len(inputs.places))

left, right = st.columns(2)
left.subheader("Settings by type")
left.dataframe(
    inputs.settings["setting_type"]
    .value_counts()
    .rename("Settings")
    .rename(setting_type_words)
    .rename_axis("Type")
)
right.subheader("Children by primary need")
right.dataframe(
    inputs.children["primary_need"]
    .value_counts()
    .rename("Children")
    .rename(need_words)
    .rename_axis("Primary need")
)

st.subheader("Map of settings")
settings_map(ws)

st.subheader("Use your own files")
st.write(
    "Upload the GIAS download as DfE publishes it, and optionally place overrides, children "
    "and postcodes (formats: docs/inputs.md). Files stay in this session only."
)
uploads = {
    "settings": st.file_uploader("GIAS establishment download (CSV)", type="csv"),
    "overrides": st.file_uploader("Place overrides (CSV)", type="csv"),
    "children": st.file_uploader("Children (CSV, pseudonymous)", type="csv"),
    "postcodes": st.file_uploader("Postcode centroids (Code-Point Open or ONSPD)", type="csv"),
}
if uploads["settings"] is not None:
    try:
        saved = {
            role: save_upload(role, upload.getvalue())
            for role, upload in uploads.items()
            if upload is not None
        }
    except InputError as exc:
        problems_table(list(exc.problems))
        st.stop()
    report = validate_files(**saved)
    if not report.ok:
        problems_table(list(report.problems))
    else:
        st.success(report.summary(setting_type_words, need_words))
        if "children" in saved and st.button("Use these files"):
            scenario = {
                "name": "Uploaded files",
                "inputs": {
                    **{role: str(path) for role, path in saved.items()},
                    "network": str(ws.scenario.inputs.network),
                    "tariffs": str(ws.scenario.inputs.tariffs or DEFAULT_TARIFFS_PATH),
                },
            }
            path = session_dir() / "uploads" / "scenario.yaml"
            path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
            problems = use_scenario(path)
            if problems:
                problems_table(problems)
            else:
                st.rerun()
else:
    st.info("The Rutland sample is in use (data/README.md says what is real and illustrative).")

st.subheader("Your SEN2 return")
st.write(
    "Upload the Blade CSV files of your SEN2 return (or their zip) to see its data-quality "
    "report at a census date, against the settings and postcodes in use. The files are read in "
    "memory only; no name, birth date or postcode is shown or kept (docs/inputs.md)."
)
returned = st.file_uploader(
    "SEN2 return (CSV files or zip)", type=["csv", "zip"], accept_multiple_files=True
)
if returned:
    try:
        sen2 = return_from_bytes({f.name: f.getvalue() for f in returned})
    except InputError as exc:
        problems_table(list(exc.problems))
    else:
        census = st.date_input("Census date", census_date(sen2.year or date.today().year))
        found = sen2_quality(
            sen2, census, ws.scenario.inputs.settings, ws.scenario.inputs.postcodes
        )
        a, b, c = st.columns(3)
        a.metric("Persons in scope", found.in_scope)
        b.metric("Children", len(found.children))
        c.metric("Unusable", found.unusable)
        report = found.report()
        st.dataframe(report, hide_index=True, width="stretch")
        st.download_button("sen2_issues.csv", csv_text(report), "sen2_issues.csv", "text/csv")

with st.expander("Validation report of the files in use"):
    files = ws.scenario.inputs
    checked = st.session_state.get("validated")  # (workspace, report): once per workspace
    if checked is None or checked[0] is not ws:
        report = validate_files(files.settings, files.overrides, files.children, files.postcodes)
        st.session_state["validated"] = checked = (ws, report)
    report = checked[1]
    if report.ok:
        st.success(report.summary(setting_type_words, need_words))
    else:
        st.dataframe(pd.DataFrame([vars(p) for p in report.problems]), hide_index=True)
