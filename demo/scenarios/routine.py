"""Everything else: a few reports never sent, some sent late, the rest on time; then the
finishing touches: notes that look like formulas, and every way of writing a period at least
once."""

from __future__ import annotations

from dataclasses import replace

from demo.habits import NUMERIC_YEAR, QUARTER_FORMS, YEAR_FORMS
from demo.plan import is_quarter
from demo.planner import InboxPlanner
from demo.story import FORMULA_NOTES, IT_SURVEY

NEVER_SENT_SHARE = 0.05  # of the slots left
LATE_FILES = 20
NUMERIC_YEAR_WORKBOOKS = 2


def send_the_routine_reports(planner: InboxPlanner) -> None:
    """Missing and late reports (never a story slot missing), then everything else on time."""
    rng = planner.rng
    left = planner.unused_slots()
    never_sent = set(
        rng.sample([slot for slot in left if slot not in planner.story_slots], round(NEVER_SENT_SHARE * len(left)))
    )
    late = set(rng.sample([slot for slot in left if slot not in never_sent], LATE_FILES))
    for slot in left:
        if slot in never_sent:
            continue
        style = planner.style_for(slot)
        report = planner.report(slot)
        received = planner.first_receipt(slot, late=slot in late)
        planner.add(slot, style.file_format, style, report, received, scenario="late" if slot in late else "normal")


def write_formula_like_notes(planner: InboxPlanner) -> None:
    """A note starting with =, +, - or @ in a few accepted files (kept as text, flagged)."""
    routine = [
        planned
        for planned in planner.files
        if planned.scenario in ("normal", "late") and planned.kind in ("csv", "xlsx")
    ]
    for planned, (indicator, note) in zip(planner.rng.sample(routine, len(FORMULA_NOTES)), FORMULA_NOTES):
        assert planned.report is not None
        row = next((row for row in planned.report.rows if row.indicator == indicator), planned.report.rows[0])
        row.note = note
        planned.formula_note = True


def write_every_period_form(planner: InboxPlanner) -> None:
    """Each way of writing a quarter and a year appears at least once; a few workbooks give the year as a number."""
    written = [planned for planned in planner.files if planned.kind in ("csv", "xlsx")]
    seen_quarterly = {planned.style.period_form for planned in written if is_quarter(planned.slot[2])}
    seen_yearly = {planned.style.period_form for planned in written if not is_quarter(planned.slot[2])}
    spare = [planned for planned in written if planned.scenario == "normal"]
    for form in QUARTER_FORMS + YEAR_FORMS:
        quarterly = form in QUARTER_FORMS and form not in seen_quarterly
        yearly = form in YEAR_FORMS and form not in seen_yearly
        if quarterly or yearly:
            planned = next(planned for planned in spare if is_quarter(planned.slot[2]) == quarterly)
            spare.remove(planned)
            planned.style = replace(planned.style, period_form=form)
    survey_workbooks = [planned for planned in spare if planned.kind == "xlsx" and planned.slot[0] == IT_SURVEY]
    for planned in survey_workbooks[:NUMERIC_YEAR_WORKBOOKS]:
        planned.style = replace(planned.style, period_form=NUMERIC_YEAR)
