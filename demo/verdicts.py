"""The verdict the spec gives each planned file, in order of receipt, with its warnings.

Duplicate: a byte-identical copy. Rejected: a file planned to break a rule. Accepted: every
other file; the accepted file before it for the same slot becomes superseded. Warnings are
predicted for accepted files only: `late` (received after the due date) and `formula` (a
note that starts like a spreadsheet formula). Outliers are not predicted.
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
            if planned.slot in current:
                current[planned.slot].status = "superseded"
            current[planned.slot] = planned
            planned.warnings = warnings_of(planned, catalog)


def warnings_of(planned: PlannedFile, catalog: Catalog) -> tuple[str, ...]:
    dataset, _, period = planned.slot
    late = planned.received_at.date() > due_date(catalog, dataset, period)
    return tuple(warning for warning, present in (("late", late), ("formula", planned.formula_note)) if present)
