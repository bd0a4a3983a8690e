"""The yearly IT survey's values, every year of the plans: establishments of each kind per district
(the districts of the story's year; their successors carry the figures on, see
demo.succession_story), and how many of them apply IT in management.

The story: in 2017 the province-wide share of each kind meets its target from the catalog (one
hospital, and only one, still without IT); 2016 was clearly below; every later year is at least
as good as the year before.
"""

from __future__ import annotations

import random

from core.catalog import Catalog
from core.periods import Period
from demo.model import Slot
from demo.plan import disaggregations
from demo.story import (
    ESTABLISHMENTS,
    ESTABLISHMENTS_WITH_IT,
    HOSPITALS,
    HOTELS,
    IT_SHARE_LEVELS,
    IT_SURVEY,
    MINIMUM_HOSPITALS,
    PROVINCIAL_CITY,
    RESTAURANTS,
    SCHOOLS,
    STORY_YEAR,
    TOURIST_DISTRICTS,
    it_share_targets,
)

# Establishments of each kind in a district in the first year: (fewest, most) by kind of district.
FIRST_YEAR_ESTABLISHMENTS = {
    SCHOOLS: {"city": (38, 60), "tourist": (55, 125), "rural": (55, 125)},
    HOSPITALS: {"city": (2, 4), "tourist": (1, 3), "rural": (1, 3)},
    RESTAURANTS: {"city": (40, 70), "tourist": (15, 35), "rural": (4, 22)},
    HOTELS: {"city": (25, 45), "tourist": (10, 25), "rural": (2, 12)},
}
YEARLY_GROWTH = {RESTAURANTS: (1.0, 1.15), HOTELS: (1.0, 1.2)}  # a factor drawn between the two
SCHOOLS_OPENED_OR_CLOSED = [-1, 0, 0, 1, 2]


def district_kind(unit: str) -> str:
    return "city" if unit == PROVINCIAL_CITY else "tourist" if unit in TOURIST_DISTRICTS else "rural"


def establishments_next_year(kind: str, previous: int, rng: random.Random) -> int:
    if kind == SCHOOLS:
        return max(1, previous + rng.choice(SCHOOLS_OPENED_OR_CLOSED))
    if kind in YEARLY_GROWTH:
        return round(previous * rng.uniform(*YEARLY_GROWTH[kind]))
    return previous  # hospitals: none opened or closed during the plan


class EstablishmentSurvey:
    """Every district's establishments by kind and year, and those applying IT."""

    def __init__(self, districts: list[str], kinds: list[str], years: list[int], rng: random.Random):
        self.districts, self.kinds, self.years, self.rng = districts, kinds, years, rng
        self.totals: dict[int, dict[str, dict[str, int]]] = {}
        self.applying: dict[int, dict[str, dict[str, int]]] = {}
        first = self.first_year_establishments()
        for year in years:
            self.totals[year], self.applying[year] = {}, {}
            for unit in districts:
                if year == years[0]:
                    counts = dict(first[unit])
                else:
                    previous = self.totals[year - 1][unit]
                    counts = {kind: establishments_next_year(kind, previous[kind], rng) for kind in kinds}
                self.totals[year][unit] = counts
                self.applying[year][unit] = {kind: self.applying_it(year, kind, counts[kind]) for kind in kinds}

    def first_year_establishments(self) -> dict[str, dict[str, int]]:
        counts = {
            unit: {kind: self.rng.randint(*FIRST_YEAR_ESTABLISHMENTS[kind][district_kind(unit)]) for kind in self.kinds}
            for unit in self.districts
        }
        while HOSPITALS in self.kinds and sum(count[HOSPITALS] for count in counts.values()) < MINIMUM_HOSPITALS:
            counts[self.rng.choice(self.districts)][HOSPITALS] += 1
        return counts

    def applying_it(self, year: int, kind: str, total: int) -> int:
        levels = IT_SHARE_LEVELS.get(year) or IT_SHARE_LEVELS[max(IT_SHARE_LEVELS)]  # later years: the last level
        level = min(1.0, levels[kind] * self.rng.uniform(0.92, 1.06))
        return min(total, round(total * level))

    def share(self, year: int, kind: str) -> float:
        """The province-wide share of a kind applying IT in a year (0–1)."""
        applying = sum(self.applying[year][unit][kind] for unit in self.districts)
        return applying / sum(self.totals[year][unit][kind] for unit in self.districts)

    def nudge(self, year: int, kind: str, step: int) -> bool:
        """One more (step +1) or one fewer (step -1) establishment applying IT in some district."""

        def has_room(unit: str) -> bool:
            applying, total = self.applying[year][unit][kind], self.totals[year][unit][kind]
            return applying < total if step > 0 else applying > 0

        room = [unit for unit in self.districts if has_room(unit)]
        if not room:
            return False
        self.applying[year][self.rng.choice(room)][kind] += step
        return True

    def raise_share(self, year: int, kind: str, at_least: float) -> None:
        while self.share(year, kind) < at_least and self.nudge(year, kind, +1):
            pass

    def lower_share(self, year: int, kind: str, below: float) -> None:
        while self.share(year, kind) >= below and self.nudge(year, kind, -1):
            pass

    def meet_targets(self, targets: dict[str, float]) -> None:
        """The story's year reaches each target (in %) with a point to spare."""
        for kind in self.kinds:
            if kind in targets:
                self.raise_share(STORY_YEAR, kind, at_least=targets[kind] / 100 + 0.01)

    def leave_one_hospital_without_it(self) -> None:
        if HOSPITALS not in self.kinds:
            return
        for unit in self.districts:
            self.applying[STORY_YEAR][unit][HOSPITALS] = self.totals[STORY_YEAR][unit][HOSPITALS]
        self.applying[STORY_YEAR][self.rng.choice(self.districts)][HOSPITALS] -= 1

    def show_progress(self) -> None:
        """The year before the story's clearly below it (3 points); every later year at least 1 point up."""
        for kind in self.kinds:
            self.lower_share(STORY_YEAR - 1, kind, below=self.share(STORY_YEAR, kind) - 0.03)
            for year in range(STORY_YEAR + 1, self.years[-1] + 1):
                self.raise_share(year, kind, at_least=min(1.0, self.share(year - 1, kind) + 0.01))

    def values(self) -> dict[Slot, dict[tuple[str, str], int]]:
        return {
            (IT_SURVEY, unit, str(year)): {
                (code, kind): counts[year][unit][kind]
                for kind in self.kinds
                for code, counts in ((ESTABLISHMENTS, self.totals), (ESTABLISHMENTS_WITH_IT, self.applying))
            }
            for year in self.years
            for unit in self.districts
        }


def survey_values(catalog: Catalog, rng: random.Random) -> dict[Slot, dict[tuple[str, str], int]]:
    """The intended values of the story's districts' IT survey, every year of the plans."""
    years = [period.year for period in catalog.periods("year")]
    districts = catalog.units_submitting(IT_SURVEY, Period.of(STORY_YEAR))
    survey = EstablishmentSurvey(districts, disaggregations(catalog, ESTABLISHMENTS), years, rng)
    survey.meet_targets(it_share_targets(catalog))
    survey.leave_one_hospital_without_it()
    survey.show_progress()
    return survey.values()
