"""Everything else: a few reports never sent, some sent late, the rest on time; then the
finishing touches: notes that look like formulas, and every way of writing a period at least
once."""

from __future__ import annotations

from dataclasses import replace

from demo.habits import NUMERIC_YEAR, QUARTER_FORMS, YEAR_FORMS
from demo.plan import is_quarter
from demo.script import InboxScript
from demo.story import FORMULA_NOTES, IT_SURVEY

NEVER_SENT_SHARE = 0.05  # of the slots left
LATE_FILES = 20  # at least; more in a longer inbox:
LATE_SHARE = 0.04  # of the slots left, never one due just before the demo's today
NEW_UNIT_LATE_SHARE = 0.15  # of a new unit's reports in its first year (the communes after the reform)
NUMERIC_YEAR_WORKBOOKS = 2


def send_the_routine_reports(script: InboxScript) -> None:
    """Missing and late reports (never a story slot missing), then everything else on time."""
    rng = script.rng
    left = script.unused_slots()
    never_sent = set(
        rng.sample([slot for slot in left if slot not in script.story_slots], round(NEVER_SENT_SHARE * len(left)))
    )
    can_be_late = [slot for slot in left if slot not in never_sent and script.settled(slot)]
    settled = [slot for slot in can_be_late if not script.in_first_year(slot)]
    late = set(rng.sample(settled, max(LATE_FILES, round(LATE_SHARE * len(left)))))
    learning = [slot for slot in can_be_late if script.in_first_year(slot)]
    late |= set(rng.sample(learning, round(NEW_UNIT_LATE_SHARE * len(learning))))
    for slot in left:
        if slot in never_sent:
            continue
        style = script.style_for(slot)
        report = script.report(slot)
        received = script.first_receipt(slot, late=slot in late)
        script.add(slot, style.file_format, style, report, received, scenario="late" if slot in late else "normal")


def write_formula_like_notes(script: InboxScript) -> None:
    """A note starting with =, +, - or @ in a few accepted files (kept as text, flagged)."""
    routine = [
        scripted
        for scripted in script.files
        if scripted.scenario in ("normal", "late") and scripted.kind in ("csv", "xlsx")
    ]
    for scripted, (indicator, note) in zip(script.rng.sample(routine, len(FORMULA_NOTES)), FORMULA_NOTES):
        assert scripted.report is not None
        row = next((row for row in scripted.report.rows if row.indicator == indicator), scripted.report.rows[0])
        row.note = note
        scripted.formula_note = True


def write_every_period_form(script: InboxScript) -> None:
    """Each way of writing a quarter and a year appears at least once; a few workbooks give the year as a number."""
    written = [scripted for scripted in script.files if scripted.kind in ("csv", "xlsx")]
    seen_quarterly = {scripted.style.period_form for scripted in written if is_quarter(scripted.slot[2])}
    seen_yearly = {scripted.style.period_form for scripted in written if not is_quarter(scripted.slot[2])}
    spare = [scripted for scripted in written if scripted.scenario == "normal"]
    for form in QUARTER_FORMS + YEAR_FORMS:
        quarterly = form in QUARTER_FORMS and form not in seen_quarterly
        yearly = form in YEAR_FORMS and form not in seen_yearly
        if quarterly or yearly:
            scripted = next(scripted for scripted in spare if is_quarter(scripted.slot[2]) == quarterly)
            spare.remove(scripted)
            scripted.style = replace(scripted.style, period_form=form)
    survey_workbooks = [scripted for scripted in spare if scripted.kind == "xlsx" and scripted.slot[0] == IT_SURVEY]
    for scripted in survey_workbooks[:NUMERIC_YEAR_WORKBOOKS]:
        scripted.style = replace(scripted.style, period_form=NUMERIC_YEAR)
