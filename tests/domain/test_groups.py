"""The named groups of setting types (solver/domain/groups.py): one definition each, and the
groups that must partition or cover the setting types do."""

from __future__ import annotations

from solver.domain.groups import (
    INDEPENDENT_TYPES,
    NO_SETTING,
    SETTING_GROUPS,
    SPECIALIST_TYPES,
    STATE_FUNDED_SPECIAL_TYPES,
    TYPE_GROUPS,
)
from solver.domain.model import SettingType
from solver.scenarios.compare import SHARE_GROUPS


def test_independent_means_the_two_independent_school_types() -> None:
    """Independent schools are GIAS types 10 and 11; non-maintained special schools are not."""
    assert {t.value for t in INDEPENDENT_TYPES} == {"independent_special", "independent_mainstream"}
    assert SettingType.NON_MAINTAINED_SPECIAL in STATE_FUNDED_SPECIAL_TYPES
    assert STATE_FUNDED_SPECIAL_TYPES | {SettingType.INDEPENDENT_SPECIAL} == SPECIALIST_TYPES


def test_comparison_shares_never_count_a_setting_type_twice() -> None:
    """The share_* metrics are disjoint, so their shares add up to at most 1; the rest are
    colleges and alternative provision."""
    counted = [t for group in SHARE_GROUPS.values() for t in group]
    assert len(counted) == len(set(counted))
    assert set(SettingType) - set(counted) == {
        SettingType.ALTERNATIVE_PROVISION,
        SettingType.POST16,
    }


def test_every_setting_type_has_one_forecast_group() -> None:
    """Each setting type, and the forecast's NO_SETTING bucket, falls in one of DfE's groups."""
    assert set(TYPE_GROUPS) == {t.value for t in SettingType} | {NO_SETTING}
    assert set(TYPE_GROUPS.values()) == set(SETTING_GROUPS)
