"""The back-test tables of docs/forecast.md, as Markdown, from DfE releases.

Runs the rolling-origin back-test (`solver.forecast.backtest.run_backtest`) over every LA, origins
2018-2024 and horizons 1-5, and prints: LA totals for the model and every baseline, pooled and
out of sample; each setting group's model against its best naive rule; the goal check.

    python benchmarks/backtest_table.py --ehcp data/rutland/ehcp/england
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.domain.groups import SETTING_GROUPS  # noqa: E402
from solver.forecast.backtest import run_backtest  # noqa: E402
from solver.io.ehcp import ALL  # noqa: E402
from solver.workspace import read_history  # noqa: E402

NAIVE = ("last_value", "linear_trend", "last_growth", "damped_trend")


def _row(cells: list[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def totals_table(summary: pd.DataFrame, sample: str) -> list[str]:
    """Every method's scores for LA totals in one sample, by horizon."""
    rows = summary[(summary["sample"] == sample) & (summary["setting_group"] == ALL)]
    lines = [
        _row(
            [
                "h",
                "method",
                "LAs x origins",
                "MAPE %",
                "median APE %",
                "P90 APE %",
                "MASE",
                "cover80",
            ]
        ),
        _row(["---"] * 8),
    ]
    for r in rows.itertuples():
        lines.append(
            _row(
                [
                    r.horizon,
                    f"**{r.method}**" if r.method == "model" else r.method,
                    r.n,
                    f"{r.mape:.2f}",
                    f"{r.median_ape:.2f}",
                    f"{r.p90_ape:.2f}",
                    f"{r.mase:.2f}",
                    f"{r.coverage80:.3f}",
                ]
            )
        )
    return lines


def groups_table(summary: pd.DataFrame, sample: str) -> list[str]:
    """Each group's model MAPE, median and P90 APE, MASE and coverage against its best naive."""
    lines = [
        _row(["group", "h", "model MAPE", "median", "P90", "MASE", "cover80", "best naive MAPE"]),
        _row(["---"] * 8),
    ]
    rows = summary[summary["sample"] == sample]
    for group in (ALL, *SETTING_GROUPS):
        for horizon in sorted(rows["horizon"].unique()):
            part = rows[(rows["setting_group"] == group) & (rows["horizon"] == horizon)]
            model = part[part["method"] == "model"].iloc[0]
            naive = part[part["method"].isin(NAIVE)].sort_values("mape").iloc[0]
            lines.append(
                _row(
                    [
                        group,
                        horizon,
                        f"{model.mape:.2f}",
                        f"{model.median_ape:.2f}",
                        f"{model.p90_ape:.2f}",
                        f"{model.mase:.2f}",
                        f"{model.coverage80:.3f}",
                        f"{naive.mape:.2f} ({naive.method})",
                    ]
                )
            )
    return lines


def goal_lines(summary: pd.DataFrame) -> list[str]:
    """Model MAPE against the best naive rule at horizons 1-3: the goal is 10% or more below."""
    lines = [_row(["sample", "h", "model", "best naive", "model vs naive"]), _row(["---"] * 5)]
    totals = summary[(summary["setting_group"] == ALL) & (summary["horizon"] <= 3)]
    for (sample, horizon), part in totals.groupby(["sample", "horizon"], sort=False):
        model = part.loc[part["method"] == "model", "mape"].item()
        naive = part[part["method"].isin(NAIVE)].sort_values("mape").iloc[0]
        change = (model / naive.mape - 1) * 100
        lines.append(
            _row(
                [
                    sample,
                    horizon,
                    f"{model:.2f}",
                    f"{naive.mape:.2f} ({naive.method})",
                    f"{change:+.1f}%",
                ]
            )
        )
    return lines


def main() -> None:
    """Run the back-test and print the Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ehcp", type=Path, required=True, help="DfE release folder or zips")
    args = parser.parse_args()
    _, summary = run_backtest(read_history(args.ehcp), range(2018, 2025), range(1, 6))
    sections = {
        "Goal: LA totals, horizons 1-3": goal_lines(summary),
        "LA totals, pooled (origins 2018-2024)": totals_table(summary, "pooled"),
        "LA totals, out of sample (origins 2022-2024)": totals_table(summary, "out_of_sample"),
        "By setting group, pooled": groups_table(summary, "pooled"),
        "By setting group, out of sample": groups_table(summary, "out_of_sample"),
    }
    for title, lines in sections.items():
        print(f"### {title}\n")
        print("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
