"""Named groups of setting types, one definition each (docs/domain.md): the rules, the
comparison, site selection and the forecast all take their groups from here."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from solver.domain.model import SettingType

#: State mainstream schools, with or without a specialist base: where the presumption of
#: mainstream (Children and Families Act 2014 s33) places a child, and what the inclusion
#: policy counts as mainstream.
MAINSTREAM_TYPES: frozenset[SettingType] = frozenset(
    {SettingType.MAINSTREAM, SettingType.MAINSTREAM_RP}
)

#: Setting types that admit only children whose need they are designated for.
SPECIALIST_TYPES: frozenset[SettingType] = frozenset(
    {
        SettingType.STATE_SPECIAL,
        SettingType.NON_MAINTAINED_SPECIAL,
        SettingType.INDEPENDENT_SPECIAL,
    }
)

#: Independent schools (GIAS establishment types 10 and 11), special or mainstream: the
#: placements a new special school is meant to bring back in house. Non-maintained special
#: schools are charitable, state-funded places, counted with the state special schools.
INDEPENDENT_TYPES: frozenset[SettingType] = frozenset(
    {SettingType.INDEPENDENT_SPECIAL, SettingType.INDEPENDENT_MAINSTREAM}
)

#: Special schools that are not independent: state special and non-maintained special.
STATE_FUNDED_SPECIAL_TYPES: frozenset[SettingType] = SPECIALIST_TYPES - INDEPENDENT_TYPES

#: The state specialist places the LA plans (state special, resourced provision and units,
#: alternative provision): in the forecast a shortfall of them sends children to independent
#: placements (the sufficiency gap).
GAP_TYPES: frozenset[SettingType] = frozenset(
    {SettingType.STATE_SPECIAL, SettingType.MAINSTREAM_RP, SettingType.ALTERNATIVE_PROVISION}
)

#: Where the forecast counts children with a plan in none of the setting types: early years,
#: educated elsewhere (home, NEET, other arrangements) and placement not recorded.
NO_SETTING = "other"

#: Setting groups of an LA forecast, as DfE publishes them, in order (solver.io.ehcp reads
#: them); DfE counts non-maintained special schools with the independent special schools.
SETTING_GROUPS: tuple[str, ...] = (
    "mainstream",
    "state_special",
    "independent_special",
    "post16",
    "other",
)

#: The forecast setting group of each setting type and of NO_SETTING.
TYPE_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        SettingType.MAINSTREAM.value: "mainstream",
        SettingType.MAINSTREAM_RP.value: "mainstream",
        SettingType.INDEPENDENT_MAINSTREAM.value: "mainstream",
        SettingType.STATE_SPECIAL.value: "state_special",
        SettingType.INDEPENDENT_SPECIAL.value: "independent_special",
        SettingType.NON_MAINTAINED_SPECIAL.value: "independent_special",
        SettingType.POST16.value: "post16",
        SettingType.ALTERNATIVE_PROVISION.value: "other",
        NO_SETTING: "other",
    }
)
