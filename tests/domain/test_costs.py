"""Tariff tables and transport costs."""

from pathlib import Path

import numpy as np
import pytest

from solver.domain.model import SettingType
from solver.domain.needs import Need
from solver.errors import InputError
from solver.io.tariffs import load_tariffs


def test_default_table_covers_every_setting_type_and_need() -> None:
    """The shipped table prices every (setting type, need) pair with a positive cost."""
    tariffs = load_tariffs()
    for setting_type in SettingType:
        for need in Need:
            assert tariffs.place_cost(setting_type, need) > 0


def test_need_specific_tariff_beats_default() -> None:
    """A need row overrides the setting type's default; other needs fall back to it."""
    tariffs = load_tariffs()
    assert tariffs.place_cost(SettingType.STATE_SPECIAL, Need.PMLD) == 45000
    assert tariffs.place_cost(SettingType.STATE_SPECIAL, Need.UNKNOWN) == 25000


def test_vectorised_costs_equal_scalar_costs() -> None:
    """place_costs over arrays gives the same figures as place_cost one by one."""
    tariffs = load_tariffs()
    types = np.array(["state_special", "mainstream", "state_special", "independent_special"])
    needs = np.array(["PMLD", "ASD", "MLD", "SEMH"])
    expected = [
        tariffs.place_cost(SettingType(t), Need(n)) for t, n in zip(types, needs, strict=True)
    ]
    assert tariffs.place_costs(types, needs).tolist() == expected


def test_transport_cost_is_fixed_plus_per_minute_beyond_free_time() -> None:
    """Transport costs nothing within the free time, then fixed + per-minute."""
    tariffs = load_tariffs()
    t = tariffs.transport
    assert t.annual_cost([0.0, 30.0]).tolist() == [0.0, t.fixed + 30 * t.per_minute]


def test_bad_tariff_file_names_each_key(tmp_path: Path) -> None:
    """Unknown needs, negative costs and missing defaults are each reported by key."""
    f = tmp_path / "t.yaml"
    f.write_text("education:\n  mainstream: {default: -1}\n  state_special: {default: 1, XYZ: 2}\n")
    with pytest.raises(InputError) as err:
        load_tariffs(f)
    columns = {p.column for p in err.value.problems}
    assert "education.mainstream.default" in columns
    assert len(err.value.problems) >= 1
