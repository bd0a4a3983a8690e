"""The verdict the spec gives each planned file, in order of receipt, with its warnings.

Duplicate: a byte-identical copy. Rejected: a file planned to break a rule. Accepted: every
other file; the accepted file before it for the same slot becomes superseded. Warnings are
predicted for accepted files only: `late` (the slot's first accepted file, received after the
due date: timeliness belongs to the slot), `correction` (a later accepted file for the slot,
never late) and `formula` (a note that starts like a spreadsheet formula). Outliers are not
predicted.
"""

from __future__ import annotations

from core.catalog import Catalog
from demo.model import PlannedFile, Slot
from demo.plan import due_date


def settle_verdicts(files: list[PlannedFile], catalog: Catalog) -> None:
    """Set `status` and `warnings` of files sorted by receipt."""
    current: dict[Slot, PlannedFile] = {}
    for planned in files:
        if planned.kind == "copy":
            planned.status = "duplicate"
        elif planned.rejected:
            planned.status = "rejected"
        else:
            planned.status = "accepted"
            correction = planned.slot in current
            if correction:
                current[planned.slot].status = "superseded"
            current[planned.slot] = planned
            planned.warnings = warnings_of(planned, catalog, correction)


def warnings_of(planned: PlannedFile, catalog: Catalog, correction: bool = False) -> tuple[str, ...]:
    dataset, _, period = planned.slot
    late = not correction and planned.received_at.date() > due_date(catalog, dataset, period)
    kinds = (("late", late), ("correction", correction), ("formula", planned.formula_note))
    return tuple(warning for warning, present in kinds if present)
