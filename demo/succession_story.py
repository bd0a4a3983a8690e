"""The figures of the units that succeed others (the catalog's unit_successions): a merged unit
sends the sum of what its predecessors would have sent, a split unit's figures are shared among
its successors by the succession's weight (with some noise: a commune is not exactly its share),
so the province's series go on across the 2025 reform.

- A department that took another over (SKHCN from STTTT, 1 March 2025) adds the other's figures;
  a new department (SNNMT, `SKHCN-TQ`, …) sends its predecessors' sum.
- A commune sends its share of each district it drew from, every line by the same weights: whole
  numbers by the highest averages (the shares add up to the district's figure and never shrink as
  it grows), amounts rounded to 0.1; so a part (deployed groups, disbursed funding, establishments
  applying IT) never exceeds its whole in any commune (rule 9); a share (%) is the same in each.
- Territory the catalog does not hold (old Tuyên Quang, merged in on 1 July 2025) has figures of
  its own: a department of the same field beside each `-TQ` one, and districts drawn like Hà
  Giang's, each shared among `COMMUNES_PER_OLD_DISTRICT` of the communes without a predecessor.
"""

from __future__ import annotations

import random
from datetime import date

from core.catalog import Catalog, share
from core.periods import Period
from demo.model import Number, Slot
from demo.plan import disaggregations, owes
from demo.story import COMMUNES_PER_OLD_DISTRICT, DEPARTMENT_FORM, DISTRICT_FORM, ESTABLISHMENTS
from demo.survey_story import EstablishmentSurvey
from demo.task_story import TaskGroup, continuing_plan_groups, later_task_group, unit_quarters

Key = tuple[str, str | None]
Figures = dict[Key, Number]
WEIGHT_NOISE = 0.15  # a successor's share of a split is its weight times 1 ± this, the shares then scaled to 1
VIRTUAL = "~"  # ends the code of a unit of the territory the catalog does not hold


def form_of(catalog: Catalog, unit_type: str, period: Period) -> str | None:
    """The data set a unit type sends for a kind of period (None: it sends none)."""
    kind = "quarter" if period.quarter else "year"
    forms = [code for code in catalog.datasets_for(unit_type) if catalog.datasets[code]["period_type"] == kind]
    return forms[0] if forms else None


def apportion(total: int, weights: list[float]) -> list[int]:
    """`total` shared in proportion to `weights` by the highest averages (D'Hondt): the shares add up to `total`,
    and a larger total never gives anyone less (a stock shared out never shrinks in any successor)."""
    shares = [0] * len(weights)
    if sum(weights) <= 0:
        return shares
    for _ in range(total):
        best = max(range(len(weights)), key=lambda index: (weights[index] / (shares[index] + 1), -index))
        shares[best] += 1
    return shares


def shared(value: Number, weights: list[float]) -> list[Number]:
    if isinstance(value, int):
        return list(apportion(value, weights))
    scale = sum(weights) or 1.0
    return [round(value * weight / scale, 1) for weight in weights]


class Successions:
    """Every unit's figures in every period, its own (`values`) plus what its predecessors pass on."""

    def __init__(self, catalog: Catalog, values: dict[Slot, Figures], rng: random.Random):
        self.catalog, self.values, self.rng = catalog, values, rng
        self.means = {code for code, row in catalog.indicators.items() if row["across_units"] == "mean"}
        self.types = {code: row["unit_type"] for code, row in catalog.units.items()}
        # to unit -> [(from unit, effective date)]; from unit -> {to unit: weight}
        self.predecessors: dict[str, list[tuple[str, date]]] = {}
        self.weights: dict[str, dict[str, float]] = {}
        for row in catalog.successions:
            if row["to_code"]:
                effective = date.fromisoformat(row["effective_date"])
                self.predecessors.setdefault(row["to_code"], []).append((row["from_code"], effective))
                self.weights.setdefault(row["from_code"], {})[row["to_code"]] = float(share(row["weight"]) or 0)
        self.add_territory_not_held()
        self.noisy: dict[str, dict[str, float]] = {}
        self.memo: dict[tuple[str, str], dict[str, Figures]] = {}

    # ---------------------------------------------------------------- the territory the catalog does not hold
    def add_territory_not_held(self) -> None:
        """Old Tuyên Quang's part of each unit of the new province that its predecessors do not cover."""
        catalog, rng = self.catalog, self.rng
        old_province = catalog.plans[0]["province_code"]
        departments, communes = [], []
        for code, row in catalog.units.items():
            if row["parent_code"] in ("", old_province) or not catalog.datasets_for(row["unit_type"]):
                continue
            rows = catalog.predecessors(code)
            covered = rows and all(row["reverse_weight"].strip() for row in rows)
            if not covered:
                (departments if row["unit_type"] == "department" else communes).append(code)
        virtual_departments = [code + VIRTUAL for code in departments]
        for code in departments:
            self.passes_on(code + VIRTUAL, {code: 1.0}, "department", code)
        districts = []
        for start in range(0, len(communes), COMMUNES_PER_OLD_DISTRICT):
            district = f"{VIRTUAL}{start // COMMUNES_PER_OLD_DISTRICT + 1:02d}"
            group = communes[start : start + COMMUNES_PER_OLD_DISTRICT]
            self.passes_on(district, {commune: 1.0 / len(group) for commune in group}, "district", group[0])
            districts.append(district)
        quarters = catalog.periods("quarter")
        groups: dict[str, list[TaskGroup]] = {
            unit: [later_task_group(rng, 0, 12, longest_delay=4, most_tasks=4)]
            for unit in virtual_departments + districts
        }
        for unit, later in continuing_plan_groups(virtual_departments + districts, len(quarters), rng).items():
            groups[unit] += later
        forms = {DEPARTMENT_FORM: virtual_departments, DISTRICT_FORM: districts}
        self.values = {**self.values, **unit_quarters(catalog, forms, groups, {}, rng)}
        if districts and ESTABLISHMENTS in catalog.indicators:
            years = [period.year for period in catalog.periods("year")]
            survey = EstablishmentSurvey(districts, disaggregations(catalog, ESTABLISHMENTS), years, rng)
            self.values.update(survey.values())

    def passes_on(self, virtual: str, weights: dict[str, float], unit_type: str, first_successor: str) -> None:
        self.types[virtual] = unit_type
        self.weights[virtual] = weights
        effective = date.fromisoformat(self.catalog.units[first_successor]["valid_from"])
        for unit in weights:
            self.predecessors.setdefault(unit, []).append((virtual, effective))

    # ---------------------------------------------------------------- figures
    def figures(self, unit: str, period: Period) -> Figures:
        """What `unit` reports for `period`: its own figures and its predecessors' (ended by the period's end)."""
        dataset = form_of(self.catalog, self.types[unit], period)
        total = dict(self.values.get((dataset, unit, period.code), {}))
        for predecessor, effective in self.predecessors.get(unit, []):
            if effective <= period.end:
                total = self.add(total, self.shares(predecessor, period)[unit])
        return total

    def shares(self, unit: str, period: Period) -> dict[str, Figures]:
        """A unit's figures of a period shared among its successors."""
        key = (unit, period.code)
        if key not in self.memo:
            self.memo[key] = self.split(self.figures(unit, period), self.noisy_weights(unit))
        return self.memo[key]

    def noisy_weights(self, unit: str) -> dict[str, float]:
        if unit not in self.noisy:
            weights = self.weights[unit]
            if len(weights) > 1:
                low, high = 1 - WEIGHT_NOISE, 1 + WEIGHT_NOISE
                noise = {to: weight * self.rng.uniform(low, high) for to, weight in weights.items()}
                weights = {to: weight / sum(noise.values()) for to, weight in noise.items()}
            self.noisy[unit] = weights
        return self.noisy[unit]

    def split(self, figures: Figures, weights: dict[str, float]) -> dict[str, Figures]:
        """Each line shared by the weights; a share (%) the same in each successor. A part (deployed groups,
        disbursed funding) shared so is never more than its whole's share: the highest averages give a smaller
        total a prefix of a larger one's seats, and amounts round alike."""
        successors = list(weights)
        result: dict[str, Figures] = {to: {} for to in successors}
        for key, value in figures.items():
            shares = [value] * len(successors) if key[0] in self.means else shared(value, list(weights.values()))
            for to, part in zip(successors, shares):
                result[to][key] = part
        return result

    def add(self, total: Figures, more: Figures) -> Figures:
        """Two units' figures as one: summed (amounts to 3 decimals); a share (%) the larger."""
        result = dict(total)
        for key, value in more.items():
            if key not in result:
                result[key] = value
            elif key[0] in self.means:
                result[key] = max(result[key], value)
            elif isinstance(value, int) and isinstance(result[key], int):
                result[key] = result[key] + value
            else:
                result[key] = round(result[key] + value, 3)
        return result


def succession_values(catalog: Catalog, values: dict[Slot, Figures], rng: random.Random) -> dict[Slot, Figures]:
    """The values of every slot of a unit with predecessors (own values or not), each period it owes."""
    successions = Successions(catalog, values, rng)
    result: dict[Slot, Figures] = {}
    for dataset, row in catalog.datasets.items():
        for period in catalog.periods(row["period_type"]):
            for unit in catalog.units_submitting(dataset, period):
                inherited = any(effective <= period.end for _, effective in successions.predecessors.get(unit, []))
                if owes(catalog, unit, period) and inherited:
                    result[(dataset, unit, period.code)] = successions.figures(unit, period)
    return result
