"""The scenarios of the demo inbox, one per verdict kind, played in a fixed order.

Each rejection rule (1–9) has its files, most of them followed by the clerk's corrected
resend; then rejected resends after an accepted file, supersessions and duplicates; then the
routine reports (missing, late, on time); then formula-like notes and the period forms. The
order is part of the seed's meaning: the scenarios draw from one random stream in turn.
"""

from __future__ import annotations

from core.catalog import Catalog
from demo.model import ScriptedFile
from demo.scenarios.resends import (
    send_byte_identical_copies,
    send_corrected_versions,
    send_rejected_resends_after_acceptance,
)
from demo.scenarios.routine import send_the_routine_reports, write_every_period_form, write_formula_like_notes
from demo.scenarios.unreadable import send_unreadable_files
from demo.scenarios.wrong_header import (
    send_files_with_unknown_codes,
    send_files_with_wrong_periods,
    send_files_without_a_required_field,
)
from demo.scenarios.wrong_values import send_files_with_wrong_numbers, send_incomplete_or_inconsistent_files
from demo.script import InboxScript, IntendedValues

SCENARIOS = [
    send_unreadable_files,  # rule 1
    send_files_without_a_required_field,  # rule 2
    send_files_with_unknown_codes,  # rule 3
    send_files_with_wrong_periods,  # rules 4, 5
    send_files_with_wrong_numbers,  # rules 6, 7
    send_incomplete_or_inconsistent_files,  # rules 8, 9
    send_rejected_resends_after_acceptance,
    send_corrected_versions,  # superseded
    send_byte_identical_copies,  # duplicate
    send_the_routine_reports,  # missing, late, on time
    write_formula_like_notes,
    write_every_period_form,
]


def script_inbox(catalog: Catalog, seed: int) -> tuple[list[ScriptedFile], IntendedValues]:
    """Every file of the inbox, in order of receipt, and the values the accepted ones leave current."""
    script = InboxScript(catalog, seed)
    for scenario in SCENARIOS:
        scenario(script)
    return script.finish()
