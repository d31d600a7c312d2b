"""Free school: rank candidate sites for a proposed setting, map their catchments, and take away
the evidence pack `rightplace sites` writes (small counts suppressed)."""

from datetime import date

import pandas as pd
import pydeck as pdk
import streamlit as st

from geo.basemap import polygon_rings, to_lonlat
from solver.domain.needs import Need, ncy_range_of_ages, phase_of
from solver.errors import InputError
from solver.io.candidates import load_candidates
from solver.io.outputs import csv_text
from solver.io.words import EFFECT_WORDS, setting_type_words
from solver.sites.evidence import MONEY_METRICS, SUPPRESS_BELOW, sites_as_shared
from solver.sites.proposal import CATCHMENT_MINUTES
from solver.sites.reach import Proposal
from solver.workspace import site_pack
from views.shared import (
    ATTRIBUTION,
    REPO,
    area_key,
    base_key,
    base_layers,
    dot_key,
    map_key,
    plain,
    problems_table,
    save_upload,
    settings_layer,
    settings_points,
    show_map,
    type_key,
    workspace,
)

SAMPLE_CANDIDATES = REPO / "data" / "rutland" / "candidate_sites.csv"
#: Headings of the sites' and effect tables' columns; "{within}" is the catchment in minutes.
HEADINGS = {
    "site_id": "Site",
    "rank": "Rank",
    "year": "Year",
    "children_in_reach": "Children within {within} min",
    "independent_placements_served": "Independent placements it could serve",
    "annual_saving": "Annual saving",
    "metric": "",
    "without": "Without the school",
    "with": "With it",
    "change": "Change",
    "urn": "URN",
    "name": "Setting",
    "setting_type": "Type",
    "placements_without": "Placements without the school",
    "placements_with": "Placements with it",
}


def figure(value: object, money: bool = False) -> str:
    """A figure as people read it (whole, separated, -£6,000 for money); words ("<10") as
    they are."""
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        return value
    number = round(float(value))
    return ("-" if number < 0 else "") + ("£" if money else "") + f"{abs(number):,}"


def in_words(table: pd.DataFrame, within: int) -> pd.DataFrame:
    """A sites or effect table for people: headings, metrics and setting types in words,
    figures whole with separators and money in pounds; its CSV keeps the codes."""
    if {"without", "with", "change"} <= set(table.columns):  # the change of the shown figures
        table = table.assign(change=table["with"].round() - table["without"].round())
    shown = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if column == "metric":
            values = values.map(EFFECT_WORDS).fillna(values)
        elif column == "setting_type":
            values = values.map(setting_type_words)
        elif column in ("site_id", "name", "urn", "year"):
            values = values.astype(str)
        else:
            money = table["metric"].isin(MONEY_METRICS) if "metric" in table else None
            values = [
                figure(v, column == "annual_saving" or (money is not None and money[i]))
                for i, v in values.items()
            ]
        shown[HEADINGS.get(column, column).format(within=within)] = values
    return shown


@st.cache_data(show_spinner=False)
def catchments(network: str, sites: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """Each candidate site's catchment (drives to it within `minutes`) as lon/lat rings with
    its site_id: public roads and sites only, so shared between sessions."""
    from geo.isochrones import isochrone
    from geo.network import load_network

    roads = load_network(network)
    areas = pd.concat(
        [isochrone(roads, e, n, minutes).geometry for e, n in sites[["easting", "northing"]].values]
    )
    rings = polygon_rings(areas.reset_index(drop=True))
    return rings.assign(site_id=sites["site_id"].to_numpy()[rings["area"]])


st.title("Free school site evidence")
ws = workspace()
if ws is None:
    st.stop()
st.write(
    "For a proposed setting, rank candidate sites by the children with a matching need and age "
    "within the catchment (minutes by road, never beyond their journey limit), the independent "
    "and out-of-area placements it could serve and the annual saving; the evidence pack is what "
    "`rightplace sites` writes."
)

left, middle, right, far = st.columns(4)
needs = left.multiselect("Designated needs", [n.value for n in Need], ["ASD"])
low_age = middle.number_input("Lowest age", 2, 25, 11)
high_age = right.number_input("Highest age", 2, 25, 16)
places = far.number_input("Places", 1, 2000, 60)
k = left.number_input("Sites to choose", 1, 20, 1)
within = middle.number_input("Catchment: minutes by road", 1, 120, CATCHMENT_MINUTES)
upload = st.file_uploader(
    "Candidate sites (CSV: site_id and postcode, or easting, northing); default: the sample's",
    type="csv",
)
candidates_path = SAMPLE_CANDIDATES
try:
    if upload is not None:
        candidates_path = save_upload("candidate_sites", upload.getvalue())
    candidates = load_candidates(candidates_path, ws.scenario.inputs.postcodes)
except InputError as exc:
    problems_table(list(exc.problems))
    st.stop()
if not needs or low_age > high_age:
    st.warning("Pick at least one need and an age range whose lowest age is at most its highest.")
    st.stop()

proposal = Proposal(
    tuple(needs), int(low_age), int(high_age), int(places), within_minutes=int(within)
)
if st.button("Evaluate the sites", type="primary"):
    with st.status(f"Evaluating {len(candidates)} candidate sites...") as status:
        st.write(
            "Routing from every eligible child to every site, ranking them, then placing "
            "children without and with the setting at the chosen site(s) and forecasting."
        )
        try:
            today = date.today()
            study = ws.evaluate_sites(proposal, candidates_path, k, today.year)
            pack = site_pack(study, today)
        except InputError as exc:
            status.update(label="Problems with the inputs", state="error")
            problems_table(list(exc.problems))
            st.stop()
        status.update(label="Sites ranked and the opening's effect solved", state="complete")
    st.session_state["site_evaluation"] = (proposal, candidates_path, study.evaluation, pack)
result = st.session_state.get("site_evaluation")
if result is None or result[:2] != (proposal, candidates_path):
    st.info("Set the proposal and press the button to rank the candidate sites.")
    st.stop()
_, _, evaluation, pack = result
ranked, chosen = evaluation.ranked, evaluation.chosen

st.metric("Best site" if len(chosen) == 1 else "Best sites", ", ".join(chosen))
for warning in evaluation.warnings:
    st.warning(warning)
st.subheader("Ranked sites (internal: exact counts)")
within = proposal.within_minutes
st.dataframe(in_words(ranked, within), hide_index=True, width="stretch")
st.subheader(
    f"As shared outside the LA (counts below {SUPPRESS_BELOW} suppressed, others rounded to 5)"
)
shared = sites_as_shared(evaluation, proposal.places)
st.dataframe(in_words(shared, within), hide_index=True, width="stretch")
st.subheader(f"Effect of opening at {plain(', '.join(chosen))} (internal)")
st.markdown("**All placements without and with the setting**")  # full width: no cut columns
st.dataframe(in_words(evaluation.effect.system, within), hide_index=True, width="stretch")
st.markdown("**Existing settings whose placements change**")
st.dataframe(in_words(evaluation.effect.settings, within), hide_index=True, width="stretch")
if evaluation.forecast is not None:
    st.markdown("**Children in reach of each site in the forecast years (internal)**")
    st.dataframe(in_words(evaluation.forecast, within), hide_index=True, width="stretch")
st.markdown(
    "**Evidence pack** (one printable page and its CSVs: counts below 10 suppressed, others "
    "rounded to 5, money to £1,000, audited so no hidden count can be worked out)"
)
columns = st.columns(3)  # few to a row, so no file name is cut short
for i, (name, content) in enumerate(pack.items()):
    kind = "text/html" if name.endswith(".html") else "text/csv"
    columns[i % 3].download_button(name, content, name, kind, key=f"pack_{name}")
columns[len(pack) % 3].download_button(
    "sites.csv (internal)", csv_text(ranked), "sites.csv", "text/csv", key="sites_csv"
)

st.subheader("Candidate sites and their catchments")
ncy_low, ncy_high = ncy_range_of_ages(proposal.low_age, proposal.high_age)
limits = {ws.scenario.policy.limit_for(phase_of(n)) for n in range(ncy_low, ncy_high + 1)}
choices = sorted({15, 30, proposal.within_minutes, *limits})
minutes = st.selectbox(
    "Catchment: drive to the site within (minutes; the journey limits of the proposal's phases "
    f"are {', '.join(map(str, sorted(limits)))})",
    choices,
    choices.index(proposal.within_minutes),
)
with st.spinner("Drawing catchments..."):
    rings = catchments(str(ws.scenario.inputs.network), candidates, int(minutes))
lon, lat = to_lonlat(candidates["easting"], candidates["northing"])
sites = pd.DataFrame(
    {
        "lon": lon,
        "lat": lat,
        "name": candidates["site_id"].to_numpy(),
        "setting_type": "candidate site",
        "colour": [[0, 0, 0] if s in chosen else [255, 255, 255] for s in candidates["site_id"]],
        "tip": [f"Candidate site {s}" for s in candidates["site_id"]],
    }
)
catchment_layer = pdk.Layer(
    "PolygonLayer",
    rings,
    get_polygon="polygon",
    get_fill_color=[0, 120, 200, 25],
    get_line_color=[0, 120, 200, 160],
    line_width_min_pixels=1,
)
candidate_layer = pdk.Layer(
    "ScatterplotLayer",
    sites,
    get_position=["lon", "lat"],
    get_fill_color="colour",
    get_line_color=[0, 0, 0],
    stroked=True,
    line_width_min_pixels=2,
    radius_min_pixels=7,
    pickable=True,
)
existing = settings_layer(settings_points(ws.inputs.settings))
show_map(
    [*base_layers(ws), catchment_layer, existing, candidate_layer],
    sites["lon"],
    sites["lat"],
    "{tip}",
)
map_key(
    [
        dot_key([0, 0, 0], "Chosen site"),
        dot_key([255, 255, 255, 255], "Other candidate sites"),
        area_key([0, 120, 200, 25], f"Drive to the site within {minutes} minutes"),
        *type_key(ws.inputs.settings["setting_type"]),
        *base_key(ws),
    ]
)
st.caption(
    "Black: chosen site; white: other candidates; coloured dots: existing settings by type; "
    f"blue: where a drive to the site takes at most {minutes} minutes. " + ATTRIBUTION
)
