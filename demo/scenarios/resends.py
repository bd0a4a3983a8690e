"""A clerk sends again: a rejected resend after an accepted file (the accepted one stays
current), accepted corrections that supersede an accepted file (once twice over), and
byte-identical copies of a file already sent (duplicates)."""

from __future__ import annotations

from demo.model import Report, Slot
from demo.plan import optional_indicators
from demo.scenarios.sending import any_slot, of_form, quarterly
from demo.script import InboxScript
from demo.story import (
    DEPARTMENT_FORM,
    ESTABLISHMENTS,
    FUNDING_DISBURSED,
    NEWS_ITEMS,
    PROJECTS_UNDER_WAY,
    TASKS_COMPLETED,
)

CORRECTED_LINES = (TASKS_COMPLETED, FUNDING_DISBURSED)  # what a clerk resends alone, "only what changed"
CORRECTIONS = 6  # accepted files corrected by a later accepted one
COUNTED_AGAIN = (NEWS_ITEMS, ESTABLISHMENTS, PROJECTS_UNDER_WAY)  # lines a first version may overcount
FOUND_SHORT = (TASKS_COMPLETED, FUNDING_DISBURSED)  # lines a first version may undercount


def send_rejected_resends_after_acceptance(script: InboxScript) -> None:
    """Only the corrected rows (rule 8), then a signed scan as .pdf (rule 1): the accepted file stays."""
    slot = script.pick_slot(quarterly)
    accepted = script.add_in_habit(slot, script.report(slot), script.first_receipt(slot))
    partial_report = script.report(slot)
    partial_report.rows = [row for row in partial_report.rows if row.indicator in CORRECTED_LINES]
    script.resend(
        accepted,
        report=partial_report,
        style=script.csv_style_for(slot),
        suffix="_bosung",
        fewest_days=8,
        most_days=30,
        rejected=True,
        rules=("8",),
        scenario="rejected resend (only the corrected rows) after an accepted file",
    )
    slot = script.pick_slot(of_form(DEPARTMENT_FORM))
    accepted = script.add_in_habit(slot, script.report(slot), script.first_receipt(slot))
    script.resend(
        accepted,
        kind="pdf",
        suffix=" (ban ky)",
        fewest_days=5,
        most_days=20,
        rejected=True,
        rules=("1",),
        scenario="signed scan as .pdf after an accepted file",
    )


def first_version(script: InboxScript, slot: Slot) -> Report:
    """A report with one figure wrong (and, half the time, its last optional line missing)."""
    report = script.report(slot)
    rng = script.rng
    wrong = rng.choice(
        [
            row
            for row in report.rows
            if row.indicator in COUNTED_AGAIN or (row.indicator in FOUND_SHORT and row.value > 0)
        ]
    )
    if wrong.indicator == FUNDING_DISBURSED:
        wrong.value = round(wrong.value * rng.uniform(0.6, 0.9), 1)
    elif wrong.indicator == TASKS_COMPLETED:
        wrong.value -= 1
    else:
        wrong.value = wrong.value + rng.randint(1, 3)
    if report.rows[-1].indicator in optional_indicators(script.catalog, report.dataset) and rng.random() < 0.5:
        report.rows.pop()
    return report


def send_corrected_versions(script: InboxScript) -> None:
    """Supersessions: a first version, accepted, then its correction, accepted later."""
    for correction in range(CORRECTIONS):
        slot = script.pick_slot(any_slot)
        first = script.add_in_habit(
            slot, first_version(script, slot), script.first_receipt(slot), scenario="first version, corrected later"
        )
        if correction == 0:
            first = script.resend(
                first,
                report=first_version(script, slot),
                fewest_days=3,
                most_days=10,
                scenario="second version, corrected again",
            )
        script.resend(first, fewest_days=3, most_days=25, scenario="corrected version of an accepted file")


def send_byte_identical_copies(script: InboxScript) -> None:
    """Duplicates: for each data set, a file sent again a few days later, byte for byte."""
    originals = []
    for dataset in script.catalog.datasets:
        slot = script.pick_slot(of_form(dataset))
        originals.append(script.add_in_habit(slot, script.report(slot), script.first_receipt(slot)))
    for original in originals:
        received = script.days_after(original, 1, 3)
        script.add(
            original.slot,
            "copy",
            original.style,
            None,
            received,
            copy_of=original,
            scenario="byte-identical copy of an earlier file",
        )
