"""Tailored lists: one micro case per suitability rule, marks and ranking."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings

from solver.domain.model import SettingType
from solver.domain.needs import Need
from solver.domain.scenario import Policy
from solver.io.lists import LIST_COLUMNS
from solver.placement.check import verdicts
from solver.placement.tailored import tailored_lists
from tests.placement_tables import (
    TARIFFS,
    child,
    children_table,
    instances,
    journeys_table,
    place,
    places_table,
    setting,
    settings_table,
)

SETTINGS = settings_table(
    [
        setting("1", "mainstream", ncy_low=0, ncy_high=6),
        setting("2", "mainstream", ncy_low=7, ncy_high=11),
        setting("3", "state_special", designated_needs=("ASD",)),
        setting("4", "state_special", designated_needs=("SEMH",), gender="girls"),
        setting("5", "mainstream_rp", ncy_low=0, ncy_high=6, designated_needs=("ASD",)),
    ]
)
PLACES = places_table([place("1", 30, 2), place("3", 10, 0), place("5", 30, 5, need="ASD")])


def lists_for(children: list[dict], minutes: dict, policy: Policy | None = None) -> pd.DataFrame:
    """The lists of the given children over SETTINGS, indexed by (child_id, urn)."""
    table = tailored_lists(
        children_table(children),
        SETTINGS,
        PLACES,
        journeys_table(minutes),
        TARIFFS,
        policy or Policy(),
    )
    return table.set_index(["child_id", "urn"])


def everywhere(child_id: str, minutes: float) -> dict:
    return {(child_id, urn): minutes for urn in SETTINGS["urn"]}


def test_every_setting_is_on_or_off_each_list_with_reasons() -> None:
    """Each child gets one row per setting, each with at least one reason code."""
    lists = lists_for(
        [child("A", 3), child("B", 8)], {**everywhere("A", 10), **everywhere("B", 10)}
    )
    assert list(lists.reset_index().columns[: len(LIST_COLUMNS)]) == list(LIST_COLUMNS)
    assert len(lists) == 2 * len(SETTINGS)
    assert (lists["reasons"] != "").all()


def test_age_rule() -> None:
    """A primary child is off a secondary school's list for AGE, and on a primary school's."""
    lists = lists_for([child("A", 3, "MLD")], everywhere("A", 10))
    assert not lists.loc[("A", "2"), "on_list"] and "AGE" in lists.loc[("A", "2"), "reasons"]
    assert lists.loc[("A", "1"), "on_list"]


def test_sex_rule() -> None:
    """A boy is off a girls' school's list for SEX; a girl is not."""
    lists = lists_for(
        [child("A", 3, "SEMH", sex="M"), child("B", 3, "SEMH", sex="F")],
        {**everywhere("A", 10), **everywhere("B", 10)},
    )
    assert lists.loc[("A", "4"), "reasons"] == "SEX"
    assert lists.loc[("B", "4"), "on_list"]


def test_need_rule_and_secondary_need_widens() -> None:
    """A special school takes only its designated needs; a secondary need widens the list and
    says so; mainstream takes any need."""
    lists = lists_for(
        [child("A", 3, "SEMH"), child("B", 3, "SEMH", secondary_need="ASD")],
        {**everywhere("A", 10), **everywhere("B", 10)},
    )
    assert lists.loc[("A", "3"), "reasons"] == "NEED"
    assert lists.loc[("B", "3"), "on_list"]
    assert "FITS_SECONDARY_NEED" in lists.loc[("B", "3"), "reasons"]
    assert "FITS_MAINSTREAM" in lists.loc[("A", "1"), "reasons"]


def test_journey_limit_by_phase_and_configurable() -> None:
    """50 minutes is beyond the default primary limit (45) but within secondary (75); a policy
    of 60 minutes for primary admits it; a missing journey is beyond the cut-off."""
    minutes = {("A", "1"): 50, ("B", "2"): 50}
    lists = lists_for([child("A", 3, "MLD"), child("B", 8, "MLD")], minutes)
    assert lists.loc[("A", "1"), "reasons"] == "JOURNEY"
    assert lists.loc[("B", "2"), "on_list"]
    assert lists.loc[("A", "3"), "reasons"] == "NEED;JOURNEY"
    wider = Policy(journey_limit_minutes={"primary": 60, "secondary": 75})
    assert lists_for([child("A", 3, "MLD")], minutes, wider).loc[("A", "1"), "on_list"]


def test_full_setting_stays_visible_marked_and_ranked_after() -> None:
    """A setting without vacancies stays on the list, marked FULL, ranked after open ones."""
    lists = lists_for([child("A", 3, "ASD")], {("A", "3"): 5, ("A", "5"): 30})
    assert lists.loc[("A", "3"), "on_list"] and "FULL" in lists.loc[("A", "3"), "reasons"]
    assert lists.loc[("A", "3"), "vacancy"] == 0
    assert lists.loc[("A", "5"), "rank"] == 1 and lists.loc[("A", "3"), "rank"] == 2


def test_much_dearer_setting_is_marked_not_hidden() -> None:
    """A setting costing more than dear_ratio x the cheapest suitable one is marked COST."""
    lists = lists_for([child("A", 3, "ASD")], everywhere("A", 10))
    cheapest = lists.loc[lists["on_list"], "annual_cost"].min()
    special = lists.loc[("A", "3")]
    assert special["annual_cost"] > 1.5 * cheapest and "COST" in special["reasons"]
    assert "COST" not in lists.loc[("A", "1"), "reasons"]
    lenient = lists_for([child("A", 3, "ASD")], everywhere("A", 10), Policy(dear_ratio=100))
    assert "COST" not in lenient.loc[("A", "3"), "reasons"]


def test_costs_include_transport_and_rp_tariff_only_in_the_provision() -> None:
    """A designated child in a resourced provision pays the RP tariff; another child there takes
    a general mainstream place at the mainstream tariff; transport is added to both."""
    lists = lists_for(
        [child("A", 3, "ASD"), child("B", 3, "MLD")], {("A", "5"): 10, ("B", "5"): 10}
    )
    transport = float(TARIFFS.transport.annual_cost(10))
    rp = TARIFFS.place_cost(SettingType.MAINSTREAM_RP, Need.ASD)
    mainstream = TARIFFS.place_cost(SettingType.MAINSTREAM, Need.MLD)
    assert lists.loc[("A", "5"), "annual_cost"] == rp + transport
    assert lists.loc[("B", "5"), "annual_cost"] == mainstream + transport
    assert lists.loc[("A", "5"), "vacancy"] == 5 and pd.isna(lists.loc[("B", "5"), "vacancy"])


def test_ranking_mainstream_first_then_journey() -> None:
    """By default mainstream ranks before a nearer special school; without mainstream-first,
    the nearer one ranks first."""
    minutes = {("A", "1"): 30, ("A", "3"): 5}
    policy = Policy(dear_ratio=100)
    PLACES.loc[PLACES["urn"] == "3", "vacancies"] = 10
    try:
        first = lists_for([child("A", 3, "ASD")], minutes, policy)
        assert first.loc[("A", "1"), "rank"] == 1
        flat = lists_for(
            [child("A", 3, "ASD")], minutes, Policy(dear_ratio=100, mainstream_first=False)
        )
        assert flat.loc[("A", "3"), "rank"] == 1
    finally:
        PLACES.loc[PLACES["urn"] == "3", "vacancies"] = 0


def test_lists_are_deterministic_and_order_free() -> None:
    """Shuffled input rows give byte-identical lists."""
    children = [child("A", 3, "ASD"), child("B", 8, "SEMH", sex="F")]
    minutes = {**everywhere("A", 20), **everywhere("B", 40)}
    one = tailored_lists(
        children_table(children), SETTINGS, PLACES, journeys_table(minutes), TARIFFS, Policy()
    )
    two = tailored_lists(
        children_table(children[::-1]),
        SETTINGS.iloc[::-1],
        PLACES.iloc[::-1],
        journeys_table(minutes).iloc[::-1],
        TARIFFS,
        Policy(),
    )
    assert one.to_csv(index=False) == two.to_csv(index=False)


@settings(max_examples=40, deadline=None)
@given(instances())
def test_lists_agree_with_the_independent_checker(instance) -> None:
    """A setting is on a child's list exactly when the checker's own rules find it suitable."""
    table = tailored_lists(
        instance.children,
        instance.settings,
        instance.places,
        instance.journeys,
        TARIFFS,
        Policy(),
    )
    verdict = {
        (c, u): why == ""
        for c, u, why in verdicts(
            table, instance.children, instance.settings, instance.journeys, Policy()
        )
    }
    on_list = dict(
        zip(zip(table["child_id"], table["urn"], strict=True), table["on_list"], strict=True)
    )
    assert on_list == verdict
