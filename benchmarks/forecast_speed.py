"""Time the all-LA forecast for one origin, a 10-year forecast for one LA and the back-test
over every LA (medians of runs).

Each run starts cold (the table cache is cleared) so file reading is counted. The one-LA
forecast runs from DfE's latest caseload (no children table needed) with no places listed.

    python benchmarks/forecast_speed.py --ehcp ../shared/data/ehcp-sen2 \
        --population ../shared/data/ons-population --la E06000017 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.forecast.backtest import run_backtest  # noqa: E402
from solver.forecast.sufficiency import LaHistory, run_forecast  # noqa: E402
from solver.io.ehcp import read_la_tables, read_table  # noqa: E402
from solver.io.forecast import write_la_forecast  # noqa: E402
from solver.io.population import read_population  # noqa: E402
from solver.io.tariffs import load_tariffs  # noqa: E402
from solver.workspace import open_all_las_forecast, read_history  # noqa: E402


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    read_table.cache_clear()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    """Parse options, run each measurement `--runs` times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ehcp", type=Path, required=True, help="DfE release folder or zips")
    parser.add_argument("--population", type=Path, required=True, help="folder of ONS CSVs")
    parser.add_argument("--la", default="E06000017", help="LA code to forecast")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    population = sorted(args.population.glob("*.csv"))
    places = pd.DataFrame(columns=["year", "need", "phase", "setting_type", "places"])
    tariffs = load_tariffs()

    def one_forecast() -> None:
        la = LaHistory(
            read_history(args.ehcp),
            read_la_tables(args.ehcp, args.la),
            read_population(population, args.la),
        )
        run_forecast(la, args.years, supply_table=places, tariffs=tariffs)

    def all_backtest() -> None:
        run_backtest(read_history(args.ehcp), range(2018, 2025), range(1, 6))

    with tempfile.TemporaryDirectory() as out:
        all_las = [
            _timed(
                lambda: write_la_forecast(
                    open_all_las_forecast(args.ehcp, None, 2024, 5), Path(out)
                )
            )
            for _ in range(args.runs)
        ]
    forecast = [_timed(one_forecast) for _ in range(args.runs)]
    backtest = [_timed(all_backtest) for _ in range(args.runs)]
    print(f"all-LA forecast, origin 2024, 5 years: median {statistics.median(all_las):.2f} s")
    print(f"{args.years}-year forecast for {args.la}: median {statistics.median(forecast):.2f} s")
    print(
        f"back-test, all LAs, origins 2018-2024, horizons 1-5: "
        f"median {statistics.median(backtest):.2f} s  ({args.runs} runs each)"
    )


if __name__ == "__main__":
    main()
