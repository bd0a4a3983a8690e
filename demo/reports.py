"""A report as a clerk fills it in: the form's lines that have a value, in the form's order
(or, for a form with breakdowns, sometimes breakdown by breakdown), and a note now and then.
"""

from __future__ import annotations

import random

from core.catalog import Catalog
from demo.model import Report, ReportRow, Slot
from demo.plan import FormLine, form_lines
from demo.story import NOTES

NOTE_CHANCE = 0.12
BY_INDICATOR_CHANCE = 0.4  # a form with breakdowns filled indicator by indicator, not breakdown by breakdown


def breakdown_by_breakdown(lines: list[FormLine]) -> list[FormLine]:
    order = list(dict.fromkeys(line.disaggregation for line in lines))
    return sorted(lines, key=lambda line: order.index(line.disaggregation))


def fresh_report(catalog: Catalog, slot: Slot, values: dict, rng: random.Random) -> Report:
    """The report of a slot holding its intended `values` ({(indicator, breakdown or None): value})."""
    lines = form_lines(catalog, slot[0])
    if any(line.disaggregation for line in lines) and not rng.random() < BY_INDICATOR_CHANCE:
        lines = breakdown_by_breakdown(lines)
    keys = [(line.indicator, line.disaggregation) for line in lines]
    rows = [
        ReportRow(indicator, breakdown, values[(indicator, breakdown)])
        for indicator, breakdown in keys
        if (indicator, breakdown) in values
    ]
    for row in rows:
        if rng.random() < NOTE_CHANCE and NOTES.get(row.indicator):
            row.note = rng.choice(NOTES[row.indicator])
    return Report(*slot, rows)
