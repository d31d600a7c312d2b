"""placements.csv `provision`: whether a child at a school with resourced provision or an SEN
unit is placed in that provision or in the mainstream school."""

from __future__ import annotations

from solver.domain.scenario import Policy
from solver.placement.allocate import allocate
from tests.placement_tables import (
    TARIFFS,
    child,
    children_table,
    journeys_table,
    place,
    places_table,
    setting,
    settings_table,
)

SETTINGS = settings_table(
    [
        setting("RP", "mainstream_rp", designated_needs=("ASD",), provision="resourced provision"),
        setting("UNIT", "mainstream_rp", designated_needs=("HI",), provision="SEN unit"),
        setting("SPECIAL", "state_special", designated_needs=("SLD",)),
        setting("COLLEGE", "post16"),
    ]
)


def test_each_child_is_placed_in_the_provision_it_is_designated_for() -> None:
    """Autistic child at the RP school: resourced_provision; a child with MLD at the same school:
    mainstream; hearing-impaired child at the unit school: sen_unit; SLD at the special school:
    special; a young person at college: post16. Each child reaches only the setting named."""
    children = children_table(
        [
            child("asd", 3, "ASD", transfer=True),
            child("mld", 3, "MLD", transfer=True),
            child("hi", 3, "HI", transfer=True),
            child("sld", 3, "SLD", transfer=True),
            child("p16", 12, "MLD", transfer=True),
        ]
    )
    reach = {"asd": "RP", "mld": "RP", "hi": "UNIT", "sld": "SPECIAL", "p16": "COLLEGE"}
    journeys = journeys_table({(c, urn): 10.0 for c, urn in reach.items()})
    places = places_table([place(u, 10, 10) for u in SETTINGS["urn"]])
    result = allocate(children, SETTINGS, places, journeys, TARIFFS, Policy())
    placed = result.placements.set_index("child_id")
    assert placed["urn"].to_dict() == reach
    assert placed["provision"].to_dict() == {
        "asd": "resourced_provision",
        "mld": "mainstream",
        "hi": "sen_unit",
        "sld": "special",
        "p16": "post16",
    }
