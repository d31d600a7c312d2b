"""Charts people can read: titled axes, whole labels, a description for screen readers, and
categories in the order given (the table's order), never cut off."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

#: Legends below the chart, one entry a line, never cut off.
_LEGEND = alt.Legend(orient="bottom", direction="vertical", labelLimit=0)


def bars(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    description: str,
    colour: str | None = None,
    colour_title: str = "",
    order: Sequence[str] | None = None,
    y_format: str = ",.0f",
    horizontal: bool = False,
    grouped: bool = False,
) -> None:
    """A bar chart of a long table (one row per bar or bar part), stacked by `colour` (side by
    side when `grouped`)."""
    category = alt.X if not horizontal else alt.Y
    value = alt.Y if not horizontal else alt.X
    encoding = {
        "x" if not horizontal else "y": category(
            f"{x}:N",
            title=x_title,
            sort=list(order) if order else None,
            axis=alt.Axis(labelLimit=0, labelAngle=0 if horizontal else -30),
        ),
        "y" if not horizontal else "x": value(
            f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)
        ),
        "tooltip": [
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip(f"{y}:Q", title=y_title, format=y_format),
        ],
    }
    if colour is not None:
        encoding["color"] = alt.Color(f"{colour}:N", title=colour_title, legend=_LEGEND)
        encoding["tooltip"].insert(1, alt.Tooltip(f"{colour}:N", title=colour_title))
        if grouped:
            encoding["xOffset"] = alt.XOffset(f"{colour}:N")
    chart = alt.Chart(table, description=description).mark_bar(aria=False).encode(**encoding)
    st.altair_chart(chart, width="stretch")


def lines(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    description: str,
    colour: str | None = None,
    colour_title: str = "",
    order: Sequence[str] | None = None,
) -> None:
    """A line chart of a long table, one line per `colour` (in `order`), points marked."""
    encoding = {
        "x": alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=",.0f")),
        "tooltip": [
            alt.Tooltip(f"{x}:O", title=x_title),
            alt.Tooltip(f"{y}:Q", title=y_title, format=",.0f"),
        ],
    }
    if colour is not None:
        encoding["color"] = alt.Color(
            f"{colour}:N",
            title=colour_title,
            legend=_LEGEND,
            sort=list(order) if order else None,
        )
    chart = (
        alt.Chart(table, description=description)
        .mark_line(point=True, aria=False)
        .encode(**encoding)
    )
    st.altair_chart(chart, width="stretch")


def band(
    table: pd.DataFrame,
    *,
    y_title: str,
    description: str,
    places: pd.Series | None = None,
) -> None:
    """Demand by year (columns year, demand, demand_low, demand_high) as a line in its 80%
    band, with the places as a dashed line when given."""
    data = table.assign(year=table["year"].astype(str))
    x = alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0))
    base = alt.Chart(data).encode(x=x)
    layers = [
        base.mark_area(opacity=0.25, aria=False).encode(
            y=alt.Y("demand_low:Q", title=y_title, axis=alt.Axis(format=",.0f")),
            y2="demand_high:Q",
        ),
        base.mark_line(point=True, aria=False).encode(
            y="demand:Q",
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("demand:Q", title="Forecast", format=",.0f"),
                alt.Tooltip("demand_low:Q", title="Low (80%)", format=",.0f"),
                alt.Tooltip("demand_high:Q", title="High (80%)", format=",.0f"),
            ],
        ),
    ]
    if places is not None:
        dashed = pd.DataFrame({"year": places.index.astype(str), "places": places.to_numpy()})
        layers.append(
            alt.Chart(dashed)
            .mark_line(strokeDash=[6, 3], color="black", aria=False)
            .encode(
                x="year:O",
                y="places:Q",
                tooltip=[
                    alt.Tooltip("year:O", title="Year"),
                    alt.Tooltip("places:Q", title="Places", format=",.0f"),
                ],
            )
        )
    chart = alt.layer(*layers).properties(description=description)
    st.altair_chart(chart, width="stretch")
