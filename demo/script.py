"""The inbox being scripted: the story's values, the units' habits, the slots no scenario has
used yet, and the files scripted so far.

Scenarios (demo.scenarios) call these methods in a fixed order; every random choice comes from
one stream seeded once, so the same seed scripts the same inbox. `finish` sorts the files by
receipt, settles their verdicts and names them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from core.catalog import Catalog
from demo.file_names import PATTERNS, RESEND_SUFFIXES, name_files
from demo.habits import UnitHabits
from demo.model import FileStyle, Report, ScriptedFile, Slot
from demo.plan import due_date, period_end, plan_slots
from demo.receipts import days_later, first_receipt
from demo.reports import fresh_report
from demo.story import DEMO_TODAY, IT_SURVEY, STORY_QUARTER
from demo.succession_story import succession_values
from demo.survey_story import survey_values
from demo.task_story import quarterly_values
from demo.verdicts import settle_verdicts

IntendedValues = dict[Slot, dict[tuple[str, str | None], int | float]]
# A slot whose due date is this close to the demo's today gets only its on-time file: a late file,
# a rejection and its resends all fit before the story's last day.
SETTLING_DAYS = 80


class InboxScript:
    """The inbox of one catalog and seed, scripted file by file by the scenarios."""

    def __init__(self, catalog: Catalog, seed: int):
        self.catalog = catalog
        self.rng = random.Random(seed)
        self.intended: IntendedValues = dict(quarterly_values(catalog, random.Random(self.rng.getrandbits(64))))
        self.intended.update(survey_values(catalog, random.Random(self.rng.getrandbits(64))))
        if catalog.successions:  # the units that succeed others (their own values, if any, go on beside)
            successors = succession_values(catalog, self.intended, random.Random(self.rng.getrandbits(64)))
            self.intended.update(successors)
        self.habits = UnitHabits(catalog, self.rng, name_patterns=len(PATTERNS))
        self.slots = plan_slots(catalog, DEMO_TODAY)
        # The story's slots never end rejected or missing: the article's figures need them all.
        self.story_slots = {slot for slot in self.slots if slot[2] == STORY_QUARTER or slot[0] == IT_SURVEY}
        self.used: set[Slot] = set()
        self.files: list[ScriptedFile] = []

    # ---------------------------------------------------------------- slots, reports, times
    def pick_slot(self, fits: Callable[[Slot], bool], ends_rejected: bool = False) -> Slot:
        """A slot no scenario has used yet that `fits`; never a story slot if it `ends_rejected`."""
        candidates = [
            slot
            for slot in self.slots
            if slot not in self.used
            and fits(slot)
            and self.settled(slot)
            and not (ends_rejected and slot in self.story_slots)
        ]
        slot = self.rng.choice(candidates)
        self.used.add(slot)
        return slot

    def settled(self, slot: Slot) -> bool:
        """Whether a late file and resends of the slot are all received before the demo's today."""
        return due_date(self.catalog, slot[0], slot[2]) + timedelta(days=SETTLING_DAYS) < DEMO_TODAY

    def in_first_year(self, slot: Slot) -> bool:
        """Whether the slot's unit began less than a year before the period's end (a unit still learning)."""
        began = date.fromisoformat(self.catalog.units[slot[1]]["valid_from"])
        return (period_end(slot[2]) - began).days < 366

    def unused_slots(self) -> list[Slot]:
        return [slot for slot in self.slots if slot not in self.used]

    def report(self, slot: Slot) -> Report:
        """A correct report of the slot, with its intended values."""
        return fresh_report(self.catalog, slot, self.intended[slot], self.rng)

    def first_receipt(self, slot: Slot, late: bool = False) -> datetime:
        return first_receipt(self.catalog, slot, self.rng, late)

    def days_after(self, previous: ScriptedFile, fewest: int, most: int) -> datetime:
        dataset, _, period = previous.slot
        return days_later(previous.received_at, due_date(self.catalog, dataset, period), self.rng, fewest, most)

    # ---------------------------------------------------------------- styles
    def style_for(self, slot: Slot) -> FileStyle:
        return self.habits.style_for(slot)

    def csv_style_for(self, slot: Slot, semicolon: bool = False) -> FileStyle:
        return self.habits.csv_style_for(slot, semicolon)

    def semicolon_csv_style_for(self, slot: Slot) -> FileStyle:
        return self.habits.csv_style_for(slot, semicolon=True)

    def xlsx_style_for(self, slot: Slot) -> FileStyle:
        return self.habits.xlsx_style_for(slot)

    # ---------------------------------------------------------------- files
    def add(
        self, slot: Slot, kind: str, style: FileStyle, report: Report | None, received_at: datetime, **details
    ) -> ScriptedFile:
        scripted = ScriptedFile(slot, kind, style, report, received_at, render_seed=self.rng.getrandbits(32), **details)
        self.files.append(scripted)
        return scripted

    def add_in_habit(self, slot: Slot, report: Report, received_at: datetime, **details) -> ScriptedFile:
        """A file written in the unit's habitual style."""
        style = self.style_for(slot)
        return self.add(slot, style.file_format, style, report, received_at, **details)

    def resend(
        self,
        previous: ScriptedFile,
        report: Report | None = None,
        kind: str | None = None,
        style: FileStyle | None = None,
        suffix: str | None = None,
        fewest_days: int = 1,
        most_days: int = 6,
        **details,
    ) -> ScriptedFile:
        """Another file for the slot of `previous`, some days later, its name with a resend suffix.

        Without `report`, a correct report (a fresh one is drawn even for a kind that shows none).
        """
        slot = previous.slot
        style = style or self.style_for(slot)
        when = self.days_after(previous, fewest_days, most_days)
        suffix = suffix or self.rng.choice(RESEND_SUFFIXES)
        return self.add(
            slot, kind or style.file_format, style, report or self.report(slot), when, name_suffix=suffix, **details
        )

    def finish(self) -> tuple[list[ScriptedFile], IntendedValues]:
        """The files in order of receipt with their verdicts and names, and the values they leave current."""
        self.files.sort(key=lambda scripted: (scripted.received_at, scripted.slot))
        settle_verdicts(self.files, self.catalog)
        if self.files and self.files[-1].received_at.date() >= DEMO_TODAY:
            raise AssertionError(f"a file is received after the demo's today: {self.files[-1].scenario}")
        accepted = [scripted for scripted in self.files if scripted.status == "accepted"]
        for scripted in accepted:  # the accepted file's own values are the intended ones
            if scripted.report is None or scripted.report.values() != self.intended[scripted.slot]:
                raise AssertionError(f"an accepted file does not hold its slot's values: {scripted.scenario}")
        name_files(self.files, self.catalog)
        return self.files, {scripted.slot: self.intended[scripted.slot] for scripted in accepted}
