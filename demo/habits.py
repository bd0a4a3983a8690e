"""Each unit's file habits: CSV dialect or workbook, file-name pattern, how its clerk writes
the period; and the occasional change when a new clerk takes over.

Every CSV dialect the template accepts is some unit's habit (UTF-8 with and without BOM,
UTF-16, Windows-1258, NFD text; comma, semicolon and tab; Vietnamese and English headers),
and about 3 units in 10 send workbooks.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date

from core.catalog import Catalog
from core.periods import Period
from demo.model import FileStyle, Slot
from demo.plan import reporting_units

CSV_STYLES = [
    FileStyle("csv", "utf-8", ",", "en", False, "\n"),
    FileStyle("csv", "utf-8-sig", ",", "vi", False, "\r\n"),
    FileStyle("csv", "utf-8-sig", ";", "vi", False, "\r\n"),
    FileStyle("csv", "utf-16", "\t", "vi", False, "\r\n"),
    FileStyle("csv", "cp1258", ";", "vi", False, "\r\n"),
    FileStyle("csv", "cp1258", ",", "vi", False, "\r\n"),
    FileStyle("csv", "utf-8", "\t", "vi", True, "\n"),
    FileStyle("csv", "utf-8", ";", "en", False, "\r\n"),
]
COMMA_CSV, SEMICOLON_CSV = CSV_STYLES[1], CSV_STYLES[2]  # what a clerk told to "send a CSV" sends
XLSX_STYLE = FileStyle("xlsx")
# The first habit of each unit, in the order of a shuffled unit list (an index into CSV_STYLES,
# None for a workbook): every dialect is someone's habit.
FIRST_HABITS = [0, None, 1, 2, None, 3, 4, None, 5, 6, None, 7, 0, None, 1, 2, None, 3, 4, 1, None, 0, 2]
WORKBOOK_SHARE = 0.29  # of unit-years
NEW_CLERK_CHANCE = 0.25  # a year's chance that a unit's habits change
NEW_UNIT_WORKBOOK_SHARE = 0.05  # of the units that began after the plan's first year

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# How a clerk writes a period, by form name.
QUARTER_WRITERS = {
    "code": lambda year, quarter: f"{year}Q{quarter}",
    "roman": lambda year, quarter: f"Quý {ROMAN[quarter]}/{year}",
    "words": lambda year, quarter: f"Quý {quarter} năm {year}",
    "qslash": lambda year, quarter: f"Q{quarter}/{year}",
    "arabic": lambda year, quarter: f"Quý {quarter}/{year}",
    "lower": lambda year, quarter: f"quý {quarter}/{year}",
    "upper_roman": lambda year, quarter: f"QUÝ {ROMAN[quarter]}/{year}",
    "nodiac": lambda year, quarter: f"Quy {ROMAN[quarter]}/{year}",
}
YEAR_WRITERS = {
    "code": lambda year: f"{year}",
    "nam": lambda year: f"Năm {year}",
    "nam_lower": lambda year: f"năm {year}",
    "nam_upper": lambda year: f"NĂM {year}",
}
QUARTER_FORMS, YEAR_FORMS = list(QUARTER_WRITERS), list(YEAR_WRITERS)
FIRST_QUARTER_FORMS = ["code", "code", "roman", "words", "qslash", "arabic"]
NEW_CLERK_QUARTER_FORMS = ["code", "roman", "words", "qslash", "arabic"]
# A clerk in a hurry writes the quarter some other way (never without diacritics).
HURRIED_QUARTER_FORMS = [*QUARTER_FORMS[:-1], "upper_roman", "lower"]
NUMERIC_YEAR = "number"  # a workbook's year as a number cell (2017), not text


def valid_from(catalog: Catalog, unit: str) -> date:
    return date.fromisoformat(catalog.units[unit]["valid_from"])


def period_text(period: str, form: str) -> str:
    """A period code as a clerk writes it in a form (`Quý III/2017`, `Năm 2017`, …)."""
    parsed = Period.parse(period)
    if parsed.type == "quarter":
        return QUARTER_WRITERS[form](parsed.year, parsed.quarter)
    return YEAR_WRITERS["code" if form == NUMERIC_YEAR else form](parsed.year)


class UnitHabits:
    """The style each unit uses each year; `style_for` adds the period form of one file.

    `name_patterns`: how many file-name patterns clerks choose from (demo.file_names.PATTERNS).
    """

    def __init__(self, catalog: Catalog, rng: random.Random, name_patterns: int):
        self.rng, self.name_patterns = rng, name_patterns
        years = range(catalog.first_year, catalog.last_year + 1)
        first = date(catalog.first_year, 1, 1)
        units = [unit for unit in reporting_units(catalog) if valid_from(catalog, unit) <= first]
        shuffled = units[:]
        rng.shuffle(shuffled)
        self.by_unit_year: dict[tuple[str, int], FileStyle] = {}
        for unit, first_habit in zip(shuffled, itertools.cycle(FIRST_HABITS)):
            self.follow_one_unit(unit, XLSX_STYLE if first_habit is None else CSV_STYLES[first_habit], years)
        self.keep_workbook_share()
        # Units that began later (the communes and departments of the 2025 reform) export CSV from the
        # province's software; a few of their clerks keep to the template's workbook.
        for unit in reporting_units(catalog):
            if valid_from(catalog, unit) > first:
                style = XLSX_STYLE if rng.random() < NEW_UNIT_WORKBOOK_SHARE else rng.choice(CSV_STYLES)
                later_years = range(valid_from(catalog, unit).year, catalog.last_year + 1)
                self.follow_one_unit(unit, style, later_years, workbook_chance=NEW_UNIT_WORKBOOK_SHARE)

    def follow_one_unit(self, unit: str, style: FileStyle, years: range, workbook_chance: float = 0.3) -> None:
        rng = self.rng
        naming = rng.randrange(self.name_patterns)
        period_form = rng.choice(FIRST_QUARTER_FORMS)
        for year in years:
            if year > years[0] and rng.random() < NEW_CLERK_CHANCE:
                style = XLSX_STYLE if rng.random() < workbook_chance else rng.choice(CSV_STYLES)
                naming = rng.randrange(self.name_patterns)
                period_form = rng.choice(NEW_CLERK_QUARTER_FORMS)
            self.by_unit_year[(unit, year)] = replace(style, naming=naming, period_form=period_form)

    def keep_workbook_share(self) -> None:
        """Swap unit-years between CSV and workbook until the workbook share is the intended one."""
        keys = sorted(self.by_unit_year)
        target = round(WORKBOOK_SHARE * len(keys))
        while (workbooks := sum(self.by_unit_year[key].file_format == "xlsx" for key in keys)) != target:
            too_many = workbooks > target
            key = self.rng.choice([key for key in keys if (self.by_unit_year[key].file_format == "xlsx") == too_many])
            new = self.rng.choice(CSV_STYLES) if too_many else XLSX_STYLE
            old = self.by_unit_year[key]
            self.by_unit_year[key] = replace(new, naming=old.naming, period_form=old.period_form)

    def style_for(self, slot: Slot) -> FileStyle:
        """The unit's style that year, with the period form of this one file."""
        style = self.by_unit_year[(slot[1], int(slot[2][:4]))]
        form = style.period_form
        if Period.parse(slot[2]).type == "year":
            form = self.rng.choice(YEAR_FORMS)
        elif self.rng.random() < 0.3:
            form = self.rng.choice(HURRIED_QUARTER_FORMS)
        return replace(style, period_form=form)

    def csv_style_for(self, slot: Slot, semicolon: bool = False) -> FileStyle:
        """The unit's style if it sends CSV (with semicolons, if asked); else a common CSV dialect."""
        style = self.style_for(slot)
        if style.file_format == "csv" and (not semicolon or style.delimiter == ";"):
            return style
        base = SEMICOLON_CSV if semicolon else COMMA_CSV
        return replace(base, naming=style.naming, period_form=style.period_form)

    def xlsx_style_for(self, slot: Slot) -> FileStyle:
        style = self.style_for(slot)
        return replace(XLSX_STYLE, naming=style.naming, period_form=style.period_form)
