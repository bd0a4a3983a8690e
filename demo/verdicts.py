"""The verdict the spec gives each scripted file, in order of receipt, with its warnings.

Duplicate: a byte-identical copy. Rejected: a file scripted to break a rule. Accepted: every
other file; the accepted file before it for the same slot becomes superseded. Warnings are
predicted for accepted files only: `late` (the slot's first accepted file, received after the
due date: timeliness belongs to the slot), `correction` (a later accepted file for the slot,
never late) and `formula` (a note that starts like a spreadsheet formula). Outliers are not
predicted.
"""

from __future__ import annotations

from core.catalog import Catalog
from demo.model import ScriptedFile, Slot
from demo.plan import due_date


def settle_verdicts(files: list[ScriptedFile], catalog: Catalog) -> None:
    """Set `status` and `warnings` of files sorted by receipt."""
    current: dict[Slot, ScriptedFile] = {}
    for scripted in files:
        if scripted.kind == "copy":
            scripted.status = "duplicate"
        elif scripted.rejected:
            scripted.status = "rejected"
        else:
            scripted.status = "accepted"
            correction = scripted.slot in current
            if correction:
                current[scripted.slot].status = "superseded"
            current[scripted.slot] = scripted
            scripted.warnings = warnings_of(scripted, catalog, correction)


def warnings_of(scripted: ScriptedFile, catalog: Catalog, correction: bool = False) -> tuple[str, ...]:
    dataset, _, period = scripted.slot
    late = not correction and scripted.received_at.date() > due_date(catalog, dataset, period)
    kinds = (("late", late), ("correction", correction), ("formula", scripted.formula_note))
    return tuple(warning for warning, present in kinds if present)
