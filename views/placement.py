"""Placement: the system-wide allocation, its counts, costs, journeys and unplaced children."""

import streamlit as st

from views.shared import workspace

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
    with st.spinner("Solving..."):
        st.session_state["allocation"] = ws.allocation()
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
st.download_button(
    "placements.csv", result.placements.to_csv(index=False), "placements.csv", "text/csv"
)
st.download_button("unplaced.csv", result.unplaced.to_csv(index=False), "unplaced.csv", "text/csv")
