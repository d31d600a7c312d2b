"""Flows between two SEN2 censuses: joiners, leavers (with cease reason), movers, need changes.

Children are matched by their pseudonymous child_id (the same key gives the same id each year).
Counts are by NCY (this year's, or last year's for leavers), primary need and setting group, the
shape the forecast calibrates its transition rates on.
"""

from __future__ import annotations

import pandas as pd

from solver.domain.model import SettingType

FLOW_COLUMNS: tuple[str, ...] = (
    "flow",  # joiner, leaver, mover, need_change
    "ncy",
    "need",  # primary need (this year's; last year's for leavers)
    "from_group",  # setting group last year ("" for joiners)
    "to_group",  # setting group this year ("" for leavers)
    "cease_reason",  # leavers: the plan's ceasereason 1-9, "" when not recorded
    "children",
)

#: The group of a child with no current setting and no sensetting code.
NO_SETTING = "none"


def setting_groups(children: pd.DataFrame, settings: pd.DataFrame) -> pd.Series:
    """Each child's setting group: the setting type of the current URN (a mainstream school's
    SEN unit or resourced provision only when the child is in it), else the sensetting code."""
    kind = children["current_urn"].map(
        settings.drop_duplicates("urn").set_index("urn")["setting_type"]
    )
    kind = kind.astype(object)
    mainstream_classes = (kind == SettingType.MAINSTREAM_RP.value) & (
        children["current_place"] == ""
    )
    kind = kind.where(~mainstream_classes, SettingType.MAINSTREAM.value)
    situation = children["situation"].where(children["situation"] != "", NO_SETTING)
    return kind.fillna(situation).astype(str)


def census_flows(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    settings: pd.DataFrame,
    cease_reasons: pd.Series,
) -> pd.DataFrame:
    """FLOW_COLUMNS from last year's and this year's children (SEN2_CHILD_COLUMNS);
    `cease_reasons`: child_id -> ceasereason of the plan that ended between the censuses."""
    before = previous.set_index("child_id").assign(
        group=setting_groups(previous, settings).to_numpy()
    )
    after = current.set_index("child_id").assign(group=setting_groups(current, settings).to_numpy())
    both = before.index.intersection(after.index)
    joiners = after.loc[after.index.difference(before.index)]
    leavers = before.loc[before.index.difference(after.index)]
    stayed_before, stayed_after = before.loc[both], after.loc[both]
    moved = stayed_before["current_urn"].ne(stayed_after["current_urn"]) | stayed_before[
        "situation"
    ].ne(stayed_after["situation"])
    changed = stayed_before["primary_need"].ne(stayed_after["primary_need"])
    parts = [
        _flow("joiner", joiners, joiners["primary_need"], "", joiners["group"]),
        _flow(
            "leaver",
            leavers,
            leavers["primary_need"],
            leavers["group"],
            "",
            leavers.index.map(cease_reasons).fillna("").astype(str),
        ),
        *(
            _flow(
                flow,
                stayed_after[rows],
                stayed_after.loc[rows, "primary_need"],
                stayed_before.loc[rows, "group"],
                stayed_after.loc[rows, "group"],
            )
            for flow, rows in (("mover", moved), ("need_change", changed))
        ),
    ]
    table = pd.concat(parts, ignore_index=True)
    keys = [c for c in FLOW_COLUMNS if c != "children"]
    counts = table.groupby(keys, as_index=False, sort=True).size()
    return counts.rename(columns={"size": "children"}).loc[:, list(FLOW_COLUMNS)]


def _flow(
    flow: str,
    children: pd.DataFrame,
    need: pd.Series,
    from_group: pd.Series | str,
    to_group: pd.Series | str,
    cease_reason: pd.Index | str = "",
) -> pd.DataFrame:
    def values(v: pd.Series | pd.Index | str) -> object:
        return v if isinstance(v, str) else list(v)

    return pd.DataFrame(
        {
            "flow": flow,
            "ncy": children["ncy"].astype("int64").to_numpy(),
            "need": list(need),
            "from_group": values(from_group),
            "to_group": values(to_group),
            "cease_reason": values(cease_reason),
        }
    )
