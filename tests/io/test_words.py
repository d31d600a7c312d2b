"""Words for people: every code has words, and numbers read as people expect."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from solver.domain.model import SettingType
from solver.domain.needs import Need, Phase
from solver.domain.reasons import AllocationStatus, Reason, SiblingOutcome, UnplacedReason
from solver.io.words import (
    NEED_WORDS,
    OUTCOME_WORDS,
    PHASE_WORDS,
    PROVISION_WORDS,
    REASON_SHORT,
    REASON_WORDS,
    SETTING_TYPE_WORDS,
    legal_grounds,
    metric_change,
    metric_value,
    metric_words,
    minutes,
    outcome_words,
    pounds,
    reasons_short,
    whole_numbers,
    year_group,
)
from solver.placement.rules import PROVISION_OF_BASE, PROVISION_OF_TYPE


def test_every_code_has_words() -> None:
    """Each setting type, need, phase, reason and provision has its words: none is left a code."""
    assert set(SETTING_TYPE_WORDS) == set(SettingType)
    assert set(NEED_WORDS) == set(Need)
    assert set(PHASE_WORDS) == set(Phase)
    assert set(REASON_WORDS) == set(Reason) == set(REASON_SHORT)
    assert set(OUTCOME_WORDS) == {*UnplacedReason, *SiblingOutcome, *AllocationStatus}
    provisions = set(PROVISION_OF_TYPE.values()) | set(PROVISION_OF_BASE.values())
    assert provisions == set(PROVISION_WORDS)


def test_outcome_codes_are_the_files_codes() -> None:
    """The unplaced reasons, family outcomes and statuses are written as these exact codes
    (unplaced.csv, families.csv, summary.json), and a code read back from a file finds its words."""
    assert [r.value for r in UnplacedReason] == [
        "no suitable setting in reach",
        "all full",
        "over budget",
        "minimum mainstream share",
    ]
    assert [o.value for o in SiblingOutcome] == [
        "together",
        "apart: no setting suitable for all of them",
        "apart: no room for all of them in one setting",
    ]
    assert [s.value for s in AllocationStatus] == ["optimal", "feasible"]
    assert outcome_words("all full") == "Every suitable setting is full"
    assert outcome_words("optimal") == "Best possible (proved)"


def test_numbers_read_as_people_expect() -> None:
    """Pounds with separators and no pence, whole minutes, year groups as schools say them."""
    assert pounds(28845.8333) == "£28,846" and pounds(float("nan")) == ""
    assert minutes(11.3833) == "11 min" and minutes(None) == ""
    assert [year_group(n) for n in (-1, 0, 7, 13, 14)] == [
        "early years (age 3)",
        "Reception",
        "Year 7",
        "Year 13",
        "post-19 (age 18)",
    ]
    assert reasons_short("FITS_AGE;FULL") == "year group, no vacancy"


def test_comparison_metrics_in_words() -> None:
    """Money, shares and gap rows of comparison.csv read in words; differences carry a sign."""
    assert metric_words("total_cost") == "Total annual cost"
    assert metric_words("gap_2027_ASD_secondary") == (
        "Places short in 2027: Autism, secondary (children)"
    )
    assert metric_value("total_cost", 9664092.4) == "£9,664,092"
    assert metric_value("total_cost", -9000.2, signed=True) == "-£9,000"
    assert metric_value("share_special", 0.2549) == "25%"
    assert metric_value("placed", 3.0, signed=True) == "+3"


def test_a_shown_difference_is_the_difference_of_the_shown_values() -> None:
    """13.4% and 12.6% show as 13% and 13%, so their difference shows as none, not +1 point;
    £10.4 less £9.6 shows as £10 - £10 = £0, not +£1."""
    assert metric_value("share_special", 0.134) == metric_value("share_special", 0.126) == "13%"
    assert metric_change("share_special", 0.134, 0.126) == "0"
    assert metric_change("share_special", 0.126, 0.134) == "0"
    assert metric_change("share_special", 0.25, 0.126) == "+12 points"
    assert metric_change("share_special", 0.104, 0.114) == "-1 point"
    assert metric_change("total_cost", 10.4, 9.6) == "£0"
    assert metric_change("placed", 7.0, 10.0) == "-3"
    assert metric_change("placed", math.nan, 10.0) == ""


@given(st.lists(st.floats(0, 1e7, allow_nan=False), max_size=30))
def test_whole_numbers_add_up_to_the_rounded_total(values: list[float]) -> None:
    """Each value rounds down or up by less than 1, and the shown values add to the shown total."""
    shown = whole_numbers(values)
    assert sum(shown) == round(math.fsum(values))
    assert all(abs(s - v) < 1 for s, v in zip(shown, values, strict=True))


def test_legal_grounds_say_each_ground_once_in_order() -> None:
    """AGE and NEED share s39(4)(a), so it is said once; JOURNEY adds the travel policy; a
    FITS reason outside the chosen ones is left out (grounds written out by hand)."""
    off = frozenset({Reason.AGE, Reason.NEED, Reason.JOURNEY})
    assert legal_grounds("AGE;NEED;JOURNEY;FITS_MAINSTREAM", off) == (
        "s39(4)(a): unsuitable for the child's age, ability, aptitude or SEN; "
        "journey limit: the LA's home-to-school travel policy"
    )
    assert legal_grounds("AGE;NEED;JOURNEY", off, cited=True) == "s39(4)(a); journey limit"
    assert legal_grounds("FITS_AGE", off) == ""
    assert "s33" in legal_grounds("FITS_MAINSTREAM")
