"""Scenario files: which inputs to use and which policy to apply, validated strictly.

A scenario is YAML. Paths are relative to the scenario file. Unknown keys and bad values are
errors naming the key. `changes` open, expand, shrink or close provision from a year on;
`demand` sets the request-rate trajectory the forecast applies.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    model_validator,
)

from solver.domain.model import SAFE_ID, SettingType
from solver.domain.needs import Need, Phase
from solver.domain.tariffs import Money


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sen2Inputs(_Strict):
    """A SEN2 return to take the children from, at a census date (docs/inputs.md)."""

    path: Path = Field(description="SEN2 return: folder or zip of Blade CSV files")
    census: date = Field(description="census date the children are taken at, YYYY-MM-DD")
    key: Path | None = Field(None, description="pseudonym key file; default in the config folder")


class Inputs(_Strict):
    """The files a scenario reads; optional ones may be left out. Children come from
    `children` or from `sen2`, one of the two."""

    settings: Path = Field(description="GIAS establishment download (CSV, as DfE publishes it)")
    overrides: Path | None = Field(None, description="per-need places, vacancies and costs (CSV)")
    children: Path | None = Field(None, description="children with EHCPs, pseudonymous (CSV)")
    sen2: Sen2Inputs | None = Field(None, description="or the children from a SEN2 return")
    postcodes: Path | None = Field(None, description="postcode centroids, Code-Point Open or ONSPD")
    network: Path | None = Field(
        None, description="road network: OSM XML (.osm, .osm.bz2) or GraphML"
    )
    tariffs: Path | None = Field(None, description="annual cost by setting type and need (YAML)")
    ehcp: Path | None = Field(None, description="DfE EHCP releases: folder, zip or CSVs")
    population: list[Path] = Field(
        default_factory=list, description="ONS population files (MYE2 estimates, SNPP)"
    )

    @property
    def children_source(self) -> Path:
        """The file or return the children come from, for messages."""
        source = self.children or (self.sen2.path if self.sen2 else None)
        assert source is not None, "the validator requires children or sen2"
        return source

    @model_validator(mode="after")
    def _one_children_source(self) -> Inputs:
        if (self.children is None) == (self.sen2 is None):
            raise ValueError("give exactly one of inputs.children and inputs.sen2")
        return self


def _default_journey_limits() -> dict[Phase, int]:
    return {
        Phase.EARLY_YEARS: 45,
        Phase.PRIMARY: 45,
        Phase.SECONDARY: 75,
        Phase.POST16: 75,
        Phase.POST19: 75,
    }


class RankKey(StrEnum):
    """One criterion of the tailored-list ranking, applied in the order the policy lists them."""

    SUITABILITY = "suitability"  # settings marked full or much dearer rank after unmarked ones
    MAINSTREAM = "mainstream"  # mainstream (with or without RP) before specialist settings
    JOURNEY = "journey"  # shorter journey first
    COST = "cost"  # cheaper annual cost first


def _default_ranking() -> list[RankKey]:
    return [RankKey.SUITABILITY, RankKey.MAINSTREAM, RankKey.JOURNEY, RankKey.COST]


#: A phase's journey limit: whole minutes each way, 1 to 240 (4 hours).
JourneyMinutes = Annotated[int, Field(ge=1, le=240)]


class Policy(_Strict):
    """Policy settings: journey limits in minutes by phase (good practice, not law), costs,
    ranking and the side constraints of placement optimisation."""

    journey_limit_minutes: dict[Phase, JourneyMinutes] = Field(
        default_factory=_default_journey_limits, min_length=1
    )
    education_weight: float = Field(
        default=1.0, ge=0, le=100, allow_inf_nan=False, description="weight of place costs"
    )
    transport_weight: float = Field(
        default=1.0, ge=0, le=100, allow_inf_nan=False, description="weight of transport costs"
    )
    ranking: list[RankKey] = Field(default_factory=_default_ranking)
    mainstream_first: bool = Field(
        default=True, description="inclusion policy: rank mainstream first"
    )
    dear_ratio: float = Field(
        default=1.5,
        gt=1.0,
        allow_inf_nan=False,
        description="a setting costing more than this times the cheapest suitable "
        "alternative (transport included) is marked much dearer",
    )
    move_current: bool = Field(
        default=False, description="also re-place children who are not new or at a phase transfer"
    )
    budget_cap: PositiveFloat | None = Field(
        default=None,
        allow_inf_nan=False,
        description="cap on the annual cost of the placements made (pounds)",
    )
    min_mainstream_share: float | None = Field(
        default=None, ge=0.0, le=1.0, description="minimum share of new placements in mainstream"
    )
    siblings_together: bool = Field(
        default=False,
        description="place children in scope who share a family_id in one setting when one "
        "suits them all",
    )
    reserved_places: dict[str, NonNegativeInt] = Field(
        default_factory=dict, description="places per setting URN kept free of new placements"
    )

    @property
    def cutoff_minutes(self) -> int:
        """The longest journey any phase allows: travel times beyond it are never needed."""
        return max(self.journey_limit_minutes.values())

    def limit_for(self, phase: Phase) -> int:
        """The journey limit for a phase, falling back to the longest limit if not set."""
        return self.journey_limit_minutes.get(phase, self.cutoff_minutes)


class OpenSetting(_Strict):
    """Open a new setting from `year`: designations, ages, places and top-up at a location."""

    action: Literal["open"]
    year: int = Field(ge=2000, le=2100)
    urn: str = Field(
        pattern=rf"^{SAFE_ID.pattern}$", description="an id for the new setting, unique"
    )
    name: str
    setting_type: SettingType
    designated_needs: list[Need] = Field(default_factory=list)
    low_age: int = Field(ge=0, le=25)
    high_age: int = Field(ge=0, le=25)
    places: NonNegativeInt
    annual_cost: Money | None = Field(
        None, description="top-up or fee per place (pounds); default: from tariffs"
    )
    easting: float = Field(ge=0, le=700_000, description="EPSG:27700 metres")
    northing: float = Field(ge=0, le=1_300_000, description="EPSG:27700 metres")

    @model_validator(mode="after")
    def _ages_in_order(self) -> OpenSetting:
        if self.low_age > self.high_age:
            raise ValueError(f"low_age {self.low_age} is above high_age {self.high_age}")
        return self


class ChangePlaces(_Strict):
    """Expand (add) or shrink (remove) a setting's places for one need, or in total, from `year`."""

    action: Literal["expand", "shrink"]
    year: int = Field(ge=2000, le=2100)
    urn: str = Field(min_length=1)
    need: Need | None = Field(None, description="the need line; none: the whole-setting line")
    places: NonNegativeInt


class CloseSetting(_Strict):
    """Close a setting from `year`: it takes no children and its pupils need a new place."""

    action: Literal["close"]
    year: int = Field(ge=2000, le=2100)
    urn: str = Field(min_length=1)


Change = Annotated[OpenSetting | ChangePlaces | CloseSetting, Field(discriminator="action")]


class Trajectory(StrEnum):
    """How the EHCP request rate moves: continue its trend, stabilise, or follow given rates."""

    CONTINUE = "continue"
    STABILISE = "stabilise"
    CUSTOM = "custom"


class Demand(_Strict):
    """Demand assumptions: the request-rate trajectory, with yearly growth rates when custom."""

    trajectory: Trajectory = Trajectory.CONTINUE
    annual_growth: dict[int, float] = Field(
        default_factory=dict, description="custom: yearly growth of the EHCP rate, e.g. 0.05"
    )

    @model_validator(mode="after")
    def _rates_iff_custom(self) -> Demand:
        """Custom trajectories need their rates; others must not carry any."""
        if (self.trajectory == Trajectory.CUSTOM) != bool(self.annual_growth):
            raise ValueError("annual_growth is required for, and only for, trajectory: custom")
        return self


class Scenario(_Strict):
    """A what-if: the inputs, the policy, provision changes and demand assumptions."""

    name: str
    description: str = ""
    la_code: str | None = Field(None, description="ONS code of the LA, e.g. E06000017")
    la_name: str | None = Field(
        None, description="the LA as families know it (Rutland County Council): on their pages"
    )
    inputs: Inputs
    policy: Policy = Field(default_factory=Policy)
    changes: list[Change] = Field(default_factory=list)
    demand: Demand = Field(default_factory=Demand)
