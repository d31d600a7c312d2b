"""Siblings together: children in scope who share a `family_id` go to one setting when some
setting is suitable for all of them.

Keeping a family together is not a network constraint, so it is repaired after the flow: the
families the flow split, the children competing for the places they could share, and the
families those children belong to form a small sub-problem; everyone else stays where the flow
put them. CP-SAT solves the sub-problem from the flow's allocation (as a hint), placing at least
as many of its children, at least weighted cost plus SPLIT_PENALTY per family left apart. A
family with no setting suitable for all of them is placed as individuals, and says so. The
flow's (or Lagrangian's) bound stays a valid lower bound, since the repair only adds
constraints and penalties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from solver.domain.reasons import SiblingOutcome
from solver.placement.rules import IntArray, Pairs

#: Pounds added to the objective for each family placed apart although a setting suits them all:
#: more than a family's placements cost, less than leaving a child unplaced.
SPLIT_PENALTY = 500_000
FAMILY_COLUMNS = ("family_id", "children", "outcome")
#: Cheapest suitable settings kept per child outside the split families in the sub-problem.
NEIGHBOUR_ARCS = 12


@dataclass(frozen=True)
class Families:
    """Families of two or more children in scope: each child's family (-1 for none), the
    families' ids, and each family's settings suitable for every member."""

    of_child: IntArray
    ids: list[str]
    common: list[IntArray]

    @property
    def constrained(self) -> np.ndarray:
        """Families with a setting suitable for all of them: those the policy keeps together."""
        return np.array([len(c) > 0 for c in self.common], dtype=bool)


def families_in_scope(family_id: Sequence[str], pairs: Pairs) -> Families:
    """Group children in scope by non-blank `family_id` (lone children are no family) and find
    the settings on every member's list (`pairs` are the suitable pairs)."""
    ids = pd.Series(list(family_id), dtype=object).fillna("").astype(str).str.strip()
    named = ids[ids != ""]
    sizes = named.value_counts()
    families = sorted(sizes[sizes >= 2].index)
    number = {f: i for i, f in enumerate(families)}
    of_child = ids.map(number).fillna(-1).astype(np.int64).to_numpy()
    size = np.bincount(of_child[of_child >= 0], minlength=len(families))
    family = of_child[pairs.child]
    mine = family >= 0
    table = pd.DataFrame({"family": family[mine], "setting": pairs.setting[mine]})
    counts = table.groupby(["family", "setting"]).size().reset_index(name="n")
    shared = counts[counts["n"].to_numpy() == size[counts["family"].to_numpy()]]
    by_family = shared.groupby("family")["setting"].apply(np.asarray)
    common = [
        np.sort(by_family.get(f, np.empty(0, np.int64))).astype(np.int64)
        for f in range(len(families))
    ]
    return Families(of_child, families, common)


def split(families: Families, pairs: Pairs, chosen: np.ndarray) -> np.ndarray:
    """For each family, whether it is kept apart although a setting suits them all."""
    setting = np.full(len(families.of_child), -1, dtype=np.int64)
    setting[pairs.child[chosen]] = pairs.setting[chosen]
    apart = np.zeros(len(families.ids), dtype=bool)
    for f in np.flatnonzero(families.constrained):
        at = setting[families.of_child == f]
        apart[f] = (at < 0).any() or len(np.unique(at)) > 1
    return apart


def outcomes(families: Families, pairs: Pairs, chosen: np.ndarray) -> pd.DataFrame:
    """One row per family (FAMILY_COLUMNS): together, or apart and why."""
    apart = split(families, pairs, chosen)
    outcome = np.where(
        ~families.constrained,
        SiblingOutcome.NO_COMMON_SETTING,
        np.where(apart, SiblingOutcome.NO_ROOM_TOGETHER, SiblingOutcome.TOGETHER),
    )
    size = np.bincount(families.of_child[families.of_child >= 0], minlength=len(families.ids))
    return pd.DataFrame(
        {"family_id": families.ids, "children": size, "outcome": outcome},
        columns=list(FAMILY_COLUMNS),
    )


@dataclass(frozen=True)
class Limits:
    """What any allocation must respect: free places per line, and side rows a.x <= b."""

    free: IntArray
    rows: Sequence[tuple[IntArray, int]]


#: A flow re-solve: given the pairs it may use and the free places per line, the pairs chosen.
Resolve = Callable[[np.ndarray, IntArray], np.ndarray]
#: The CP-SAT repair is skipped above this many pair variables (it would only return its hint).
MAX_REPAIR_ARCS = 50_000


def keep_together(
    families: Families,
    pairs: Pairs,
    chosen: np.ndarray,
    costs: IntArray,
    limits: Limits,
    *,
    resolve: Resolve | None,
    unplaced_cost: int,
    split_cost: int,
    time_limit_s: float = 30.0,
) -> np.ndarray:
    """The allocation with split families joined where places allow. First each split family
    moves, whole, to a shared setting with room (nobody else moves); then, without side rows,
    the flow is solved again with every family that is together fixed (cheaper, same count);
    last, CP-SAT repairs what is left over a sub-problem of the split families and the children
    placed where they could go. Costs are in the units of `costs`: `unplaced_cost` per child
    left out, `split_cost` per family apart."""
    if not split(families, pairs, chosen).any():
        return chosen
    chosen = _join_where_room(families, pairs, chosen, costs, limits)
    if resolve is not None:
        chosen = _resolve_around_families(families, pairs, chosen, limits, resolve)
    apart = split(families, pairs, chosen)
    if not apart.any():
        return chosen
    shared = np.unique(np.concatenate([families.common[f] for f in np.flatnonzero(apart)]))
    n_children = len(families.of_child)
    involved = np.zeros(n_children, dtype=bool)
    involved[np.isin(families.of_child, np.flatnonzero(apart))] = True
    involved[pairs.child[chosen & np.isin(pairs.setting, shared)]] = True
    # Close over families: a child moved could split their own family.
    touched = np.unique(families.of_child[involved & (families.of_child >= 0)])
    involved[np.isin(families.of_child, touched)] = True
    family_child = involved & (families.of_child >= 0)
    arcs = involved[pairs.child] & _few_arcs(pairs, costs, chosen, family_child)
    if arcs.sum() > MAX_REPAIR_ARCS:
        return chosen
    fixed = chosen & ~involved[pairs.child]
    penalties = (unplaced_cost, split_cost)
    improved = _solve(
        families, pairs, costs, limits, chosen, fixed, arcs, touched, penalties, time_limit_s
    )
    return chosen if improved is None else improved


def _line_use(pairs: Pairs, mask: np.ndarray, n_lines: int) -> IntArray:
    """Places taken on each line (need and whole-setting) by the pairs in `mask`; the last
    slot counts pairs with no such line."""
    used = np.zeros(n_lines + 1, dtype=np.int64)
    np.add.at(used, pairs.line[mask], 1)
    np.add.at(used, pairs.whole[mask], 1)
    return used


def _join_where_room(
    families: Families, pairs: Pairs, chosen: np.ndarray, costs: IntArray, limits: Limits
) -> np.ndarray:
    """Move each split family, whole, to the cheapest shared setting with room for them all
    (and within every side row); nobody else moves, so no one loses a place."""
    chosen = chosen.copy()
    limit = np.append(limits.free, np.iinfo(np.int64).max)
    used = _line_use(pairs, chosen, len(limits.free))
    slack = [rhs - int(a[chosen].sum()) for a, rhs in limits.rows]
    member = families.of_child[pairs.child]
    for f in np.flatnonzero(split(families, pairs, chosen)):
        mine = np.flatnonzero(member == f)
        now = mine[chosen[mine]]
        options = mine[np.isin(pairs.setting[mine], families.common[f])]
        by_setting = pd.Series(costs[options]).groupby(pairs.setting[options]).sum()
        for setting in by_setting.sort_values(kind="stable").index:
            there = options[pairs.setting[options] == setting]
            after = used.copy()
            np.subtract.at(after, pairs.line[now], 1)
            np.subtract.at(after, pairs.whole[now], 1)
            np.add.at(after, pairs.line[there], 1)
            np.add.at(after, pairs.whole[there], 1)
            change = [int(a[there].sum() - a[now].sum()) for a, _ in limits.rows]
            if (after <= limit).all() and all(c <= r for c, r in zip(change, slack, strict=True)):
                chosen[now], chosen[there] = False, True
                used, slack = after, [r - c for c, r in zip(change, slack, strict=True)]
                break
    return chosen


def _resolve_around_families(
    families: Families,
    pairs: Pairs,
    chosen: np.ndarray,
    limits: Limits,
    resolve: Resolve,
) -> np.ndarray:
    """Solve the flow again with every family that is together fixed where it is, so the rest
    are re-placed around them at least cost; kept only if it places as many children."""
    apart = split(families, pairs, chosen)
    family = families.of_child[pairs.child]
    fixed = chosen & (family >= 0)
    fixed &= families.constrained[np.maximum(family, 0)] & ~apart[np.maximum(family, 0)]
    free = limits.free - _line_use(pairs, fixed, len(limits.free))[:-1]
    fixed_child = np.zeros(len(families.of_child), dtype=bool)
    fixed_child[pairs.child[fixed]] = True
    rest = ~fixed_child[pairs.child]
    again = fixed.copy()
    again[np.flatnonzero(rest)[resolve(rest, free)]] = True
    if again.sum() < chosen.sum() or split(families, pairs, again).sum() > apart.sum():
        return chosen
    return again


def _few_arcs(
    pairs: Pairs, costs: IntArray, chosen: np.ndarray, family_child: np.ndarray
) -> np.ndarray:
    """Pairs kept in the sub-problem: every pair of a family member, the chosen pair, and the
    NEIGHBOUR_ARCS cheapest of every other child."""
    order = np.lexsort((costs, pairs.child))
    rank = np.empty(len(pairs), dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(pairs.child[order])) + 1]
    run = np.arange(len(pairs)) - np.repeat(starts, np.diff(np.r_[starts, len(pairs)]))
    rank[order] = run
    kept: np.ndarray = chosen | family_child[pairs.child] | (rank < NEIGHBOUR_ARCS)
    return kept


def _solve(
    families: Families,
    pairs: Pairs,
    costs: IntArray,
    limits: Limits,
    chosen: np.ndarray,
    fixed: np.ndarray,
    arcs: np.ndarray,
    touched: IntArray,
    penalties: tuple[int, int],
    time_limit_s: float = 30.0,
) -> np.ndarray | None:
    """CP-SAT over the `arcs` with the `fixed` pairs' places and row use taken off."""
    model = cp_model.CpModel()
    index = np.flatnonzero(arcs)
    x = [model.new_bool_var(f"x{p}") for p in index]
    var = dict(zip(index.tolist(), x, strict=True))
    children = np.unique(pairs.child[index])
    for _, group in pd.Series(index).groupby(pairs.child[index]).groups.items():
        model.add_at_most_one(var[int(index[i])] for i in group)
    used = np.zeros(len(limits.free) + 1, dtype=np.int64)  # last slot: "no line"
    np.add.at(used, pairs.line[fixed], 1)
    np.add.at(used, pairs.whole[fixed], 1)
    for column in (pairs.line, pairs.whole):
        lines = column[index]
        for line in np.unique(lines[lines >= 0]):
            members = index[lines == line]
            model.add(sum(var[int(p)] for p in members) <= int(limits.free[line] - used[line]))
    for coefficients, rhs in limits.rows:
        rest = int(coefficients[fixed].sum())
        model.add(sum(int(coefficients[p]) * var[int(p)] for p in index) <= rhs - rest)
    placed_before = int(chosen[index].sum())
    model.add(sum(x) >= placed_before)
    apart = []
    keys = zip(pairs.child[index].tolist(), pairs.setting[index].tolist(), strict=True)
    pair_of = dict(zip(keys, x, strict=True))
    member_of = pd.Series(np.arange(len(families.of_child))).groupby(families.of_child).groups
    for f in touched:
        common = families.common[f]
        if not len(common):
            continue
        at = [model.new_bool_var(f"f{f}s{s}") for s in common]
        for y, s in zip(at, common.tolist(), strict=True):
            for c in member_of[f]:
                model.add_implication(y, pair_of[(int(c), s)])
        model.add(sum(at) <= 1)
        apart.append(1 - sum(at))
    unplaced_cost, split_cost = penalties
    model.minimize(
        sum(int(costs[p]) * var[int(p)] for p in index)
        + unplaced_cost * (len(children) - sum(x))
        + split_cost * sum(apart)
    )
    for p, v in var.items():
        model.add_hint(v, bool(chosen[p]))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    result = fixed.copy()
    result[index] = [solver.boolean_value(v) for v in x]
    return result
