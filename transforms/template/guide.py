"""The template's second sheet: the due date and how to fill the form in, Vietnamese with English beside it."""

from __future__ import annotations

from datetime import date

from core.catalog import Row
from core.periods import Period
from core.vocabulary import Text, say
from transforms.template.form import Form, english_date, period_words
from transforms.template.stamp import TEMPLATE_VERSION


def guide_lines(form: Form, unit: Row, period: Period, due: date, checksum: str) -> list[Text | None]:
    """The guide, line by line (None: a blank line)."""
    words = period_words(period)
    sheet = say("template.report_sheet").vi
    lines: list[Text | None] = [
        say("template.guide_title"),
        None,
        say(
            "template.guide_dataset",
            dataset_code=form.dataset_code,
            dataset_name=form.dataset_name,
            dataset_name_en=form.dataset_name_en,
        ),
        say("template.guide_unit", unit_code=unit["unit_code"], unit_name=unit["unit_name"]),
        say("template.guide_period", period=period.code, period_words=words.vi, period_words_en=words.en),
        say("template.guide_due", due=due, due_en=english_date(due), days=form.due_days),
        None,
        say("template.guide_values", sheet=sheet),
        say("template.guide_mandatory"),
        say("template.guide_numbers"),
        say("template.guide_red"),
        say("template.guide_sheets"),
    ]
    if form.pairs:
        names = {row.indicator_code: row.indicator_name for row in form.rows}
        lines += [None, say("template.guide_pairs")]
        lines += [Text(f"   {part} ≤ {whole}", f"   {names[part]} ≤ {names[whole]}") for part, whole in form.pairs]
    lines += [None, say("template.guide_version", version=TEMPLATE_VERSION, checksum=checksum[:12])]
    return lines


def write_guide(sheet, lines: list[Text | None], styles: dict) -> None:
    for letter, width in {"A": 4, "B": 70, "C": 60}.items():
        sheet.column_dimensions[letter].width = width
    for number, line in enumerate(lines, 1):
        if line is not None:
            sheet.cell(number, 2, line.vi).alignment = styles["wrap"]
            sheet.cell(number, 3, line.en).alignment = styles["wrap"]
    for cell in (sheet["B1"], sheet["C1"], sheet["B6"], sheet["C6"]):
        cell.font = styles["title"] if cell.row == 1 else styles["bold"]
    sheet.protection.sheet = True
