"""Caseworker: one child's tailored list, ranked with reasons, for the family and the file."""

import streamlit as st

from geo.basemap import polygon_rings
from geo.isochrones import isochrone
from solver.journeys import scenario_network
from solver.model import Child
from solver.outputs import csv_text, id_file_name
from solver.rules import Reason
from solver.tailored import LIST_COLUMNS, REASON_TEXT, family_page
from views.shared import plain, settings_map, workspace

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
secondary = f", secondary need {child.secondary_need.value}" if child.secondary_need else ""
st.write(
    f"**{plain(child.child_id)}**: NCY {child.ncy} ({child.phase.value}), primary need "
    f"{child.primary_need.value}{secondary}. Journey limit "
    f"{ws.scenario.policy.limit_for(child.phase)} minutes."
)
lists = ws.tailored_lists([child_id])


def in_words(reasons: str) -> str:
    """Reason codes in plain words."""
    return "; ".join(REASON_TEXT[Reason(code)] for code in reasons.split(";") if code)


shown = lists.assign(why=lists["reasons"].map(in_words))
columns = ["rank", "name", "setting_type", "travel_minutes", "annual_cost", "vacancy"]
columns += ["ofsted", "designated_needs", "why"]
on_list = shown[shown["on_list"]].sort_values("rank")
st.subheader(f"On the list: {len(on_list)} settings")
st.table(
    on_list[columns]
    .assign(
        travel_minutes=on_list["travel_minutes"].map(lambda m: f"{m:.0f}"),
        annual_cost=on_list["annual_cost"].map(lambda c: f"£{c:,.0f}"),
    )
    .rename(columns={"travel_minutes": "minutes", "setting_type": "type"})
    .set_index("rank")
)
with st.expander(f"Not on the list: {len(shown) - len(on_list)} settings, with reasons"):
    off_list = shown[~shown["on_list"]].sort_values("name")
    st.dataframe(off_list[["name", "setting_type", "why"]], hide_index=True)

st.download_button(
    "Printable page for the family (HTML)",
    family_page(lists, child_id),
    file_name=f"tailored-list-{id_file_name(child_id, '.html')}",
    mime="text/html",
)
st.download_button(
    "Tailored list (CSV)",
    csv_text(lists[list(LIST_COLUMNS)]),
    file_name=f"tailored-list-{id_file_name(child_id, '.csv')}",
    mime="text/csv",
)
st.download_button(
    "Tailored list (JSON)",
    lists.to_json(orient="records", indent=1),
    file_name=f"tailored-list-{id_file_name(child_id, '.json')}",
    mime="application/json",
)
st.subheader("Map")
st.caption(
    "The shaded square is the child's 1 km area, not their home; the journey area is drawn "
    "from its centre."
)
area = (child.easting // 1000 * 1000, child.northing // 1000 * 1000)
limit = ws.scenario.policy.limit_for(child.phase)
reach = None
if st.checkbox(f"Show where a drive from the child's area takes at most {limit} minutes"):
    with st.spinner("Drawing the journey area..."):
        network = scenario_network(ws.scenario, str(ws.scenario_path))
        areas = isochrone(network, area[0] + 500, area[1] + 500, limit, towards=False)
        reach = polygon_rings(areas.geometry)
settings_map(ws, urns=on_list["urn"].tolist(), area=area, reach=reach)
