"""The quarterly forms' values: breakthrough task groups, specific tasks, S&T funding, and the
optional indicators of the departments' and the districts' forms, for the units of the story's
quarter, every quarter of the plans (a unit's figures go on after it ends: its successors carry
them, see demo.succession_story).

Quarters are counted by their index in the plan (0 = the first quarter of the first year).
Task groups are stocks (assigned, then deployed, never withdrawn); funding is allocated once a
year and disbursed cumulatively; the story's quarter (2017Q2) holds the article's figures; the
continuing plan (from 2021) assigns each unit a new group, some a third one around the reform.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.catalog import Catalog
from core.periods import Period
from demo.model import Number, Slot
from demo.plan import optional_indicators
from demo.story import (
    AGRICULTURE_DEPARTMENT,
    DEPARTMENT_FORM,
    DEPARTMENTS_DEPLOYED_BY_STORY_QUARTER,
    DISTRICT_FORM,
    DISTRICT_TASKS_IN_STORY_QUARTER,
    DISTRICTS_WITH_TASKS_BY_STORY_QUARTER,
    FUNDING_ALLOCATED,
    FUNDING_DISBURSED,
    HEALTH_DEPARTMENT,
    IT_DEPARTMENT,
    MODELS_REPLICATED,
    NEWS_ITEMS,
    ONLINE_PROCEDURES_SHARE,
    PROJECTS_UNDER_WAY,
    SCIENCE_DEPARTMENT,
    SCIENCE_ENTERPRISES,
    SPECIALTY_PRODUCTS,
    SPECIFIC_TASKS,
    STORY_QUARTER,
    TASK_GROUPS_ASSIGNED,
    TASK_GROUPS_DEPLOYED,
    TASKS_COMPLETED,
    TRADE_DEPARTMENT,
)

# Quarter indexes from which a unit counts one more supported science enterprise.
SCIENCE_ENTERPRISE_STEPS = {SCIENCE_DEPARTMENT: (10, 14, 17)}
CONTINUING_PLAN_GROUPS = ((20, 23, 6), (34, 40, 4))  # (first, last quarter index it is assigned in, longest delay)
THIRD_GROUP_SHARE = 0.5
STEADY_AFTER_YEARS = 5  # the funding's growth, drawn afresh each year of the first plan, then compounds
OTHER_UNITS_ENTERPRISE_STEPS = (12,)
REPORTED_SHARE = 0.9  # a unit that reports an optional indicator leaves it out one quarter in ten


@dataclass(frozen=True)
class TaskGroup:
    assigned: int  # index of the quarter it was assigned in
    deployed: int  # index of the quarter it was deployed in
    tasks: int  # its specific tasks


def later_task_group(rng: random.Random, first: int, last: int, longest_delay: int, most_tasks: int) -> TaskGroup:
    """A group assigned between quarters `first` and `last`, deployed a few quarters later."""
    assigned = rng.randint(first, last)
    return TaskGroup(assigned, assigned + rng.randint(1, longest_delay), rng.randint(2, most_tasks))


def department_task_groups(departments: list[str], story_index: int, rng: random.Random) -> dict[str, list[TaskGroup]]:
    """One group per department early in the plan, 7 of them deployed by the story's quarter."""
    deployed_early = set(rng.sample(departments, DEPARTMENTS_DEPLOYED_BY_STORY_QUARTER))
    groups = {}
    for unit in departments:
        assigned = rng.choice([0, 0, 1, 1, 2])
        if unit in deployed_early:
            deployed = rng.randint(assigned, story_index)
        else:
            deployed = rng.randint(story_index + 1, 13)
        groups[unit] = [TaskGroup(assigned, deployed, rng.randint(2, 4))]
        if rng.random() < 0.4:
            groups[unit].append(later_task_group(rng, 8, 14, longest_delay=4, most_tasks=4))
    return groups


def split_tasks(total: int, among: int, rng: random.Random) -> list[int]:
    """`total` specific tasks shared among `among` groups, 2 to 4 each."""
    parts = [2] * among
    while sum(parts) < total:
        index = rng.randrange(among)
        if parts[index] < 4:
            parts[index] += 1
    return parts


def district_task_groups(districts: list[str], story_index: int, rng: random.Random) -> dict[str, list[TaskGroup]]:
    """4 districts deployed their group with 11 tasks by the story's quarter; most others later."""
    early = rng.sample(districts, DISTRICTS_WITH_TASKS_BY_STORY_QUARTER)
    tasks = split_tasks(DISTRICT_TASKS_IN_STORY_QUARTER, len(early), rng)
    groups: dict[str, list[TaskGroup]] = {}
    for unit in districts:
        if unit in early:
            assigned = rng.randint(1, 4)
            groups[unit] = [TaskGroup(assigned, rng.randint(assigned, story_index), tasks[early.index(unit)])]
            if rng.random() < 0.35:
                groups[unit].append(later_task_group(rng, 10, 15, longest_delay=3, most_tasks=3))
        elif rng.random() < 0.85:
            groups[unit] = [later_task_group(rng, story_index + 1, 12, longest_delay=3, most_tasks=4)]
        else:
            groups[unit] = []
    return groups


def continuing_plan_groups(units: list[str], quarters: int, rng: random.Random) -> dict[str, list[TaskGroup]]:
    """The continuing plan's groups of each unit: one in its first year, half the units another around the reform."""
    groups: dict[str, list[TaskGroup]] = {unit: [] for unit in units}
    for unit in units:
        for number, (first, last, delay) in enumerate(CONTINUING_PLAN_GROUPS):
            if last < quarters and (number == 0 or rng.random() < THIRD_GROUP_SHARE):
                groups[unit].append(later_task_group(rng, first, last, longest_delay=delay, most_tasks=4))
    return groups


def optional_reporters(departments: list[str], districts: list[str], rng: random.Random) -> dict[str, set[str]]:
    """Which units report each optional indicator at all."""
    return {
        PROJECTS_UNDER_WAY: {
            SCIENCE_DEPARTMENT,
            AGRICULTURE_DEPARTMENT,
            HEALTH_DEPARTMENT,
            *rng.sample(departments[3:], 2),
            *rng.sample(districts, 4),
        },
        SCIENCE_ENTERPRISES: {SCIENCE_DEPARTMENT, TRADE_DEPARTMENT},
        ONLINE_PROCEDURES_SHARE: {
            IT_DEPARTMENT,
            *rng.sample([unit for unit in departments if unit != IT_DEPARTMENT], 5),
        },
        NEWS_ITEMS: {SCIENCE_DEPARTMENT, IT_DEPARTMENT, *rng.sample(departments, 5), *rng.sample(districts, 7)},
        MODELS_REPLICATED: set(rng.sample(districts, 7)),
        SPECIALTY_PRODUCTS: set(rng.sample(districts, 6)),
    }


class UnitQuarters:
    """One unit's figures, quarter after quarter (call `next_quarter` in order)."""

    def __init__(self, unit: str, is_department: bool, groups: list[TaskGroup], story_index: int, rng: random.Random):
        self.unit, self.groups, self.story_index, self.rng = unit, groups, story_index, rng
        self.decimals = rng.choice([1, 1, 1, 2, 3])
        if unit == SCIENCE_DEPARTMENT:
            self.base_funding = rng.uniform(2600, 4200)
        else:
            self.base_funding = rng.uniform(150, 950) if is_department else rng.uniform(260, 1400)
        self.extra_tasks = 0
        self.completed = 0
        self.projects = rng.randint(8, 14) if unit == SCIENCE_DEPARTMENT else rng.randint(1, 5)
        self.online_share = rng.uniform(3, 20)
        self.models = rng.randint(0, 2)
        self.products = rng.randint(0, 1)
        self.allocated = 0.0
        self.growth = 1.0
        self.disbursed_shares: list[float] = []

    def next_quarter(self, index: int, period: Period, first_year: int) -> tuple[dict[str, Number], dict[str, Number]]:
        """(the mandatory figures, the optional figures the unit could report) of a quarter."""
        figures = self.tasks(index)
        figures.update(self.funding(period, first_year))
        return figures, self.optional_figures(index)

    def tasks(self, index: int) -> dict[str, Number]:
        assigned = [group for group in self.groups if group.assigned <= index]
        deployed = sum(1 for group in self.groups if group.deployed <= index)
        if index > self.story_index and assigned and self.rng.random() < 0.12:
            self.extra_tasks += 1
        specific = sum(group.tasks for group in assigned) + self.extra_tasks
        if deployed and self.rng.random() < 0.35:
            self.completed += self.rng.choice([1, 1, 2])
        self.completed = min(self.completed, specific)
        return {
            TASK_GROUPS_ASSIGNED: len(assigned),
            TASK_GROUPS_DEPLOYED: deployed,
            SPECIFIC_TASKS: specific,
            TASKS_COMPLETED: self.completed,
        }

    def funding(self, period: Period, first_year: int) -> dict[str, Number]:
        """The year's allocation (set in the first quarter) and the disbursement so far."""
        if period.quarter == 1:
            elapsed = period.year - first_year
            if elapsed < STEADY_AFTER_YEARS:
                self.growth = (1.0 + self.rng.uniform(-0.05, 0.18)) ** elapsed
            else:  # the continuing plan: from the first plan's last level, a steady growth
                self.growth *= 1.0 + self.rng.uniform(-0.03, 0.10)
            self.allocated = round(self.base_funding * self.growth * self.rng.uniform(0.9, 1.1), self.decimals)
            self.disbursed_shares = self.yearly_disbursement_shares()
        disbursed = min(
            round(self.allocated * self.disbursed_shares[period.quarter - 1], self.decimals), self.allocated
        )
        return {FUNDING_ALLOCATED: self.allocated, FUNDING_DISBURSED: disbursed}

    def yearly_disbursement_shares(self) -> list[float]:
        """The share of the allocation disbursed by the end of each quarter: slow, then 70–95 %."""
        first = self.rng.uniform(0.05, 0.25)
        second = min(first + self.rng.uniform(0.1, 0.25), 0.6)
        third = min(second + self.rng.uniform(0.1, 0.25), 0.8)
        fourth = max(third + 0.02, self.rng.uniform(0.70, 0.95))
        return [first, second, third, min(fourth, 0.95)]

    def optional_figures(self, index: int) -> dict[str, Number]:
        self.projects = max(0, self.projects + self.rng.choice([-1, 0, 0, 1, 1, 2]))
        self.online_share = min(self.online_share + self.rng.uniform(0.5, 4.5), 98.0)
        if self.rng.random() < 0.25:
            self.models += 1
        if self.rng.random() < 0.15:
            self.products = min(self.products + 1, 6)
        steps = SCIENCE_ENTERPRISE_STEPS.get(self.unit, OTHER_UNITS_ENTERPRISE_STEPS)
        busy = self.unit in (SCIENCE_DEPARTMENT, IT_DEPARTMENT)
        return {
            PROJECTS_UNDER_WAY: self.projects,
            SCIENCE_ENTERPRISES: sum(index >= step for step in steps),
            ONLINE_PROCEDURES_SHARE: round(self.online_share, 1),
            NEWS_ITEMS: self.rng.randint(10, 40) if busy else self.rng.randint(1, 15),
            MODELS_REPLICATED: self.models,
            SPECIALTY_PRODUCTS: self.products,
        }


def quarterly_values(catalog: Catalog, rng: random.Random) -> dict[Slot, dict[tuple[str, None], Number]]:
    """The intended values of every quarterly slot of the story's units, every quarter, optional indicators included."""
    quarters = catalog.periods("quarter")
    story_index = [period.code for period in quarters].index(STORY_QUARTER)
    departments = catalog.units_submitting(DEPARTMENT_FORM, Period.parse(STORY_QUARTER))
    districts = catalog.units_submitting(DISTRICT_FORM, Period.parse(STORY_QUARTER))
    groups = department_task_groups(departments, story_index, rng)
    groups.update(district_task_groups(districts, story_index, rng))
    reporters = optional_reporters(departments, districts, rng)
    for unit, later in continuing_plan_groups(departments + districts, len(quarters), rng).items():
        groups[unit] += later
    return unit_quarters(catalog, {DEPARTMENT_FORM: departments, DISTRICT_FORM: districts}, groups, reporters, rng)


def unit_quarters(
    catalog: Catalog,
    units_by_form: dict[str, list[str]],
    groups: dict[str, list[TaskGroup]],
    reporters: dict[str, set[str]],
    rng: random.Random,
) -> dict[Slot, dict[tuple[str, None], Number]]:
    """Each unit's figures every quarter of the plans, from its task groups; optional ones if it `reporters` them."""
    quarters = catalog.periods("quarter")
    story_index = [period.code for period in quarters].index(STORY_QUARTER)
    values: dict[Slot, dict[tuple[str, None], Number]] = {}
    for form, units in units_by_form.items():
        optional = optional_indicators(catalog, form)
        for unit in units:
            history = UnitQuarters(unit, form == DEPARTMENT_FORM, groups[unit], story_index, rng)
            for index, period in enumerate(quarters):
                figures, could_report = history.next_quarter(index, period, catalog.first_year)
                for code in optional:
                    if code in could_report and unit in reporters.get(code, ()) and rng.random() < REPORTED_SHARE:
                        figures[code] = could_report[code]
                values[(form, unit, period.code)] = {(code, None): value for code, value in figures.items()}
    return values
