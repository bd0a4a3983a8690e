"""What every scenario uses: which slots a mistake can happen to, and sending a file that is
rejected, followed (when the clerk corrects it) by an accepted resend.

A *break* changes a fresh, correct report the way a clerk gets it wrong:
`break_report(report, script)`; it may draw from `script.rng` and read `script.catalog`.
"""

from __future__ import annotations

from collections.abc import Callable

from demo.model import FileStyle, Report, Slot
from demo.plan import is_quarter
from demo.script import InboxScript

CORRECTED = "corrected resend after a rejected file"
Break = Callable[[Report, InboxScript], None]


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
    script: InboxScript,
    kind: str,
    scenario: str,
    fits: Callable[[Slot], bool],
    corrected: bool,
    corrected_kind: str | None = None,
) -> None:
    """Rule 1: a file of a `kind` that cannot be read (empty, xls, pdf, docx, truncated_xlsx)."""
    slot = script.pick_slot(fits, ends_rejected=not corrected)
    truncated = kind == "truncated_xlsx"
    style = script.xlsx_style_for(slot) if truncated else script.style_for(slot)
    report = script.report(slot) if truncated else None
    received = script.first_receipt(slot)
    scripted = script.add(slot, kind, style, report, received, rejected=True, rules=("1",), scenario=scenario)
    if corrected:
        style = script.xlsx_style_for(slot) if corrected_kind == "xlsx" else None
        script.resend(scripted, kind=corrected_kind, style=style, scenario=CORRECTED)


def send_broken_report(
    script: InboxScript,
    break_report: Break,
    rules: tuple[str, ...],
    scenario: str,
    fits: Callable[[Slot], bool],
    corrected: bool,
    style_for: Callable[[Slot], FileStyle] | None = None,
) -> None:
    """A report that breaks `rules`, in the unit's style (or `style_for`'s); then maybe its correction."""
    slot = script.pick_slot(fits, ends_rejected=not corrected)
    style = (style_for or script.style_for)(slot)
    report = script.report(slot)
    break_report(report, script)
    received = script.first_receipt(slot)
    scripted = script.add(
        slot, style.file_format, style, report, received, rejected=True, rules=rules, scenario=scenario
    )
    if corrected:
        script.resend(scripted, scenario=CORRECTED)
