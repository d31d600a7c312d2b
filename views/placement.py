"""Placement: the system-wide allocation, its counts, costs, journeys and unplaced children."""

import json

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.basemap import to_lonlat
from solver.domain.reasons import AllocationStatus
from solver.io.outputs import csv_text
from solver.io.words import (
    count,
    minutes,
    outcome_words,
    pounds,
    provision_words,
    setting_type_words,
    whole_numbers,
)
from solver.sites.disclosure import SUPPRESS_BELOW
from solver.sites.flows import AREA_CELL_M, MERGED_CELLS_M, shown_flows
from views.charts import bars
from views.shared import (
    ATTRIBUTION,
    FLOW_COLOUR,
    FLOW_PX_PER_CHILD,
    HOME_AREA_DOT,
    base_key,
    base_layers,
    dot_key,
    line_key,
    map_key,
    settings_layer,
    settings_points,
    show_map,
    type_key,
    workspace,
)

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
placements = result.placements
kept = placements["kept"].astype(bool)
a, b, c, d = st.columns(4)
a.metric("Placed", f"{summary['placed']:,}")
b.metric("Unplaced", f"{summary['unplaced']:,}")
c.metric("Total annual cost", pounds(summary["total_cost"]))
d.metric("Mean journey", minutes(summary["mean_travel_minutes"]))
st.write(
    f"{count(int((~kept).sum()), 'child', 'children')} placed now cost "
    f"{pounds(placements.loc[~kept, 'annual_cost'].sum())} a year; "
    f"{count(int(kept.sum()), 'child', 'children')} keeping their placement cost "
    f"{pounds(placements.loc[kept, 'annual_cost'].sum())}. "
    + (
        "No other placement of the children placed now, within every capacity and journey "
        "limit, costs less (proved)."
        if summary["status"] == AllocationStatus.OPTIMAL
        else f"The new placements cost at most {summary['gap']:.1%} more than the best "
        "possible (a proved bound)."
    )
)

st.subheader("Unplaced children and why")
if len(result.unplaced):
    why = result.unplaced.assign(reason=result.unplaced["reason"].map(outcome_words))
    st.dataframe(why.rename(columns={"child_id": "child"}), hide_index=True)
    reasons = why["reason"].value_counts().rename_axis("reason").reset_index(name="children")
    bars(
        reasons,
        x="reason",
        y="children",
        x_title="Why not placed",
        y_title="Children",
        description="Unplaced children by reason",
        horizontal=True,
    )
else:
    st.success("Every child in scope is placed.")

settings = ws.inputs.settings[["urn", "name", "setting_type"]]
placed = placements.merge(settings, on="urn", how="left")
st.subheader("Placements by setting type")
by_type = placed.groupby("setting_type").agg(
    children=("child_id", "size"), cost=("annual_cost", "sum")
)
by_type.index = by_type.index.map(setting_type_words)
shown = pd.DataFrame(
    {"Children": by_type["children"], "Annual cost (£)": whole_numbers(by_type["cost"].tolist())},
    index=by_type.index.rename("Setting type"),
)
shown.loc["Total"] = shown.sum()
st.table(shown.map(lambda v: f"{v:,}"))
taught = placed["provision"].map(provision_words).value_counts().rename("Children")
st.markdown("**Where placed children are taught** (`provision` in placements.csv)")
st.table(taught.rename_axis("Provision").map(lambda v: f"{v:,}"))
st.subheader("Journeys")
bands = (placed["travel_minutes"].dropna() // 10 * 10).astype(int)
journeys = bands.value_counts().sort_index().rename_axis("band").reset_index(name="children")
journeys["band"] = journeys["band"].map(lambda m: f"{m}-{m + 9}")
bars(
    journeys,
    x="band",
    y="children",
    x_title="Journey each way (minutes)",
    y_title="Children",
    description="Placed children by journey time in 10-minute bands",
    order=journeys["band"].tolist(),
)
st.subheader("Flows by home area")
flows = shown_flows(result.placements, ws.inputs.children, ws.inputs.settings)
area_lon, area_lat = to_lonlat(flows["area_easting"], flows["area_northing"])
setting_lon, setting_lat = to_lonlat(flows["setting_easting"], flows["setting_northing"])
names = ws.inputs.settings.set_index(ws.inputs.settings["urn"].astype(str))["name"]
arcs = pd.DataFrame(
    {
        "from": list(zip(area_lon.round(5), area_lat.round(5), strict=True)),
        "to": list(zip(setting_lon.round(5), setting_lat.round(5), strict=True)),
        "width": flows["children"] * FLOW_PX_PER_CHILD,
        "tip": [
            f"{n} children from the {cell / 1000:.0f} km square around here to {names[urn]}"
            for n, cell, urn in zip(flows["children"], flows["cell_m"], flows["urn"], strict=True)
        ],
    }
)
arc_layer = pdk.Layer(
    "ArcLayer",
    arcs,
    id="flows",
    get_source_position="from",
    get_target_position="to",
    get_width="width",
    get_source_color=FLOW_COLOUR,
    get_target_color=FLOW_COLOUR,
    pickable=True,
)
homes = pd.DataFrame({"lon": area_lon, "lat": area_lat}).drop_duplicates()
home_layer = pdk.Layer(
    "ScatterplotLayer",
    homes,
    id="home-areas",
    get_position=["lon", "lat"],
    get_fill_color=HOME_AREA_DOT,
    radius_min_pixels=4,
)
ends = settings_points(ws.inputs.settings[ws.inputs.settings["urn"].astype(str).isin(flows["urn"])])
layers = [*base_layers(ws), arc_layer, home_layer, settings_layer(ends)]
show_map(layers, area_lon, area_lat, "{tip}")
map_key(
    [
        line_key(FLOW_COLOUR, f"{n} children", n * FLOW_PX_PER_CHILD)
        for n in (SUPPRESS_BELOW, 2 * SUPPRESS_BELOW)
    ]
    + [dot_key(HOME_AREA_DOT, "Centre of a home area")]
    + type_key(ends["setting_type"])
    + base_key(ws)
)
drawn = int(flows["children"].sum())
left_out = len(result.placements) - drawn
st.caption(
    f"Children counted from the {AREA_CELL_M / 1000:.0f} km square holding their home (never a "
    "home itself) to their setting; a flow of fewer than "
    f"{SUPPRESS_BELOW} children joins the larger square around it (up to "
    f"{MERGED_CELLS_M[-1] / 1000:.0f} km), and is not drawn if still fewer. "
    + (
        f"The map draws {drawn:,} of {len(result.placements):,} placed children. "
        if left_out == 0 or left_out >= SUPPRESS_BELOW
        else f"The map draws all but fewer than {SUPPRESS_BELOW} placed children. "
    )
    + "Point at a flow for its count. "
    + ATTRIBUTION
)
st.download_button("placements.csv", csv_text(result.placements), "placements.csv", "text/csv")
st.download_button("unplaced.csv", csv_text(result.unplaced), "unplaced.csv", "text/csv")
st.download_button(
    "summary.json",
    json.dumps(summary, indent=2) + "\n",
    "summary.json",
    "application/json",
    help="Every figure of the run, the solver's objective and proved bound included.",
)
