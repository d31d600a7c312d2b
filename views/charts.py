"""Charts people can read: titled axes, whole labels, a description for screen readers, and
categories in the order given (the table's order), never cut off."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

#: Legends below the chart, one entry a line, never cut off.
_LEGEND = alt.Legend(orient="bottom", direction="vertical", labelLimit=0)
#: The plotting area's height in pixels; axes, titles and the legend are added around it.
PLOT_HEIGHT = 280
#: Fit the width to the page but keep the plot's height, so the chart grows by its legend.
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def show(chart: alt.Chart | alt.LayerChart) -> None:
    """Show a chart across the page with a plot of PLOT_HEIGHT, axes and legend outside it."""
    st.altair_chart(chart.properties(height=PLOT_HEIGHT, autosize=_FIT_WIDTH), width="stretch")


def colours(
    table: pd.DataFrame, column: str, title: str, order: Sequence[str] | None = None
) -> alt.Color:
    """Colours for a column's values, with the legend below; 20 colours when 10 would repeat."""
    many = table[column].nunique() > 10
    return alt.Color(
        f"{column}:N",
        title=title,
        legend=_LEGEND,
        sort=list(order) if order else alt.Undefined,
        scale=alt.Scale(scheme="tableau20") if many else alt.Undefined,
    )


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
        encoding["color"] = colours(table, colour, colour_title)
        encoding["tooltip"].insert(1, alt.Tooltip(f"{colour}:N", title=colour_title))
        if grouped:
            encoding["xOffset"] = alt.XOffset(f"{colour}:N")
    chart = alt.Chart(table, description=description).mark_bar(aria=False).encode(**encoding)
    show(chart)


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
        encoding["color"] = colours(table, colour, colour_title, order)
    chart = (
        alt.Chart(table, description=description)
        .mark_line(point=True, aria=False)
        .encode(**encoding)
    )
    show(chart)


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
    show(chart)
