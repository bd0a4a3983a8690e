"""What every scenario uses: which slots a mistake can happen to, and sending a file that is
rejected, followed (when the clerk corrects it) by an accepted resend.

A *break* changes a fresh, correct report the way a clerk gets it wrong:
`break_report(report, planner)`; it may draw from `planner.rng` and read `planner.catalog`.
"""

from __future__ import annotations

from collections.abc import Callable

from demo.model import FileStyle, Report, Slot
from demo.plan import is_quarter
from demo.planner import InboxPlanner

CORRECTED = "corrected resend after a rejected file"
Break = Callable[[Report, InboxPlanner], None]


def any_slot(slot: Slot) -> bool:
    return True


def quarterly(slot: Slot) -> bool:
    return is_quarter(slot[2])


def of_form(dataset: str) -> Callable[[Slot], bool]:
    return lambda slot: slot[0] == dataset


def of_unit(dataset: str, unit: str) -> Callable[[Slot], bool]:
    return lambda slot: slot[0] == dataset and slot[1] == unit


def quarterly_in_year(year: int) -> Callable[[Slot], bool]:
    return lambda slot: quarterly(slot) and slot[2].startswith(str(year))


def send_unusable_file(
    planner: InboxPlanner,
    kind: str,
    scenario: str,
    fits: Callable[[Slot], bool],
    corrected: bool,
    corrected_kind: str | None = None,
) -> None:
    """Rule 1: a file of a `kind` that cannot be read (empty, xls, pdf, docx, truncated_xlsx)."""
    slot = planner.pick_slot(fits, ends_rejected=not corrected)
    truncated = kind == "truncated_xlsx"
    style = planner.xlsx_style_for(slot) if truncated else planner.style_for(slot)
    report = planner.report(slot) if truncated else None
    received = planner.first_receipt(slot)
    planned = planner.add(slot, kind, style, report, received, rejected=True, rules=("1",), scenario=scenario)
    if corrected:
        style = planner.xlsx_style_for(slot) if corrected_kind == "xlsx" else None
        planner.resend(planned, kind=corrected_kind, style=style, scenario=CORRECTED)


def send_broken_report(
    planner: InboxPlanner,
    break_report: Break,
    rules: tuple[str, ...],
    scenario: str,
    fits: Callable[[Slot], bool],
    corrected: bool,
    style_for: Callable[[Slot], FileStyle] | None = None,
) -> None:
    """A report that breaks `rules`, in the unit's style (or `style_for`'s); then maybe its correction."""
    slot = planner.pick_slot(fits, ends_rejected=not corrected)
    style = (style_for or planner.style_for)(slot)
    report = planner.report(slot)
    break_report(report, planner)
    received = planner.first_receipt(slot)
    planned = planner.add(
        slot, style.file_format, style, report, received, rejected=True, rules=rules, scenario=scenario
    )
    if corrected:
        planner.resend(planned, scenario=CORRECTED)
