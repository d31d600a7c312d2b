"""Benchmark placement optimisation: min-cost flow against PuLP + CBC, budget cap, lists.

Instances are random but reproducible (seeded): settings scattered over a square county with
the national mix of types and needs, children with the national need mix, and journeys from
straight-line distance at a road speed, cut off at the longest journey limit (as the cached
travel matrix would be). Every result is verified by the independent checker.

    python benchmarks/allocate.py --help
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from solver.domain.model import CHILD_COLUMNS, PLACE_COLUMNS, SETTING_COLUMNS
from solver.domain.needs import NATIONAL_NEED_MIX, Need
from solver.domain.scenario import Policy
from solver.io.tariffs import load_tariffs
from solver.placement.allocate import COST_SCALE, UNPLACED_PENALTY, Allocation, allocate, in_scope
from solver.placement.check import check_allocation
from solver.placement.rules import assess, free_places, journey_index
from solver.placement.tailored import tailored_lists

TARIFFS = load_tariffs()
_TYPES = {
    "mainstream": 0.74,
    "mainstream_rp": 0.10,
    "state_special": 0.10,
    "independent_special": 0.04,
    "post16": 0.02,
}
_SPECIAL_NEEDS = [Need.ASD, Need.SEMH, Need.MLD, Need.SLD, Need.PMLD, Need.SLCN, Need.PD]


@dataclass(frozen=True)
class Tables:
    """One benchmark instance."""

    children: pd.DataFrame
    settings: pd.DataFrame
    places: pd.DataFrame
    journeys: pd.DataFrame


def random_instance(n_children: int, n_settings: int, *, seed: int, km: float = 60.0) -> Tables:
    """A county `km` across; places sized so that about 95% of children can be placed."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(_TYPES), size=n_settings, p=list(_TYPES.values()))
    secondary = rng.random(n_settings) < 0.2
    low = np.where(kinds == "post16", 12, np.where(secondary, 7, 0))
    high = np.where(kinds == "post16", 13, np.where(secondary, 13, 6))
    special_span = np.isin(kinds, ["state_special", "independent_special"])
    low, high = np.where(special_span, 0, low), np.where(special_span, 13, high)
    designated = [
        tuple(sorted(str(n) for n in rng.choice(_SPECIAL_NEEDS, size=2, replace=False)))
        if kind in ("state_special", "independent_special", "mainstream_rp")
        else ()
        for kind in kinds
    ]
    setting_xy = rng.uniform(0, km * 1000, size=(n_settings, 2))
    urns = np.array([f"{100000 + i}" for i in range(n_settings)])
    settings = pd.DataFrame(
        {
            "urn": urns,
            "name": [f"Setting {u}" for u in urns],
            "setting_type": kinds,
            "la_code": "999",
            "low_age": low + 4,
            "high_age": high + 5,
            "ncy_low": low,
            "ncy_high": high,
            "gender": "mixed",
            "easting": setting_xy[:, 0],
            "northing": setting_xy[:, 1],
            "postcode": "",
            "designated_needs": designated,
            "provision": "",
            "capacity": pd.NA,
            "on_roll": pd.NA,
            "ofsted": "Good",
            "section41": False,
        }
    )[list(SETTING_COLUMNS)]
    per_setting = max(2, int(2 * n_children / n_settings))
    places = [
        {
            "urn": u,
            "need": "",
            "places": per_setting * 3,
            "vacancies": per_setting,
            "annual_cost": np.nan,
        }
        for u in urns
    ]
    places += [
        {
            "urn": u,
            "need": n,
            "places": 20,
            "vacancies": max(1, per_setting // 3),
            "annual_cost": np.nan,
        }
        for u, kind, needs in zip(urns, kinds, designated, strict=True)
        if kind == "mainstream_rp"
        for n in needs
    ]
    needs = list(NATIONAL_NEED_MIX)
    mix = np.array(list(NATIONAL_NEED_MIX.values()))
    child_xy = rng.uniform(0, km * 1000, size=(n_children, 2))
    ids = np.array([f"C{i:06d}" for i in range(n_children)])
    children = pd.DataFrame(
        {
            "child_id": ids,
            "ncy": rng.integers(0, 14, size=n_children),
            "sex": rng.choice(["M", "F"], size=n_children, p=[0.7, 0.3]),
            "primary_need": [str(n) for n in rng.choice(needs, size=n_children, p=mix / mix.sum())],
            "secondary_need": "",
            "easting": child_xy[:, 0],
            "northing": child_xy[:, 1],
            "current_urn": "",
            "transfer": True,
            "family_id": "",
            "la_code": "",
        }
    )[list(CHILD_COLUMNS)]
    journeys = _journeys(child_xy, setting_xy, ids, urns, cutoff_minutes=75)
    return Tables(children, settings, pd.DataFrame(places)[list(PLACE_COLUMNS)], journeys)


def scenario_instance(path: Path, cache: Path) -> Tables:
    """A scenario's inputs (e.g. `rightplace synth` output) and its journeys, cached in `cache`."""
    from solver.io.inputs import load_scenario_inputs
    from solver.io.scenario_file import load_scenario
    from solver.workspace import scenario_journeys

    scenario = load_scenario(path)
    inputs = load_scenario_inputs(scenario)
    journeys = scenario_journeys(path, scenario, inputs, cache)
    return Tables(inputs.children, inputs.settings, inputs.places, journeys)


def _journeys(child_xy, setting_xy, ids, urns, *, cutoff_minutes: float) -> pd.DataFrame:
    """Straight-line distance x 1.3 at 40 km/h, in whole seconds, within the cut-off."""
    parts = []
    for start in range(0, len(child_xy), 2000):
        block = child_xy[start : start + 2000]
        metres = np.hypot(
            block[:, None, 0] - setting_xy[None, :, 0], block[:, None, 1] - setting_xy[None, :, 1]
        )
        seconds = np.rint(metres * 1.3 / (40_000 / 3600)) + 120
        c, s = np.nonzero(seconds <= cutoff_minutes * 60)
        parts.append((c + start, s, seconds[c, s]))
    c = np.concatenate([p[0] for p in parts])
    s = np.concatenate([p[1] for p in parts])
    return pd.DataFrame(
        {
            "child_id": ids[c],
            "urn": urns[s],
            "seconds": np.concatenate([p[2] for p in parts]),
            "estimated": False,
        }
    )


def pulp_baseline(tables: Tables, policy: Policy) -> tuple[int, float]:
    """The same model as an analyst writes it with PuLP + CBC: least cost plus a penalty per
    unplaced child (equal to the flow's most-placed-then-cheapest whenever the penalty exceeds
    any saving from leaving a child out, as here)."""
    import pulp

    scope = tables.children[in_scope(tables.children, policy)].reset_index(drop=True)
    index = journey_index(scope, tables.settings, tables.journeys)
    pairs = assess(scope, tables.settings, tables.places, TARIFFS, policy, index)
    pairs = pairs.take(pairs.suitable)
    cost = np.rint(pairs.weighted_cost(policy) * COST_SCALE).astype(int)
    free = free_places(tables.places, tables.settings, policy)
    x = [pulp.LpVariable(f"x{p}", cat="Binary") for p in range(len(pairs))]
    by_child: dict[int, list] = {}
    by_line: dict[int, list] = {}
    for p in range(len(pairs)):
        by_child.setdefault(int(pairs.child[p]), []).append(x[p])
        for line in (int(pairs.line[p]), int(pairs.whole[p])):
            if line >= 0:
                by_line.setdefault(line, []).append(x[p])

    # One model with a penalty per unplaced child, as an analyst would write it.
    model = pulp.LpProblem("placements", pulp.LpMinimize)
    unplaced = {c: pulp.LpVariable(f"u{c}", lowBound=0, upBound=1) for c in range(len(scope))}
    penalty = UNPLACED_PENALTY * COST_SCALE
    model += pulp.lpSum(int(c) * v for c, v in zip(cost, x, strict=True)) + pulp.lpSum(
        penalty * u for u in unplaced.values()
    )
    for c, u in unplaced.items():
        model += pulp.lpSum(by_child.get(c, [])) + u == 1
    for line, vs in by_line.items():
        model += pulp.lpSum(vs) <= int(free[line])
    model.solve(pulp.PULP_CBC_CMD(msg=False, threads=2))
    if pulp.LpStatus[model.status] != "Optimal":
        raise SystemExit(f"CBC: {pulp.LpStatus[model.status]}")
    chosen = np.array([v.value() > 0.5 for v in x], dtype=bool)
    return int(chosen.sum()), int(cost[chosen].sum()) / COST_SCALE


def highs_reference(tables: Tables, policy: Policy) -> tuple[int, float]:
    """The same penalised model as a sparse LP solved by HiGHS (scipy): its constraint matrix is
    a network matrix, so the LP optimum is integral and equals the integer optimum."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    scope = tables.children[in_scope(tables.children, policy)].reset_index(drop=True)
    index = journey_index(scope, tables.settings, tables.journeys)
    pairs = assess(scope, tables.settings, tables.places, TARIFFS, policy, index)
    pairs = pairs.take(pairs.suitable)
    cost = np.rint(pairs.weighted_cost(policy) * COST_SCALE)
    free = free_places(tables.places, tables.settings, policy)
    n, m = len(scope), len(pairs)
    columns = np.arange(m)
    # Variables: pair placements, then one "unplaced" per child.
    each_child = coo_matrix(
        (np.ones(m + n), (np.r_[pairs.child, np.arange(n)], np.r_[columns, m + np.arange(n)])),
        shape=(n, m + n),
    )
    lines = np.r_[pairs.line, pairs.whole]
    used = lines >= 0
    line_ids, line_rows = np.unique(lines[used], return_inverse=True)
    per_line = coo_matrix(
        (np.ones(int(used.sum())), (line_rows, np.r_[columns, columns][used])),
        shape=(len(line_ids), m + n),
    )
    result = linprog(
        np.r_[cost, np.full(n, UNPLACED_PENALTY * COST_SCALE)],
        A_ub=per_line.tocsr(),
        b_ub=free[line_ids],
        A_eq=each_child.tocsr(),
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    if result.status != 0:
        raise SystemExit(f"HiGHS: {result.message}")
    chosen = result.x[:m] > 0.5
    if np.abs(result.x - np.rint(result.x)).max() > 1e-6:
        raise SystemExit("HiGHS: the LP optimum is fractional")
    return int(chosen.sum()), float(cost[chosen].sum()) / COST_SCALE


def timed(action: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median wall time over `repeats` runs, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def verified(tables: Tables, policy: Policy, result: Allocation) -> Allocation:
    """The result, once the independent checker has passed it (exit otherwise)."""
    start = time.perf_counter()
    violations = check_allocation(
        tables.children,
        tables.settings,
        tables.places,
        tables.journeys,
        TARIFFS,
        policy,
        result.placements,
        result.unplaced,
    )
    if violations:
        raise SystemExit(f"checker failed: {violations[:5]}")
    print(f"checker passed in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return result


def measure(tables: Tables, args: argparse.Namespace) -> dict[str, object]:
    """Every figure for one instance: flow time, PuLP baseline, budget cap, one tailored list."""
    policy = Policy()

    def run(p: Policy) -> Allocation:
        t = tables
        return allocate(t.children, t.settings, t.places, t.journeys, TARIFFS, p)

    seconds, result = timed(lambda: run(policy), args.repeats)
    verified(tables, policy, result)
    row: dict[str, object] = {
        "children": len(tables.children),
        "settings": len(tables.settings),
        "journeys": len(tables.journeys),
        "flow_s": round(seconds, 3),
        **result.summary(),
    }
    new_placed = int((~result.placements["kept"]).sum())
    if args.pulp:
        pulp_s, (placed, objective) = timed(lambda: pulp_baseline(tables, policy), 1)
        row.update(
            pulp_s=round(pulp_s, 3),
            pulp_placed=placed,
            pulp_objective=objective,
            same_objective=placed == new_placed and abs(objective - result.objective) < 0.005,
            speedup=round(pulp_s / seconds, 1),
        )
    if args.highs:
        highs_s, (placed, objective) = timed(lambda: highs_reference(tables, policy), 1)
        row.update(
            highs_s=round(highs_s, 3),
            highs_placed=placed,
            highs_objective=objective,
            highs_same=placed == new_placed and abs(objective - result.objective) < 0.005,
        )
    if args.budget:
        new = result.placements[~result.placements["kept"]]
        cap = args.budget * float(new["annual_cost"].sum())
        mainstream = new["urn"].map(tables.settings.set_index("urn")["setting_type"])
        share = float(mainstream.isin(["mainstream", "mainstream_rp"]).mean())
        variants = {"cap": Policy(budget_cap=cap)}
        if args.with_share:  # the cap and at least the uncapped allocation's mainstream share
            variants["cap_share"] = Policy(budget_cap=cap, min_mainstream_share=round(share, 3))
        for name, capped in variants.items():
            cap_s, capped_result = timed(lambda p=capped: run(p), args.repeats)
            verified(tables, capped, capped_result)
            row.update(
                {
                    f"{name}_s": round(cap_s, 3),
                    f"{name}_status": capped_result.status,
                    f"{name}_gap": round(capped_result.gap, 6),
                    f"{name}_solves": capped_result.solves,
                    f"{name}_unplaced": len(capped_result.unplaced),
                }
            )
    one = [str(tables.children["child_id"].iloc[0])]
    t = tables
    list_s, _ = timed(
        lambda: tailored_lists(
            t.children, t.settings, t.places, t.journeys, TARIFFS, policy, child_ids=one
        ),
        args.repeats,
    )
    row["one_list_s"] = round(list_s, 3)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--settings", type=int, default=700)
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pulp", action="store_true", help="also run the PuLP + CBC baseline")
    parser.add_argument(
        "--scenario", type=Path, help="benchmark a scenario (e.g. synth output) instead"
    )
    parser.add_argument(
        "--cache", type=Path, help="folder for travel_times.parquet (default: the scenario's)"
    )
    parser.add_argument("--highs", action="store_true", help="also solve the LP with HiGHS")
    parser.add_argument("--budget", type=float, default=0.98, help="cap as share of spend; 0 = off")
    parser.add_argument(
        "--with-share",
        action="store_true",
        help="also cap together with a minimum mainstream share (the uncapped share)",
    )
    args = parser.parse_args()
    if args.scenario is not None:
        start = time.perf_counter()
        cache = args.cache or args.scenario.parent
        tables = scenario_instance(args.scenario, cache)
        print(f"inputs loaded in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        print(json.dumps(measure(tables, args)), flush=True)
        return
    for n in args.children:
        start = time.perf_counter()
        tables = random_instance(n, args.settings, seed=args.seed)
        print(f"instance built in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        print(json.dumps(measure(tables, args)), flush=True)


if __name__ == "__main__":
    main()
