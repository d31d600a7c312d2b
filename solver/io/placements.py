"""The allocation's files: placements.csv, unplaced.csv, summary.json and, when siblings are
kept together, families.csv, written as a set."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from solver.io.outputs import write_csv, write_text


def write_placements(
    placements: pd.DataFrame,
    unplaced: pd.DataFrame,
    families: pd.DataFrame,
    summary: Mapping[str, object],
    out_dir: Path,
) -> list[Path]:
    """placements.csv, unplaced.csv and summary.json in `out_dir`, and families.csv when it
    has rows; as a set: each file atomically, children's rows private, the previous run's
    summary and families removed first and the summary written last, so a run killed part
    way never leaves new placements beside an old summary."""
    summary_path, families_path = out_dir / "summary.json", out_dir / "families.csv"
    summary_path.unlink(missing_ok=True)
    families_path.unlink(missing_ok=True)
    paths = [
        write_csv(out_dir / "placements.csv", placements, private=True),
        write_csv(out_dir / "unplaced.csv", unplaced, private=True),
    ]
    if len(families):
        paths.append(write_csv(families_path, families, private=True))
    paths.insert(2, write_text(summary_path, json.dumps(summary, indent=2) + "\n"))
    return paths
