"""Need codes, GIAS spellings, NCY and phases."""

import pytest

from solver.domain.needs import (
    CODED_NEEDS,
    GIAS_SPELLING,
    NATIONAL_NEED_MIX,
    Need,
    Phase,
    ncy_range_of_ages,
    parse_need,
    phase_of,
)


def test_every_gias_spelling_parses_back_to_its_need() -> None:
    """Each of the 12 GIAS spellings reads as the need it spells."""
    assert len(CODED_NEEDS) == 12
    for need in CODED_NEEDS:
        assert parse_need(GIAS_SPELLING[need]) is need


@pytest.mark.parametrize(
    ("text", "need"),
    [("SpLD", Need.SPLD), (" asd ", Need.ASD), ("BESD", Need.SEMH), ("Unknown", Need.UNKNOWN)],
)
def test_codes_and_aliases(text: str, need: Need) -> None:
    """Codes are case-insensitive and old spellings map to today's codes."""
    assert parse_need(text) is need


def test_unknown_code_names_itself() -> None:
    """An unknown code is an error that quotes the code and lists the known ones."""
    with pytest.raises(ValueError, match=r"'XYZ'.*ASD"):
        parse_need("XYZ")


def test_national_mix_sums_to_one() -> None:
    """The national need mix is a distribution."""
    assert sum(NATIONAL_NEED_MIX.values()) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("ncy", "phase"),
    [
        (-1, Phase.EARLY_YEARS),
        (0, Phase.PRIMARY),
        (6, Phase.PRIMARY),
        (7, Phase.SECONDARY),
        (11, Phase.SECONDARY),
        (12, Phase.POST16),
        (13, Phase.POST16),
        (14, Phase.POST19),
    ],
)
def test_phase_boundaries(ncy: int, phase: Phase) -> None:
    """Phases follow docs/domain.md: primary 0-6, secondary 7-11, post-16 12-13, post-19 14+."""
    assert phase_of(ncy) is phase


def test_ncy_out_of_range_is_refused() -> None:
    """NCY 21 (age 25) is past the end of any plan."""
    with pytest.raises(ValueError):
        phase_of(21)


def test_age_range_to_ncy() -> None:
    """A 4-11 primary teaches Reception to Y6; an 11-16 secondary Y7 to Y11."""
    assert ncy_range_of_ages(4, 11) == (0, 6)
    assert ncy_range_of_ages(11, 16) == (7, 11)
