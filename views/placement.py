"""Placement: the system-wide allocation, its counts, costs, journeys and unplaced children."""

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.basemap import to_lonlat
from solver.flows import AREA_CELL_M, placement_flows
from solver.outputs import csv_text
from views.shared import ATTRIBUTION, base_layers, show_map, workspace

st.title("Placement optimisation")
ws = workspace()
if ws is None:
    st.stop()
st.write(
    "Places every child in scope (new plans and phase transfers; others keep their placement) "
    "at least total annual cost within every capacity and journey limit. An independent "
    "checker verifies the result."
)
if st.button("Run the allocation", type="primary"):
    with st.status("Placing every child in scope...") as status:
        st.write("Solving the min-cost flow, then checking it independently.")
        st.session_state["allocation"] = ws.allocation()
        status.update(label="Allocation done and checked", state="complete")
result = st.session_state.get("allocation")
if result is None:
    st.stop()

summary = result.summary()
a, b, c, d = st.columns(4)
a.metric("Placed", summary["placed"])
b.metric("Unplaced", summary["unplaced"])
c.metric("Total annual cost", f"£{summary['total_cost']:,.0f}")
d.metric("Mean journey (min)", summary["mean_travel_minutes"])
st.caption(
    f"Status {summary['status']}, objective {summary['objective']:,.0f}, bound "
    f"{summary['bound']:,.0f}."
)

st.subheader("Unplaced children and why")
if len(result.unplaced):
    st.dataframe(result.unplaced, hide_index=True)
    st.bar_chart(result.unplaced["reason"].value_counts())
else:
    st.success("Every child in scope is placed.")

settings = ws.inputs.settings[["urn", "name", "setting_type"]]
placed = result.placements.merge(settings, on="urn", how="left")
st.subheader("Placements by setting type")
st.dataframe(
    placed.groupby("setting_type")
    .agg(children=("child_id", "size"), annual_cost=("annual_cost", "sum"))
    .round(0)
)
st.subheader("Journeys (minutes)")
st.bar_chart(placed["travel_minutes"].dropna().round(-1).value_counts().sort_index())
st.subheader("Flows by home area")
flows = placement_flows(result.placements, ws.inputs.children, ws.inputs.settings)
area_lon, area_lat = to_lonlat(flows["area_easting"], flows["area_northing"])
setting_lon, setting_lat = to_lonlat(flows["setting_easting"], flows["setting_northing"])
names = ws.inputs.settings.set_index(ws.inputs.settings["urn"].astype(str))["name"]
arcs = pd.DataFrame(
    {
        "from": list(zip(area_lon.round(5), area_lat.round(5), strict=True)),
        "to": list(zip(setting_lon.round(5), setting_lat.round(5), strict=True)),
        "children": flows["children"],
        "name": flows["urn"].map(names),
    }
)
arc_layer = pdk.Layer(
    "ArcLayer",
    arcs,
    get_source_position="from",
    get_target_position="to",
    get_width="children",
    width_scale=1.5,
    width_min_pixels=1,
    get_source_color=[31, 119, 180, 160],
    get_target_color=[214, 39, 40, 160],
    pickable=True,
)
show_map([*base_layers(ws), arc_layer], area_lon, area_lat, "{children} children to {name}")
st.caption(
    f"Each arc runs from the centre of a {AREA_CELL_M / 1000:.0f} km square holding children's "
    "homes (never a home itself) to a setting; its width is the number of children. " + ATTRIBUTION
)
st.download_button("placements.csv", csv_text(result.placements), "placements.csv", "text/csv")
st.download_button("unplaced.csv", csv_text(result.unplaced), "unplaced.csv", "text/csv")
