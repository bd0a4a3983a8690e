"""A report as a clerk fills it in: the form's lines that have a value, in the form's order
(or, for a form with disaggregations, sometimes disaggregation by disaggregation), and a note now and then.
"""

from __future__ import annotations

import random

from core.catalog import Catalog
from demo.model import Report, ReportRow, Slot
from demo.plan import FormLine, form_lines
from demo.story import NOTES

NOTE_CHANCE = 0.12
BY_INDICATOR_CHANCE = (
    0.4  # a form with disaggregations filled indicator by indicator, not disaggregation by disaggregation
)


def disaggregation_by_disaggregation(lines: list[FormLine]) -> list[FormLine]:
    order = list(dict.fromkeys(line.disaggregation for line in lines))
    return sorted(lines, key=lambda line: order.index(line.disaggregation))


def fresh_report(catalog: Catalog, slot: Slot, values: dict, rng: random.Random) -> Report:
    """The report of a slot holding its intended `values` ({(indicator, disaggregation or None): value})."""
    lines = form_lines(catalog, slot[0])
    if any(line.disaggregation for line in lines) and not rng.random() < BY_INDICATOR_CHANCE:
        lines = disaggregation_by_disaggregation(lines)
    keys = [(line.indicator, line.disaggregation) for line in lines]
    rows = [
        ReportRow(indicator, disaggregation, values[(indicator, disaggregation)])
        for indicator, disaggregation in keys
        if (indicator, disaggregation) in values
    ]
    for row in rows:
        if rng.random() < NOTE_CHANCE and NOTES.get(row.indicator):
            row.note = rng.choice(NOTES[row.indicator])
    return Report(*slot, rows)
