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
    st.altair_chart(chart, width="stretch", alt=description)


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
    st.altair_chart(chart, width="stretch", alt=description)
