"""Sufficiency: demand against places by need x phase x year, with intervals, gaps and costs."""

import altair as alt
import pandas as pd
import streamlit as st

from solver.ehcp import ALL
from solver.forecast import GAP_TYPES, scenario_forecast
from solver.outputs import csv_text
from solver.problems import InputError
from views.shared import problems_table, workspace

SPECIALIST = [t.value for t in GAP_TYPES]
ANY_NEED = "any need"


def band_chart(frame: pd.DataFrame, title: str, places: pd.Series | None = None) -> alt.Chart:
    """Demand by year as a line in its 80% band, with a places line if given."""
    data = frame.assign(year=frame["year"].astype(str))
    base = alt.Chart(data).encode(x=alt.X("year:O", title="January"))
    layers = [
        base.mark_area(opacity=0.25).encode(
            y=alt.Y("demand_low:Q", title=title), y2="demand_high:Q"
        ),
        base.mark_line(point=True).encode(y="demand:Q", tooltip=["year", "demand"]),
    ]
    if places is not None:
        lines = pd.DataFrame({"year": places.index.astype(str), "places": places.to_numpy()})
        layers.append(
            alt.Chart(lines)
            .mark_line(strokeDash=[6, 3], color="black")
            .encode(x="year:O", y="places:Q", tooltip=["year", "places"])
        )
    return alt.layer(*layers)


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

st.caption(
    "The gap sets next years' forecast children against today's places (and planned "
    "changes); the Placement page places today's children in today's places, so every child "
    "can be placed now while the forecast still shows a gap as numbers grow."
)
by_year = table.groupby("year")[["demand", "places", "gap", "cost"]].sum()
last = int(table["year"].max())
a, b, c = st.columns(3)
a.metric(f"Demand in {last}", f"{by_year.loc[last, 'demand']:,.0f}")
b.metric(f"Gap in {last} (children)", f"{by_year.loc[last, 'gap']:,.0f}")
c.metric(f"Cost of the gap in {last}", f"£{by_year.loc[last, 'cost']:,.0f} a year")

st.subheader("Children with EHCPs, all needs (80% interval)")
totals = result.totals[result.totals["setting_group"] == ALL].round()
st.altair_chart(band_chart(totals, "children"), width="stretch")

specialist = table[table["setting_type"].isin(SPECIALIST)]
special_years = specialist.groupby("year")[["demand", "demand_low", "demand_high", "places"]].sum()
st.subheader("Children needing a specialist place, and the places (dashed)")
st.altair_chart(
    band_chart(special_years.reset_index(), "children", special_years["places"]), width="stretch"
)
st.caption(
    "State special schools, SEN units and resourced provision, alternative provision. The "
    "band here adds up the rows' intervals, so it is wider than an 80% interval of the sum."
)

year = st.selectbox("Year", sorted(table["year"].unique()), index=0)
rows = table[table["year"] == year].assign(need=lambda t: t["need"].replace("", ANY_NEED))
st.subheader(f"Demand (80% interval), places and gap in January {year}, by need and phase")
st.dataframe(
    rows.groupby(["need", "phase"])[
        ["demand", "demand_low", "demand_high", "places", "gap", "cost"]
    ]
    .sum()
    .astype(int),
    width="stretch",
)
st.caption(
    "Whole children and places; each need's rows add up to the year's total. Places count "
    f"once: a need's own places, its share of a specialist setting's, and mainstream classes "
    f"under '{ANY_NEED}' only."
)
st.subheader("Gap by need (children), each year")
gap = table[table["gap"] > 0].groupby(["year", "need"], as_index=False)["gap"].sum()
st.altair_chart(
    alt.Chart(gap.assign(year=gap["year"].astype(str)))
    .mark_bar()
    .encode(x=alt.X("year:O", title="January"), y="gap:Q", color="need:N"),
    width="stretch",
)
st.subheader("SCAP SEND forecast (2026 survey shape)")
st.dataframe(result.scap, hide_index=True)
st.download_button("forecast.csv", csv_text(table), "forecast.csv", "text/csv")
