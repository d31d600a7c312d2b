"""The evidence pack's map: a static SVG of the roads, the LA outline, existing settings and the
candidate sites (ranked, the chosen ones filled), with a legend and labels that never overlap.
Drawn from local data only: no tiles, no styles, no script, no children's homes."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Approximate width of one character of the labels' 11 px font, and the label height (px).
CHAR_PX = 6.6
LABEL_PX = 13.0
MARKER_PX = 6.0


@dataclass(frozen=True)
class Box:
    """A rectangle in SVG pixels (x, y of the top-left corner)."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        """True if the two rectangles share any area."""
        return not (
            self.x + self.width <= other.x
            or other.x + other.width <= self.x
            or self.y + self.height <= other.y
            or other.y + other.height <= self.y
        )


def place_labels(
    points: Sequence[tuple[float, float]],
    texts: Sequence[str],
    frame: Box,
    avoid: Sequence[Box] = (),
) -> list[Box]:
    """A box for each label near its point, overlapping no other label or marker and inside
    `frame` where possible: tried to the right, left, above and below, then further out (a
    leader line joins a far label to its point), never over the `avoid` boxes (the legend).
    Labels are placed in the order given."""
    markers = [Box(x - MARKER_PX, y - MARKER_PX, 2 * MARKER_PX, 2 * MARKER_PX) for x, y in points]
    markers += list(avoid)
    placed: list[Box] = []
    for (x, y), text in zip(points, texts, strict=True):
        width = len(text) * CHAR_PX + 4
        tries = [
            Box(x + gap, y - LABEL_PX / 2 + shift, width, LABEL_PX)
            for gap in (MARKER_PX + 2, MARKER_PX + 20, MARKER_PX + 40)
            for shift in (0, -LABEL_PX, LABEL_PX, -2 * LABEL_PX, 2 * LABEL_PX)
        ] + [
            Box(x - gap - width, y - LABEL_PX / 2 + shift, width, LABEL_PX)
            for gap in (MARKER_PX + 2, MARKER_PX + 20, MARKER_PX + 40)
            for shift in (0, -LABEL_PX, LABEL_PX, -2 * LABEL_PX, 2 * LABEL_PX)
        ]
        inside = [b for b in tries if _within(b, frame)] or tries
        free = [b for b in inside if not any(b.overlaps(o) for o in [*placed, *markers])]
        placed.append(free[0] if free else _below_all(placed, markers, width, x))
    return placed


def _within(box: Box, frame: Box) -> bool:
    return (
        box.x >= frame.x
        and box.y >= frame.y
        and box.x + box.width <= frame.x + frame.width
        and box.y + box.height <= frame.y + frame.height
    )


def _below_all(placed: list[Box], markers: list[Box], width: float, x: float) -> Box:
    """A box under every other box: always free, joined to its point by a leader line."""
    bottom = max(b.y + b.height for b in [*placed, *markers])
    return Box(x, bottom + 2, width, LABEL_PX)


def _frame_of(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """The extent of the outline (or the points) with a margin (at least 0.01 degrees, so one
    point has a frame too): lon0, lon1, lat0, lat1."""
    pad_lon = max((lon.max() - lon.min()) * 0.04, 0.01)
    pad_lat = max((lat.max() - lat.min()) * 0.04, 0.01)
    return lon.min() - pad_lon, lon.max() + pad_lon, lat.min() - pad_lat, lat.max() + pad_lat


def svg_map(
    sites: pd.DataFrame,
    settings: pd.DataFrame,
    chosen: Sequence[str],
    roads: pd.DataFrame | None,
    outline: pd.DataFrame | None,
    width: int = 440,
) -> str:
    """The map: `sites` (site_id, rank, lon, lat), `settings` (lon, lat), `roads` and `outline`
    (`path` of [lon, lat] vertices); the frame is the LA outline when there is one."""
    if outline is not None and len(outline):
        ring = np.array([p for path in outline["path"] for p in path], dtype=float)
        extent_lon, extent_lat = ring[:, 0], ring[:, 1]
    else:
        extent_lon = np.concatenate([sites["lon"].to_numpy(float), settings["lon"].to_numpy(float)])
        extent_lat = np.concatenate([sites["lat"].to_numpy(float), settings["lat"].to_numpy(float)])
    lon0, lon1, lat0, lat1 = _frame_of(extent_lon, extent_lat)
    squash = float(np.cos(np.radians((lat0 + lat1) / 2)))
    scale = width / ((lon1 - lon0) * squash)
    height = int((lat1 - lat0) * scale) + 1

    def xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(lon) - lon0) * squash * scale, (lat1 - np.asarray(lat)) * scale

    def polyline(path: list[list[float]], style: str) -> str:
        coords = np.asarray(path, dtype=float)
        x, y = xy(coords[:, 0], coords[:, 1])
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
        return f'<polyline points="{points}" {style}/>'

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Map of the candidate sites">',
        '<defs><clipPath id="frame"><rect width="100%" height="100%"/></clipPath></defs>',
        f'<rect width="{width}" height="{height}" fill="#fbfbf8" stroke="#888"/>',
        '<g clip-path="url(#frame)">',
    ]
    if roads is not None:
        parts += [
            polyline(p, 'fill="none" stroke="#c8c8c8" stroke-width="0.6"') for p in roads["path"]
        ]
    if outline is not None:
        parts += [
            polyline(p, 'fill="none" stroke="#333" stroke-width="1.6"') for p in outline["path"]
        ]
    sx, sy = xy(settings["lon"].to_numpy(float), settings["lat"].to_numpy(float))
    parts += [
        f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="#777"/>'
        for a, b in zip(sx, sy, strict=True)
    ]
    ordered = sites.sort_values("rank")
    px, py = xy(ordered["lon"].to_numpy(float), ordered["lat"].to_numpy(float))
    texts = [f"{r}. {s}" for r, s in zip(ordered["rank"], ordered["site_id"], strict=True)]
    legend = Box(4, height - 84, 170, 78)
    boxes = place_labels(list(zip(px, py, strict=True)), texts, Box(0, 0, width, height), [legend])
    for site, x, y, text, box in zip(ordered["site_id"], px, py, texts, boxes, strict=True):
        fill = "#b03a2e" if site in chosen else "#ffffff"
        centre_y = box.y + box.height / 2
        near_x = box.x if box.x >= x else box.x + box.width
        if abs(near_x - x) > MARKER_PX + 4 or abs(centre_y - y) > LABEL_PX:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{near_x:.1f}" y2="{centre_y:.1f}" '
                'stroke="#555" stroke-width="0.7"/>'
            )
        parts.append(
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{fill}" '
            f'stroke="#b03a2e" stroke-width="1.5"/>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" '
            f'height="{box.height:.1f}" fill="#ffffff" fill-opacity="0.85"/>'
            f'<text x="{box.x + 2:.1f}" y="{box.y + box.height - 3:.1f}" font-size="11">'
            f"{html.escape(text)}</text>"
        )
    parts.append("</g>")
    parts.append(_legend(legend))
    parts.append("</svg>")
    return "".join(parts)


def _legend(box: Box) -> str:
    """The key, drawn in `box` (the map's bottom-left corner)."""
    rows = [
        '<rect x="0" y="-6" width="10" height="10" fill="#b03a2e" stroke="#b03a2e"/>',
        '<rect x="0" y="-6" width="10" height="10" fill="#fff" stroke="#b03a2e"/>',
        '<circle cx="5" cy="-1" r="2.5" fill="#777"/>',
        '<line x1="0" y1="-1" x2="12" y2="-1" stroke="#c8c8c8" stroke-width="1.5"/>',
        '<line x1="0" y1="-1" x2="12" y2="-1" stroke="#333" stroke-width="1.6"/>',
    ]
    words = [
        "chosen site",
        "other candidate site (rank)",
        "existing setting",
        "road",
        "LA boundary",
    ]
    items = "".join(
        f'<g transform="translate(6,{14 * i + 10})">{mark}'
        f'<text x="18" y="3" font-size="10">{word}</text></g>'
        for i, (mark, word) in enumerate(zip(rows, words, strict=True))
    )
    return (
        f'<g transform="translate({box.x:.0f},{box.y:.0f})"><rect width="{box.width:.0f}" '
        f'height="{box.height:.0f}" fill="#fff" stroke="#888"/>{items}</g>'
    )
