"""Sufficiency: demand against places by need x phase x year, with intervals, gaps and costs."""

import pandas as pd
import streamlit as st

from solver.domain.groups import GAP_TYPES
from solver.errors import InputError
from solver.io.ehcp import ALL
from solver.io.outputs import csv_text
from solver.io.words import need_words, phase_words, pounds
from views.charts import band, bars
from views.shared import problems_table, workspace

#: The specialist places the LA plans (domain GAP_TYPES), as the forecast table codes them.
GAP_TYPE_CODES = [t.value for t in GAP_TYPES]
ANY_NEED = "Any need (mainstream classes)"

#: Forecast columns shown as whole children, with their headings.
SHOWN_COLUMNS = {
    "demand": "Demand",
    "demand_low": "Demand, low",
    "demand_high": "Demand, high",
    "places": "Places",
    "gap": "Places short",
}

#: The SCAP table's headings on the page (scap_send.csv keeps the codes).
SCAP_HEADINGS = {
    "academic_year": "Academic year",
    "phase": "Phase",
    "provision": "Provision",
    "places": "Places",
    "pupils_forecast": "Pupils forecast",
    "pupils_low": "Pupils, low (80%)",
    "pupils_high": "Pupils, high (80%)",
    "shortfall": "Places short",
}


def need_label(code: str) -> str:
    """A need in words; the blank need of mainstream classes as ANY_NEED."""
    return need_words(code) if code else ANY_NEED


st.title("Sufficiency forecast")
ws = workspace()
if ws is None:
    st.stop()
years = st.slider("Years ahead", min_value=1, max_value=15, value=10)
key = ("forecast", years)
if st.session_state.get("forecast", (None,))[0] != key:
    with st.status(f"Forecasting {years} years ahead...") as status:
        st.write("Forecasting every LA from DfE's EHCP history, then this LA by need and phase.")
        try:
            result = ws.forecast(years)
        except InputError as exc:
            status.update(label="Problems with the inputs", state="error")
            problems_table(list(exc.problems))
            st.stop()
        status.update(label=f"Forecast {years} years ahead", state="complete")
    st.session_state["forecast"] = (key, result)
result = st.session_state["forecast"][1]
table = result.table

st.caption(
    "The gap sets next years' forecast children against today's places (and planned "
    "changes); the Placement page places today's children in today's places, so every child "
    "can be placed now while the forecast still shows a gap as numbers grow."
)
by_year = table.groupby("year")[["demand", "places", "gap", "cost"]].sum()
last = int(table["year"].max())
a, b, c = st.columns(3)
a.metric(f"Demand in {last}", f"{by_year.loc[last, 'demand']:,.0f}")
b.metric(f"Places short in {last} (children)", f"{by_year.loc[last, 'gap']:,.0f}")
c.metric(f"Cost of the gap in {last}", f"{pounds(by_year.loc[last, 'cost'])} a year")

st.subheader("Children with EHCPs, all needs (80% interval)")
totals = result.totals[result.totals["setting_group"] == ALL].round()
band(
    totals,
    y_title="Children with EHCPs",
    description="Forecast children with EHCPs, all needs, by year, with the 80% interval",
)

specialist = table[table["setting_type"].isin(GAP_TYPE_CODES)]
special_years = specialist.groupby("year")[["demand", "demand_low", "demand_high", "places"]].sum()
st.subheader("Children needing a specialist place, and the places (dashed)")
band(
    special_years.reset_index(),
    y_title="Children",
    description="Forecast children needing a specialist place by year, and the places",
    places=special_years["places"],
)
st.caption(
    "State special schools, SEN units and resourced provision, alternative provision. The "
    "band here adds up the rows' intervals, so it is wider than an 80% interval of the sum."
)

year = st.selectbox("Year", sorted(table["year"].unique()), index=0)
rows = table[table["year"] == year]
st.subheader(f"Demand (80% interval), places and gap in January {year}, by need and phase")
by_need = rows.groupby(["need", "phase"])[
    ["demand", "demand_low", "demand_high", "places", "gap", "cost"]
].sum()
st.dataframe(
    pd.DataFrame(
        {
            "Need": by_need.index.get_level_values("need").map(need_label),
            "Phase": by_need.index.get_level_values("phase").map(phase_words),
            **{
                heading: [f"{v:,.0f}" for v in by_need[column]]
                for column, heading in SHOWN_COLUMNS.items()
            },
            "Cost of the gap": by_need["cost"].map(pounds).to_numpy(),
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption(
    "Whole children and places; each need's rows add up to the year's total. Places count "
    f"once: a need's own places, its share of a specialist setting's, and mainstream classes "
    f"under '{ANY_NEED}' only."
)
st.subheader("Places short by need (children), each year")
gap = table[table["gap"] > 0].groupby(["year", "need"], as_index=False)["gap"].sum()
bars(
    gap.assign(need=gap["need"].map(need_label)),
    x="year",
    y="gap",
    x_title="Year",
    y_title="Places short (children)",
    colour="need",
    colour_title="Need",
    description="Places short by need and year",
)
st.subheader("SCAP SEND forecast (2026 survey shape)")
st.dataframe(result.scap.rename(columns=SCAP_HEADINGS), hide_index=True, width="stretch")
st.caption(
    "Places short are counted need by need, and only in specialist provision (state special "
    "schools, SEN units and resourced provision, alternative provision): one need's spare "
    "places never take another need's children, so places short can exceed pupils less "
    "places. Independent and non-maintained special schools have none: their places are "
    "bought as needed."
)
st.download_button("forecast.csv", csv_text(table), "forecast.csv", "text/csv")
