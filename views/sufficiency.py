"""Sufficiency: demand against places by need x phase x year, with intervals, gaps and costs."""

import streamlit as st

from solver.forecast import scenario_forecast
from solver.outputs import csv_text
from solver.problems import InputError
from solver.words import need_words
from views.charts import bars, lines
from views.shared import problems_table, workspace

st.title("Sufficiency forecast")
ws = workspace()
if ws is None:
    st.stop()
years = st.slider("Years ahead", min_value=1, max_value=15, value=10)
key = ("forecast", years)
if st.session_state.get("forecast", (None,))[0] != key:
    with st.status(f"Forecasting {years} years ahead...") as status:
        st.write("Calibrating on the LA's EHCP history and ONS population, then projecting.")
        try:
            result = scenario_forecast(
                ws.scenario, ws.inputs, years, scenario_path=ws.scenario_path
            )
        except InputError as exc:
            status.update(label="Problems with the inputs", state="error")
            problems_table(list(exc.problems))
            st.stop()
        status.update(label=f"Forecast {years} years ahead", state="complete")
    st.session_state["forecast"] = (key, result)
result = st.session_state["forecast"][1]
table = result.table

by_year = table.groupby("year")[["demand", "places", "gap", "cost"]].sum()
st.subheader("Children with EHCPs, all needs")
lines(
    by_year.reset_index(),
    x="year",
    y="demand",
    x_title="Year",
    y_title="Children with EHCPs",
    description="Forecast children with EHCPs, all needs, by year",
)
last = int(table["year"].max())
a, b, c = st.columns(3)
a.metric(f"Demand in {last}", f"{by_year.loc[last, 'demand']:,.0f}")
b.metric(f"Gap in {last} (children)", f"{by_year.loc[last, 'gap']:,.0f}")
c.metric(f"Cost of the gap in {last}", f"£{by_year.loc[last, 'cost']:,.0f} a year")

year = st.selectbox("Year", sorted(table["year"].unique()), index=0)
rows = table[table["year"] == year]
st.subheader(f"Demand (80% interval), places and gap in {year}, by need and phase")
st.dataframe(
    rows.groupby(["need", "phase"])[
        ["demand", "demand_low", "demand_high", "places", "gap", "cost"]
    ]
    .sum()
    .round(1),
    width="stretch",
)
st.caption("Intervals are per row; summed intervals are wider than the interval of a total.")
st.subheader("Gap by need (children), each year")
bars(
    table.groupby(["year", "need"], as_index=False)["gap"]
    .sum()
    .assign(need=lambda t: t["need"].map(need_words)),
    x="year",
    y="gap",
    x_title="Year",
    y_title="Places short (children)",
    colour="need",
    colour_title="Need",
    description="Places short by need and year",
)
st.subheader("SCAP-shaped table")
st.dataframe(result.scap, hide_index=True)
st.download_button("forecast.csv", csv_text(table), "forecast.csv", "text/csv")
