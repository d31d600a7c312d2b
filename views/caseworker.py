"""Caseworker: one child's tailored list, ranked with reasons, for the family and the file."""

import hashlib
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from geo.basemap import polygon_rings
from geo.isochrones import isochrone
from solver.domain.model import Child
from solver.domain.reasons import Reason
from solver.io.family_page import Issue
from solver.io.lists import list_files
from solver.io.outputs import id_file_name
from solver.io.record import RECORD_FILE, input_paths, journeys_used, make_record, record_json
from solver.io.words import (
    ANY_NEED_SHORT,
    MARKS,
    NEED_FITS,
    legal_grounds,
    minutes,
    need_words,
    phase_words,
    pounds,
    reasons_short,
    setting_type_words,
    year_group,
)
from views.shared import plain, road_network, settings_map, workspace

#: Column headings of the tables on this page.
TABLE_HEADINGS = {
    "name": "Setting",
    "kind": "Kind",
    "journey": "Journey",
    "cost": "Cost a year",
    "vacancies": "Vacancies",
    "ofsted": "Ofsted",
    "why": "Fits",
    "know": "To know",
    "off": "Why not on the list",
    "ground": "Legal ground",
}
#: Reasons a setting is off a list.
OFF_REASONS = frozenset({Reason.AGE, Reason.SEX, Reason.NEED, Reason.JOURNEY})

st.title("Tailored list")
ws = workspace()
if ws is None:
    st.stop()
children = ws.inputs.children.set_index("child_id", drop=False)
child_id = st.selectbox("Child (pseudonymous id)", sorted(children.index), index=None)
if child_id is None:
    st.info("Pick a child to see the settings that can meet their needs.")
    st.stop()

child = Child.from_row(children.loc[child_id].to_dict())
policy = ws.scenario.policy
secondary = f"; other need: {need_words(child.secondary_need)}" if child.secondary_need else ""
year = year_group(child.ncy)
phase = phase_words(child.phase)
st.write(
    f"**{plain(child.child_id)}**: {year if phase in year else f'{year} ({phase})'}; main need: "
    f"{need_words(child.primary_need)}{secondary}. Journey limit "
    f"{policy.limit_for(child.phase)} minutes."
)
lists = ws.tailored_lists([child_id])
shown = lists.assign(
    kind=lists["setting_type"].map(setting_type_words),
    why=lists["reasons"].map(lambda r: reasons_short(r, NEED_FITS) or ANY_NEED_SHORT),
    know=lists["reasons"].map(lambda r: reasons_short(r, MARKS)),
    off=lists["reasons"].map(lambda r: reasons_short(r, OFF_REASONS)),
    ground=lists["reasons"].map(lambda r: legal_grounds(r, OFF_REASONS, cited=True)),
)
on_list = shown[shown["on_list"]].sort_values("rank")
st.subheader(f"On the list: {len(on_list)} settings")
st.table(
    on_list.assign(
        journey=on_list["travel_minutes"].map(minutes),
        cost=on_list["annual_cost"].map(pounds),
        vacancies=on_list["vacancy"].map(lambda v: "not known" if pd.isna(v) else f"{v:,}"),
    )[["rank", "name", "kind", "journey", "cost", "vacancies", "ofsted", "why", "know"]]
    .set_index("rank")
    .rename_axis("Rank")
    .rename(columns=TABLE_HEADINGS)
)
st.caption(
    "Every setting listed teaches the child's year group within the journey limit. Fits: how "
    "it meets the child's needs. To know: no vacancy, much dearer, or journey estimated. The "
    "family's page says each in full."
)
with st.expander(f"Not on the list: {len(shown) - len(on_list)} settings, with reasons"):
    off_list = shown[~shown["on_list"]].sort_values("name")
    st.dataframe(
        off_list[["name", "kind", "off", "ground"]].rename(columns=TABLE_HEADINGS),
        hide_index=True,
    )
    st.caption(
        "Legal ground: s39(4)(a) of the Children and Families Act 2014 (unsuitable for the "
        "child's age, ability, aptitude or SEN); journey limit: the LA's home-to-school travel "
        "policy."
    )

issued = datetime.now(UTC)
issue = Issue.of(ws.scenario, issued.date())
files = dict(list_files(lists, ws.inputs.children, policy, issue))
beside = journeys_used(ws.scenario_path, ws.scenario, ws.scenario_path.parent, None)
record = make_record(
    issued=issued,
    issue=issue,
    child_ids=[child_id],
    scenario=ws.scenario,
    inputs=input_paths(ws.scenario_path, ws.scenario, beside),
    lists=lists,
    files={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
)
st.markdown("**For the family and the file**")
left, right = st.columns(2)
left.download_button(
    "Page for the family (HTML, prints on A4)",
    files[f"family/{id_file_name(child_id, '.html')}"],
    file_name=f"tailored-list-{id_file_name(child_id, '.html')}",
    mime="text/html",
)
right.download_button(
    f"Record of this list ({RECORD_FILE}, for rightplace replay)",
    record_json(record),
    file_name=f"record-{id_file_name(child_id, '.json')}",
    mime="application/json",
)
left.download_button(
    "Tailored list (CSV)",
    files["tailored_lists.csv"],
    file_name=f"tailored-list-{id_file_name(child_id, '.csv')}",
    mime="text/csv",
)
right.download_button(
    "Tailored list (JSON)",
    files["tailored_lists.json"],
    file_name=f"tailored-list-{id_file_name(child_id, '.json')}",
    mime="application/json",
)
st.subheader("Map")
st.caption(
    "The settings on the list. The red square is the child's 1 km area, not their home; the "
    "journey area, drawn from its centre, holds every place within 500 m of a road reached "
    "within the limit (journeys treat such places as on that road)."
)
area = (child.easting // 1000 * 1000, child.northing // 1000 * 1000)
limit = ws.scenario.policy.limit_for(child.phase)
reach = None
if st.checkbox(f"Show where a drive from the child's area takes at most {limit} minutes"):
    with st.spinner("Drawing the journey area..."):
        areas = isochrone(road_network(ws), area[0] + 500, area[1] + 500, limit, towards=False)
        reach = polygon_rings(areas.geometry)
ranks = dict(zip(on_list["urn"].astype(str), on_list["rank"].astype(int), strict=True))
settings_map(ws, urns=on_list["urn"].tolist(), area=area, reach=reach, ranks=ranks)
